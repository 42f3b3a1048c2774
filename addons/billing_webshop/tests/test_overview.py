from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestWebshopOverview(TransactionCase):
    """The "Getting paid" figures for shop orders against events and bindings made by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.ref("base.main_company")
        cls.backend = cls.env["billing.webshop.backend"].create(
            {"name": "Overview shop", "shop_type": "woocommerce", "company_id": company.id}
        )
        cls.customer = cls.env["res.partner"].create({"name": "Shop Buyer"})
        cls.events = cls.env["billing.webshop.event"].create(
            [
                {"backend_id": cls.backend.id, "delivery_key": f"overview-{index}", "state": state}
                for index, state in enumerate(["done", "done", "error", "done", "ignored"])
            ]
        )
        cls.env["billing.webshop.partner.binding"].create(
            {"backend_id": cls.backend.id, "external_id": "c-1", "partner_id": cls.customer.id}
        )
        orders = cls.env["sale.order"].create([{"partner_id": cls.customer.id} for _index in range(2)])
        cls.env["billing.webshop.order.binding"].create(
            [
                {"backend_id": cls.backend.id, "external_id": f"o-{order.id}", "sale_order_id": order.id}
                for order in orders
            ]
        )

    def test_orders_imported_and_in_error(self):
        counts = dict(
            self.env["billing.webshop.event"]._read_group(
                [("backend_id", "=", self.backend.id)], ["state"], ["__count"]
            )
        )
        self.assertEqual(counts, {"done": 3, "error": 1, "ignored": 1})

    def test_partner_smart_buttons(self):
        self.assertEqual(self.customer.webshop_binding_count, 1)
        self.assertEqual(self.customer.webshop_order_count, 2)
        action = self.customer.action_view_webshop_orders()
        self.assertEqual(len(self.env[action["res_model"]].search(action["domain"])), 2)
        action = self.customer.action_view_webshop_bindings()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]).external_id, "c-1")

    def test_overview_card(self):
        """In a company of its own (the demo's orders are in another), the card counts a shop's
        three imported orders and the one in error; its links open them."""
        company = self.env["res.company"].create({"name": "Overview Shop Company"})
        backend = (
            self.env["billing.webshop.backend"]
            .with_company(company)
            .create({"name": "Overview shop 2", "shop_type": "woocommerce", "company_id": company.id})
        )
        events = self.env["billing.webshop.event"].create(
            [
                {"backend_id": backend.id, "delivery_key": f"overview-2-{index}", "state": state}
                for index, state in enumerate(["done", "done", "error", "done", "ignored"])
            ]
        )
        card = self.env.ref("billing_webshop.billing_overview_card_webshop_order").with_context(
            allowed_company_ids=company.ids
        )
        self.assertEqual((card.count, card.second_count), (3, 1))
        done = self.env["billing.webshop.event"].search(card.action_open()["domain"])
        self.assertEqual(done, events.filtered(lambda event: event.state == "done"))
        in_error = self.env["billing.webshop.event"].search(card.action_open_second()["domain"])
        self.assertEqual(in_error, events.filtered(lambda event: event.state == "error"))
