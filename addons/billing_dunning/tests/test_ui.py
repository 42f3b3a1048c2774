from odoo import fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestDunningScreens(HttpCase):
    """Open the addon's screens in headless Chromium: each must render without a JavaScript
    error (installing a view checks its XML, not what the web client does with it)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.ref("base.main_company")
        cls.policy = cls.env["billing.dunning.policy"].create(
            {"name": "Screen policy", "company_id": company.id}
        )
        cls.dunning_run = cls.env["billing.dunning.run"].create(
            {"date": fields.Date.today(), "company_id": company.id}
        )
        cls.partner = cls.env["res.partner"].create({"name": "Screen Late Payer", "is_company": True})

    def _open(self, path, view_class):
        ready = f"!!document.querySelector('.o_action_manager {view_class}')"
        self.browser_js(path, "console.log('test successful')", ready=ready, login="admin")

    def test_policy_and_run_screens(self):
        for action, record in (("policy", self.policy), ("run", self.dunning_run)):
            self._open(f"/odoo/action-billing_dunning.billing_dunning_{action}_action", ".o_list_view")
            self._open(
                f"/odoo/action-billing_dunning.billing_dunning_{action}_action/{record.id}", ".o_form_view"
            )

    def test_reminder_charge_and_rate_lists(self):
        for action in ("reminder", "charge", "interest_rate"):
            self._open(f"/odoo/action-billing_dunning.billing_dunning_{action}_action", ".o_list_view")

    def test_customer_form_with_dunning_tab(self):
        self._open(f"/odoo/action-account.res_partner_action_customer/{self.partner.id}", ".o_form_view")

    def test_overview_screen(self):
        self._open("/odoo/action-billing_dunning.billing_dunning_reminder_report_action", ".o_graph_view")
