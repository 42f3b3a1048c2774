from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..sepa import pain008
from . import test_batch
from .test_batch import SepaBatchCommon


@tagged("post_install", "-at_install")
class TestSepaBatchChunks(SepaBatchCommon):
    """Large collections: gathered and written to files by scheduled actions, a chunk each."""

    _file_summaries = test_batch.TestSepaBatch._file_summaries

    def _set_chunk_size(self, size):
        self.env["ir.config_parameter"].set_param("billing_sepa.collection_chunk_size", size)

    def _run_cron(self, method, batch, state, max_runs=20):
        """Call the scheduled action ``method`` until ``batch`` leaves ``state``; return the calls."""
        for run in range(1, max_runs + 1):
            getattr(self.env["billing.sepa.batch"], method)()
            if batch.state != state:
                return run
        self.fail(f"{method} did not finish")

    def _mixed_invoices(self):
        """Eight invoices: mandates collected more than once, first debits, a revoked mandate."""
        self.bank_journal.sepa_use_first_sequence = True
        self.mandates[1].sudo().sequence_settled = True
        debtor_a, debtor_b, debtor_c = self.debtors
        invoices = self._post_invoices(
            [
                (debtor_a, 10.0),
                (debtor_b, 20.5),
                (debtor_c, 30.25),
                (debtor_a, 11.0),
                (debtor_c, 0.01),
                (debtor_a, 12.0),
                (debtor_b, 7.77),
                (debtor_c, 1.5),
            ]
        )
        self.mandates[2].action_revoke()
        return invoices

    def _summary(self, batch):
        lines = [
            (line.move_id, line.mandate_id, line.amount, line.sequence_type)
            for line in batch.line_ids.sorted("id")
        ]
        skips = [(skip.move_id, skip.reason) for skip in batch.skip_ids.sorted("id")]
        return lines, skips

    def test_sent_writes_the_mandates_as_the_orm_computes_them(self):
        """Mark Sent writes the mandates in one UPDATE: the same dates as the ORM's compute."""
        self.mandates[1].mandate_type = "oneoff"
        self._post_invoices([(self.debtors[0], 10.0), (self.debtors[0], 11.0), (self.debtors[1], 12.0)])
        # The last day of a February: 36 months later there is none.
        batch = self._create_collection(collection_date="2028-02-29", today="2028-02-25")
        batch.action_generate_file()
        recurrent, oneoff, unused = self.mandates
        self.assertEqual(recurrent.expiry_date, date(2029, 1, 5))  # from the signature, in cache
        batch.action_mark_sent()
        self.assertEqual(recurrent.last_collection_date, date(2028, 2, 29))
        self.assertEqual(recurrent.expiry_date, date(2031, 2, 28))
        self.assertEqual(oneoff.last_collection_date, date(2028, 2, 29))
        self.assertFalse(oneoff.expiry_date)
        self.assertFalse(unused.last_collection_date)
        self.assertEqual(unused.expiry_date, date(2029, 1, 5))
        recurrent._compute_expiry_date()
        self.assertEqual(recurrent.expiry_date, date(2031, 2, 28))
        # The one-off mandate is used up (written through the ORM, its state change tracked).
        self.assertEqual(oneoff.state, "closed")
        self.assertEqual(recurrent.state, "active")

    def test_chunked_gathering_equals_the_collection_made_at_once(self):
        invoices = self._mixed_invoices()
        at_once = self._create_collection()
        self.assertEqual(at_once.state, "draft")
        expected = self._summary(at_once)
        self.assertEqual(
            [sequence_type for *_line, sequence_type in expected[0]], ["FRST", "RCUR", "RCUR", "RCUR", "RCUR"]
        )
        self.assertEqual(len(expected[1]), 3)
        at_once.action_cancel()

        self._set_chunk_size(2)
        batch = self._create_collection()
        # More due invoices than a chunk: the batch only waits for the scheduled action.
        self.assertEqual(batch.state, "gathering")
        self.assertEqual(batch.gathering_total, 8)
        self.assertFalse(batch.line_ids)
        self.assertFalse(invoices.sepa_batch_id)
        with self.assertRaisesRegex(UserError, "Only draft batches"):
            batch.action_generate_file()

        self.assertEqual(self._run_cron("_cron_gather_collections", batch, "gathering"), 5)
        self.assertEqual(batch.state, "draft")
        self.assertEqual(self._summary(batch), expected)
        self.assertEqual(batch.gathered_count, 8)
        self.assertEqual(invoices.filtered("sepa_batch_id").sepa_batch_id, batch)
        self.assertEqual(len(set(batch.line_ids.mapped("end_to_end_id"))), 5)
        self.assertIn("Gathering finished: 5 direct debits, 3 invoices skipped.", batch.message_ids[0].body)

    def test_repeated_gathering_calls_add_nothing_twice(self):
        self._mixed_invoices()
        self._set_chunk_size(3)
        batch = self._create_collection()
        Batch = self.env["billing.sepa.batch"]
        Batch._cron_gather_collections()
        self.assertEqual((batch.line_count, len(batch.skip_ids)), (2, 1))
        # The skipped invoice stays free (in no batch): the next chunk starts after it anyway.
        Batch._cron_gather_collections()
        Batch._cron_gather_collections()
        self.assertEqual(batch.state, "draft")
        lines, skips = batch.line_ids, batch.skip_ids
        for _run in range(3):
            Batch._cron_gather_collections()
        self.assertEqual((batch.line_ids, batch.skip_ids), (lines, skips))
        self.assertEqual(len(lines.move_id | skips.move_id), 8)
        # A second collection finds nothing new but the skipped invoices.
        self.assertFalse(self._create_collection())

    def test_gathering_batch_can_be_cancelled_and_is_left_alone(self):
        invoices = self._mixed_invoices()
        self._set_chunk_size(3)
        batch = self._create_collection()
        self.env["billing.sepa.batch"]._cron_gather_collections()
        self.assertTrue(invoices.sepa_batch_id)
        with self.assertRaisesRegex(UserError, "cancel the batch first"):
            invoices[0].button_draft()
        batch.action_cancel()
        self.assertFalse(invoices.sepa_batch_id)
        self.env["billing.sepa.batch"]._cron_gather_collections()
        self.assertEqual(batch.state, "cancelled")
        self.assertEqual(batch.line_count, 2)

    def test_gathering_without_anything_to_collect_cancels_the_batch(self):
        self._post_invoices([(self.debtors[2], 5.0), (self.debtors[2], 6.0), (self.debtors[2], 7.0)])
        self.mandates[2].action_revoke()
        self._set_chunk_size(2)
        batch = self._create_collection()
        self._run_cron("_cron_gather_collections", batch, "gathering")
        self.assertEqual(batch.state, "cancelled")
        self.assertEqual(len(batch.skip_ids), 3)

    def test_small_collection_stays_synchronous(self):
        self._post_invoices([(self.debtors[0], 10.0), (self.debtors[1], 20.5)])
        self._set_chunk_size(2)
        batch = self._create_collection()
        self.assertEqual(batch.state, "draft")
        self.assertEqual(batch.line_count, 2)

    def test_files_of_a_large_batch_built_one_per_transaction(self):
        amounts = [0.01, 33.33, 19.99, 1234.56, 7.77]
        self._post_invoices([(self.debtors[i % 3], amount) for i, amount in enumerate(amounts)])
        self.bank_journal.sepa_max_transactions_per_file = 2
        batch = self._create_collection()
        batch.action_generate_file()
        at_once = self._file_summaries(batch)
        name = batch.name

        self._set_chunk_size(2)
        batch.action_generate_file()
        self.assertEqual(batch.state, "generating")
        self.assertEqual((batch.generated_file_count, batch.planned_file_count), (0, 3))
        self.assertFalse(batch.file_attachment_ids)
        with self.assertRaisesRegex(UserError, "Generate the file"):
            batch.action_mark_sent()
        self.assertEqual(self._run_cron("_cron_generate_files", batch, "generating"), 3)
        self.assertEqual(batch.state, "generated")
        self.assertEqual(batch.generation_count, 2)
        # The same files as at once, with the next generation's message identifiers.
        in_chunks = self._file_summaries(batch)
        self.assertEqual(
            in_chunks, [(msg.replace(f"{name}-1-", f"{name}-2-"), *rest) for msg, *rest in at_once]
        )
        self.assertEqual(batch.message_identifier, f"{name}-2-1, {name}-2-2, {name}-2-3")
        lines = batch.line_ids.sorted("id")
        for index, (msg, _count, _sum, [(pmtinf_id, *_block)]) in enumerate(in_chunks):
            file_lines = lines[2 * index : 2 * index + 2]
            self.assertEqual(set(file_lines.mapped("message_identifier")), {msg})
            self.assertEqual(set(file_lines.mapped("payment_info_identifier")), {pmtinf_id})
        for attachment in batch.file_attachment_ids:
            pain008.validate_pain008(attachment.raw, pain008.PAIN008_001_08)
        batch.action_mark_sent()
        self.assertEqual(batch.state, "sent")

    def test_file_generation_error_sends_the_batch_back_to_draft(self):
        self._post_invoices([(self.debtors[i % 3], 5.0 + i) for i in range(5)])
        self.bank_journal.sepa_max_transactions_per_file = 2
        batch = self._create_collection()
        self._set_chunk_size(2)
        batch.action_generate_file()
        self.assertEqual(batch.state, "generating")
        self.env["billing.sepa.batch"]._cron_generate_files()
        self.assertEqual(len(batch.file_attachment_ids), 1)
        self.company.sepa_creditor_identifier = False
        self.env["billing.sepa.batch"]._cron_generate_files()
        self.assertEqual(batch.state, "draft")
        self.assertFalse(batch.file_attachment_ids)
        self.assertIn("File generation stopped", batch.message_ids[0].body)

    def test_file_generation_starts_again_when_the_journal_limit_changes(self):
        self._post_invoices([(self.debtors[i % 3], 5.0 + i) for i in range(5)])
        self.bank_journal.sepa_max_transactions_per_file = 2
        batch = self._create_collection()
        self._set_chunk_size(2)
        batch.action_generate_file()
        self.env["billing.sepa.batch"]._cron_generate_files()
        self.bank_journal.sepa_max_transactions_per_file = 4
        self.assertEqual(self._run_cron("_cron_generate_files", batch, "generating"), 2)
        self.assertEqual([count for _msg, count, _sum, _blocks in self._file_summaries(batch)], [4, 1])
        self.assertEqual(batch.message_identifier, f"{batch.name}-1-1, {batch.name}-1-2")
