from odoo.tests import tagged
from odoo.tests.common import freeze_time

from . import test_batch, test_batch_chunks
from .test_batch import SepaBatchCommon

CREATED = "2026-03-18 09:30:15"


@tagged("post_install", "-at_install")
class TestSepaBatchFileParts(SepaBatchCommon):
    """A file of more debits than billing_sepa.file_chunk_size, built in parts in the background."""

    _file_summaries = test_batch.TestSepaBatch._file_summaries
    _mixed_invoices = test_batch_chunks.TestSepaBatchChunks._mixed_invoices

    def _set_file_chunk_size(self, size):
        self.env["ir.config_parameter"].set_param("billing_sepa.file_chunk_size", size)

    def _parts(self, batch):
        return self.env["billing.sepa.batch.file.part"].search([("batch_id", "=", batch.id)])

    def _run_cron(self, batch, max_runs=20):
        """Call the file action until ``batch`` leaves "Generating File"; return the calls."""
        for run in range(1, max_runs + 1):
            with freeze_time(CREATED):
                self.env["billing.sepa.batch"]._cron_generate_files()
            if batch.state != "generating":
                return run
        self.fail("_cron_generate_files did not finish")

    def _files_at_once(self, batch):
        """Generate ``batch``'s files in one go; return them and make the next generation reuse
        their message identifiers (the first generation again)."""
        self._set_file_chunk_size(1000)
        with freeze_time(CREATED):
            batch.action_generate_file()
        self.assertEqual(batch.state, "generated")
        files = [(attachment.name, attachment.raw) for attachment in batch.file_attachment_ids.sorted("name")]
        lines = batch.line_ids.sorted("id")
        identifiers = [(line.message_identifier, line.payment_info_identifier) for line in lines]
        batch.generation_count = 0
        batch.state = "draft"
        lines.write({"message_identifier": False, "payment_info_identifier": False})
        return files, identifiers

    def _files(self, batch):
        return [(attachment.name, attachment.raw) for attachment in batch.file_attachment_ids.sorted("name")]

    def _identifiers(self, batch):
        return [
            (line.message_identifier, line.payment_info_identifier) for line in batch.line_ids.sorted("id")
        ]

    def test_one_file_built_in_parts_is_the_file_built_at_once(self):
        self._mixed_invoices()
        batch = self._create_collection()
        self.assertEqual(batch.line_count, 5)
        at_once, identifiers = self._files_at_once(batch)
        self.assertEqual(len(at_once), 1)

        # One FRST debit and four RCUR: parts of [1], [3, 1] debits.
        self._set_file_chunk_size(3)
        with freeze_time(CREATED):
            batch.action_generate_file()
        self.assertEqual(batch.state, "generating")
        self.assertEqual((batch.generated_file_count, batch.planned_file_count), (0, 1))
        self.assertIn("built in parts of at most 3", batch.message_ids[0].body)
        self.assertIn("(3 parts)", batch.message_ids[0].body)
        Batch = self.env["billing.sepa.batch"]
        with freeze_time(CREATED):
            Batch._cron_generate_files()
        self.assertEqual((batch.generated_part_count, batch.planned_part_count), (1, 3))
        parts = self._parts(batch)
        self.assertRecordValues(
            parts, [{"file_index": 0, "sequence": 0, "transaction_count": 1, "company_id": self.company.id}]
        )
        self.assertFalse(batch.file_attachment_ids)
        # The two other parts, then a call of its own puts the file together.
        for _run in range(2):
            with freeze_time(CREATED):
                Batch._cron_generate_files()
        self.assertEqual((batch.generated_part_count, batch.planned_part_count), (3, 3))
        self.assertEqual((batch.state, batch.file_attachment_ids), ("generating", self.env["ir.attachment"]))
        self.assertEqual(self._run_cron(batch), 1)
        self.assertEqual(batch.state, "generated")
        self.assertEqual(self._files(batch), at_once)
        self.assertEqual(self._identifiers(batch), identifiers)
        self.assertEqual(batch.message_identifier, f"{batch.name}-1")
        self.assertEqual(batch.generation_count, 1)
        self.assertFalse(self._parts(batch))
        self.assertEqual((batch.generated_part_count, batch.planned_part_count), (0, 0))
        self.assertIn(
            "File 1 of 1 (5 direct debits) put together from its 3 parts.", batch.message_ids[0].body
        )
        # Repeated calls add nothing.
        attachments = batch.file_attachment_ids
        for _run in range(2):
            Batch._cron_generate_files()
        self.assertEqual(batch.file_attachment_ids, attachments)
        self.assertFalse(self._parts(batch))
        self.assertEqual(batch.generation_count, 1)
        batch.action_mark_sent()
        self.assertEqual(batch.state, "sent")

    def test_several_files_one_built_in_parts_are_the_files_built_at_once(self):
        self._mixed_invoices()
        # Four debits a file: the first (FRST 1, RCUR 3) is built in two parts, the second at once.
        self.bank_journal.sepa_max_transactions_per_file = 4
        batch = self._create_collection()
        at_once, identifiers = self._files_at_once(batch)
        self.assertEqual([name for name, _raw in at_once], [f"{batch.name}-1-1.xml", f"{batch.name}-1-2.xml"])

        self._set_file_chunk_size(3)
        with freeze_time(CREATED):
            batch.action_generate_file()
        self.assertEqual((batch.state, batch.planned_file_count), ("generating", 2))
        self.assertEqual(self._run_cron(batch), 4)
        self.assertEqual(self._files(batch), at_once)
        self.assertEqual(self._identifiers(batch), identifiers)
        self.assertEqual(batch.message_identifier, f"{batch.name}-1-1, {batch.name}-1-2")
        self.assertFalse(self._parts(batch))

    def test_error_in_a_later_part_sends_the_batch_back_to_draft(self):
        self._post_invoices([(self.debtors[index % 3], 5.0 + index) for index in range(5)])
        batch = self._create_collection()
        self._set_file_chunk_size(2)
        batch.action_generate_file()
        self.assertEqual(batch.state, "generating")
        Batch = self.env["billing.sepa.batch"]
        Batch._cron_generate_files()
        self.assertEqual(len(self._parts(batch)), 1)
        lines = batch.line_ids.sorted("id")
        # The third debit reuses the first's EndToEndId: refused, as in a file built at once.
        lines[2].end_to_end_id = lines[0].end_to_end_id
        Batch._cron_generate_files()
        self.assertEqual(batch.state, "draft")
        self.assertIn("File generation stopped", batch.message_ids[0].body)
        self.assertIn("used by two transactions", batch.message_ids[0].body)
        self.assertFalse(self._parts(batch))
        self.assertFalse(batch.file_attachment_ids)
        self.assertEqual((batch.generated_part_count, batch.planned_part_count), (0, 0))
        # An invalid debit in the last part: refused when its part is built.
        lines[2].end_to_end_id = "E2E-FIXED-3"
        lines[4].end_to_end_id = "/not-valid"
        batch.action_generate_file()
        Batch._cron_generate_files()
        Batch._cron_generate_files()
        self.assertEqual(len(self._parts(batch)), 2)
        Batch._cron_generate_files()
        self.assertEqual(batch.state, "draft")
        self.assertIn("EndToEndId", batch.message_ids[0].body)
        self.assertFalse(self._parts(batch))
        lines[4].end_to_end_id = "E2E-FIXED-5"
        batch.action_generate_file()
        self.assertEqual(self._run_cron(batch), 4)
        self.assertEqual(batch.state, "generated")
        self.assertEqual(self._file_summaries(batch)[0][1], 5)

    def test_a_change_of_chunk_size_or_journal_limit_restarts_the_generation(self):
        self._mixed_invoices()
        batch = self._create_collection()
        at_once, identifiers = self._files_at_once(batch)
        self._set_file_chunk_size(3)
        with freeze_time(CREATED):
            batch.action_generate_file()
        Batch = self.env["billing.sepa.batch"]
        for _run in range(2):
            with freeze_time(CREATED):
                Batch._cron_generate_files()
        self.assertEqual(batch.generated_part_count, 2)
        # Parts of two debits from now: the parts built so far are dropped, the file starts again.
        self._set_file_chunk_size(2)
        with freeze_time(CREATED):
            Batch._cron_generate_files()
        self.assertEqual((batch.generated_part_count, batch.planned_part_count), (1, 3))
        self.assertEqual(self._parts(batch).mapped("sequence"), [0])
        self.assertEqual(self._run_cron(batch), 3)
        self.assertEqual(self._files(batch), at_once)
        self.assertEqual(self._identifiers(batch), identifiers)

        # The journal's limit changes: two files now, built as the new plan says.
        self._files_at_once(batch)
        self._set_file_chunk_size(2)
        with freeze_time(CREATED):
            batch.action_generate_file()
        with freeze_time(CREATED):
            Batch._cron_generate_files()
        self.assertEqual(batch.planned_file_count, 1)
        self.bank_journal.sepa_max_transactions_per_file = 3
        self._run_cron(batch)
        self.assertEqual(batch.state, "generated")
        self.assertEqual([count for _msg, count, _sum, _blocks in self._file_summaries(batch)], [3, 2])
        self.assertEqual(batch.message_identifier, f"{batch.name}-1-1, {batch.name}-1-2")
        self.assertFalse(self._parts(batch))

    def test_small_file_stays_synchronous(self):
        self._post_invoices([(self.debtors[0], 10.0), (self.debtors[1], 20.5)])
        batch = self._create_collection()
        self._set_file_chunk_size(2)
        batch.action_generate_file()
        self.assertEqual(batch.state, "generated")
