from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestWebshopScreens(HttpCase):
    """Open the addon's screens in headless Chromium: each must render without a JavaScript
    error (installing a view checks its XML, not what the web client does with it)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.ref("base.main_company")
        cls.backend = cls.env["billing.webshop.backend"].create(
            {"name": "Screen shop", "shop_type": "woocommerce", "company_id": company.id}
        )
        # In error for want of a product binding: the form shows the fix buttons.
        cls.event = cls.env["billing.webshop.event"].create(
            {
                "backend_id": cls.backend.id,
                "delivery_key": "screen-1",
                "topic": "order.updated",
                "state": "error",
                "error": "Shop product 753 has no SKU and is bound to no Odoo product.",
                "missing_kind": "product",
                "missing_ref": "753",
                "missing_name": "Screen product",
                "missing_details": {"sku": ""},
            }
        )
        cls.product = cls.env["product.product"].create({"name": "Screen product", "default_code": "SCR-1"})

    def _open(self, path, view_class):
        ready = f"!!document.querySelector('.o_action_manager {view_class}')"
        self.browser_js(path, "console.log('test successful')", ready=ready, login="admin")

    def test_backend_and_event_screens(self):
        for action, record in (("backend", self.backend), ("event", self.event)):
            self._open(f"/odoo/action-billing_webshop.billing_webshop_{action}_action", ".o_list_view")
            self._open(
                f"/odoo/action-billing_webshop.billing_webshop_{action}_action/{record.id}", ".o_form_view"
            )

    def test_binding_lists(self):
        for action in ("order", "product", "partner"):
            self._open(
                f"/odoo/action-billing_webshop.billing_webshop_{action}_binding_action", ".o_list_view"
            )

    def test_product_form_with_webshop_tab(self):
        template = self.product.product_tmpl_id
        self._open(f"/odoo/action-sale.product_template_action/{template.id}", ".o_form_view")

    def test_overview_screen(self):
        self._open("/odoo/action-billing_webshop.billing_webshop_event_overview_action", ".o_graph_view")

    def test_invoicing_settings(self):
        # Every billing addon adds its block to Invoicing > Settings; installed together here.
        self._open("/odoo/action-account.action_account_config", ".o_form_view")
