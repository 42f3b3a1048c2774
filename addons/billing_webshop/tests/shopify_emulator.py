"""A small local Shopify emulator for tests: a subset of the GraphQL Admin API on 127.0.0.1.

It follows shopify.dev where the sync depends on it:

* ``POST /admin/oauth/access_token`` with ``grant_type=client_credentials``, ``client_id`` and
  ``client_secret`` answers ``{"access_token", "scope", "expires_in"}``;
* ``POST /admin/api/<version>/graphql.json`` needs ``X-Shopify-Access-Token`` (401 without a
  valid one), answers ``X-Shopify-API-Version`` and ``{"data", "extensions": {"cost": ...}}``
  with ``requestedQueryCost``, ``actualQueryCost`` and ``throttleStatus {maximumAvailable,
  currentlyAvailable, restoreRate}`` from a leaky bucket; a query the bucket cannot pay for
  answers ``{"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]}`` with
  HTTP 200 (or 429 when ``throttle_status_code`` says so);
* the operations: ``order(id:)``, ``orders(first:, after:, query: "updated_at:>='…'",
  sortKey: UPDATED_AT)`` with ``pageInfo``, ``nodes(ids:)`` of product variants with their
  inventory level, ``inventorySetQuantities`` with ``compareQuantity`` (a stale figure refuses
  the whole call with ``COMPARE_QUANTITY_STALE``), ``productVariantsBulkUpdate`` (price,
  ``inventoryItem.sku``), ``productUpdate(product:)`` (title, descriptionHtml),
  ``webhookSubscriptionCreate``, ``bulkOperationRunQuery`` and ``node(id:)`` of the bulk
  operation, whose result is a JSONL file (child rows carry ``__parentId``);
* webhooks (:meth:`ShopifyEmulator.deliver`): the REST resource of the topic as the body,
  ``/`` and ``&`` escaped as Shopify writes them, signed with base64 HMAC-SHA256 of the raw body
  under the app's client secret, with ``X-Shopify-Topic``, ``X-Shopify-Hmac-Sha256``,
  ``X-Shopify-Shop-Domain``, ``X-Shopify-API-Version``, ``X-Shopify-Webhook-Id``,
  ``X-Shopify-Event-Id`` and ``X-Shopify-Triggered-At``.

It does not parse GraphQL: it recognises the operation by its root field and reads the
variables, so queries must pass their arguments as variables (the adapter does). Every answer
carries the whole object whatever the selection; unknown fields are harmless to the client.
"""

import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from .shopify_emulator_graphql import ShopifyGraphQL
from .shopify_emulator_store import API_VERSION, RESTOCK_TYPES, ShopifyStore, money, shopify_json, sign

__all__ = ["API_VERSION", "RESTOCK_TYPES", "ShopifyEmulator", "money", "shopify_json", "sign"]


class ShopifyEmulator(ShopifyStore, ShopifyGraphQL):
    """A Shopify store. Test hooks: :meth:`add_order`, :meth:`update_order`, :meth:`add_refund`,
    :meth:`add_variant`, :meth:`deliver`, ``throttle_next``, ``fail_next``, ``request_log`` and
    ``operation_log``."""

    def __init__(
        self,
        client_id="client-id",
        client_secret="client-secret",
        *,
        access_token=None,
        token_lifetime=86399,
        maximum_available=2000.0,
        restore_rate=100.0,
        shop_domain="emulated.myshopify.com",
    ):
        self.client_id = client_id
        self.client_secret = client_secret
        self.static_token = access_token
        self.token_lifetime = token_lifetime
        self.tokens = {}  # token -> expiry (monotonic)
        self.maximum_available = maximum_available
        self.restore_rate = restore_rate
        self.available = maximum_available
        self._bucket_at = time.monotonic()
        self.throttle_status_code = 200
        self.throttle_next = 0  # answer the next n GraphQL calls THROTTLED whatever they cost
        self.fail_next = 0  # answer the next n GraphQL calls 503
        self.shop_domain = shop_domain
        self.orders = {}  # GID -> GraphQL order
        self.variants = {}  # GID -> {"id", "sku", "price", "product": {"id"}, "inventoryItem": {"id"}}
        self.products = {}  # GID -> {"id", "title", "descriptionHtml"}
        self.inventory = {}  # (inventory item GID, location GID) -> available
        self.subscriptions = []
        self.bulk_operations = {}
        self.request_log = []
        self.operation_log = []  # the root field of each GraphQL call
        self.base_url = None
        self._next_id = 5940139491000
        self._lock = threading.RLock()
        self._server = None
        self._thread = None

    # -- life cycle ---------------------------------------------------------------------------------

    def start(self):
        if self._server is None:
            self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
            self._server.daemon_threads = True
            self._server.emulator = self
            self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self.base_url

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    # -- HTTP ---------------------------------------------------------------------------------------

    def _token_ok(self, token):
        if self.static_token and token == self.static_token:
            return True
        expiry = self.tokens.get(token)
        return expiry is not None and expiry > time.monotonic()

    def handle(self, method, path, headers, body):
        """(status, headers, body bytes) of one request."""
        self.request_log.append((method, path))
        if method == "POST" and path == "/admin/oauth/access_token":
            form = dict(parse_qsl(body.decode()))
            if (form.get("grant_type"), form.get("client_id"), form.get("client_secret")) != (
                "client_credentials",
                self.client_id,
                self.client_secret,
            ):
                return 400, {}, json.dumps({"error": "invalid_client"}).encode()
            token = f"shpat_{secrets.token_hex(16)}"
            self.tokens[token] = time.monotonic() + self.token_lifetime
            answer = {
                "access_token": token,
                "scope": "read_orders,write_inventory",
                "expires_in": self.token_lifetime,
            }
            return 200, {}, json.dumps(answer).encode()
        match = re.fullmatch(r"/admin/api/([0-9]{4}-[0-9]{2})/graphql\.json", path)
        if method == "POST" and match:
            version_headers = {"X-Shopify-API-Version": match.group(1)}
            if not self._token_ok(headers.get("X-Shopify-Access-Token")):
                error = {
                    "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
                }
                return 401, version_headers, json.dumps(error).encode()
            if self.fail_next:
                self.fail_next -= 1
                return 503, version_headers, b'{"errors":"Service Unavailable"}'
            request = json.loads(body)
            status, answer = self.graphql(request.get("query") or "", request.get("variables") or {})
            if status == 429:
                version_headers["Retry-After"] = "1"
            return status, version_headers, json.dumps(answer).encode()
        match = re.fullmatch(r"/bulk/([0-9]+)\.jsonl", path)
        if method == "GET" and match:
            operation = self.bulk_operations.get(f"gid://shopify/BulkOperation/{match.group(1)}")
            if operation:
                lines = "".join(json.dumps(row) + "\n" for row in self._bulk_rows(operation))
                return 200, {"Content-Type": "application/jsonl"}, lines.encode()
        return 404, {}, b'{"errors":"Not Found"}'


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _serve(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, answer = self.server.emulator.handle(method, self.path, self.headers, body)
        self.send_response(status)
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def log_message(self, format, *args):
        pass
