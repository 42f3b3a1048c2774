from decimal import Decimal

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import freeze_time

from ..sepa import pain001
from ..sepa.charset import to_sepa_text
from .common import SepaBatchCommon


@tagged("post_install", "-at_install")
class TestSepaCreditTransfer(SepaBatchCommon):
    """Customers' credits: offset against the next collection, or paid back by pain.001."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Zoë and Jan want their credits paid back; Oleg keeps his.
        for partner in cls.debtors[:2]:
            partner.with_company(cls.company).sepa_credit_policy = "refund"

    def _post_credit_notes(self, amounts_by_partner, company=None, date="2026-03-02"):
        with freeze_time(date):
            notes = (
                self.env["account.move"]
                .with_company(company or self.company)
                .create(
                    [
                        {
                            "move_type": "out_refund",
                            "partner_id": partner.id,
                            "invoice_date": date,
                            "currency_id": self.eur.id,
                            "invoice_line_ids": [
                                Command.create({"name": "Credit", "price_unit": amount, "tax_ids": []})
                            ],
                        }
                        for partner, amount in amounts_by_partner
                    ]
                )
            )
            notes.action_post()
        return notes

    def _create_transfer(self, execution_date="2026-03-20", today="2026-03-18", company=None):
        company = company or self.company
        with freeze_time(today):
            transfer_id = self.env["billing.sepa.credit.transfer"].create_credit_transfer(
                execution_date, company.id
            )
        return self.env["billing.sepa.credit.transfer"].browse(transfer_id)

    def _open_balance(self, partner):
        lines = self.env["account.move.line"].search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", self.company.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
            ]
        )
        return sum(lines.mapped("amount_residual_currency"))

    def test_gathering_takes_credits_of_customers_who_want_them_back(self):
        notes = self._post_credit_notes(
            [
                (self.debtors[0], 15.25),
                (self.debtors[0], 0.01),
                (self.debtors[1], 7.0),
                (self.debtors[2], 9.0),
            ]
        )
        # An overpayment: a customer payment that pays no invoice.
        with freeze_time("2026-03-05"):
            payment = self.env["account.payment"].create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": self.debtors[1].id,
                    "amount": 3.3,
                    "currency_id": self.eur.id,
                    "journal_id": self.bank_journal.id,
                    "date": "2026-03-05",
                }
            )
            payment.action_post()
        no_iban = self.env["res.partner"].create({"name": "Piet Zonder Rekening"})
        no_iban.with_company(self.company).sepa_credit_policy = "refund"
        no_iban.bank_ids = [Command.create({"acc_number": "NL00NOTANIBAN0000"})]
        self._post_credit_notes([(no_iban, 4.0)])

        transfer = self._create_transfer()

        self.assertEqual(transfer.state, "draft")
        self.assertEqual(transfer.execution_date.isoformat(), "2026-03-20")
        self.assertRecordValues(
            transfer.line_ids.sorted(lambda line: line.partner_id.id),
            [
                {"partner_id": self.debtors[0].id, "amount": 15.26},
                {"partner_id": self.debtors[1].id, "amount": 10.3},
            ],
        )
        self.assertEqual(transfer.amount_total, 25.56)
        # The mandate's account is the one paid to.
        line = transfer.line_ids.filtered(lambda line: line.partner_id == self.debtors[0])
        self.assertEqual(line.partner_bank_id, self.mandates[0].partner_bank_id)
        self.assertEqual(line.credit_line_ids.move_id, notes[:2])
        self.assertIn(notes[0].name, line.remittance_text)
        # Oleg keeps his credit; Piet has no IBAN and is named in the chatter.
        self.assertNotIn(self.debtors[2], transfer.line_ids.partner_id)
        self.assertIn("Piet Zonder Rekening", transfer.message_ids[:1].body)
        # A credit is paid back once: a second gathering finds nothing new.
        self.assertFalse(self._create_transfer())
        transfer.action_cancel()
        self.assertFalse(notes.line_ids.sepa_credit_transfer_id)
        second = self._create_transfer()
        self.assertEqual(second.amount_total, 25.56)
        # Cancelling the first batch again leaves the credits with the second.
        transfer.action_cancel()
        self.assertEqual(notes[:3].line_ids.sepa_credit_transfer_id, second)
        self.assertEqual(line.credit_line_ids.move_id, notes[:2], "the cancelled batch keeps its history")

    def test_collection_offsets_kept_credits_and_collects_the_net(self):
        # Oleg keeps his credits: they are offset against what the collection takes.
        invoices = self._post_invoices([(self.debtors[2], 20.5), (self.debtors[1], 30.0)])
        note = self._post_credit_notes([(self.debtors[2], 5.25)])
        # Jan wants his credit back: his invoice is collected in full.
        jan_note = self._post_credit_notes([(self.debtors[1], 4.0)])

        batch = self._create_collection()

        amounts = {line.move_id: line.amount for line in batch.line_ids}
        self.assertEqual(amounts, {invoices[0]: 15.25, invoices[1]: 30.0})
        self.assertEqual(note.amount_residual, 0.0)
        self.assertEqual(jan_note.amount_residual, 4.0)
        batch.action_generate_file()
        amounts = etree.fromstring(batch.file_attachment_ids.raw).xpath("//*[local-name()='InstdAmt']/text()")
        self.assertEqual(sorted(amounts), ["15.25", "30.00"])

    def test_collection_leaves_out_an_invoice_the_credit_pays_whole(self):
        invoice = self._post_invoices([(self.debtors[2], 8.0)])
        self._post_credit_notes([(self.debtors[2], 10.0)])
        self.assertFalse(self._create_collection())
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertAlmostEqual(self._open_balance(self.debtors[2]), -2.0)

    def test_refund_offsets_open_debts_first(self):
        invoice, kept = self._post_invoices([(self.debtors[0], 10.0), (self.debtors[2], 5.0)])
        self._post_credit_notes([(self.debtors[0], 25.0), (self.debtors[2], 3.0)])
        transfer = self._create_transfer()
        self.assertEqual(transfer.amount_total, 15.0)
        self.assertEqual(invoice.amount_residual, 0.0)
        # Oleg keeps his credit for his next collection: a refund batch leaves it alone.
        self.assertEqual(kept.amount_residual, 5.0)

    def test_file_valid_against_both_schemas_to_the_cent(self):
        self._post_credit_notes(
            [
                (self.debtors[0], 0.01),
                (self.debtors[0], 1234.56),
                (self.debtors[1], 0.1),
                (self.debtors[1], 0.2),
            ]
        )
        for version in pain001.SUPPORTED_VERSIONS:
            with self.subTest(version=version):
                self.bank_journal.sepa_credit_transfer_version = version
                transfer = self._create_transfer()
                with freeze_time("2026-03-18"):
                    transfer.action_generate_file()
                raw = transfer.file_attachment_ids.raw
                pain001.validate_pain001(raw, version)
                namespace = {"p": f"urn:iso:std:iso:20022:tech:xsd:{version}"}
                root = etree.fromstring(raw)
                self.assertEqual(root.nsmap[None], namespace["p"])
                amounts = [Decimal(text) for text in root.xpath("//p:InstdAmt/text()", namespaces=namespace)]
                self.assertEqual(sorted(amounts), [Decimal("0.30"), Decimal("1234.57")])
                for path in ("//p:GrpHdr/p:CtrlSum", "//p:PmtInf/p:CtrlSum"):
                    self.assertEqual(root.xpath(path, namespaces=namespace)[0].text, "1234.87")
                self.assertEqual(root.xpath("//p:GrpHdr/p:NbOfTxs", namespaces=namespace)[0].text, "2")
                self.assertEqual(
                    root.xpath("//p:CdtTrfTxInf/p:Cdtr/p:Nm/text()", namespaces=namespace)[0],
                    to_sepa_text(self.debtors[0].name, 70),
                )
                self.assertEqual(
                    root.xpath("//p:DbtrAcct//p:IBAN/text()", namespaces=namespace),
                    ["DE89370400440532013000"],
                )
                transfer.action_cancel()

    def test_booking_one_entry_reconciled_with_the_credits(self):
        notes = self._post_credit_notes([(self.debtors[0], 12.5), (self.debtors[1], 7.25)])
        transfer = self._create_transfer()
        with freeze_time("2026-03-18"):
            transfer.action_generate_file()
        with self.assertRaises(UserError):
            transfer.action_mark_paid()
        transfer.action_mark_sent()
        transfer.action_mark_paid()

        self.assertEqual(transfer.state, "paid")
        move = transfer.move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.journal_id, self.bank_journal)
        # Batch booking: one line per customer and one outstanding line for the whole batch.
        self.assertEqual(len(move.line_ids), 3)
        self.assertEqual(notes.mapped("amount_residual"), [0.0, 0.0])
        self.assertTrue(all(line.payment_line_id.reconciled for line in transfer.line_ids))
        for partner in self.debtors[:2]:
            self.assertAlmostEqual(self._open_balance(partner), 0.0)
        with self.assertRaises(UserError):
            transfer.action_cancel()

    def test_booking_one_line_per_refund_without_batch_booking(self):
        self.bank_journal.sepa_batch_booking = False
        self._post_credit_notes([(self.debtors[0], 12.5), (self.debtors[1], 7.25)])
        transfer = self._create_transfer()
        with freeze_time("2026-03-18"):
            transfer.action_generate_file()
        transfer.action_mark_sent()
        transfer.action_mark_paid()
        self.assertEqual(len(transfer.move_id.line_ids), 4)
        root = etree.fromstring(transfer.file_attachment_ids.raw)
        self.assertEqual(root.xpath("//*[local-name()='BtchBookg']/text()"), ["false"])

    def test_bad_iban_is_a_clear_error_and_nothing_booked(self):
        notes = self._post_credit_notes([(self.debtors[0], 12.5)])
        transfer = self._create_transfer()
        # The account was changed to a wrong number after the batch was made.
        transfer.line_ids.partner_bank_id.acc_number = "NL91ABNA0417164399"
        with self.assertRaisesRegex(UserError, r"EndToEndId .*CdtrAcct/Id/IBAN is not a valid IBAN"):
            transfer.action_generate_file()
        self.assertEqual(transfer.state, "draft")
        self.assertFalse(transfer.file_attachment_ids)
        with self.assertRaises(UserError):
            transfer.action_mark_paid()
        self.assertFalse(transfer.move_id)
        self.assertEqual(notes.payment_state, "not_paid")

    def test_only_managers_move_money(self):
        self._post_credit_notes([(self.debtors[0], 12.5)])
        transfer = self._create_transfer()
        clerk = new_test_user(
            self.env, "sepa_refund_clerk", groups="account.group_account_invoice", company_id=self.company.id
        )
        with self.assertRaises(AccessError):
            transfer.with_user(clerk).action_generate_file()

    def test_companies_keep_their_own_credits(self):
        other = self.setup_other_company()["company"]
        self.debtors[0].with_company(other).sepa_credit_policy = "refund"
        foreign = self._post_credit_notes([(self.debtors[0], 40.0)], company=other)
        self._post_credit_notes([(self.debtors[0], 12.5)])

        transfer = self._create_transfer()
        self.assertEqual(transfer.amount_total, 12.5)
        self.assertFalse(foreign.line_ids.sepa_credit_transfer_id)
        # A user of the other company alone sees nothing of this company's refunds.
        user = new_test_user(
            self.env, "sepa_refund_other", groups="account.group_account_manager", company_id=other.id
        )
        Transfer = self.env["billing.sepa.credit.transfer"].with_user(user)
        self.assertFalse(Transfer.search([]))
        self.assertFalse(self.env["billing.sepa.credit.transfer.line"].with_user(user).search([]))
        with self.assertRaises(AccessError):
            Transfer.create_credit_transfer("2026-03-20", self.company.id)
        with self.assertRaises(AccessError):
            Transfer.browse(transfer.id).read(["name"])
        # The other company's own batch takes only its own credit.
        other_journal = self.env["account.journal"].search(
            [("company_id", "=", other.id), ("type", "=", "bank")], limit=1
        )
        other_journal.bank_account_id = self.env["res.partner.bank"].create(
            {"acc_number": "NL02ABNA0123456789", "partner_id": other.partner_id.id}
        )
        other_transfer = self._create_transfer(company=other)
        self.assertEqual(other_transfer.amount_total, 40.0)
        self.assertEqual(other_transfer.company_id, other)

    def test_wizard_opens_the_new_batch(self):
        self._post_credit_notes([(self.debtors[0], 12.5)])
        wizard = self.env["billing.sepa.credit.transfer.create"].create(
            {
                "company_id": self.company.id,
                "journal_id": self.bank_journal.id,
                "execution_date": "2026-03-20",
            }
        )
        with freeze_time("2026-03-18"):
            action = wizard.action_create()
        self.assertEqual(action["res_model"], "billing.sepa.credit.transfer")
        with freeze_time("2026-03-18"):
            action = wizard.action_create()
        self.assertEqual(action["tag"], "display_notification")
