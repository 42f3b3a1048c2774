import json
import threading

from odoo.tests import HttpCase, tagged

from ..controllers.main import MAX_BODY_SIZE
from .common import CLIENT_SECRET, ShopifyCommon
from .shopify_emulator import sign


@tagged("post_install", "-at_install")
class TestShopifyWebhook(ShopifyCommon, HttpCase):
    def setUp(self):
        super().setUp()
        self.path = f"/billing_webshop/webhook/{self.shopify.id}"
        self.url = f"{self.base_url()}{self.path}"
        self.Event = self.env["billing.webshop.event"]

    def events(self):
        return self.Event.search([("backend_id", "=", self.shopify.id)])

    def post(self, headers, body):
        return self.url_open(self.path, data=body, headers=headers)

    def test_signature(self):
        order = self.add_order()
        headers, body = self.shop.webhook_request("orders/create", self.shop.rest_order(order["id"]))
        self.assertIn(b"\\/", body)  # Shopify's escaping: only the raw bytes verify
        self.assertEqual(
            self.post({**headers, "X-Shopify-Hmac-Sha256": sign("wrong", body)}, body).status_code, 403
        )
        self.assertEqual(
            self.post({k: v for k, v in headers.items() if "Hmac" not in k}, body).status_code, 403
        )
        reserialised = json.dumps(json.loads(body)).encode()
        self.assertEqual(self.post(headers, reserialised).status_code, 403)
        self.assertFalse(self.events())
        response = self.post(headers, body)
        self.assertEqual(response.status_code, 200)
        event = self.events()
        self.assertEqual(
            (event.state, event.topic, event.external_id, event.delivery_key),
            ("queued", "orders/create", order["id"], f"shopify:{headers['X-Shopify-Webhook-Id']}"),
        )
        self.assertEqual(json.loads(event.headers)["X-Shopify-Hmac-Sha256"], "(redacted)")
        self.assertNotIn(CLIENT_SECRET, event.headers + event.payload)
        self.Event._cron_process_events()
        self.assertImported(event)

    def test_previous_secret_is_accepted_during_a_rotation(self):
        order = self.add_order()
        headers, body = self.shop.webhook_request("orders/create", self.shop.rest_order(order["id"]))
        self.shopify.webhook_secret = "the-new-secret"
        self.assertEqual(self.post(headers, body).status_code, 403)
        self.shopify.webhook_secret_previous = CLIENT_SECRET
        self.assertEqual(self.post(headers, body).status_code, 200)
        # Without a current secret nothing gets in, whatever the previous one.
        self.shopify.webhook_secret = False
        other, body = self.shop.webhook_request("orders/updated", self.shop.rest_order(order["id"]))
        self.assertEqual(self.post(other, body).status_code, 403)

    def test_subscriptions_are_renewed_daily(self):
        others = self.env["billing.webshop.backend"].search([("shop_type", "=", "shopify")]) - self.shopify
        others.active = False  # the demo shop: nothing listens there
        self.env["billing.webshop.backend"]._cron_register_webhooks()
        mine = [sub for sub in self.shop.subscriptions if sub["callbackUrl"] == self.shopify.webhook_url]
        self.assertEqual(len(mine), 5)
        self.shop.subscriptions.remove(mine[0])  # Shopify dropped one after failed deliveries
        self.env["billing.webshop.backend"]._cron_register_webhooks()
        mine = [sub for sub in self.shop.subscriptions if sub["callbackUrl"] == self.shopify.webhook_url]
        self.assertEqual(len(mine), 5)

    def test_retried_delivery_is_stored_once(self):
        order = self.add_order()
        headers, body = self.shop.webhook_request("orders/updated", self.shop.rest_order(order["id"]))
        for _attempt in range(100):
            self.assertEqual(self.post(headers, body).status_code, 200)
        self.assertEqual(len(self.events()), 1)
        self.Event._cron_process_events()
        self.assertEqual(len(self.binding_of(order["id"], self.shopify).sale_order_id), 1)

    def test_ten_concurrent_deliveries_of_one_order(self):
        order = self.add_order()
        deliveries = [
            self.shop.webhook_request(topic, self.shop.rest_order(order["id"]))
            for topic in ["orders/create"] + ["orders/updated"] * 9
        ]
        statuses = []

        def deliver(headers, body):
            statuses.append(self.shop.deliver_raw(self.url, headers, body).status_code)

        threads = [
            threading.Thread(target=deliver, args=delivery) for delivery in deliveries + deliveries[:3]
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
        self.assertEqual(statuses, [200] * 13)
        self.assertEqual(len(self.events()), 10)
        self.Event._cron_process_events()
        self.assertEqual(set(self.events().mapped("state")), {"done"})
        binding = self.binding_of(order["id"], self.shopify)
        self.assertEqual(len(binding.sale_order_id), 1)
        self.assertEqual(len(binding.sale_order_id.invoice_ids), 1)
        self.assertEqual(len(binding.payment_ids), 1)

    def test_oversized_body_is_refused(self):
        body = b'{"id": 1, "pad": "' + b"x" * MAX_BODY_SIZE + b'"}'
        headers = {"X-Shopify-Topic": "orders/create", "X-Shopify-Hmac-Sha256": sign(CLIENT_SECRET, body)}
        self.assertEqual(self.post(headers, body).status_code, 413)
        self.assertFalse(self.events())

    def test_app_uninstalled_archives_the_backend(self):
        headers, body = self.shop.webhook_request("app/uninstalled", {"id": 690933842, "name": "Emulated"})
        self.assertEqual(self.post(headers, body).status_code, 200)
        self.assertFalse(self.shopify.active)
        self.assertFalse(self.shopify.poll_enabled)
        self.assertEqual(self.events().state, "done")
        # Archived: further deliveries are not taken.
        order = self.add_order()
        headers, body = self.shop.webhook_request("orders/create", self.shop.rest_order(order["id"]))
        self.assertEqual(self.post(headers, body).status_code, 404)

    def test_malformed_json_is_kept_in_error_and_retryable(self):
        body = b'{"id": 1, "line_items": ['
        headers = {
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Webhook-Id": "bad-1",
            "X-Shopify-Hmac-Sha256": sign(CLIENT_SECRET, body),
            "Content-Type": "application/json",
        }
        self.assertEqual(self.post(headers, body).status_code, 200)
        event = self.events()
        self.assertEqual((event.state, event.missing_kind), ("error", "payload"))
        self.assertIn("not JSON", event.error)
        self.assertTrue(event.raw_body)
        event.action_retry()
        self.assertEqual(event.state, "error")

    def test_register_webhooks(self):
        self.shopify.action_register_webhooks()
        self.assertEqual(
            sorted(
                sub["topic"]
                for sub in self.shop.subscriptions
                if sub["callbackUrl"] == self.shopify.webhook_url
            ),
            ["APP_UNINSTALLED", "ORDERS_CANCELLED", "ORDERS_CREATE", "ORDERS_UPDATED", "REFUNDS_CREATE"],
        )
        self.shopify.action_register_webhooks()  # already registered: fine

    def test_multi_company(self):
        other = self.setup_other_company()["company"]
        pricelist = self.env["product.pricelist"].create(
            {"name": "Webshop B", "currency_id": other.currency_id.id, "company_id": other.id}
        )
        journal = self.env["account.journal"].search(
            [("company_id", "=", other.id), ("type", "=", "bank")], limit=1
        )
        backend_b = self._create_shopify_backend(other, pricelist, journal, name="Shopify B")
        order = self.add_order(currency=other.currency_id.name)
        headers, body = self.shop.webhook_request("orders/create", self.shop.rest_order(order["id"]))
        self.assertEqual(
            self.url_open(f"/billing_webshop/webhook/{backend_b.id}", data=body, headers=headers).status_code,
            200,
        )
        event = self.Event.search([("backend_id", "=", backend_b.id)])
        self.assertEqual(event.company_id, other)
        self.assertFalse(self.events())
