from decimal import Decimal

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SepaBatchCommon


@tagged("post_install", "-at_install")
class TestSepaBatchBooking(SepaBatchCommon):
    """A collected batch booked: at once in the request, or in chunks by the scheduled actions."""

    def test_collected_with_batch_booking_reconciles_in_bulk(self):
        invoices, batch = self._collect(batch_booking=True)
        self.assertEqual(batch.state, "collected")
        self.assertEqual(
            set(invoices.mapped("payment_state")),
            {"paid", "in_payment"} & set(invoices.mapped("payment_state")),
        )
        self.assertTrue(all(invoice.amount_residual == 0 for invoice in invoices))
        entry = batch.collection_move_ids
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.state, "posted")
        outstanding = entry.line_ids.filtered(lambda aml: aml.debit)
        self.assertEqual(len(outstanding), 1, "one statement line must match one outstanding line per block")
        self.assertAlmostEqual(outstanding.amount_currency, 30.51)
        # Open until the bank statement line matches it: its residual is its whole amount.
        self.assertAlmostEqual(outstanding.amount_residual, 30.51)
        self.assertFalse(outstanding.reconciled)
        credits = entry.line_ids - outstanding
        self.assertTrue(all(credit.reconciled and credit.amount_residual == 0 for credit in credits))
        self.assertTrue(all(self.mandates.mapped("sequence_settled")))

    def test_collected_raises_debtor_ranks_once_as_core_does(self):
        self._post_invoices([(debtor, 5.0) for debtor in self.debtors[:3]])
        ranks_before = {debtor: debtor.customer_rank for debtor in self.debtors[:3]}
        batch = self._create_collection()
        batch.action_generate_file()
        batch.action_mark_sent()
        batch.action_mark_collected()
        self.debtors.invalidate_recordset(["customer_rank"])
        # Core raises a debtor's rank once per posted entry crediting its receivable.
        self.assertEqual(
            {debtor: debtor.customer_rank for debtor in self.debtors[:3]},
            {debtor: rank + 1 for debtor, rank in ranks_before.items()},
        )

    def test_collected_without_payment_account_on_the_method(self):
        # A bank journal as the chart creates it: no account on its payment methods.
        self.bank_journal.inbound_payment_method_line_ids.payment_account_id = False
        invoices, batch = self._collect(batch_booking=True)
        outstanding = batch.collection_move_ids.line_ids.filtered(lambda aml: aml.debit)
        self.assertEqual(
            outstanding.account_id,
            self.env["account.chart.template"].ref("account_journal_payment_debit_account_id"),
        )
        self.assertTrue(all(invoice.amount_residual == 0 for invoice in invoices))

    def test_collected_without_batch_booking_one_line_per_debit(self):
        invoices, batch = self._collect(batch_booking=False)
        outstanding = batch.collection_move_ids.line_ids.filtered(lambda aml: aml.debit)
        self.assertEqual(len(outstanding), 3)
        self.assertEqual(outstanding.partner_id, self.debtors)
        self.assertTrue(all(invoice.amount_residual == 0 for invoice in invoices))

    def _send_in_background(self, amounts_by_partner, chunk_size=2):
        self.env["ir.config_parameter"].set_param("billing_sepa.booking_chunk_size", chunk_size)
        invoices = self._post_invoices(amounts_by_partner)
        batch = self._create_collection()
        batch.action_generate_file()
        batch.action_mark_sent()
        batch.action_mark_collected()
        return invoices, batch

    def _run_booking_cron(self, batch, max_runs=20):
        """Run the posting and the matching scheduled actions in turn, as one cron worker does."""
        Batch = self.env["billing.sepa.batch"]
        for _run in range(max_runs):
            if batch.state != "booking" or batch.booking_error:
                return
            Batch._cron_book_collections()
            Batch._cron_reconcile_collections()
        self.fail("the booking cron did not finish")

    def test_large_batch_is_booked_in_background_chunks(self):
        amounts = [(self.debtors[0], 10.0), (self.debtors[1], 20.5), (self.debtors[2], 0.01)]
        invoices, batch = self._send_in_background(
            [*amounts, (self.debtors[1], 7.25), (self.debtors[2], 3.0)]
        )
        # More debits than a chunk: the click only hands the batch to the scheduled action.
        self.assertEqual(batch.state, "booking")
        self.assertFalse(batch.collection_move_ids)
        self.assertTrue(all(invoice.payment_state == "not_paid" for invoice in invoices))
        self._run_booking_cron(batch)
        self.assertEqual(batch.state, "collected")
        self.assertEqual(batch.booked_count, 5)
        self.assertTrue(all(invoice.amount_residual == 0 for invoice in invoices))
        self.assertTrue(all(batch.collection_move_ids.mapped(lambda move: move.state == "posted")))
        outstanding = batch.collection_move_ids.line_ids.filtered(
            lambda aml: aml.account_id == batch._get_outstanding_account()
        )
        # Whatever the chunks, one open line per payment block for its bank statement line.
        open_lines = outstanding.filtered(lambda aml: not aml.reconciled)
        blocks = {line.mandate_id.scheme + line.sequence_type for line in batch.line_ids}
        self.assertEqual(len(open_lines), len(blocks))
        self.assertEqual(
            sorted(open_lines.mapped("name")),
            sorted(batch._get_payment_info_identifier(block[:-4], block[-4:]) for block in blocks),
        )
        self.assertAlmostEqual(sum(open_lines.mapped("amount_currency")), 40.76)
        self.assertEqual(Decimal(str(batch.amount_total)), Decimal("40.76"))
        credits = batch.line_ids.collection_line_id
        self.assertEqual(len(credits), 5)
        self.assertTrue(all(credits.mapped("reconciled")))
        self.assertTrue(all(self.mandates.mapped("sequence_settled")))
        self.assertIn("All direct debits booked", batch.message_ids[0].body)

    def _five_invoices(self):
        return [*((debtor, 5.0) for debtor in self.debtors), (self.debtors[1], 2.5), (self.debtors[2], 0.01)]

    def test_matching_follows_posting_chunk_by_chunk(self):
        invoices, batch = self._send_in_background(self._five_invoices())
        Batch = self.env["billing.sepa.batch"]
        # Nothing posted yet: the matching action has nothing to do.
        Batch._cron_reconcile_collections()
        self.assertFalse(batch.line_ids.filtered("booking_done"))
        Batch._cron_book_collections()
        posted = batch.line_ids.filtered("collection_line_id")
        self.assertEqual(len(posted), 2)
        # The posted chunk is matched while the rest still waits to be posted.
        Batch._cron_reconcile_collections()
        self.assertEqual(batch.line_ids.filtered("booking_done"), posted)
        self.assertTrue(all(invoice.amount_residual == 0 for invoice in posted.move_id))
        self.assertTrue(all(invoice.amount_residual > 0 for invoice in invoices - posted.move_id))
        Batch._cron_reconcile_collections()
        self.assertEqual(batch.state, "booking", "a batch is not finished before all of it is posted")
        for _chunk in range(2):
            Batch._cron_book_collections()
        self.assertTrue(all(batch.line_ids.mapped("collection_line_id")))
        for _run in range(5):
            if batch.state == "collected":
                break
            Batch._cron_reconcile_collections()
        self.assertEqual(batch.state, "collected")
        self.assertTrue(all(invoice.amount_residual == 0 for invoice in invoices))
        self.assertTrue(all(batch.line_ids.collection_line_id.mapped("reconciled")))
        open_outstanding = batch.collection_move_ids.line_ids.filtered(
            lambda aml: aml.account_id == batch._get_outstanding_account() and not aml.reconciled
        )
        blocks = batch.line_ids._group_by_block()
        self.assertEqual(len(open_outstanding), len(blocks))
        self.assertAlmostEqual(sum(open_outstanding.mapped("amount_currency")), 17.51)
        self.assertIn("All direct debits booked", batch.message_ids[0].body)

    def test_posting_reconciles_its_chunk_when_matching_lags(self):
        invoices, batch = self._send_in_background(self._five_invoices())
        Batch = self.env["billing.sepa.batch"]
        Batch._cron_book_collections()
        first = batch.line_ids.filtered("collection_line_id")
        # Three debits left to post and none waiting to be matched: posting only.
        self.assertEqual(len(first), 2)
        self.assertFalse(first.filtered("booking_done"))
        # The matching action has not run: two debits wait for it and one is left to post, so
        # the posting action reconciles the chunk it posts, then the last one.
        Batch._cron_book_collections()
        second = batch.line_ids.filtered("collection_line_id") - first
        self.assertEqual(len(second), 2)
        self.assertTrue(all(second.mapped("booking_done")))
        Batch._cron_book_collections()
        self.assertTrue(all((batch.line_ids - first).mapped("booking_done")))
        self.assertFalse(first.filtered("booking_done"))
        for _run in range(3):
            if batch.state == "collected":
                break
            Batch._cron_reconcile_collections()
        self.assertEqual(batch.state, "collected")
        self.assertTrue(all(invoice.amount_residual == 0 for invoice in invoices))
        # Chunks matched out of order still meet their own part of the block totals.
        open_outstanding = batch.collection_move_ids.line_ids.filtered(
            lambda aml: aml.account_id == batch._get_outstanding_account() and not aml.reconciled
        )
        self.assertEqual(len(open_outstanding), len(batch.line_ids._group_by_block()))
        self.assertAlmostEqual(sum(open_outstanding.mapped("amount_currency")), 17.51)

    def test_whole_entries_are_matched_together(self):
        _invoices, batch = self._send_in_background(self._five_invoices())
        Batch = self.env["billing.sepa.batch"]
        Batch._cron_book_collections()
        Batch._cron_book_collections()
        lines = batch.line_ids.filtered("collection_line_id")
        self.assertEqual(len(lines), 4)
        first_entry = lines.collection_line_id.move_id.sorted("id")[0]
        in_first_entry = lines.filtered(lambda line: line.collection_line_id.move_id == first_entry)
        # A limit below an entry's size still takes that whole entry, and only it.
        self.assertEqual(lines._take_whole_entries(1), in_first_entry)
        self.assertEqual(lines._take_whole_entries(len(lines)), lines)

    def test_background_booking_without_batch_booking(self):
        self.bank_journal.sepa_batch_booking = False
        invoices, batch = self._send_in_background(self._five_invoices())
        self._run_booking_cron(batch)
        self.assertEqual(batch.state, "collected")
        self.assertTrue(all(invoice.amount_residual == 0 for invoice in invoices))
        outstanding = batch.collection_move_ids.line_ids.filtered(
            lambda aml: aml.account_id == batch._get_outstanding_account()
        )
        # One open line per debit, and no block total entry.
        self.assertEqual(len(outstanding), 5)
        self.assertFalse(outstanding.filtered("reconciled"))
        self.assertEqual(len(batch.collection_move_ids), 3)

    def test_background_booking_resumes_after_an_error(self):
        invoices, batch = self._send_in_background([(debtor, 5.0) for debtor in self.debtors])
        # An outstanding account deprecated meanwhile stops the booking: nothing of the failed
        # chunk is kept.
        outstanding = batch._get_outstanding_account()
        outstanding.deprecated = True
        self._run_booking_cron(batch)
        self.assertEqual(batch.state, "booking")
        self.assertTrue(batch.booking_error)
        self.assertFalse(batch.collection_move_ids)
        self.assertTrue(batch.activity_ids)
        with self.assertRaises(UserError):
            batch.action_cancel()
        outstanding.deprecated = False
        batch.action_retry_booking()
        self.assertFalse(batch.booking_error)
        self._run_booking_cron(batch)
        self.assertEqual(batch.state, "collected")
        self.assertTrue(all(invoice.amount_residual == 0 for invoice in invoices))

    def test_invoice_paid_otherwise_keeps_its_collection_as_credit(self):
        invoices, batch = self._send_in_background([(debtor, 5.0) for debtor in self.debtors])
        paid_by_transfer = invoices[0]
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=paid_by_transfer.ids
        ).create({"payment_date": "2026-03-19"})._create_payments()
        self._run_booking_cron(batch)
        self.assertEqual(batch.state, "collected")
        credit = batch.line_ids.filtered(lambda line: line.move_id == paid_by_transfer).collection_line_id
        # The customer paid twice: the collected amount stays open as their credit.
        self.assertFalse(credit.reconciled)
        self.assertAlmostEqual(credit.amount_residual, -5.0)
        self.assertTrue(all(invoice.amount_residual == 0 for invoice in invoices[1:]))
