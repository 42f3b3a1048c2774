import json
import threading

import requests

from odoo.tests import HttpCase, tagged

from ..controllers.main import MAX_BODY_SIZE
from ..webshop.signature import compute_woocommerce_signature
from .common import WEBHOOK_SECRET, WebshopCommon
from .woo_emulator import WooEmulator, wordpress_json_encode


@tagged("post_install", "-at_install")
class TestWebhook(WebshopCommon, HttpCase):
    def setUp(self):
        super().setUp()
        self.woo = WooEmulator()
        self.woo.start()
        self.addCleanup(self.woo.stop)
        self.path = f"/billing_webshop/webhook/{self.backend.id}"
        self.url = f"{self.base_url()}{self.path}"
        self.Event = self.env["billing.webshop.event"]

    def events(self):
        return self.Event.search([("backend_id", "=", self.backend.id)])

    def post_raw(self, body, headers):
        return self.url_open(self.path, data=body, headers=headers)

    def signed_headers(self, body, secret=WEBHOOK_SECRET):
        return {
            "Content-Type": "application/json",
            "X-WC-Webhook-Topic": "order.updated",
            "X-WC-Webhook-ID": "7",
            "X-WC-Webhook-Signature": compute_woocommerce_signature(secret, body),
        }

    def test_signed_delivery_is_stored_then_imported(self):
        response = self.woo.deliver_webhook(
            self.url, "order.created", self.fixture("woo_order_tax_excluded"), WEBHOOK_SECRET
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["status"], "stored")
        event = self.events()
        self.assertEqual(
            (event.state, event.source, event.topic, event.external_id),
            ("queued", "webhook", "order.created", "4711"),
        )
        headers = {name.lower(): value for name, value in json.loads(event.headers).items()}
        self.assertEqual(headers["x-wc-webhook-signature"], "(redacted)")
        self.assertEqual(headers["x-wc-webhook-topic"], "order.created")
        self.assertNotIn(WEBHOOK_SECRET, event.headers + event.payload)
        cron = self.env.ref("billing_webshop.ir_cron_process_events")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        self.Event._cron_process_events()
        order = self.assertImported(event)
        self.assertEqual(order.amount_total, 52.43)

    def test_wrong_or_missing_signature_or_secret_is_refused(self):
        body = wordpress_json_encode(self.fixture("woo_order_tax_excluded"))
        self.assertEqual(self.post_raw(body, self.signed_headers(body, "another secret")).status_code, 403)
        headers = self.signed_headers(body)
        del headers["X-WC-Webhook-Signature"]
        self.assertEqual(self.post_raw(body, headers).status_code, 403)
        # The body re-serialised by a proxy no longer matches the signature of the original.
        reserialised = json.dumps(json.loads(body)).encode()
        self.assertEqual(self.post_raw(reserialised, self.signed_headers(body)).status_code, 403)
        # No secret configured: nothing gets in, not even a request signed with an empty key.
        self.backend.webhook_secret = False
        self.assertEqual(self.post_raw(body, self.signed_headers(body, "")).status_code, 403)
        self.assertFalse(self.events())

    def test_activation_ping_answers_200_and_stores_nothing(self):
        response = self.woo.deliver_ping(self.url, webhook_id=12)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(self.events())

    def test_oversized_body_is_refused(self):
        body = b'{"id": 1, "pad": "' + b"x" * MAX_BODY_SIZE + b'"}'
        self.assertEqual(self.post_raw(body, self.signed_headers(body)).status_code, 413)
        self.assertFalse(self.events())

    def test_unknown_or_archived_backend(self):
        body = wordpress_json_encode(self.fixture("woo_order_tax_excluded"))
        for unknown_id in (999999, 99_999_999_999_999):  # the second is beyond PostgreSQL's integer
            self.assertEqual(
                self.url_open(
                    f"/billing_webshop/webhook/{unknown_id}", data=body, headers=self.signed_headers(body)
                ).status_code,
                404,
            )
        self.backend.active = False
        self.assertEqual(self.post_raw(body, self.signed_headers(body)).status_code, 404)

    def test_replayed_delivery_a_hundred_times_is_one_order(self):
        payload = self.fixture("woo_order_tax_excluded")
        for _attempt in range(100):
            self.assertEqual(
                self.woo.deliver_webhook(self.url, "order.updated", payload, WEBHOOK_SECRET).status_code, 200
            )
        self.assertEqual(len(self.events()), 1)
        # Later saves in the shop that change nothing are new deliveries, but no new import.
        for minute in range(5):
            payload["date_modified_gmt"] = f"2025-02-14T11:0{minute}:00"
            self.woo.deliver_webhook(self.url, "order.updated", payload, WEBHOOK_SECRET)
        self.assertEqual(len(self.events()), 6)
        self.Event._cron_process_events()
        self.assertEqual(set(self.events().mapped("state")), {"done"})
        self.assertEqual(sorted(self.events().mapped("result"))[-5:], ["unchanged"] * 5)
        self.assertEqual(self.env["sale.order"].search_count([("client_order_ref", "=", "4711")]), 1)

    def test_ten_concurrent_deliveries_of_one_order(self):
        payload = self.fixture("woo_order_tax_excluded")
        bodies = []
        for index in range(10):
            variant = dict(payload, date_modified_gmt=f"2025-02-14T12:00:{index:02d}")
            bodies.append(wordpress_json_encode(variant))
        statuses = []

        def deliver(body):
            response = requests.post(self.url, data=body, headers=self.signed_headers(body), timeout=60)
            statuses.append(response.status_code)

        threads = [threading.Thread(target=deliver, args=(body,)) for body in bodies + bodies[:3]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
        self.assertEqual(statuses, [200] * 13)
        self.assertEqual(len(self.events()), 10)
        self.Event._cron_process_events()
        self.assertEqual(set(self.events().mapped("state")), {"done"})
        orders = self.env["sale.order"].search([("client_order_ref", "=", "4711")])
        self.assertEqual(len(orders), 1)
        self.assertEqual(len(orders.invoice_ids), 1)
        self.assertEqual(len(self.binding_of(4711).payment_ids), 1)
