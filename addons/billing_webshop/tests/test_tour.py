from odoo.tests import HttpCase, tagged

from .common import WebshopCommon, load_fixture


@tagged("post_install", "-at_install")
class TestWebshopTour(WebshopCommon, HttpCase):
    """The guided tour "import a shop order" clicked through in Chromium: a WooCommerce order of
    the test's own shop waits as a queued event and is imported from its form."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The test's user (AccountTestInvoicingCommon's, in the test's company) opens Sales.
        cls.env.user.groups_id |= cls.env.ref("sales_team.group_sale_salesman")
        cls.backend.name = "Tour Shop"
        cls.event = cls.env["billing.webshop.event"]._create_from_payload(
            cls.backend, load_fixture("woo_order_tax_excluded"), source="webhook"
        )

    def test_import_order(self):
        self.start_tour("/odoo", "billing_webshop_tour", login=self.env.user.login, timeout=300)
        self.assertEqual(self.event.state, "done", self.event.error)
        order = self.event.sale_order_id
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.amount_total, 52.43)
        self.assertEqual(order.invoice_ids.amount_total, 52.43)
