from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestSepaScreens(HttpCase):
    """Open the addon's screens in a real browser (Chromium): the web client must render each
    list and form without a JavaScript error, which installing the views does not check (their
    expressions are only evaluated in the browser)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.main_company")
        cls.partner = cls.env["res.partner"].create({"name": "Screen Debtor", "city": "Utrecht"})
        cls.partner.with_company(cls.company).sepa_direct_debit = True
        cls.mandate = cls.env["billing.sepa.mandate"].create(
            {
                "partner_id": cls.partner.id,
                "partner_bank_id": cls.env["res.partner.bank"]
                .create({"acc_number": "NL91ABNA0417164300", "partner_id": cls.partner.id})
                .id,
                "company_id": cls.company.id,
            }
        )
        journal = cls.env["account.journal"].search(
            [("company_id", "=", cls.company.id), ("type", "=", "bank")], limit=1
        )
        cls.batch = journal and cls.env["billing.sepa.batch"].create(
            {"company_id": cls.company.id, "journal_id": journal.id, "collection_date": "2026-12-01"}
        )

    def _open(self, path, view_class):
        ready = f"!!document.querySelector('.o_action_manager {view_class}')"
        self.browser_js(path, "console.log('test successful')", ready=ready, login="admin")

    def test_mandate_screens(self):
        self._open("/odoo/action-billing_sepa.billing_sepa_mandate_action", ".o_list_view")
        self._open(f"/odoo/action-billing_sepa.billing_sepa_mandate_action/{self.mandate.id}", ".o_form_view")

    def test_batch_screens(self):
        self._open("/odoo/action-billing_sepa.billing_sepa_batch_action", ".o_list_view")
        if self.batch:
            self._open(f"/odoo/action-billing_sepa.billing_sepa_batch_action/{self.batch.id}", ".o_form_view")

    def test_partner_form_with_direct_debit(self):
        self._open(f"/odoo/action-account.res_partner_action_customer/{self.partner.id}", ".o_form_view")

    def test_overview_screens(self):
        self._open("/odoo/action-billing_sepa.billing_sepa_collection_report_action", ".o_graph_view")
