from datetime import date
from decimal import Decimal

import psycopg2
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import freeze_time
from odoo.tools import mute_logger

from ..sepa import pain008
from .common import SepaBatchCommon

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"}


@tagged("post_install", "-at_install")
class TestSepaBatch(SepaBatchCommon):
    def test_collection_gathers_due_invoices_and_lists_skips(self):
        invoices = self._post_invoices(
            [(self.debtors[0], 10.0), (self.debtors[1], 20.5), (self.debtors[2], 30.25)]
        )
        not_due = self._post_invoices([(self.debtors[0], 99.0)], invoice_date="2026-03-17")
        self.mandates[2].action_revoke()

        batch = self._create_collection()

        self.assertEqual(batch.line_ids.move_id, invoices[:2])
        self.assertEqual(batch.amount_total, 30.5)
        self.assertRecordValues(batch.skip_ids, [{"move_id": invoices[2].id}])
        self.assertIn("Revoked", batch.skip_ids.reason)
        self.assertEqual(invoices[:2].sepa_batch_id, batch)
        self.assertFalse(not_due.sepa_batch_id)
        self.assertEqual(set(batch.line_ids.mapped("sequence_type")), {"RCUR"})
        # Never in two live batches: a second run finds nothing new.
        self.assertFalse(self._create_collection())

    def test_weekly_collection_only_where_switched_on(self):
        invoice = self._post_invoices([(self.debtors[0], 10.0)])
        # As the scheduled action runs: as the superuser, over every company (the demo's too).
        Batch = self.env["billing.sepa.batch"].sudo()
        self.assertFalse(self.company.sepa_auto_collect, "off unless switched on")
        with freeze_time("2026-03-18"):
            Batch._cron_create_collections()
        self.assertFalse(invoice.sepa_batch_id)
        self.company.sepa_auto_collect = True
        with freeze_time("2026-03-18"):
            Batch._cron_create_collections()
        self.assertEqual(invoice.sepa_batch_id.collection_date, date(2026, 3, 19))

    def test_collection_date_respects_lead_time(self):
        self._post_invoices([(self.debtors[0], 10.0)])
        with self.assertRaises(UserError):
            self._create_collection(collection_date="2026-03-18", today="2026-03-18")
        self.bank_journal.sepa_lead_days = 2
        # Wed 18 Mar + 1 + 2 TARGET2 days = Mon 23 Mar.
        with self.assertRaises(UserError):
            self._create_collection(collection_date="2026-03-20", today="2026-03-18")
        self.assertTrue(self._create_collection(collection_date="2026-03-23", today="2026-03-18"))

    def test_file_generated_validated_and_summed_to_the_cent(self):
        amounts = [0.01, 33.33, 19.99, 1234.56, 0.1, 7.77] * 5
        self._post_invoices([(self.debtors[i % 3], amount) for i, amount in enumerate(amounts)])
        batch = self._create_collection()
        batch.action_generate_file()

        self.assertEqual(batch.state, "generated")
        root = etree.fromstring(batch.file_attachment_ids.raw)
        expected = sum(Decimal(str(a)) for a in amounts)
        self.assertEqual(
            root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:CtrlSum", namespaces=NS), str(expected)
        )
        self.assertEqual(
            root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS), str(len(amounts))
        )
        names = root.xpath("//p:Dbtr/p:Nm/text()", namespaces=NS)
        self.assertIn("Zoe Mueller + Soehne", names)
        self.assertTrue(all(name.strip() for name in names))
        self.assertEqual(root.xpath("//p:Dbtr/p:PstlAdr/p:TwnNm/text()", namespaces=NS)[0], "Koeln")
        first_message_id = batch.message_identifier

        batch.action_generate_file()
        self.assertNotEqual(batch.message_identifier, first_message_id)
        [file] = batch.get_files()
        self.assertEqual(file["name"], f"{batch.message_identifier}.xml")

    def test_sent_records_collection_and_presents_amendments(self):
        self.mandates[0].sudo().last_collection_date = "2026-02-16"
        self.mandates[0].name = "UMR-NEW-REF"
        self._post_invoices([(self.debtors[0], 10.0)])
        batch = self._create_collection()
        batch.action_generate_file()
        root = etree.fromstring(batch.file_attachment_ids.raw)
        self.assertEqual(root.xpath("//p:MndtRltdInf/p:AmdmntInd/text()", namespaces=NS), ["true"])
        self.assertTrue(root.xpath("//p:AmdmntInfDtls/p:OrgnlMndtId", namespaces=NS))

        batch.action_mark_sent()
        self.assertEqual(batch.state, "sent")
        self.assertEqual(self.mandates[0].last_collection_date, date(2026, 3, 20))
        self.assertEqual(self.mandates[0].pending_amendment_count, 0)

    def test_first_sequence_when_bank_wants_it(self):
        self.bank_journal.sepa_use_first_sequence = True
        self.mandates[1].sudo().sequence_settled = True
        self._post_invoices([(self.debtors[0], 10.0), (self.debtors[0], 11.0), (self.debtors[1], 12.0)])
        batch = self._create_collection()
        self.assertEqual(sorted(batch.line_ids.mapped("sequence_type")), ["FRST", "RCUR", "RCUR"])

    def test_invoicing_user_prepares_manager_generates(self):
        self._post_invoices([(self.debtors[0], 10.0)])
        user = new_test_user(
            self.env,
            "sepa_invoicing_user",
            groups="account.group_account_invoice",
            company_id=self.company.id,
        )
        with freeze_time("2026-03-18"):
            batch_id = (
                self.env["billing.sepa.batch"]
                .with_user(user)
                .create_collection("2026-03-20", self.company.id, self.bank_journal.id)
            )
        batch = self.env["billing.sepa.batch"].browse(batch_id)
        with self.assertRaises(AccessError):
            batch.with_user(user).action_generate_file()
        batch.action_generate_file()
        self.assertEqual(batch.state, "generated")

    def test_cancel_frees_invoices_and_draft_is_blocked_meanwhile(self):
        invoices = self._post_invoices([(self.debtors[0], 10.0)])
        batch = self._create_collection()
        with self.assertRaises(UserError):
            invoices.button_draft()
        batch.action_cancel()
        self.assertFalse(invoices.sepa_batch_id)
        self.assertTrue(self._create_collection())

    def test_one_block_per_file(self):
        self.bank_journal.sepa_use_first_sequence = True
        self.bank_journal.sepa_one_block_per_file = True
        self.mandates[1].sudo().sequence_settled = True
        self._post_invoices([(self.debtors[0], 10.0), (self.debtors[1], 12.0)])
        batch = self._create_collection()
        batch.action_generate_file()
        self.assertEqual(len(batch.file_attachment_ids), 2)
        sequence_types = {
            etree.fromstring(attachment.raw).xpath("//p:SeqTp/text()", namespaces=NS)[0]
            for attachment in batch.file_attachment_ids
        }
        self.assertEqual(sequence_types, {"FRST", "RCUR"})

    def _file_summaries(self, batch):
        """Per file of ``batch``: MsgId, NbOfTxs, CtrlSum, and per block PmtInfId, NbOfTxs, CtrlSum, EndToEndIds."""
        files = []
        for attachment in batch.file_attachment_ids.sorted("name"):
            pain008.validate_pain008(attachment.raw, pain008.PAIN008_001_08)
            root = etree.fromstring(attachment.raw)
            header = root.find("p:CstmrDrctDbtInitn/p:GrpHdr", NS)
            blocks = [
                (
                    block.findtext("p:PmtInfId", namespaces=NS),
                    int(block.findtext("p:NbOfTxs", namespaces=NS)),
                    Decimal(block.findtext("p:CtrlSum", namespaces=NS)),
                    block.xpath("p:DrctDbtTxInf/p:PmtId/p:EndToEndId/text()", namespaces=NS),
                )
                for block in root.iterfind("p:CstmrDrctDbtInitn/p:PmtInf", NS)
            ]
            files.append(
                (
                    header.findtext("p:MsgId", namespaces=NS),
                    int(header.findtext("p:NbOfTxs", namespaces=NS)),
                    Decimal(header.findtext("p:CtrlSum", namespaces=NS)),
                    blocks,
                )
            )
        return files

    def test_files_split_at_the_journal_limit(self):
        amounts = [0.01, 33.33, 19.99, 1234.56, 7.77]
        invoices = self._post_invoices([(self.debtors[i % 3], amount) for i, amount in enumerate(amounts)])
        self.bank_journal.sepa_max_transactions_per_file = 2
        batch = self._create_collection()
        batch.action_generate_file()

        files = self._file_summaries(batch)
        self.assertEqual([count for _msg, count, _sum, _blocks in files], [2, 2, 1])
        lines = batch.line_ids.sorted("id")
        self.assertEqual(lines.move_id, invoices)
        message_ids = [msg for msg, _count, _sum, _blocks in files]
        self.assertEqual(len(set(message_ids)), 3)
        self.assertEqual(batch.message_identifier.split(", "), message_ids)
        name = batch.name
        for index, (msg, count, control_sum, blocks) in enumerate(files):
            self.assertEqual(msg, f"{name}-1-{index + 1}")
            [(pmtinf_id, block_count, block_sum, end_to_end_ids)] = blocks
            self.assertEqual(pmtinf_id, f"{name}-CORE-RCUR-{index + 1}")
            self.assertEqual((block_count, block_sum), (count, control_sum))
            file_lines = lines[2 * index : 2 * index + 2]
            self.assertEqual(end_to_end_ids, file_lines.mapped("end_to_end_id"))
            self.assertEqual(control_sum, sum(Decimal(str(a)) for a in amounts[2 * index : 2 * index + 2]))
            self.assertEqual(set(file_lines.mapped("message_identifier")), {msg})
            self.assertEqual(set(file_lines.mapped("payment_info_identifier")), {pmtinf_id})
        self.assertEqual(sum(s for _m, _c, s, _b in files), Decimal("1295.66"))
        self.assertEqual(len(batch.get_files()), 3)

        # A limit the batch fits in: one file, its block not numbered.
        self.bank_journal.sepa_max_transactions_per_file = 5
        batch.action_generate_file()
        [(msg, count, control_sum, [(pmtinf_id, *_rest)])] = self._file_summaries(batch)
        self.assertEqual((msg, count, control_sum), (f"{name}-2", 5, Decimal("1295.66")))
        self.assertEqual(pmtinf_id, f"{name}-CORE-RCUR")
        self.assertEqual(set(batch.line_ids.mapped("payment_info_identifier")), {pmtinf_id})

    def test_split_files_fill_up_across_blocks_and_book_per_block(self):
        self.bank_journal.sepa_use_first_sequence = True
        self.bank_journal.sepa_max_transactions_per_file = 3
        self.mandates[1:].sudo().write({"sequence_settled": True})
        # FRST: the first debit of debtor 0; RCUR: the four others.
        self._post_invoices(
            [
                (self.debtors[0], 10.0),
                (self.debtors[1], 20.5),
                (self.debtors[2], 0.01),
                (self.debtors[1], 7.25),
                (self.debtors[2], 3.0),
            ]
        )
        batch = self._create_collection()
        batch.action_generate_file()
        name = batch.name
        blocks_by_file = [
            [(pmtinf_id, count, control_sum) for pmtinf_id, count, control_sum, _e2e in blocks]
            for _msg, _count, _sum, blocks in self._file_summaries(batch)
        ]
        self.assertEqual(
            blocks_by_file,
            [
                [(f"{name}-CORE-FRST", 1, Decimal("10.00")), (f"{name}-CORE-RCUR-1", 2, Decimal("20.51"))],
                [(f"{name}-CORE-RCUR-2", 2, Decimal("10.25"))],
            ],
        )
        batch.action_mark_sent()
        batch.action_mark_collected()
        self.assertEqual(batch.state, "collected")
        # One open outstanding line per block as sent, for the bank's one amount per block.
        open_lines = batch.collection_move_ids.line_ids.filtered(
            lambda aml: aml.account_id == batch._get_outstanding_account() and not aml.reconciled
        )
        self.assertEqual(
            sorted((line.name, line.amount_currency) for line in open_lines),
            [(f"{name}-CORE-FRST", 10.0), (f"{name}-CORE-RCUR-1", 20.51), (f"{name}-CORE-RCUR-2", 10.25)],
        )
        self.assertTrue(all(invoice.amount_residual == 0 for invoice in batch.line_ids.move_id))

    def test_split_files_with_one_block_per_file(self):
        self.bank_journal.sepa_use_first_sequence = True
        self.bank_journal.sepa_one_block_per_file = True
        self.bank_journal.sepa_max_transactions_per_file = 3
        self.mandates[1:].sudo().write({"sequence_settled": True})
        self._post_invoices([(self.debtors[0], 10.0), (self.debtors[1], 20.5), (self.debtors[2], 0.01)])
        batch = self._create_collection()
        batch.action_generate_file()
        blocks_by_file = [
            [pmtinf_id for pmtinf_id, *_rest in blocks]
            for _msg, _c, _s, blocks in self._file_summaries(batch)
        ]
        self.assertEqual(blocks_by_file, [[f"{batch.name}-CORE-FRST"], [f"{batch.name}-CORE-RCUR"]])

    def test_negative_file_limit_is_refused(self):
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.CheckViolation),
            self.env.cr.savepoint(),
        ):
            self.bank_journal.sepa_max_transactions_per_file = -1
            self.bank_journal.flush_recordset()

    def test_pain_001_02_for_banks_that_still_need_it(self):
        self.bank_journal.sepa_pain_version = "pain.008.001.02"
        self._post_invoices([(self.debtors[0], 10.0)])
        batch = self._create_collection()
        batch.action_generate_file()
        root = etree.fromstring(batch.file_attachment_ids.raw)
        self.assertEqual(root.nsmap[None], "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02")
        self.assertFalse(root.xpath("//*[local-name()='PstlAdr']"))

    def test_other_company_invoices_and_mandates_stay_apart(self):
        other_company = self.setup_other_company()["company"]
        other_company.sepa_creditor_identifier = "NL69ZZZ123456780000"
        debtor = self.debtors[1]
        debtor.with_company(other_company).sepa_direct_debit = True
        with freeze_time("2026-03-02"):
            foreign = (
                self.env["account.move"]
                .with_company(other_company)
                .create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": debtor.id,
                        "invoice_date": "2026-03-02",
                        "currency_id": self.eur.id,
                        "invoice_line_ids": [
                            Command.create({"name": "Other", "price_unit": 5.0, "tax_ids": []})
                        ],
                    }
                )
            )
            foreign.action_post()
        # No mandate of the other company: its invoice is not for direct debit.
        self.assertFalse(foreign.sepa_mandate_id)
        mine = self._post_invoices([(debtor, 7.0)])
        batch = self._create_collection()
        self.assertEqual(batch.line_ids.move_id, mine)
        # A user of the other company alone sees none of this company's mandates.
        user = new_test_user(
            self.env,
            "sepa_other_company",
            groups="account.group_account_invoice",
            company_id=other_company.id,
        )
        self.assertFalse(self.env["billing.sepa.mandate"].with_user(user).search([]))
