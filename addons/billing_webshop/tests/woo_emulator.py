"""A small local WooCommerce REST v3 emulator for tests.

It listens on 127.0.0.1 on a port the OS picks, so tests never leave the machine, and answers
the few endpoints the sync uses the way WooCommerce and WordPress do:

* ``GET /wp-json/wc/v3/orders`` with ``page``, ``per_page`` (1..100, else 400), ``offset``,
  ``order``, ``orderby`` (date|id|include|title|slug|modified), ``status``, ``customer``,
  ``include``, ``exclude``, ``after``/``before`` and ``modified_after``/``modified_before``;
  paging headers ``X-WP-Total``, ``X-WP-TotalPages`` and one ``Link`` header with
  ``rel="prev"`` and ``rel="next"`` (WordPress sends no ``first``/``last``);
* ``GET /wp-json/wc/v3/orders/<id>``;
* ``GET /wp-json/wc/v3/products`` (``sku`` filter) and ``GET /wp-json/wc/v3/products/<id>``;
* ``POST /wp-json/wc/v3/products/batch`` with at most 100 objects (413 above, as in
  ``WC_REST_Controller::check_batch_limit``).

Errors use WordPress's body ``{"code", "message", "data": {"status"}}``. Credentials are
checked like WooCommerce over HTTPS (HTTP Basic, or ``consumer_key``/``consumer_secret`` in the
query string); the emulator speaks plain HTTP but behaves as a site behind a TLS proxy, so it
does not implement the OAuth 1.0a variant WooCommerce requires on plain-HTTP sites.

The emulated site's time zone is a fixed ``utc_offset`` (UTC by default, no daylight saving):
the local ``date_*`` fields of stored orders are their ``date_*_gmt`` plus that offset, and the
date filters compare with the local dates unless ``dates_are_gmt`` is true, as WooCommerce
does. A poller that sends GMT dates without ``dates_are_gmt=true`` misses orders on a site
west of UTC; ``utc_offset=timedelta(hours=-5)`` makes that visible. Repeated query arguments
are tolerated (the last one wins, as in PHP), because the official ``woocommerce`` Python
client sends some twice.
"""

import base64
import binascii
import copy
import logging
import re
import secrets
import threading
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import requests

from ..webshop.signature import compute_woocommerce_signature
from .woo_emulator_collections import WooCollections
from .woo_emulator_products import WooProducts
from .woo_emulator_wire import (
    API_PREFIX,
    BATCH_LIMIT,
    DEFAULT_PER_PAGE,
    MAX_PER_PAGE,
    ORDER_DATE_FIELDS,
    ORDER_STATUSES,
    ORDERBY_VALUES,
    USER_AGENT,
    WOO_DATE_FORMAT,
    RecordedRequest,
    _ApiError,
    _format_date,
    _parse_stored_date,
    _Response,
    wordpress_json_encode,
)

__all__ = [
    "API_PREFIX",
    "BATCH_LIMIT",
    "DEFAULT_PER_PAGE",
    "MAX_PER_PAGE",
    "ORDERBY_VALUES",
    "ORDER_DATE_FIELDS",
    "ORDER_STATUSES",
    "USER_AGENT",
    "WOO_DATE_FORMAT",
    "RecordedRequest",
    "WooEmulator",
    "wordpress_json_encode",
]

_logger = logging.getLogger(__name__)
_ORDERS_ROUTE = re.compile(r"/orders/?")
_ORDER_ROUTE = re.compile(r"/orders/(?P<id>[0-9]+)/?")
_PRODUCTS_ROUTE = re.compile(r"/products/?")
_PRODUCT_ROUTE = re.compile(r"/products/(?P<id>[0-9]+)/?")
_PRODUCTS_BATCH_ROUTE = re.compile(r"/products/batch/?")


class _RequestHandler(BaseHTTPRequestHandler):
    """Hands every request to the emulator; the server object carries it as ``emulator``."""

    # http.server dispatches on do_<METHOD>.
    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def _dispatch(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        split = urlsplit(self.path)
        record = RecordedRequest(
            method=self.command,
            path=split.path,
            query=parse_qsl(split.query, keep_blank_values=True),
            headers=dict(self.headers.items()),
            body=body,
        )
        response = self.server.emulator._answer(record)
        record.status = response.status
        payload = response.body
        if not isinstance(payload, bytes):
            payload = wordpress_json_encode(payload)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):
        # http.server writes an access log to stderr; keep the test output clean.
        _logger.debug("woo emulator: " + format, *args)


