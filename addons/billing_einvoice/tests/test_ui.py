from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestEinvoiceScreens(HttpCase):
    """Open the addon's screens in headless Chromium: each must render without a JavaScript
    error (installing a view checks its XML, not what the web client does with it)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.ref("base.main_company")
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Screen Finvoice Customer",
                "invoice_sending_method": "finvoice",
                "einvoice_address": "003776543212",
                "einvoice_operator": "003723327487",
            }
        )
        cls.invoice = cls.env["account.move"]
        if cls.env["account.journal"].search_count([("company_id", "=", company.id), ("type", "=", "sale")]):
            cls.invoice = (
                cls.env["account.move"]
                .with_company(company)
                .create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": cls.partner.id,
                        "invoice_line_ids": [Command.create({"name": "Screen check", "price_unit": 10.0})],
                    }
                )
            )
            cls.delivery = cls.env["billing.einvoice.delivery"].create(
                {"move_id": cls.invoice.id, "channel": "finvoice", "error_message": "Screen check"}
            )

    def _open(self, path, view_class):
        ready = f"!!document.querySelector('.o_action_manager {view_class}')"
        self.browser_js(path, "console.log('test successful')", ready=ready, login="admin")

    def test_delivery_screens(self):
        self._open("/odoo/action-billing_einvoice.billing_einvoice_delivery_action", ".o_list_view")
        if self.invoice:
            self._open(
                f"/odoo/action-billing_einvoice.billing_einvoice_delivery_action/{self.delivery.id}",
                ".o_form_view",
            )

    def test_invoice_and_customer_forms(self):
        self._open(f"/odoo/action-account.res_partner_action_customer/{self.partner.id}", ".o_form_view")
        if self.invoice:
            self._open(f"/odoo/action-account.action_move_out_invoice_type/{self.invoice.id}", ".o_form_view")

    def test_settings(self):
        self._open("/odoo/action-account.action_account_config", ".o_form_view")

    def test_overview_screens(self):
        self._open("/odoo/action-billing_einvoice.billing_einvoice_receivable_report_action", ".o_graph_view")
        self._open("/odoo/action-billing_einvoice.billing_einvoice_delivery_overview_action", ".o_graph_view")
