import json
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..webshop.adapters import WooCommerceAdapter
from .common import WebshopCommon
from .woo_emulator import WooEmulator


@tagged("post_install", "-at_install")
class TestProductPush(WebshopCommon):
    """Products, prices and stock go to the shop in batches; a shop-side stock change is kept."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.backend.write({"push_enabled": True, "stock_location_id": cls.stock_location.id})
        cls.Binding = cls.env["billing.webshop.product.binding"]

    def setUp(self):
        super().setUp()
        self.woo = WooEmulator("ck_test", "cs_test")
        self.woo.start()
        self.addCleanup(self.woo.stop)
        self.backend.base_url = self.woo.base_url

    def _shop_product(self, sku, stock=None):
        product = self.woo._create_product(
            {"name": f"Shop {sku}", "sku": sku, "regular_price": "1.00", "manage_stock": stock is not None}
        )
        if stock is not None:
            self.woo._update_product({"id": product["id"], "stock_quantity": stock})
        return product["id"]

    def _storable(self, sku, price, quantity=0.0, **values):
        product = self._create_product(
            name=f"Product {sku}", default_code=sku, is_storable=True, lst_price=price, **values
        )
        if quantity:
            self.env["stock.quant"]._update_available_quantity(product, self.stock_location, quantity)
        return product

    def _bind(self, product, external_id):
        return self.Binding.create(
            {"backend_id": self.backend.id, "external_id": str(external_id), "product_id": product.id}
        )

    def _batch_requests(self):
        return [request for request in self.woo.request_log if request.path.endswith("/products/batch")]

    def test_push_name_price_and_free_stock(self):
        product = self._storable("TEA-1", 7.5, quantity=12, description_sale="Groene thee")
        binding = self._bind(product, self._shop_product("OLD-SKU"))
        self.assertEqual(binding.push_state, "pending")
        self.env["billing.webshop.product.binding"]._cron_push_products()
        shop = self.woo.products[int(binding.external_id)]
        self.assertEqual(
            (shop["name"], shop["sku"], shop["regular_price"], shop["description"]),
            ("Product TEA-1", "TEA-1", "7.50", "Groene thee"),
        )
        self.assertEqual(
            (shop["manage_stock"], shop["stock_quantity"], shop["stock_status"]), (True, 12, "instock")
        )
        self.assertEqual(binding.push_state, "synced")
        self.assertEqual(binding.last_stock_read, 12)
        self.assertTrue(binding.stock_read_at)

        # A price change makes it dirty again; a reservation lowers the free quantity pushed.
        product.lst_price = 8.25
        self.assertEqual(binding.push_state, "pending")
        self.env["stock.quant"]._update_reserved_quantity(product, self.stock_location, 5)
        binding._push()
        self.assertEqual((shop := self.woo.products[int(binding.external_id)])["regular_price"], "8.25")
        self.assertEqual(shop["stock_quantity"], 7)
        self.assertEqual(binding.last_stock_read, 7)

    def test_cron_pushes_nothing_for_a_backend_that_does_not_push(self):
        new_backend = self.env["billing.webshop.backend"].create(
            {"name": "Not pushing yet", "company_id": self.company.id, "pricelist_id": self.pricelist.id}
        )
        self.assertFalse(new_backend.push_enabled, "off unless switched on")
        self.backend.push_enabled = False
        binding = self._bind(self._storable("TEA-OFF", 3.0), self._shop_product("TEA-OFF"))
        self.env["billing.webshop.product.binding"]._cron_push_products()
        self.assertFalse(self._batch_requests())
        self.assertEqual(binding.push_state, "pending")

    def test_stock_move_marks_binding(self):
        product = self._storable("TEA-2", 3.0)
        binding = self._bind(product, self._shop_product("TEA-2", stock=0))
        binding._push()
        self.assertEqual(binding.push_state, "synced")
        self.env["stock.quant"]._update_available_quantity(product, self.stock_location, 4)
        self.assertTrue(binding.need_push)
        # An unrelated product write does not.
        binding._push()
        product.barcode = "8712345678906"
        self.assertFalse(binding.need_push)

    def test_push_with_stale_stock_refused(self):
        product = self._storable("TEA-3", 5.0, quantity=10)
        binding = self._bind(product, self._shop_product("TEA-3", stock=10))
        binding._push()
        self.assertEqual(binding.last_stock_read, 10)
        shop_id = int(binding.external_id)

        # The shop sells two (its stock is now 8) before Odoo's stock changes and the name too.
        self.woo._update_product({"id": shop_id, "stock_quantity": 8})
        self.env["stock.quant"]._update_available_quantity(product, self.stock_location, 5)
        product.name = "Thee Rooibos"
        self.env["billing.webshop.product.binding"]._cron_push_products()

        shop = self.woo.products[shop_id]
        self.assertEqual(
            shop["stock_quantity"], 8, "a stock figure changed in the shop must not be overwritten"
        )
        self.assertEqual(shop["name"], "Thee Rooibos", "the other fields are still pushed")
        sent = json.loads(self._batch_requests()[-1].body)["update"][0]
        self.assertNotIn("stock_quantity", sent)
        self.assertEqual(binding.push_state, "conflict")
        self.assertEqual((binding.conflict_shop_stock, binding.conflict_odoo_stock), (8, 15))
        self.assertEqual(binding.last_stock_read, 10)
        self.assertFalse(binding.need_push)
        self.assertEqual(self.backend.product_conflict_count, 1)
        self.assertIn("TEA-3", self.backend.message_ids[0].body)

        # Pushing again without resolving still refuses.
        binding.action_push_now()
        self.assertEqual(self.woo.products[shop_id]["stock_quantity"], 8)
        self.assertEqual(binding.push_state, "conflict")

        # A manager takes the shop's figure as read: the next push overwrites it with Odoo's.
        binding.action_overwrite_shop_stock()
        self.assertEqual((binding.last_stock_read, binding.push_state), (8, "pending"))
        self.env["billing.webshop.product.binding"]._cron_push_products()
        self.assertEqual(self.woo.products[shop_id]["stock_quantity"], 15)
        self.assertEqual((binding.push_state, binding.last_stock_read), ("synced", 15))

    def test_first_push_never_overwrites_an_unread_shop_figure(self):
        # A binding made by an order import: the shop has a stock figure we never read.
        product = self._storable("TEA-8", 5.0, quantity=4)
        binding = self._bind(product, self._shop_product("TEA-8", stock=9))
        binding._push()
        self.assertEqual(self.woo.products[int(binding.external_id)]["stock_quantity"], 9)
        self.assertEqual(
            (binding.push_state, binding.conflict_shop_stock, binding.conflict_odoo_stock), ("conflict", 9, 4)
        )
        binding.action_overwrite_shop_stock()
        binding._push()
        self.assertEqual(self.woo.products[int(binding.external_id)]["stock_quantity"], 4)
        self.assertEqual(binding.push_state, "synced")

    def test_accept_shop_stock(self):
        product = self._storable("TEA-4", 5.0, quantity=3)
        binding = self._bind(product, self._shop_product("TEA-4", stock=3))
        binding._push()
        self.woo._update_product({"id": int(binding.external_id), "stock_quantity": 1})
        binding.action_push_now()
        self.assertEqual(binding.push_state, "conflict")
        binding.action_accept_shop_stock()
        self.assertEqual((binding.push_state, binding.last_stock_read), ("synced", 1))

    def test_batches_of_at_most_100(self):
        products = self.env["product.product"].create(
            [
                {
                    "name": f"Kaart {index}",
                    "default_code": f"KRT-{index}",
                    "is_storable": True,
                    "lst_price": 2,
                }
                for index in range(205)
            ]
        )
        bindings = self.Binding.create(
            [
                {
                    "backend_id": self.backend.id,
                    "external_id": str(self._shop_product(p.default_code, 0)),
                    "product_id": p.id,
                }
                for p in products
            ]
        )
        self.woo.request_log.clear()
        self.env["billing.webshop.product.binding"]._cron_push_products()
        batches = self._batch_requests()
        self.assertEqual([len(json.loads(r.body)["update"]) for r in batches], [100, 100, 5])
        self.assertEqual([r.status for r in batches], [200, 200, 200])
        self.assertEqual(set(bindings.mapped("push_state")), {"synced"})

    def test_rate_limited_push_is_retried_after_retry_after(self):
        product = self._storable("TEA-5", 4.0, quantity=2)
        binding = self._bind(product, self._shop_product("TEA-5"))
        sleeps = []
        original = type(self.backend)._get_adapter

        def get_adapter(backend, **options):
            return original(backend, sleep=sleeps.append, **options)

        self.woo.fail_next(1, status=429, retry_after=3)
        with patch.object(type(self.backend), "_get_adapter", get_adapter):
            binding._push()
        self.assertEqual(sleeps, [3])
        self.assertEqual(
            (binding.push_state, self.woo.products[int(binding.external_id)]["stock_quantity"]), ("synced", 2)
        )

        # A shop that keeps refusing: the binding keeps its flag and shows the error.
        product.lst_price = 4.5
        self.woo.fail_next(10, status=429, retry_after=1)
        with patch.object(type(self.backend), "_get_adapter", get_adapter):
            binding._push()
        self.assertEqual(binding.push_state, "error")
        self.assertTrue(binding.need_push)
        self.assertIn("429", binding.push_error)

    def test_product_missing_in_shop(self):
        product = self._storable("TEA-6", 4.0)
        binding = self._bind(product, 999)
        binding._push()
        self.assertEqual(binding.push_state, "error")
        self.assertIn("999", binding.push_error)

    def test_salesman_cannot_push(self):
        binding = self._bind(self._storable("TEA-7", 1.0), self._shop_product("TEA-7", stock=0))
        salesman = self.env["res.users"].create(
            {
                "name": "Verkoper",
                "login": "verkoper_push",
                "company_id": self.company.id,
                "company_ids": [self.company.id],
                "groups_id": [(6, 0, [self.env.ref("sales_team.group_sale_salesman").id])],
            }
        )
        with self.assertRaises(AccessError):
            binding.with_user(salesman).action_push_now()

    def test_adapter_sends_sku_lookup_compatible_updates(self):
        adapter = WooCommerceAdapter(self.woo.base_url, "ck_test", "cs_test")
        shop_id = self._shop_product("X-1", stock=1)
        self.assertEqual(adapter.push_products([{"id": shop_id, "stock_quantity": 4}]), {str(shop_id): None})
        self.assertEqual(adapter.read_products([str(shop_id)])[str(shop_id)]["stock_quantity"], 4)
