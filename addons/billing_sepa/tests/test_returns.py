import base64
import hashlib
import pathlib
import threading
from unittest.mock import patch

import psycopg2

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.sql_db import db_connect
from odoo.tests import new_test_user, tagged
from odoo.tests.common import freeze_time
from odoo.tools import mute_logger

from ..models import billing_sepa_return_import
from ..sepa.bank_reports import parse_bank_report
from .test_batch import SepaBatchCommon

DATA_DIR = pathlib.Path(__file__).parent / "data" / "bank_reports"

CREDITOR_IBAN = "DE89370400440532013000"
CAMT_VERSIONS = [
    "camt.054.001.02",
    "camt.054.001.04",
    "camt.054.001.08",
    "camt.053.001.02",
    "camt.053.001.08",
]
PAIN002_VERSIONS = ["pain.002.001.03", "pain.002.001.10"]


def camt_file(version, returns, iban=CREDITOR_IBAN, message_id="CAMT-1"):
    """A camt.053/054 file with one booked SDD return entry per (end_to_end_id, amount, code, charge)."""
    root, block = (
        ("BkToCstmrStmt", "Stmt") if version.startswith("camt.053") else ("BkToCstmrDbtCdtNtfctn", "Ntfctn")
    )
    old = version.endswith(".02")
    entries = []
    for index, (end_to_end_id, amount, code, charge) in enumerate(returns, 1):
        charges = ""
        if charge:
            charges = (
                f'<Chrgs><Amt Ccy="EUR">{charge:.2f}</Amt></Chrgs>'
                if old
                else f'<Chrgs><Rcrd><Amt Ccy="EUR">{charge:.2f}</Amt><CdtDbtInd>DBIT</CdtDbtInd></Rcrd></Chrgs>'
            )
        status = "<Sts>BOOK</Sts>" if old else "<Sts><Cd>BOOK</Cd></Sts>"
        entries.append(
            f"""<Ntry><Amt Ccy="EUR">{amount + (charge or 0):.2f}</Amt><CdtDbtInd>DBIT</CdtDbtInd>{status}
<BookgDt><Dt>2026-03-25</Dt></BookgDt><ValDt><Dt>2026-03-25</Dt></ValDt><AcctSvcrRef>REF{index}</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>{end_to_end_id}</EndToEndId><MndtId>UNKNOWN</MndtId></Refs>
<AmtDtls><InstdAmt><Amt Ccy="EUR">{amount:.2f}</Amt></InstdAmt></AmtDtls>{charges}
<RtrInf><Rsn><Cd>{code}</Cd></Rsn><AddtlInf>Returned {code}</AddtlInf></RtrInf></TxDtls></NtryDtls></Ntry>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:{version}"><{root}>
<GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>2026-03-25T08:00:00</CreDtTm></GrpHdr>
<{block}><Id>N1</Id><CreDtTm>2026-03-25T08:00:00</CreDtTm><Acct><Id><IBAN>{iban}</IBAN></Id></Acct>
{"".join(entries)}</{block}></{root}></Document>""".encode()


def pain002_file(version, batch, rejects=(), block_reject=None, message_id="STS-1"):
    """A status report on ``batch``'s file rejecting transactions (end_to_end_id, amount, code) or a block."""
    block_id = batch.collection_move_ids[
        :1
    ].sepa_payment_info_identifier or batch._get_payment_info_identifier("CORE", "RCUR")
    transactions = "".join(
        f"""<TxInfAndSts><OrgnlInstrId>{e2e}</OrgnlInstrId><OrgnlEndToEndId>{e2e}</OrgnlEndToEndId><TxSts>RJCT</TxSts>
<StsRsnInf><Rsn><Cd>{code}</Cd></Rsn></StsRsnInf><OrgnlTxRef><Amt><InstdAmt Ccy="EUR">{amount:.2f}</InstdAmt></Amt>
<ReqdColltnDt>2026-03-20</ReqdColltnDt></OrgnlTxRef></TxInfAndSts>"""
        for e2e, amount, code in rejects
    )
    block_status = (
        f"<PmtInfSts>RJCT</PmtInfSts><StsRsnInf><Rsn><Cd>{block_reject}</Cd></Rsn></StsRsnInf>"
        if block_reject
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:{version}"><CstmrPmtStsRpt>
<GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>2026-03-19T08:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>{batch.message_identifier}</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.08</OrgnlMsgNmId></OrgnlGrpInfAndSts>
<OrgnlPmtInfAndSts><OrgnlPmtInfId>{block_id}</OrgnlPmtInfId>{block_status}{transactions}</OrgnlPmtInfAndSts>
</CstmrPmtStsRpt></Document>""".encode()


@tagged("post_install", "-at_install")
class TestSepaReturns(SepaBatchCommon):
    """Rejects, returns and refunds imported from the bank's reports, against a booked batch."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.charge_account = cls.company_data["default_account_expense"]
        cls.company.sepa_return_charge_account_id = cls.charge_account

    def _booked_batch(self, batch_booking=True):
        return self._collect(batch_booking)

    def _import(self, data, name="report.xml", company=None):
        with freeze_time("2026-03-26"):
            result = self.env["billing.sepa.return.import"].import_file(
                base64.b64encode(data).decode(), name, (company or self.company).id
            )
        return self.env["billing.sepa.return.import"].browse(result["id"]), result

    def _line(self, batch, invoice):
        return batch.line_ids.filtered(lambda line: line.move_id == invoice)

    # ------------------------------------------------------------------ import and booking

    def test_camt_return_reopens_invoice_books_charge_and_keeps_block_line(self):
        invoices, batch = self._booked_batch()
        outstanding = batch.collection_move_ids.line_ids.filtered(lambda aml: aml.debit)
        line = self._line(batch, invoices[1])
        record, result = self._import(camt_file("camt.054.001.08", [(line.end_to_end_id, 20.5, "AC04", 2.5)]))

        self.assertEqual((result["entry_count"], result["booked_count"], result["review_count"]), (1, 1, 0))
        ret = record.return_ids
        self.assertRecordValues(
            ret,
            [
                {
                    "state": "booked",
                    "invoice_id": invoices[1].id,
                    "kind": "return",
                    "amount": 20.5,
                    "bank_charge": 2.5,
                }
            ],
        )
        self.assertEqual(ret.reason_id.code, "AC04")
        self.assertEqual(invoices[1].payment_state, "not_paid")
        self.assertAlmostEqual(invoices[1].amount_residual, 20.5)
        self.assertEqual(invoices[1].invoice_date_due.isoformat(), "2026-03-02")
        self.assertTrue(all(invoice.amount_residual == 0 for invoice in invoices - invoices[1]))
        # The block's one outstanding line still matches the bank's credit of the whole block.
        self.assertFalse(outstanding.reconciled)
        self.assertAlmostEqual(outstanding.amount_residual, 30.51)
        entry = record.move_ids
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.state, "posted")
        charge = entry.line_ids.filtered(lambda aml: aml.account_id == self.charge_account)
        self.assertAlmostEqual(charge.debit, 2.5)
        bank_side = entry.line_ids.filtered(lambda aml: aml.account_id == outstanding.account_id)
        self.assertAlmostEqual(bank_side.credit, 23.0)
        # AC04: the mandate is closed, and the invoice and mandate tell why.
        self.assertEqual(self.mandates[1].state, "closed")
        self.assertTrue(any("AC04 Account closed" in body for body in invoices[1].message_ids.mapped("body")))
        self.assertTrue(
            any("AC04 Account closed" in body for body in self.mandates[1].message_ids.mapped("body"))
        )
        self.assertTrue(invoices[1].activity_ids)
        self.assertEqual(batch.sepa_return_count, 1)
        self.assertEqual(invoices[1].sepa_return_count, 1)
        self.assertEqual(self.debtors[1].sepa_return_count, 1)

    def test_each_camt_version_is_booked(self):
        for version in CAMT_VERSIONS:
            with self.subTest(version=version):
                invoices = self._post_invoices([(self.debtors[0], 10.0)])
                batch = self._create_collection()
                batch.action_generate_file()
                batch.action_mark_sent()
                batch.action_mark_collected()
                record, _result = self._import(
                    camt_file(
                        version, [(batch.line_ids.end_to_end_id, 10.0, "FOCR", None)], message_id=version
                    ),
                    name=version,
                )
                self.assertEqual(record.message_version, version)
                self.assertEqual(record.return_ids.state, "booked")
                self.assertEqual(invoices.payment_state, "not_paid")

    def test_the_parser_test_files_against_a_collected_batch(self):
        """Each report file of the parser's tests, its debits collected and booked here first."""
        for path in sorted(DATA_DIR.glob("[cp]*.xml")):
            with self.subTest(file=path.name):
                data = path.read_bytes()
                report = parse_bank_report(data, max_size=10 * 1024 * 1024)
                ours = [e for e in report.entries if e.level == "transaction" and e.original_end_to_end_id]
                self.mandates.write({"state": "active"})
                self.bank_journal.bank_account_id.acc_number = CREDITOR_IBAN
                # A file-level reject answers the whole file: one debit of ours in it.
                invoices = self._post_invoices(
                    [(self.debtors[i % 3], float(e.amount or 10)) for i, e in enumerate(ours)]
                    or [(self.debtors[0], 10.0)]
                )
                batch = self._create_collection()
                # The file answers debits of these ids: give them to this batch's debits.
                for invoice, entry in zip(invoices, ours, strict=False):
                    self._line(batch, invoice).end_to_end_id = entry.original_end_to_end_id
                batch.action_generate_file()
                batch.message_identifier = next((e.original_message_id for e in report.entries), "none")
                batch.line_ids.message_identifier = batch.message_identifier
                if report.account_ibans:
                    # The files are for several banks (with made-up IBANs): ours is the first of each.
                    self.bank_journal.bank_account_id.acc_number = sorted(report.account_ibans)[0]
                batch.action_mark_sent()
                batch.action_mark_collected()
                record, result = self._import(data, name=path.name)
                self.assertEqual(record.message_version, report.version)
                self.assertEqual(result["entry_count"], len(record.return_ids))
                booked = record.return_ids.filtered(lambda r: r.state == "booked")
                self.assertTrue(set(invoices.ids) <= set(booked.invoice_id.ids))
                for invoice in invoices:
                    self.assertEqual(invoice.payment_state, "not_paid")
                    self.assertAlmostEqual(invoice.amount_residual, invoice.amount_total)
                self.assertFalse(record.return_ids.filtered(lambda r: r.state == "matched"))

    def test_double_import_changes_nothing(self):
        invoices, batch = self._booked_batch()
        data = camt_file(
            "camt.054.001.08", [(self._line(batch, invoices[0]).end_to_end_id, 10.0, "AM04", 1.0)]
        )
        record, _result = self._import(data)
        moves = self.env["account.move"].search_count([])
        again, result = self._import(data, name="renamed.xml")
        self.assertEqual(again, record)
        self.assertTrue(result["duplicate"])
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        # The same entry in another file (the day's camt.053 after the camt.054): no second return.
        other, result = self._import(
            camt_file(
                "camt.054.001.08",
                [(self._line(batch, invoices[0]).end_to_end_id, 10.0, "AM04", 1.0)],
                message_id="CAMT-053",
            ),
            name="statement.xml",
        )
        self.assertEqual(result["review_count"], 1)
        self.assertEqual(other.return_ids.state, "to_review")
        other.return_ids.batch_line_id = self._line(batch, invoices[0])
        with self.assertRaises(UserError):
            other.return_ids.action_match()
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        self.assertAlmostEqual(invoices[0].amount_residual, 10.0)

    def test_refused_files_import_nothing(self):
        invoices, batch = self._booked_batch()
        e2e = self._line(batch, invoices[0]).end_to_end_id
        Import = self.env["billing.sepa.return.import"]
        cases = {
            "another IBAN": camt_file(
                "camt.054.001.08", [(e2e, 10.0, "AM04", None)], iban="NL91ABNA0417164300"
            ),
            "not XML": b"%PDF-1.4 not a bank report",
            "unknown type": b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"/>',
            "entities": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]><Document>&x;</Document>',
        }
        # The parser's hostile files: XXE, billion laughs, external DTD, truncated, wrong encoding...
        cases.update({path.name: path.read_bytes() for path in DATA_DIR.glob("hostile_*")})
        # What each error says, besides the file's name (never its content).
        reasons = {
            "another IBAN": "NL91ABNA0417164300, which is not a bank account",
            "not XML": "not well-formed XML",
            "unknown type": "not a bank report this module reads",
            "entities": "DOCTYPE",
            "hostile_xxe.xml": "DOCTYPE",
            "hostile_billion_laughs.xml": "XML entities",
            "hostile_truncated.xml": "not well-formed XML",
        }
        before = self._snapshot()
        for name, data in cases.items():
            with self.subTest(name=name), self.assertRaises(UserError) as caught:
                self._import(data, name=name)
            message = str(caught.exception)
            self.assertIn(name, message)
            self.assertIn(reasons.get(name, "cannot be imported"), message)
            self.assertNotIn("root:", message)
        self.company.sepa_return_max_file_size = 1
        with self.assertRaisesRegex(UserError, "MB"):
            self._import(b" " * (1024 * 1024 + 1) + camt_file("camt.054.001.08", []))
        # 200 MB made on the fly (bytes(n) is zeroed lazily), behind a real report's start: refused
        # by the size limit of 50 MB before anything parses or hashes it.
        self.company.sepa_return_max_file_size = 50
        huge = camt_file("camt.054.001.08", [(e2e, 10.0, "AM04", None)]) + bytes(200 * 1024 * 1024)
        with (
            patch.object(billing_sepa_return_import, "parse_bank_report") as parse,
            patch.object(billing_sepa_return_import.hashlib, "sha256") as sha256,
            self.assertRaisesRegex(UserError, "more than the 50 MB"),
        ):
            Import._import_bytes(huge, "huge.xml", self.company)
        parse.assert_not_called()
        sha256.assert_not_called()
        self.assertFalse(Import.search([("company_id", "=", self.company.id)]))
        self.assertEqual(invoices[0].amount_residual, 0)
        self.assertEqual(self._snapshot(), before)

    def _snapshot(self):
        """What an import may change: imports, returns, entries, reconciliations, messages, activities."""
        self.env.flush_all()
        counts = {
            model: self.env[model].sudo().search_count([])
            for model in (
                "billing.sepa.return.import",
                "billing.sepa.return",
                "account.move",
                "account.partial.reconcile",
                "mail.message",
                "mail.activity",
                "ir.attachment",
            )
        }
        counts["mandates"] = self.mandates.mapped("state")
        return counts

    # ------------------------------------------------------------------ matching

    def test_matching_fallbacks_and_review(self):
        invoices, batch = self._booked_batch()
        by_instruction = self._line(batch, invoices[0])
        by_mandate = self._line(batch, invoices[1])
        data = camt_file(
            "camt.054.001.08",
            [
                ("NOTPROVIDED", 10.0, "MS03", None),
                ("NOTPROVIDED", 20.5, "MS03", None),
                ("NOPE-1", 5.0, "MS03", None),
            ],
        )
        data = data.replace(
            b"<EndToEndId>NOTPROVIDED</EndToEndId><MndtId>UNKNOWN</MndtId>",
            b"<EndToEndId>NOTPROVIDED</EndToEndId><MndtId>UNKNOWN</MndtId>",
            1,
        )
        # First: no end-to-end id but the instruction id; second: only the mandate and amount.
        data = data.replace(
            b"<EndToEndId>NOTPROVIDED</EndToEndId><MndtId>UNKNOWN</MndtId>",
            f"<InstrId>{by_instruction.end_to_end_id}</InstrId><EndToEndId>NOTPROVIDED</EndToEndId>".encode(),
            1,
        )
        data = data.replace(
            b"<EndToEndId>NOTPROVIDED</EndToEndId><MndtId>UNKNOWN</MndtId>",
            f"<EndToEndId>NOTPROVIDED</EndToEndId><MndtId>{by_mandate.mandate_id.name}</MndtId>".encode(),
            1,
        )
        record, result = self._import(data)
        self.assertEqual((result["booked_count"], result["review_count"]), (2, 1))
        self.assertEqual(record.state, "to_review")
        returns = record.return_ids.sorted("id")
        self.assertEqual(returns.batch_line_id, by_instruction | by_mandate)
        unmatched = returns.filtered(lambda ret: ret.state == "to_review")
        self.assertIn("NOPE-1", unmatched.raw_xml)
        with self.assertRaises(UserError):
            unmatched.action_match()
        unmatched.batch_line_id = self._line(batch, invoices[2])
        unmatched.action_match()
        self.assertEqual(unmatched.state, "booked")
        self.assertEqual(record.state, "done")
        self.assertEqual(invoices[2].payment_state, "not_paid")

    def test_mandate_fallback_takes_the_collection_of_the_reported_date(self):
        """Two collections of one mandate and amount: the reported settlement date picks one."""
        self.bank_journal.sepa_batch_booking = True
        first = self._post_invoices([(self.debtors[0], 10.0)])
        march = self._create_collection()
        march.action_generate_file()
        march.action_mark_sent()
        march.action_mark_collected()
        second = self._post_invoices([(self.debtors[0], 10.0)], invoice_date="2026-04-02")
        april = self._create_collection("2026-04-22", today="2026-04-20")
        april.action_generate_file()
        april.action_mark_sent()
        april.action_mark_collected()
        mandate = self.mandates[0].name
        data = camt_file("camt.054.001.08", [("NOTPROVIDED", 10.0, "AM04", None)])
        data = data.replace(
            b"<MndtId>UNKNOWN</MndtId>",
            f"<MndtId>{mandate.lower()}</MndtId>".encode(),
        ).replace(b"</TxDtls>", b"<RltdDts><IntrBkSttlmDt>2026-03-20</IntrBkSttlmDt></RltdDts></TxDtls>")
        record, result = self._import(data)
        self.assertEqual(result["booked_count"], 1)
        self.assertEqual(record.return_ids.batch_line_id, self._line(march, first))
        self.assertEqual(first.payment_state, "not_paid")
        self.assertIn(second.payment_state, ("paid", "in_payment"))
        # Without the date: the latest collection not returned yet.
        data = (
            data.replace(b"<RltdDts><IntrBkSttlmDt>2026-03-20</IntrBkSttlmDt></RltdDts>", b"")
            .replace(b"CAMT-1", b"CAMT-2")
            .replace(b"2026-03-25", b"2026-04-25")
        )
        self._import(data)
        self.assertEqual(second.payment_state, "not_paid")

    def test_same_file_at_once_second_import_waits_and_retries(self):
        """Two imports of one file at once: the second waits for the first and changes nothing.

        A second, real database connection holds the file's lock as a concurrent import does; the
        import here waits for it, then fails with a serialization failure (which Odoo's request
        handling retries in a new transaction, where the file is a duplicate), leaving nothing.
        The end-to-end test in tests/test_sepa_returns_xmlrpc.py sends the same file twice at once.
        """
        invoices, batch = self._booked_batch()
        data = camt_file(
            "camt.054.001.08", [(self._line(batch, invoices[0]).end_to_end_id, 10.0, "AM04", None)]
        )
        digest = hashlib.sha256(data).hexdigest()
        before = self._snapshot()
        other = db_connect(self.env.cr.dbname).cursor()
        try:
            other.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, %s))", [digest, self.company.id])
            released = threading.Timer(1.0, other.rollback)
            released.start()
            with (
                self.assertRaises(psycopg2.errors.SerializationFailure),
                mute_logger("odoo.sql_db"),
                self.env.cr.savepoint(),
            ):
                self._import(data)
            released.join()
        finally:
            other.close()
        self.assertEqual(self._snapshot(), before)
        self.assertEqual(invoices[0].amount_residual, 0)
        # Retried once the other import is done: imported once.
        record, result = self._import(data)
        self.assertEqual((result["booked_count"], result["duplicate"]), (1, False))
        self.assertEqual(len(record.move_ids), 1)

    # ------------------------------------------------------------------ actions

    def test_action_classes(self):
        invoices, batch = self._booked_batch(batch_booking=False)
        data = camt_file(
            "camt.054.001.08",
            [
                (self._line(batch, invoices[0]).end_to_end_id, 10.0, "AM04", None),
                (self._line(batch, invoices[1]).end_to_end_id, 20.5, "MD06", None),
                (self._line(batch, invoices[2]).end_to_end_id, 0.01, "FF01", None),
            ],
        )
        record, _result = self._import(data)
        self.assertEqual(record.return_ids.mapped("state"), ["booked"] * 3)
        represented, disputed, technical = invoices
        self.assertFalse(represented.sepa_batch_id)
        self.assertTrue(represented.sepa_represented)
        self.assertTrue(disputed.sepa_disputed)
        self.assertEqual(disputed.sepa_batch_id, batch)
        self.assertEqual(record.return_ids.filtered(lambda r: r.invoice_id == disputed).kind, "refund")
        self.assertTrue(technical.activity_ids)
        self.assertEqual(self.mandates.mapped("state"), ["active"] * 3)
        # The next collection takes the re-presented invoice only.
        new_batch = self._create_collection(collection_date="2026-03-30", today="2026-03-26")
        self.assertEqual(new_batch.line_ids.move_id, represented)
        new_batch.action_generate_file()
        new_batch.action_mark_sent()
        with freeze_time("2026-03-31"):
            new_batch.action_mark_collected()
        # Returned again: not re-presented a second time, a person looks at it.
        self._import(
            camt_file(
                "camt.054.001.08",
                [(new_batch.line_ids.end_to_end_id, 10.0, "AM04", None)],
                message_id="CAMT-2",
            )
        )
        self.assertEqual(represented.payment_state, "not_paid")
        self.assertEqual(represented.sepa_batch_id, new_batch)
        self.assertTrue(represented.activity_ids)

    def _book_in_background(self, record, max_runs=10):
        """Run the two returns actions as one cron worker would, in turn, until the import is booked."""
        Import = self.env["billing.sepa.return.import"]
        for _run in range(max_runs):
            if record.state != "booking" or record.booking_error:
                return
            with freeze_time("2026-03-26"):
                Import._cron_book_returns()
                Import._cron_follow_up_returns()
        self.fail("the returns booking crons did not finish")

    def test_large_file_is_booked_in_background_chunks(self):
        invoices, batch = self._booked_batch(batch_booking=False)
        # Set after the collection's booking: the file's three returns are more than one chunk.
        self.env["ir.config_parameter"].sudo().set_param("billing_sepa.booking_chunk_size", 1)
        data = camt_file(
            "camt.054.001.08",
            [
                (self._line(batch, invoices[0]).end_to_end_id, 10.0, "AM04", None),
                (self._line(batch, invoices[1]).end_to_end_id, 20.5, "MD06", None),
                (self._line(batch, invoices[2]).end_to_end_id, 0.01, "FF01", 1.0),
            ],
        )
        with patch.object(self.env.registry["ir.cron"], "_trigger", autospec=True) as trigger:
            record, result = self._import(data)
        # Stored and matched in the request; the answer says the booking is under way.
        self.assertTrue(result["booking_in_background"])
        self.assertEqual((result["matched_count"], result["booked_count"]), (3, 0))
        self.assertEqual(record.state, "booking")
        self.assertIn(
            self.env.ref("billing_sepa.ir_cron_billing_sepa_book_returns"),
            [call.args[0] for call in trigger.call_args_list],
        )
        self.assertTrue(any("in the background" in body for body in record.message_ids.mapped("body")))
        self.assertEqual(record.return_ids.mapped("state"), ["matched"] * 3)
        self.assertTrue(all(invoice.payment_state in ("paid", "in_payment") for invoice in invoices))
        # A chunk that fails keeps nothing and stops the booking until someone retries it.
        self.company.sepa_return_charge_account_id = False
        self._book_in_background(record)
        self.assertIn("bank charge account", record.booking_error)
        self.assertEqual(record.state, "booking")
        self.company.sepa_return_charge_account_id = self.charge_account
        self.assertTrue(record.action_retry_booking())
        self.assertFalse(record.booking_error)
        self._book_in_background(record)
        # The same end state as a small file booked in the request: one entry per chunk.
        self.assertEqual(record.state, "done")
        self.assertEqual(record.return_ids.mapped("state"), ["booked"] * 3)
        self.assertEqual(len(record.move_ids), 3)
        self.assertEqual(record._get_result()["booked_count"], 3)
        self.assertFalse(record._get_result()["booking_in_background"])
        represented, disputed, technical = invoices
        for invoice in invoices:
            self.assertEqual(invoice.payment_state, "not_paid")
            self.assertAlmostEqual(invoice.amount_residual, invoice.amount_total)
        self.assertTrue(represented.sepa_represented)
        self.assertTrue(disputed.sepa_disputed)
        self.assertEqual(technical.activity_ids.user_id, technical.invoice_user_id or record.create_uid)
        self.assertTrue(any("FF01" in body for body in technical.message_ids.mapped("body")))

    def test_follow_up_action_takes_only_booked_chunks(self):
        """The booking action books, the follow-up action acts on what is booked, each once."""
        invoices, batch = self._booked_batch(batch_booking=False)
        self.env["ir.config_parameter"].sudo().set_param("billing_sepa.booking_chunk_size", 1)
        data = camt_file(
            "camt.054.001.08",
            [
                (self._line(batch, invoices[0]).end_to_end_id, 10.0, "FF01", None),
                (self._line(batch, invoices[1]).end_to_end_id, 20.5, "MD06", None),
                (self._line(batch, invoices[2]).end_to_end_id, 0.01, "FF01", None),
            ],
        )
        record, _result = self._import(data)
        first, second, third = record.return_ids.sorted("id")
        Import = self.env["billing.sepa.return.import"]

        def notes(invoice):
            return invoice.message_ids.filtered(lambda message: "direct debit" in (message.body or ""))

        # Nothing booked yet: the follow-up action has nothing to do and finishes nothing.
        with freeze_time("2026-03-26"):
            Import._cron_follow_up_returns()
        self.assertEqual((record.state, first.state), ("booking", "matched"))
        # The booking action books the first chunk only: the invoice is open again, no note yet.
        with freeze_time("2026-03-26"):
            Import._cron_book_returns()
        self.assertEqual((first.state, first.followed_up), ("booked", False))
        self.assertEqual((second | third).mapped("state"), ["matched"] * 2)
        self.assertEqual(invoices[0].payment_state, "not_paid")
        self.assertFalse(notes(invoices[0]) or invoices[0].activity_ids)
        # The follow-up action takes that booked chunk, and leaves the unbooked returns alone.
        with freeze_time("2026-03-26"):
            Import._cron_follow_up_returns()
        self.assertTrue(first.followed_up)
        self.assertEqual(len(notes(invoices[0])), 1)
        self.assertEqual(len(invoices[0].activity_ids), 1)
        self.assertFalse((second | third).filtered("followed_up"))
        self.assertFalse(notes(invoices[1]) or invoices[1].sepa_disputed)
        self.assertEqual(record.state, "booking")
        # Called again with nothing booked to follow up: nothing happens twice.
        with freeze_time("2026-03-26"):
            Import._cron_follow_up_returns()
        self.assertEqual(len(notes(invoices[0])), 1)
        self.assertEqual(len(invoices[0].activity_ids), 1)
        # The second chunk is booked only; the last is booked and followed up at once.
        with freeze_time("2026-03-26"):
            Import._cron_book_returns()
            Import._cron_book_returns()
        self.assertEqual((second | third).mapped("state"), ["booked", "booked"])
        self.assertEqual((second | third).mapped("followed_up"), [False, True])
        self.assertEqual(record.state, "booking")
        # The follow-up action follows up the second and, with nothing left, finishes.
        with freeze_time("2026-03-26"):
            Import._cron_follow_up_returns()
        self.assertEqual(record.state, "done")
        self.assertTrue(invoices[1].sepa_disputed)
        for invoice in invoices:
            self.assertEqual(len(notes(invoice)), 1)
            self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(len(record.move_ids), 3)

    def test_the_booking_skips_a_chunk_another_worker_holds(self):
        """A chunk another transaction holds is left to it: the booking takes the next one."""
        invoices, batch = self._booked_batch(batch_booking=False)
        self.env["ir.config_parameter"].sudo().set_param("billing_sepa.booking_chunk_size", 1)
        data = camt_file(
            "camt.054.001.08",
            [
                (self._line(batch, invoice).end_to_end_id, invoice.amount_total, "AM04", None)
                for invoice in invoices
            ],
        )
        record, _result = self._import(data)
        first, second, _third = record.return_ids.sorted("id")
        Return = type(first)
        original = Return._lock_next

        def held_by_another_worker(model, domain, limit):
            # The first return is locked by a transaction still running: SKIP LOCKED passes it.
            return original(model, [*domain, ("id", "!=", first.id)], limit)

        with patch.object(Return, "_lock_next", held_by_another_worker), freeze_time("2026-03-26"):
            self.env["billing.sepa.return.import"]._cron_book_returns()
        self.assertEqual((first.state, second.state), ("matched", "booked"))
        self._book_in_background(record)
        self.assertEqual(record.state, "done")
        self.assertEqual(record.return_ids.mapped("state"), ["booked"] * 3)
        self.assertEqual(len(record.move_ids), 3)

    def test_large_file_missing_charge_account_is_refused_whole(self):
        invoices, batch = self._booked_batch()
        self.env["ir.config_parameter"].sudo().set_param("billing_sepa.booking_chunk_size", 1)
        self.company.sepa_return_charge_account_id = False
        data = camt_file(
            "camt.054.001.08",
            [
                (self._line(batch, invoices[0]).end_to_end_id, 10.0, "AM04", None),
                (self._line(batch, invoices[1]).end_to_end_id, 20.5, "AM04", 2.5),
            ],
        )
        with self.assertRaisesRegex(UserError, "bank charge account"):
            self._import(data)

    def test_reject_is_no_first_collection(self):
        self.bank_journal.sepa_use_first_sequence = True
        invoices, batch = self._booked_batch()
        self.assertEqual(set(batch.line_ids.mapped("sequence_type")), {"FRST"})
        self.assertTrue(all(self.mandates.mapped("sequence_settled")))
        record, _result = self._import(
            pain002_file(
                "pain.002.001.03", batch, [(self._line(batch, invoices[0]).end_to_end_id, 10.0, "AM04")]
            )
        )
        self.assertEqual(record.return_ids.kind, "reject")
        self.assertEqual(record.return_ids.state, "booked")
        self.assertFalse(self.mandates[0].sequence_settled, "a rejected FRST does not count")
        self.assertTrue(self.mandates[1].sequence_settled)
        # A return after settlement does count: the mandate stays settled.
        self._import(
            camt_file("camt.054.001.08", [(self._line(batch, invoices[1]).end_to_end_id, 20.5, "MS02", None)])
        )
        self.assertTrue(self.mandates[1].sequence_settled)

    def test_each_pain002_version_and_block_reject(self):
        for version in PAIN002_VERSIONS:
            with self.subTest(version=version):
                invoices = self._post_invoices([(self.debtors[0], 10.0), (self.debtors[1], 20.0)])
                batch = self._create_collection()
                batch.action_generate_file()
                batch.action_mark_sent()
                batch.action_mark_collected()
                record, result = self._import(
                    pain002_file(version, batch, block_reject="FF01", message_id=version), name=version
                )
                self.assertEqual(result["booked_count"], 2)
                self.assertEqual(record.return_ids.mapped("level"), ["block", "block"])
                self.assertEqual(set(invoices.mapped("payment_state")), {"not_paid"})
                self.assertEqual(len(record.move_ids), 1, "one entry per file and block")

    def test_file_reject_of_one_of_several_files(self):
        """A batch sent in three files (two debits per file): the bank rejects the second file."""
        self.bank_journal.sepa_max_transactions_per_file = 2
        amounts = [10.0, 20.5, 0.01, 7.25, 3.0]
        invoices = self._post_invoices([(self.debtors[i % 3], amount) for i, amount in enumerate(amounts)])
        batch = self._create_collection()
        batch.action_generate_file()
        batch.action_mark_sent()
        batch.action_mark_collected()
        message_ids = batch.message_identifier.split(", ")
        self.assertEqual(len(message_ids), 3)
        report = f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt>
