from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.billing_einvoice.hooks import pre_init_hook
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestInvoiceDelivery(AccountTestInvoicingCommon):
    def test_delivery_follows_invoice_company(self):
        invoice = self.init_invoice("out_invoice", amounts=[100.0], post=True)
        delivery = self.env["billing.einvoice.delivery"].create({"move_id": invoice.id, "channel": "email"})
        self.assertEqual(delivery.state, "queued")
        self.assertEqual(delivery.company_id, invoice.company_id)
        self.assertEqual(delivery.partner_id, invoice.partner_id)

    def test_pre_init_hook_column_holds_the_computed_value(self):
        """The column the pre-init hook creates is what the compute gives an invoice without deliveries."""
        invoice = self.init_invoice("out_invoice", amounts=[100.0], post=True)
        self.env.flush_all()
        # As before the install: no column yet (the ALTER is rolled back with the test).
        self.env.cr.execute("ALTER TABLE account_move DROP COLUMN einvoice_delivery_state")
        pre_init_hook(self.env)
        self.env.cr.execute("SELECT einvoice_delivery_state FROM account_move WHERE id = %s", [invoice.id])
        self.assertIsNone(self.env.cr.fetchone()[0])
        invoice.invalidate_recordset(["einvoice_delivery_state"])
        invoice._compute_einvoice_delivery_state()
        self.assertIs(invoice.einvoice_delivery_state, False)
        # Run again on an installed database, the hook leaves the column alone.
        pre_init_hook(self.env)
