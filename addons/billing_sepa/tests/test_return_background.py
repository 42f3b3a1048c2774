from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tests.common import freeze_time

from .common import SepaReturnsCommon, camt_file


@tagged("post_install", "-at_install")
class TestSepaReturnBackground(SepaReturnsCommon):
    """A large report: matched in the request, booked and followed up in chunks by the scheduled actions."""

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
