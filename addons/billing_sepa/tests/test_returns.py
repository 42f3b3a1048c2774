import base64
import hashlib
import pathlib
import threading
from unittest.mock import patch

import psycopg2

from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import tagged
from odoo.tests.common import freeze_time
from odoo.tools import mute_logger

from ..models import billing_sepa_return_import
from ..sepa.bank_reports import parse_bank_report
from .common import (
    CREDITOR_IBAN,
    SepaReturnsCommon,
    camt_file,
    pain002_file,  # noqa: F401 (this module gave it to other test modules before common)
)

DATA_DIR = pathlib.Path(__file__).parent / "data" / "bank_reports"

CAMT_VERSIONS = [
    "camt.054.001.02",
    "camt.054.001.04",
    "camt.054.001.08",
    "camt.053.001.02",
    "camt.053.001.08",
]


@tagged("post_install", "-at_install")
class TestSepaReturns(SepaReturnsCommon):
    """Rejects, returns and refunds imported from the bank's reports, against a booked batch."""

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
