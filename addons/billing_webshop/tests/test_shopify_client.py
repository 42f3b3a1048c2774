from datetime import datetime, timedelta

from odoo.tests import tagged

from ..webshop.shopify import ShopifyAdapter
from ..webshop.shopify_client import ShopifyClient, ShopifyError
from .common import CLIENT_ID, CLIENT_SECRET, LOCATION, ShopifyCommon


@tagged("post_install", "-at_install")
class TestShopifyClient(ShopifyCommon):
    def client(self, **options):
        sleeps = []
        client = ShopifyClient(
            self.shop.base_url,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            sleep=sleeps.append,
            **options,
        )
        return client, sleeps

    def test_throttled_in_a_200_and_as_429_are_tried_again(self):
        order = self.add_order()
        client, sleeps = self.client()
        for status in (200, 429):
            self.shop.throttle_status_code = status
            self.shop.throttle_next = 2
            data = client.execute("query Order($id: ID!) { order(id: $id) { id } }", {"id": order["id"]})
            self.assertEqual(data["order"]["id"], order["id"])
        self.assertEqual(len(sleeps), 4)
        self.shop.throttle_next = 10
        with self.assertRaises(ShopifyError) as caught:
            client.execute("query Order($id: ID!) { order(id: $id) { id } }", {"id": order["id"]})
        self.assertIn("throttled", str(caught.exception))
        self.assertTrue(caught.exception.transient)
        self.shop.throttle_next = 0

    def test_client_waits_for_the_bucket_to_refill(self):
        order = self.add_order()
        self.shop.available = 15.0
        self.shop.restore_rate = 1.0
        self.addCleanup(setattr, self.shop, "restore_rate", 100.0)
        client, sleeps = self.client()
        client.execute("query Order($id: ID!) { order(id: $id) { id } }", {"id": order["id"]})
        self.assertLess(client.throttle_status["currentlyAvailable"], 10.0)
        # The next order query costs 10 again: the client pauses instead of being throttled.
        self.shop.available = 2000.0
        client.execute("query Order($id: ID!) { order(id: $id) { id } }", {"id": order["id"]})
        self.assertTrue(sleeps and 0 < sleeps[0] <= 5, sleeps)

    def test_pagination_reads_every_page(self):
        gids = {self.add_order()["id"] for _index in range(7)}
        client, _sleeps = self.client()
        nodes = list(
            client.paginate(
                "query Orders($first: Int!, $after: String, $query: String) { orders(first: $first) { nodes {id} } }",
                {"query": ""},
                ("orders",),
                page_size=3,
            )
        )
        self.assertLessEqual(gids, {node["id"] for node in nodes})

    def test_token_is_fetched_stored_and_refreshed(self):
        order = self.add_order()
        self.assertFalse(self.shopify.shopify_access_token)
        self.import_gid(order["id"])
        first = self.shopify.shopify_access_token
        self.assertTrue(first.startswith("shpat_"))
        self.assertGreater(self.shopify.shopify_token_expires_at, datetime.now() + timedelta(hours=23))
        # Lapsing soon: refreshed before the call.
        self.shopify.shopify_token_expires_at = datetime.now() + timedelta(minutes=1)
        self.shopify._get_adapter().fetch_order(order["id"])
        second = self.shopify.shopify_access_token
        self.assertNotEqual(first, second)
        # Revoked in the shop: the 401 gets a new token and the call goes through.
        self.shop.tokens.clear()
        self.assertEqual(self.shopify._get_adapter().fetch_order(order["id"])["id"], order["id"])
        self.assertNotIn(self.shopify.shopify_access_token, (first, second))
        self.assertNotIn(second, repr(self.shopify._get_adapter().client))

    def test_user_errors_are_raised_in_words(self):
        client, _sleeps = self.client()
        query = "mutation WebhookCreate($topic: X!, $webhookSubscription: Y!) { webhookSubscriptionCreate }"
        variables = {
            "topic": "ORDERS_CREATE",
            "webhookSubscription": {"callbackUrl": "https://odoo.example/hook"},
        }
        client.mutate(query, variables, "webhookSubscriptionCreate")
        with self.assertRaises(ShopifyError) as caught:
            client.mutate(query, variables, "webhookSubscriptionCreate")
        self.assertEqual(
            str(caught.exception),
            "Shopify webhookSubscriptionCreate: webhookSubscription.callbackUrl: "
            "Address for this topic has already been taken",
        )

    def test_polling_and_bulk_reconciliation(self):
        gids = {self.add_order()["id"] for _index in range(3)}
        Event = self.env["billing.webshop.event"]
        created = self.shopify._poll_orders(datetime.now() - timedelta(hours=1))
        self.assertLessEqual(gids, set(created.mapped("external_id")))
        self.assertTrue(self.shopify.poll_cursor)
        # Polling the same again queues nothing new.
        self.assertEqual(self.shopify._poll_orders(datetime.now() - timedelta(hours=1)), created)
        # The webhooks and the poll were missed: the bulk operation finds the orders.
        created.unlink()
        reconciled = self.shopify._reconcile_orders(datetime.now() - timedelta(hours=1))
        mine = reconciled.filtered(lambda event: event.external_id in gids)
        self.assertEqual(set(mine.mapped("external_id")), gids)
        mine._process()
        self.assertEqual(set(mine.mapped("state")), {"done"}, mine.mapped("error"))
        self.assertEqual(len(Event.search([("external_id", "in", list(gids))]).order_binding_id), 3)

    def test_product_push_sends_title_description_sku_and_price(self):
        """Push: the variant's price and SKU, and its product's title and description (Odoo is
        their master); a change of the name flags the binding and the next push sends it."""
        product = self.products["MUG-DB"]
        product.write({"list_price": 13.95, "description_sale": "Handbeschilderd\nin Delft & <Gouda>"})
        red = self.shop.add_variant("MUG-DB-RED", price="9.00")
        blue = self.shop.add_variant("MUG-DB-BLUE", price="9.00", product_id=red["product"]["id"])
        self.shopify.push_enabled = True
        bindings = self.env["billing.webshop.product.binding"].create(
            [
                {"backend_id": self.shopify.id, "external_id": red["id"], "product_id": product.id},
                {"backend_id": self.shopify.id, "external_id": blue["id"], "product_id": product.id},
            ]
        )
        bindings._push()
        self.assertEqual(bindings.mapped("push_state"), ["synced", "synced"], bindings.mapped("push_error"))
        shop_product = self.shop.products[red["product"]["id"]]
        self.assertEqual(shop_product["title"], "Koffiemok Delfts Blauw")
        self.assertEqual(
            shop_product["descriptionHtml"], "<p>Handbeschilderd<br>in Delft &amp; &lt;Gouda&gt;</p>"
        )
        self.assertEqual(
            [(v["sku"], v["price"]) for v in (red, blue)], [("MUG-DB", "13.95"), ("MUG-DB", "13.95")]
        )
        self.assertEqual(
            self.shop.operation_log.count("productUpdate("),
            1,
            "one productUpdate per shop product, not per variant",
        )

        product.name = "Koffiemok Delfts Blauw XL"
        self.assertTrue(all(bindings.mapped("need_push")))
        bindings._push()
        self.assertEqual(shop_product["title"], "Koffiemok Delfts Blauw XL")
        # Shopify refuses the product update: both variants say why, neither is marked synced.
        del self.shop.products[red["product"]["id"]]
        product.name = "Koffiemok Delfts Blauw XXL"
        bindings._push()
        self.assertEqual(bindings.mapped("push_state"), ["error", "error"])
        self.assertIn("Product does not exist", bindings[0].push_error)

    def test_stock_push_compare_and_set_and_conflict(self):
        variant = self.variants["KS-RVS"]
        product = self.products["KS-RVS"]
        location = (
            self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1).lot_stock_id
        )
        product.is_storable = True
        self.env["stock.quant"]._update_available_quantity(product, location, 10)
        self.shopify.write({"push_enabled": True, "push_stock": True})
        binding = self.env["billing.webshop.product.binding"].create(
            {"backend_id": self.shopify.id, "external_id": variant["id"], "product_id": product.id}
        )
        binding._push()
        self.assertEqual(binding.push_state, "synced", binding.push_error)
        item = (variant["inventoryItem"]["id"], LOCATION)
        self.assertEqual(self.shop.inventory[item], 10)
        # The shop sells two; Odoo's figure changes too: the shop's figure is left alone.
        self.shop.inventory[item] = 8
        self.env["stock.quant"]._update_available_quantity(product, location, 5)
        binding.need_push = True
        binding._push()
        self.assertEqual(
            (binding.push_state, binding.conflict_shop_stock, binding.conflict_odoo_stock),
            ("conflict", 8, 15),
        )
        self.assertEqual(self.shop.inventory[item], 8)
        binding.action_overwrite_shop_stock()
        binding._push()
        self.assertEqual((binding.push_state, self.shop.inventory[item]), ("synced", 15))
        # A sale between the read and the write: Shopify refuses the stale compareQuantity.
        adapter = ShopifyAdapter(self.shop.base_url, CLIENT_ID, CLIENT_SECRET, location_id=LOCATION)
        adapter.read_products([variant["id"]])
        self.shop.inventory[item] = 14
        answer = adapter.push_products([{"id": variant["id"], "stock_quantity": 20}])
        self.assertIn("compareQuantity", answer[variant["id"]])
        self.assertEqual(self.shop.inventory[item], 14)
