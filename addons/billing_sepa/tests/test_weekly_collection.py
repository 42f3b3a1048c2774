from datetime import date

from odoo.tests import tagged
from odoo.tests.common import freeze_time

from .common import SepaBatchCommon


@tagged("post_install", "-at_install")
class TestWeeklyCollection(SepaBatchCommon):
    """The weekly scheduled action, switched on per company in the SEPA settings."""

    def test_scheduled_action_creates_collections_where_the_setting_is_on(self):
        cron = self.env.ref("billing_sepa.ir_cron_billing_sepa_create_collections")
        self.assertTrue(cron.active, "it runs every week; each company's setting decides")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "weeks"))
        invoice = self._post_invoices([(self.debtors[0], 10.0)])
        settings = self.env["res.config.settings"].with_company(self.company).create({})
        self.assertFalse(settings.sepa_auto_collect, "off unless switched on")
        with freeze_time("2026-03-18"):
            cron.method_direct_trigger()
        self.assertFalse(invoice.sepa_batch_id)
        # Switched on in Invoicing > Settings.
        settings.sepa_auto_collect = True
        settings.execute()
        self.assertTrue(self.company.sepa_auto_collect)
        with freeze_time("2026-03-18"):
            cron.method_direct_trigger()
        batch = invoice.sepa_batch_id
        self.assertEqual((batch.collection_date, batch.state), (date(2026, 3, 19), "draft"))
        self.assertEqual(batch.journal_id, self.bank_journal)
        # A week later nothing is due any more: no empty batch.
        with freeze_time("2026-03-25"):
            cron.method_direct_trigger()
        self.assertEqual(
            self.env["billing.sepa.batch"].search_count([("company_id", "=", self.company.id)]), 1
        )
