from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestInvoiceDelivery(AccountTestInvoicingCommon):
    def test_delivery_follows_invoice_company(self):
        invoice = self.init_invoice("out_invoice", amounts=[100.0], post=True)
        delivery = self.env["billing.einvoice.delivery"].create({"move_id": invoice.id, "channel": "email"})
        self.assertEqual(delivery.state, "queued")
        self.assertEqual(delivery.company_id, invoice.company_id)
        self.assertEqual(delivery.partner_id, invoice.partner_id)
