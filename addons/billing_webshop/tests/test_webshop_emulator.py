import base64
import copy
import http.client
import json
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode, urlsplit

from odoo.tests import BaseCase, tagged
from odoo.tools import file_open

from ..webshop.signature import is_woocommerce_ping, verify_signature
from .woo_emulator import WooEmulator

CONSUMER_KEY = "ck_0123456789abcdef"
CONSUMER_SECRET = "cs_fedcba9876543210"


class _CapturingHandler(BaseHTTPRequestHandler):
    """Records each POST it receives and answers 200, as a webhook endpoint would."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.captured.append((dict(self.headers.items()), self.rfile.read(length)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


@tagged("post_install", "-at_install")
class TestWooEmulator(BaseCase):
    def setUp(self):
        super().setUp()
        self.now = datetime(2025, 3, 1, 12, 0, 0)
        self.woo = WooEmulator(CONSUMER_KEY, CONSUMER_SECRET, clock=lambda: self.now)
        self.base_url = self.woo.start()
        self.addCleanup(self.woo.stop)
        with file_open("billing_webshop/tests/fixtures/woo_order_tax_excluded.json") as fixture:
            self.order_template = json.load(fixture)

    def _order(self, order_id, modified):
        order = copy.deepcopy(self.order_template)
        order.update(
            id=order_id,
            number=str(order_id),
            date_created_gmt=(modified - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S"),
            date_modified_gmt=modified.strftime("%Y-%m-%dT%H:%M:%S"),
        )
        return order

    def _request(
        self, method, path, *, params=None, body=None, auth=(CONSUMER_KEY, CONSUMER_SECRET), base_url=None
    ):
        """Call the emulator with http.client; return (status, headers, parsed JSON or text)."""
        if params:
            path = f"{path}?{urlencode(params)}"
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if auth:
            headers["Authorization"] = "Basic " + base64.b64encode(":".join(auth).encode()).decode()
        split = urlsplit(base_url or self.base_url)
        connection = http.client.HTTPConnection(split.hostname, split.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            raw = response.read()
            is_json = response.getheader("Content-Type", "").startswith("application/json")
            return response.status, response.headers, json.loads(raw) if is_json else raw.decode()
        finally:
            connection.close()

    def _batch(self, batch):
        return self._request("POST", "/wp-json/wc/v3/products/batch", body=json.dumps(batch).encode())

    def test_paging_headers_and_links(self):
        start = datetime(2025, 2, 1)
        # Added in reverse so that the order comes from the sort, not from insertion.
        for order_id in range(250, 0, -1):
            self.woo.add_order(self._order(order_id, start + timedelta(minutes=order_id)))
        params = {
            "per_page": 100,
            "orderby": "modified",
            "order": "asc",
            "modified_after": "2025-01-31T00:00:00",
        }
        base = f"{self.base_url}/wp-json/wc/v3/orders?per_page=100&orderby=modified&order=asc"
        base += "&modified_after=2025-01-31T00%3A00%3A00"

        status, headers, first = self._request("GET", "/wp-json/wc/v3/orders", params=params)
        self.assertEqual(status, 200)
        self.assertEqual((headers["X-WP-Total"], headers["X-WP-TotalPages"]), ("250", "3"))
        self.assertEqual([order["id"] for order in first], list(range(1, 101)))
        self.assertEqual(headers["Link"], f'<{base}&page=2>; rel="next"')

        status, headers, second = self._request("GET", "/wp-json/wc/v3/orders", params={**params, "page": 2})
        self.assertEqual(len(second), 100)
        self.assertEqual(headers["Link"], f'<{base}&page=1>; rel="prev", <{base}&page=3>; rel="next"')

        status, headers, third = self._request("GET", "/wp-json/wc/v3/orders", params={**params, "page": 3})
        self.assertEqual([order["id"] for order in third], list(range(201, 251)))
        self.assertEqual(headers["Link"], f'<{base}&page=2>; rel="prev"')
        self.assertEqual(headers["X-WP-TotalPages"], "3")

        # Beyond the last page: an empty list, and "prev" points back to the last page.
        status, headers, beyond = self._request("GET", "/wp-json/wc/v3/orders", params={**params, "page": 7})
        self.assertEqual((status, beyond), (200, []))
        self.assertEqual(headers["Link"], f'<{base}&page=3>; rel="prev"')

        # The default is 10 per page, newest first.
        status, headers, default_page = self._request("GET", "/wp-json/wc/v3/orders")
        self.assertEqual(headers["X-WP-TotalPages"], "25")
        self.assertEqual([order["id"] for order in default_page], list(range(250, 240, -1)))

    def test_following_next_links_reads_every_order_once(self):
        for order_id in range(1, 24):
            self.woo.add_order(self._order(order_id, datetime(2025, 2, 1) + timedelta(hours=order_id)))
        seen = []
        url = f"/wp-json/wc/v3/orders?{urlencode({'per_page': 5, 'orderby': 'modified', 'order': 'asc'})}"
        while url:
            status, headers, page = self._request("GET", url)
            self.assertEqual(status, 200)
            seen += [order["id"] for order in page]
            next_links = [part for part in headers.get("Link", "").split(", ") if part.endswith('rel="next"')]
            url = None
            if next_links:
                split = urlsplit(next_links[0].split(";")[0].strip("<>"))
                url = f"{split.path}?{split.query}"
        self.assertEqual(seen, list(range(1, 24)))

    def test_per_page_above_100_is_refused(self):
        status, _headers, body = self._request("GET", "/wp-json/wc/v3/orders", params={"per_page": 101})
        self.assertEqual(status, 400)
        self.assertEqual(body["code"], "rest_invalid_param")
        self.assertEqual(body["data"]["status"], 400)
        self.assertIn("per_page", body["data"]["params"])
        status, _headers, _body = self._request("GET", "/wp-json/wc/v3/orders", params={"per_page": 100})
        self.assertEqual(status, 200)

    def test_modified_after_filter_and_update_order(self):
        for order_id in range(1, 6):
            self.woo.add_order(self._order(order_id, datetime(2025, 2, 1, 10, order_id)))
        params = {"modified_after": "2025-02-01T10:03:00", "orderby": "modified", "order": "asc"}
        _status, headers, orders = self._request("GET", "/wp-json/wc/v3/orders", params=params)
        # "after" is exclusive: the order modified at exactly 10:03:00 is not returned.
        self.assertEqual([order["id"] for order in orders], [4, 5])
        self.assertEqual(headers["X-WP-Total"], "2")

        updated = self.woo.update_order(2, status="completed")
        self.assertEqual(updated["date_modified_gmt"], "2025-03-01T12:00:00")
        _status, _headers, orders = self._request("GET", "/wp-json/wc/v3/orders", params=params)
        self.assertEqual(
            [(order["id"], order["status"]) for order in orders],
            [(4, "processing"), (5, "processing"), (2, "completed")],
        )

        # Two saves in the same second still move the date forward.
        self.assertEqual(
            self.woo.update_order(2, status="refunded")["date_modified_gmt"], "2025-03-01T12:00:01"
        )
        params["modified_after"] = "2025-03-01T13:00:00+01:00"
        _status, _headers, orders = self._request("GET", "/wp-json/wc/v3/orders", params=params)
        self.assertEqual([order["id"] for order in orders], [2])

        status, _headers, body = self._request(
            "GET", "/wp-json/wc/v3/orders", params={"modified_after": "yesterday"}
        )
        self.assertEqual((status, body["code"]), (400, "rest_invalid_param"))

    def test_dates_are_gmt_matters_on_a_site_west_of_utc(self):
        woo = WooEmulator(
            CONSUMER_KEY, CONSUMER_SECRET, clock=lambda: self.now, utc_offset=timedelta(hours=-5)
        )
        woo.start()
        self.addCleanup(woo.stop)
        stored = woo.add_order(self._order(1, datetime(2025, 2, 1, 11, 30)))
        self.assertEqual(
            (stored["date_modified_gmt"], stored["date_modified"]),
            ("2025-02-01T11:30:00", "2025-02-01T06:30:00"),
        )
        # A GMT watermark sent without dates_are_gmt is read as local time: the order is missed.
        params = {"modified_after": "2025-02-01T11:00:00"}
        _status, _headers, orders = self._request(
            "GET", "/wp-json/wc/v3/orders", params=params, base_url=woo.base_url
        )
        self.assertEqual(orders, [])
        params["dates_are_gmt"] = "true"
        _status, _headers, orders = self._request(
            "GET", "/wp-json/wc/v3/orders", params=params, base_url=woo.base_url
        )
        self.assertEqual([order["id"] for order in orders], [1])

    def test_get_one_order(self):
        self.woo.add_order(self._order(4711, datetime(2025, 2, 14, 9, 21, 42)))
        status, _headers, order = self._request("GET", "/wp-json/wc/v3/orders/4711")
        self.assertEqual((status, order["id"], order["total"]), (200, 4711, "52.43"))
        status, _headers, body = self._request("GET", "/wp-json/wc/v3/orders/4712")
        self.assertEqual(status, 404)
        self.assertEqual(
            body,
            {
                "code": "woocommerce_rest_shop_order_invalid_id",
                "message": "Invalid ID.",
                "data": {"status": 404},
            },
        )

    def test_rate_limit_and_server_errors_with_retry_after(self):
        self.woo.fail_next(1)
        status, headers, _body = self._request("GET", "/wp-json/wc/v3/orders")
        self.assertEqual((status, headers["Retry-After"]), (429, "2"))
        status, _headers, _body = self._request("GET", "/wp-json/wc/v3/orders")
        self.assertEqual(status, 200)

        self.woo.fail_next(2, status=503, retry_after=None)
        for _attempt in range(2):
            status, headers, _body = self._request("GET", "/wp-json/wc/v3/orders")
            self.assertEqual(status, 503)
            self.assertIsNone(headers["Retry-After"])
        self.assertEqual([entry.status for entry in self.woo.request_log], [429, 200, 503, 503])
        self.assertEqual(self.woo.request_log[0].path, "/wp-json/wc/v3/orders")

    def test_authentication(self):
        status, _headers, body = self._request("GET", "/wp-json/wc/v3/orders", auth=None)
        self.assertEqual((status, body["code"]), (401, "woocommerce_rest_cannot_view"))
        status, _headers, body = self._request(
            "GET", "/wp-json/wc/v3/orders", auth=("ck_wrong", CONSUMER_SECRET)
        )
        self.assertEqual((status, body["message"]), (401, "Consumer key is invalid."))
        status, _headers, body = self._request(
            "GET", "/wp-json/wc/v3/orders", auth=(CONSUMER_KEY, "cs_wrong")
        )
        self.assertEqual((status, body["message"]), (401, "Consumer secret is invalid."))
        status, _headers, body = self._batch({"create": [{"name": "Mok"}]})
        self.assertEqual(status, 200)
        # Credentials in the query string work too, even when repeated (the official client does).
        query = f"consumer_key={CONSUMER_KEY}&consumer_secret={CONSUMER_SECRET}"
        status, _headers, _body = self._request("GET", f"/wp-json/wc/v3/orders?{query}&{query}", auth=None)
        self.assertEqual(status, 200)

    def test_products_batch_shape_and_sku_lookup(self):
        status, _headers, body = self._batch(
            {
                "create": [
                    {"name": "Koffiemok Delfts Blauw", "sku": "MUG-DB", "regular_price": "12.50"},
                    {"name": "Stroopwafels", "sku": "STRP-8", "regular_price": "4.95", "sale_price": "3.95"},
                ]
            }
        )
        self.assertEqual(status, 200)
        self.assertEqual(list(body), ["create"])
        mug, wafels = body["create"]
        self.assertEqual((mug["sku"], mug["price"]), ("MUG-DB", "12.50"))
        self.assertEqual(wafels["price"], "3.95")
        self.assertEqual(set(self.woo.products), {mug["id"], wafels["id"]})

        status, _headers, body = self._batch(
            {
                "create": [{"name": "Dubbel", "sku": "MUG-DB"}],
                "update": [
                    {"id": mug["id"], "manage_stock": True, "stock_quantity": 0},
                    {"id": 999999, "regular_price": "1.00"},
                ],
                "delete": [wafels["id"]],
            }
        )
        self.assertEqual(status, 200)
        self.assertEqual(body["create"][0]["id"], 0)
        self.assertEqual(body["create"][0]["error"]["code"], "product_invalid_sku")
        self.assertEqual(body["create"][0]["error"]["data"], {"status": 400, "resource_id": mug["id"]})
        self.assertEqual(body["update"][0]["stock_status"], "outofstock")
        self.assertEqual(body["update"][1]["error"]["code"], "woocommerce_rest_product_invalid_id")
        self.assertEqual(body["delete"][0]["id"], wafels["id"])
        self.assertNotIn(wafels["id"], self.woo.products)

        status, _headers, found = self._request("GET", "/wp-json/wc/v3/products", params={"sku": "MUG-DB"})
        self.assertEqual((status, [product["id"] for product in found]), (200, [mug["id"]]))
        status, _headers, found = self._request("GET", "/wp-json/wc/v3/products", params={"sku": "STRP-8"})
        self.assertEqual(found, [])
        # An empty batch answers with PHP's empty array.
        self.assertEqual(self._batch({"create": []})[2], [])

    def test_products_batch_limit(self):
        status, _headers, body = self._batch(
            {"create": [{"name": f"P{n}"} for n in range(60)], "delete": list(range(1, 42))}
        )
        self.assertEqual(status, 413)
        self.assertEqual(body["code"], "woocommerce_rest_request_entity_too_large")
        self.assertEqual(self.woo.products, {})

        status, _headers, body = self._batch(
            {"create": [{"name": f"P{n}", "sku": f"SKU-{n}"} for n in range(100)]}
        )
        self.assertEqual((status, len(body["create"])), (200, 100))
        status, headers, _body = self._request("GET", "/wp-json/wc/v3/products", params={"per_page": 100})
        self.assertEqual((headers["X-WP-Total"], headers["X-WP-TotalPages"]), ("100", "1"))

        status, _headers, body = self._request("POST", "/wp-json/wc/v3/products/batch", body=b"{not json")
        self.assertEqual((status, body["code"]), (400, "rest_invalid_json"))

    def test_deliver_webhook_and_ping(self):
        receiver = ThreadingHTTPServer(("127.0.0.1", 0), _CapturingHandler)
        receiver.captured = []
        thread = threading.Thread(target=receiver.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 5)
        self.addCleanup(receiver.server_close)
        self.addCleanup(receiver.shutdown)
        url = f"http://127.0.0.1:{receiver.server_address[1]}/billing_webshop/webhook/1"

        response = self.woo.deliver_webhook(
            url, "order.updated", self.order_template, "s3cret&more", webhook_id=7
        )
        self.assertEqual(response.status_code, 200)
        self.woo.deliver_webhook(url, "order.updated", self.order_template, "s3cret&more", webhook_id=7)
        self.woo.deliver_ping(url, webhook_id=7)

        (headers, body), (headers_again, body_again), (ping_headers, ping_body) = receiver.captured
        self.assertEqual(headers["X-WC-Webhook-Topic"], "order.updated")
        self.assertEqual(headers["X-WC-Webhook-Resource"], "order")
        self.assertEqual(headers["X-WC-Webhook-Event"], "updated")
        self.assertEqual(headers["X-WC-Webhook-ID"], "7")
        self.assertEqual(headers["X-WC-Webhook-Source"], f"{self.base_url}/")
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertTrue(headers["User-Agent"].startswith("WooCommerce/"))
        # WooCommerce makes a new delivery id per attempt, so it cannot deduplicate.
        self.assertNotEqual(headers["X-WC-Webhook-Delivery-ID"], headers_again["X-WC-Webhook-Delivery-ID"])
        self.assertEqual(body, body_again)
        # wp_json_encode: compact, "/" escaped, non-ASCII as \u escapes.
        self.assertIn(b"https:\\/\\/winkel.example", body)
        self.assertIn(b"\\u20ac", body)
        self.assertEqual(json.loads(body), self.order_template)
        self.assertTrue(verify_signature("s3cret&more", body, headers["X-WC-Webhook-Signature"]))
        self.assertFalse(verify_signature("s3cret", body, headers["X-WC-Webhook-Signature"]))
        self.assertFalse(is_woocommerce_ping(headers, body))

        self.assertEqual(ping_body, b"webhook_id=7")
        self.assertTrue(is_woocommerce_ping(ping_headers, ping_body))
