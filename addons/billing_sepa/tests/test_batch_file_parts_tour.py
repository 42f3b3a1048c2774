from odoo.tests import HttpCase, tagged

from .common import SepaBatchCommon


@tagged("post_install", "-at_install")
class TestSepaBatchFilePartsTour(SepaBatchCommon, HttpCase):
    """A file built in parts, clicked through in Chromium: Generate File, then its progress."""

    def test_generate_a_file_in_parts(self):
        self._post_invoices([(debtor, 10.0 + index) for index, debtor in enumerate(self.debtors)])
        batch = self._create_collection()
        self.env["ir.config_parameter"].set_param("billing_sepa.file_chunk_size", 1)
        url = f"/odoo/action-billing_sepa.billing_sepa_batch_action/{batch.id}"
        self.start_tour(url, "billing_sepa_file_parts_generate_tour", login=self.env.user.login)
        batch.invalidate_recordset()
        self.assertEqual(batch.state, "generating")
        Batch = self.env["billing.sepa.batch"]
        Batch._cron_generate_files()
        self.start_tour(url, "billing_sepa_file_parts_progress_tour", login=self.env.user.login)
        for _run in range(3):  # the two other parts, then the file put together
            Batch._cron_generate_files()
        self.assertEqual(batch.state, "generated")
        self.assertEqual(batch.file_attachment_ids.mapped("name"), [f"{batch.name}-1.xml"])