<GrpHdr><MsgId>STS-FILE-2</MsgId><CreDtTm>2026-03-19T08:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>{message_ids[1]}</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.08</OrgnlMsgNmId>
<OrgnlNbOfTxs>2</OrgnlNbOfTxs><OrgnlCtrlSum>7.26</OrgnlCtrlSum><GrpSts>RJCT</GrpSts>
<StsRsnInf><Rsn><Cd>FF01</Cd></Rsn></StsRsnInf></OrgnlGrpInfAndSts>
</CstmrPmtStsRpt></Document>""".encode()
        record, result = self._import(report)

        self.assertEqual(result["booked_count"], 2)
        self.assertEqual(record.return_ids.mapped("level"), ["file", "file"])
        rejected = invoices[2:4]
        self.assertEqual(record.return_ids.invoice_id, rejected)
        self.assertEqual(sorted(record.return_ids.mapped("amount")), [0.01, 7.25])
        self.assertEqual(set(rejected.mapped("payment_state")), {"not_paid"})
        self.assertTrue(all(invoice.amount_residual == 0 for invoice in invoices - rejected))
        # Booked against the block of the rejected file only.
        self.assertEqual(len(record.move_ids), 1)
        self.assertEqual(
            set(record.return_ids.batch_line_id.mapped("payment_info_identifier")),
            {f"{batch.name}-CORE-RCUR-2"},
        )

        # A block reject of the third file's block: its one debit.
        block_report = pain002_file("pain.002.001.03", batch, block_reject="FF01", message_id="STS-BLOCK-3")
        block_report = block_report.replace(
            batch.message_identifier.encode(), message_ids[2].encode()
        ).replace(
            batch.collection_move_ids[:1].sepa_payment_info_identifier.encode(),
            f"{batch.name}-CORE-RCUR-3".encode(),
        )
        record, result = self._import(block_report, name="block.xml")
        self.assertEqual(result["booked_count"], 1)
        self.assertEqual(record.return_ids.invoice_id, invoices[4])
        self.assertEqual(invoices[4].payment_state, "not_paid")

    def test_reject_before_booking_waits_for_the_batch(self):
        invoices = self._post_invoices([(self.debtors[0], 10.0), (self.debtors[1], 20.5)])
        batch = self._create_collection()
        batch.action_generate_file()
        batch.action_mark_sent()
        record, _result = self._import(
            pain002_file(
                "pain.002.001.03", batch, [(self._line(batch, invoices[0]).end_to_end_id, 10.0, "MS02")]
            )
        )
        self.assertEqual(record.return_ids.state, "matched")
        batch.action_mark_collected()
        self.assertEqual(record.return_ids.state, "booked")
        self.assertEqual(invoices[0].payment_state, "not_paid")
        self.assertTrue(invoices[0].sepa_disputed)
        self.assertEqual(invoices[1].amount_residual, 0)

    def test_other_company_cannot_import_or_see(self):
        invoices, batch = self._booked_batch()
        data = camt_file(
            "camt.054.001.08", [(self._line(batch, invoices[0]).end_to_end_id, 10.0, "AM04", None)]
        )
        other = self.setup_other_company()["company"]
        self.env["account.journal"].search(
            [("company_id", "=", other.id), ("type", "=", "bank")], limit=1
        ).bank_account_id = self.env["res.partner.bank"].create(
            {"acc_number": "NL02ABNA0123456789", "partner_id": other.partner_id.id}
        )
        with self.assertRaises(UserError):
            self._import(data, company=other)
        record, _result = self._import(data)
        self.assertFalse(
            self.env["billing.sepa.return"]
            .with_company(other)
            .with_context(allowed_company_ids=other.ids)
            .search([("id", "in", record.return_ids.ids)])
        )

    def test_each_company_books_its_own_returns(self):
        invoices, batch = self._booked_batch()
        other = self.setup_other_company()["company"]
        other.sepa_creditor_identifier = "NL69ZZZ123456780000"
        journal = self.env["account.journal"].search(
            [("company_id", "=", other.id), ("type", "=", "bank")], limit=1
        )
        journal.bank_account_id = self.env["res.partner.bank"].create(
            {"acc_number": "NL02ABNA0123456789", "partner_id": other.partner_id.id}
        )
        debtor = self.debtors[1]
        debtor.with_company(other).sepa_direct_debit = True
        mandate = self.env["billing.sepa.mandate"].create(
            {
                "partner_id": debtor.id,
                "partner_bank_id": self.mandates[1].partner_bank_id.id,
                "signature_date": "2026-01-05",
                "company_id": other.id,
            }
        )
        mandate.action_activate()
        Move = self.env["account.move"].with_company(other)
        with freeze_time("2026-03-02"):
            foreign = Move.create(
                {
                    "move_type": "out_invoice",
                    "partner_id": debtor.id,
                    "invoice_date": "2026-03-02",
                    "currency_id": self.eur.id,
                    "invoice_line_ids": [Command.create({"name": "Other", "price_unit": 5.0, "tax_ids": []})],
                }
            )
            foreign.action_post()
        Batch = self.env["billing.sepa.batch"].with_company(other)
        with freeze_time("2026-03-18"):
            other_batch = Batch.browse(Batch.create_collection("2026-03-20", other.id, journal.id))
        other_batch.action_generate_file()
        other_batch.action_mark_sent()
        other_batch.action_mark_collected()
        # The other company's report names its own debit and one of this company's.
        data = camt_file(
            "camt.054.001.08",
            [
                (other_batch.line_ids.end_to_end_id, 5.0, "MS02", None),
                (self._line(batch, invoices[0]).end_to_end_id, 10.0, "MS02", None),
            ],
            iban="NL02ABNA0123456789",
        )
        record, result = self._import(data, company=other)
        self.assertEqual((result["booked_count"], result["review_count"]), (1, 1))
        self.assertEqual(record.company_id, other)
        self.assertEqual(foreign.payment_state, "not_paid")
        self.assertEqual(invoices[0].amount_residual, 0, "another company's report never reopens ours")
        self.assertEqual(record.move_ids.company_id, other)
        # A user of this company alone sees none of the other company's returns.
        user = new_test_user(
            self.env, "sepa_returns_mine", groups="account.group_account_manager", company_id=self.company.id
        )
        self.assertFalse(
            self.env["billing.sepa.return"].with_user(user).search([("import_id", "=", record.id)])
        )
        with self.assertRaises(AccessError):
            self.env["billing.sepa.return.import"].with_user(user).import_file(
                base64.b64encode(data).decode(), "camt.xml", other.id
            )

    def test_wizard_on_the_batch(self):
        invoices, batch = self._booked_batch()
        action = batch.action_import_bank_report()
        data = camt_file(
            "camt.054.001.08", [(self._line(batch, invoices[0]).end_to_end_id, 10.0, "AM04", None)]
        )
        wizard = (
            self.env[action["res_model"]]
            .with_context(**action["context"])
            .create({"file_data": base64.b64encode(data), "file_name": "camt.xml"})
        )
        with freeze_time("2026-03-26"):
            result = wizard.action_import()
        self.assertEqual(self.env[result["res_model"]].browse(result["res_id"]).booked_count, 1)
        self.assertEqual(batch.action_view_sepa_returns()["domain"], [("batch_id", "=", batch.id)])
