from odoo import Command
from odoo.addons.mail.tests.common import MockEmail
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestEinvoiceTour(MockEmail, HttpCase):
    """The guided tour "choose a customer's channel and watch an invoice go out" clicked through
    in Chromium, on a customer and a draft invoice of the test's own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.ref("base.main_company")
        # A layout chosen: the first Send would open the document layout wizard instead.
        company.external_report_layout_id = cls.env.ref("web.external_layout_standard")
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Tour Customer",
                "email": "tour.customer@example.com",
                "is_company": True,
                "customer_rank": 1,
            }
        )
        cls.invoice = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.partner.id,
                    "invoice_line_ids": [
                        Command.create({"name": "Hosting", "price_unit": 80.0, "tax_ids": []})
                    ],
                }
            )
        )

    def test_channel_and_send(self):
        self.start_tour("/odoo", "billing_einvoice_tour", login="admin", timeout=300)
        company = self.env.ref("base.main_company")
        self.assertEqual(self.partner.with_company(company).invoice_sending_method, "email")
        delivery = self.invoice.einvoice_delivery_ids
        self.assertEqual(len(delivery), 1)
        self.assertEqual((delivery.channel, delivery.state), ("email", "queued"))
        # The outgoing mail queue sends it to a mail server that accepts it.
        with self.mock_mail_gateway():
            self.env["mail.mail"].process_email_queue()
        self.assertEqual(delivery.state, "sent", delivery.error_message)