class _EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, emulator):
        super().__init__(("127.0.0.1", 0), _RequestHandler)
        self.emulator = emulator

    def handle_error(self, request, client_address):
        # A client that hangs up mid-answer (a test timing out) is not the emulator's error;
        # socketserver would print a traceback to stderr.
        _logger.debug("woo emulator: connection from %s dropped", client_address, exc_info=True)


class WooEmulator(WooCollections, WooProducts):
    """A local WooCommerce REST v3 site: start it, feed it orders, point a client at it.

    ``with WooEmulator() as woo:`` starts and stops it; ``woo.base_url`` is the site URL
    (``http://127.0.0.1:<port>``) and ``woo.api_url`` the ``/wp-json/wc/v3`` base.

    Test hooks: :meth:`add_order`, :meth:`update_order`, the ``orders`` and ``products`` dicts
    (id -> WooCommerce JSON), :meth:`fail_next` and ``request_log`` (one
    :class:`RecordedRequest` per request, in arrival order).
    """

    def __init__(self, consumer_key="ck_test", consumer_secret="cs_test", *, clock=None, utc_offset=None):
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.utc_offset = utc_offset or timedelta(0)
        self.orders = {}
        self.products = {}
        self.request_log = []
        self.base_url = None
        self._clock = clock or (lambda: datetime.now(UTC).replace(tzinfo=None))
        self._failures = []
        self._next_product_id = 1
        self._lock = threading.RLock()
        self._server = None
        self._thread = None

    # -- life cycle -------------------------------------------------------------------------

    def start(self):
        """Start serving on 127.0.0.1 on a free port; return the site's base URL."""
        if self._server is not None:
            return self.base_url
        server = _EmulatorServer(self)
        self._server = server
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="woo-emulator", daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self):
        """Stop serving and free the port; safe to call twice."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.stop()

    @property
    def api_url(self):
        return f"{self.base_url}{API_PREFIX}" if self.base_url else None

    # -- test hooks -------------------------------------------------------------------------

    def now(self):
        """The emulator's current time, naive UTC, to the second as WooCommerce stores it."""
        return self._clock().replace(microsecond=0)

    def add_order(self, order):
        """Store a copy of the WooCommerce order ``order`` and return the stored copy.

        Without an ``id`` the next free one is used; missing creation and modification dates
        are set to now. The local dates are rewritten from the GMT ones in the site's zone.
        """
        order = copy.deepcopy(order)
        with self._lock:
            if not order.get("id"):
                order["id"] = max(self.orders, default=0) + 1
            now = _format_date(self.now())
            order.setdefault("date_created_gmt", now)
            order.setdefault("date_modified_gmt", now)
            self._set_local_dates(order)
            self.orders[int(order["id"])] = order
            return copy.deepcopy(order)

    def _set_local_dates(self, order):
        for name in ORDER_DATE_FIELDS:
            moment = _parse_stored_date(order.get(f"{name}_gmt"))
            order[name] = _format_date(moment + self.utc_offset) if moment else None

    def update_order(self, order_id, **changes):
        """Apply ``changes`` to a stored order and bump its modification date, as a save does.

        The new ``date_modified_gmt`` is now, or one second after the previous one when the
        clock has not moved, so that every update is visible to ``modified_after``.
        """
        with self._lock:
            order = self.orders[int(order_id)]
            order.update(copy.deepcopy(changes))
            previous = _parse_stored_date(order.get("date_modified_gmt"))
            modified = self.now()
            if previous is not None and modified <= previous:
                modified = previous + timedelta(seconds=1)
            order["date_modified_gmt"] = _format_date(modified)
            self._set_local_dates(order)
            return copy.deepcopy(order)

    def fail_next(self, count, status=429, retry_after=2):
        """Answer the next ``count`` requests with ``status`` instead of serving them.

        This plays the host or WAF in front of WordPress (WooCommerce itself has no rate
        limit): a plain-text body and, unless ``retry_after`` is None, a ``Retry-After``
        header in seconds. Use ``status=503`` (or any 5xx) for an overloaded host.
        """
        with self._lock:
            self._failures.extend([(status, retry_after)] * count)

    # -- webhooks -----------------------------------------------------------------------------

    def deliver_webhook(self, url, topic, payload, secret, *, webhook_id=1, timeout=10):
        """POST ``payload`` to ``url`` as WooCommerce delivers webhook ``topic``.

        The body is ``wp_json_encode`` of the payload and the headers are those of
        ``WC_Webhook::deliver``; a fresh delivery id is used on every call, as WooCommerce does.
        Redirects are not followed (WooCommerce sets ``redirection`` to 0). Returns the
        ``requests.Response``.
        """
        resource, _dot, event = topic.partition(".")
        body = wordpress_json_encode(payload)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-WC-Webhook-Source": f"{self.base_url or 'http://127.0.0.1'}/",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event,
            "X-WC-Webhook-Signature": compute_woocommerce_signature(secret, body),
            "X-WC-Webhook-ID": str(webhook_id),
            "X-WC-Webhook-Delivery-ID": secrets.token_hex(16),
        }
        return requests.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False)

    def deliver_ping(self, url, *, webhook_id=1, timeout=10):
        """POST WooCommerce's activation ping (``webhook_id=<id>``, unsigned) to ``url``."""
        headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT}
        return requests.post(
            url, data=f"webhook_id={webhook_id}", headers=headers, timeout=timeout, allow_redirects=False
        )

    # -- request handling -----------------------------------------------------------------------

    def _answer(self, record):
        with self._lock:
            self.request_log.append(record)
            try:
                return self._serve(record)
            except _ApiError as error:
                return _Response(error.status, error.body)
            except Exception:
                _logger.exception("woo emulator: %s %s failed", record.method, record.path)
                return _Response(
                    500,
                    {"code": "internal_server_error", "message": "Emulator error.", "data": {"status": 500}},
                )

    def _serve(self, record):
        if self._failures:
            status, retry_after = self._failures.pop(0)
            headers = [("Retry-After", str(retry_after))] if retry_after is not None else []
            try:
                phrase = HTTPStatus(status).phrase
            except ValueError:
                phrase = "Error"
            return _Response(status, f"{status} {phrase}\n".encode(), headers, "text/plain; charset=utf-8")
        params = record.params
        authenticated = self._authenticate(record.headers, params)
        if not record.path.startswith(API_PREFIX):
            raise _ApiError(404, "rest_no_route", "No route was found matching the URL and request method.")
        route = record.path[len(API_PREFIX) :]
        if record.method == "GET" and _ORDERS_ROUTE.fullmatch(route):
            self._require(authenticated, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
            return self._list(self.orders.values(), params, "orders", self._filter_orders)
        if record.method == "GET" and (match := _ORDER_ROUTE.fullmatch(route)):
            self._require(
                authenticated, "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."
            )
            return self._get(self.orders, int(match["id"]), "shop_order")
        if record.method == "POST" and _PRODUCTS_BATCH_ROUTE.fullmatch(route):
            self._require(
                authenticated,
                "woocommerce_rest_cannot_batch",
                "Sorry, you are not allowed to batch manipulate this resource.",
            )
            return self._batch_products(record.body)
        if record.method == "GET" and _PRODUCTS_ROUTE.fullmatch(route):
            self._require(authenticated, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
            return self._list(self.products.values(), params, "products", self._filter_products)
        if record.method == "GET" and (match := _PRODUCT_ROUTE.fullmatch(route)):
            self._require(
                authenticated, "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."
            )
            return self._get(self.products, int(match["id"]), "product")
        raise _ApiError(404, "rest_no_route", "No route was found matching the URL and request method.")

    def _authenticate(self, headers, params):
        """Return True for valid credentials, False for none; raise 401 for wrong ones."""
        consumer_key = consumer_secret = None
        authorization = next(
            (value for name, value in headers.items() if name.lower() == "authorization"), ""
        )
        if authorization[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            consumer_key, _colon, consumer_secret = decoded.partition(":")
        elif "consumer_key" in params:
            consumer_key, consumer_secret = params.get("consumer_key"), params.get("consumer_secret", "")
        if consumer_key is None:
            return False
        if not secrets.compare_digest(str(consumer_key).encode(), self.consumer_key.encode()):
            raise _ApiError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
        if not secrets.compare_digest(str(consumer_secret).encode(), self.consumer_secret.encode()):
            raise _ApiError(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.")
        return True

    @staticmethod
    def _require(authenticated, code, message):
        # Without credentials WordPress runs the request as a visitor, whom the permission
        # check turns away with rest_authorization_required_code(), i.e. 401.
        if not authenticated:
            raise _ApiError(401, code, message)

    def _get(self, store, object_id, post_type):
        if object_id not in store:
            raise _ApiError(404, f"woocommerce_rest_{post_type}_invalid_id", "Invalid ID.")
        return _Response(200, copy.deepcopy(store[object_id]))
