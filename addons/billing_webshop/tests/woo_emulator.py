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
import json
import logging
import math
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote_plus, urlsplit

import requests

from ..webshop.signature import compute_woocommerce_signature

_logger = logging.getLogger(__name__)

API_PREFIX = "/wp-json/wc/v3"
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 10
BATCH_LIMIT = 100
WOO_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
USER_AGENT = "WooCommerce/9.4.2 Hookshot (WordPress/6.7.1)"

ORDER_STATUSES = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "trash",
    "checkout-draft",
)
# status=any leaves out what WooCommerce hides from lists by default.
_HIDDEN_FROM_ANY = frozenset({"trash", "checkout-draft"})
ORDERBY_VALUES = ("date", "id", "include", "title", "slug", "modified")
ORDER_DATE_FIELDS = ("date_created", "date_modified", "date_paid", "date_completed")

_ORDERS_ROUTE = re.compile(r"/orders/?")
_ORDER_ROUTE = re.compile(r"/orders/(?P<id>[0-9]+)/?")
_PRODUCTS_ROUTE = re.compile(r"/products/?")
_PRODUCT_ROUTE = re.compile(r"/products/(?P<id>[0-9]+)/?")
_PRODUCTS_BATCH_ROUTE = re.compile(r"/products/batch/?")
# rest_parse_date(): an RFC 3339 date-time, the zone being optional.
_REST_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}(:?\d{2})?)?")


def wordpress_json_encode(data) -> bytes:
    """Encode ``data`` as ``wp_json_encode`` does with default flags.

    PHP's ``json_encode`` escapes ``/`` as ``\\/`` and non-ASCII characters as ``\\uXXXX``
    and adds no whitespace. WooCommerce signs exactly these bytes, which is why a receiver that
    re-serialises the parsed JSON can never reproduce the signature.
    """
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    # Outside strings JSON has no "/", so this only touches string contents.
    return text.replace("/", "\\/").encode("ascii")


def _php_urlencode(value):
    # PHP's urlencode(): like quote_plus, but "~" is encoded too.
    return quote_plus(str(value), safe="").replace("~", "%7E")


def _wp_list(values):
    """Join like WordPress's ``%l`` placeholder: "a, b, and c", "a and b"."""
    values = list(values)
    if len(values) <= 2:
        return " and ".join(values)
    return ", ".join(values[:-1]) + ", and " + values[-1]


def _format_date(moment):
    return moment.strftime(WOO_DATE_FORMAT)


def _parse_stored_date(value):
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).replace(tzinfo=None)


@dataclass
class RecordedRequest:
    """One request the emulator received, with the status it answered."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    status: int = 0

    @property
    def params(self):
        """The query arguments as PHP sees them: the last of repeated arguments wins."""
        return dict(self.query)


class _ApiError(Exception):
    """An error answer in WordPress's REST error format."""

    def __init__(self, status, code, message, **extra_data):
        super().__init__(message)
        self.status = status
        self.body = {"code": code, "message": message, "data": {"status": status, **extra_data}}


def _invalid_param(name, message, detail_code):
    return _ApiError(
        400,
        "rest_invalid_param",
        f"Invalid parameter(s): {name}",
        params={name: message},
        details={name: {"code": detail_code, "message": message, "data": None}},
    )


class _Response:
    def __init__(self, status, body, headers=None, content_type="application/json; charset=UTF-8"):
        self.status = status
        self.body = body
        self.headers = headers or []
        self.content_type = content_type


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


class WooEmulator:
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

    # -- collections ------------------------------------------------------------------------------

    @staticmethod
    def _integer_param(params, name, default, minimum=None, maximum=None):
        raw = params.get(name)
        if raw is None or raw == "":
            return default
        if not re.fullmatch(r"-?[0-9]+", raw.strip()):
            raise _invalid_param(name, f"{name} is not of type integer.", "rest_invalid_type")
        value = int(raw)
        if minimum is not None and maximum is not None and not minimum <= value <= maximum:
            raise _invalid_param(
                name,
                f"{name} must be between {minimum} (inclusive) and {maximum} (inclusive)",
                "rest_out_of_bounds",
            )
        if minimum is not None and value < minimum:
            raise _invalid_param(
                name, f"{name} must be greater than or equal to {minimum}", "rest_out_of_bounds"
            )
        return value

    @staticmethod
    def _enum_param(params, name, default, allowed):
        value = params.get(name, default) or default
        if value not in allowed:
            raise _invalid_param(name, f"{name} is not one of {_wp_list(allowed)}.", "rest_not_in_enum")
        return value

    @staticmethod
    def _date_param(params, name, shift):
        """A date-time argument, naive; one with an offset is converted to the compared zone."""
        raw = params.get(name)
        if raw is None or raw == "":
            return None
        if not _REST_DATE_RE.fullmatch(raw.strip()):
            raise _invalid_param(name, "Invalid date.", "rest_invalid_date")
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None) + shift
        return moment

    @staticmethod
    def _boolean_param(params, name):
        # rest_is_boolean() / rest_sanitize_boolean().
        raw = (params.get(name) or "").lower()
        if raw not in ("", "0", "1", "true", "false"):
            raise _invalid_param(name, f"{name} is not of type boolean.", "rest_invalid_type")
        return raw in ("1", "true")

    @staticmethod
    def _id_list_param(params, name):
        # wp_parse_id_list(): comma or space separated, absint of each, duplicates dropped.
        raw = params.get(name) or ""
        return list(
            dict.fromkeys(abs(int(part)) for part in re.split(r"[,\s]+", raw) if part.lstrip("-").isdigit())
        )

    def _filter_orders(self, params):
        statuses = [status for status in (params.get("status") or "any").split(",") if status]
        for status in statuses:
            if status != "any" and status not in ORDER_STATUSES:
                raise _invalid_param(
                    "status",
                    f"status is not one of {_wp_list(('any', *ORDER_STATUSES))}.",
                    "rest_not_in_enum",
                )
        dates_are_gmt = self._boolean_param(params, "dates_are_gmt")
        # Query dates are compared with the GMT or with the local column; the emulator keeps
        # GMT dates and shifts both sides into the compared zone.
        shift = timedelta(0) if dates_are_gmt else self.utc_offset
        date_filters = [
            (
                field_name,
                self._date_param(params, after_param, shift),
                self._date_param(params, before_param, shift),
            )
            for field_name, after_param, before_param in (
                ("date_created_gmt", "after", "before"),
                ("date_modified_gmt", "modified_after", "modified_before"),
            )
        ]
        customer = self._integer_param(params, "customer", None, minimum=0)

        def keep(order):
            status = order.get("status")
            if "any" in statuses or not statuses:
                if status in _HIDDEN_FROM_ANY:
                    return False
            elif status not in statuses:
                return False
            if customer is not None and int(order.get("customer_id") or 0) != customer:
                return False
            for field_name, after, before in date_filters:
                moment = _parse_stored_date(order.get(field_name))
                moment = moment + shift if moment else None
                # WP_Date_Query: "after" and "before" are exclusive.
                if after is not None and (moment is None or moment <= after):
                    return False
                if before is not None and (moment is None or moment >= before):
                    return False
            return True

        return keep

    def _filter_products(self, params):
        skus = {sku.strip() for sku in (params.get("sku") or "").split(",") if sku.strip()}

        def keep(product):
            return not skus or product.get("sku") in skus

        return keep

    def _list(self, objects, params, rest_base, make_filter):
        page = self._integer_param(params, "page", 1, minimum=1)
        per_page = self._integer_param(params, "per_page", DEFAULT_PER_PAGE, minimum=1, maximum=MAX_PER_PAGE)
        offset = self._integer_param(params, "offset", None, minimum=0)
        order = self._enum_param(params, "order", "desc", ("asc", "desc"))
        orderby = self._enum_param(params, "orderby", "date", ORDERBY_VALUES)
        include = self._id_list_param(params, "include")
        exclude = set(self._id_list_param(params, "exclude"))
        keep = make_filter(params)

        selected = [
            obj
            for obj in objects
            if keep(obj) and (not include or int(obj["id"]) in include) and int(obj["id"]) not in exclude
        ]
        selected.sort(key=self._sort_key(orderby, include), reverse=order == "desc")

        total = len(selected)
        max_pages = math.ceil(total / per_page)
        start = offset if offset is not None else (page - 1) * per_page
        headers = [("X-WP-Total", str(total)), ("X-WP-TotalPages", str(max_pages))]
        links = []
        if page > 1:
            links.append(f'<{self._page_link(rest_base, params, min(page - 1, max_pages))}>; rel="prev"')
        if max_pages > page:
            links.append(f'<{self._page_link(rest_base, params, page + 1)}>; rel="next"')
        if links:
            # WP_HTTP_Response::header($key, $value, false) joins repeated headers with ", ".
            headers.append(("Link", ", ".join(links)))
        return _Response(200, copy.deepcopy(selected[start : start + per_page]), headers)

    @staticmethod
    def _sort_key(orderby, include):
        if orderby == "include" and include:
            position = {object_id: index for index, object_id in enumerate(include)}
            return lambda obj: position.get(int(obj["id"]), len(position))
        date_field = {"date": "date_created_gmt", "modified": "date_modified_gmt"}.get(orderby)
        if date_field:
            # WooCommerce adds the id to date orderings so pages do not overlap ("date ID").
            return lambda obj: (_parse_stored_date(obj.get(date_field)) or datetime.min, int(obj["id"]))
        return lambda obj: int(obj["id"])

    def _page_link(self, rest_base, params, page):
        """Build a page link as ``add_query_arg('page', $n, add_query_arg($params, rest_url()))``.

        The first call inserts the query arguments as received (decoded); the second parses that
        string again (turning "+" into a space, as parse_str does) and urlencodes every value.
        So a "+01:00" offset comes back as " 01:00": clients should send UTC dates without offset.
        """
        first_pass = "&".join(f"{name}={value}" for name, value in params.items())
        arguments = dict(parse_qsl(first_pass, keep_blank_values=True))
        arguments["page"] = str(page)
        query = "&".join(f"{name}={_php_urlencode(value)}" for name, value in arguments.items())
        return f"{self.base_url}{API_PREFIX}/{rest_base}?{query}"

    # -- products batch ---------------------------------------------------------------------------

    def _batch_products(self, body):
        try:
            request = json.loads(body or b"{}")
        except ValueError as error:
            raise _ApiError(
                400,
                "rest_invalid_json",
                "Invalid JSON body passed.",
                json_error_code=4,
                json_error_message=str(error),
            ) from None
        if not isinstance(request, dict):
            request = {}
        for action in ("create", "update", "delete"):
            if action in request and not isinstance(request[action], list):
                raise _invalid_param(action, f"{action} is not of type array.", "rest_invalid_type")
        # array_filter() in batch_items() drops empty lists, and only filled actions answer.
        actions = {
            action: request[action] for action in ("create", "update", "delete") if request.get(action)
        }
        if sum(len(items) for items in actions.values()) > BATCH_LIMIT:
            raise _ApiError(
                413,
                "woocommerce_rest_request_entity_too_large",
                f"Unable to accept more than {BATCH_LIMIT} items for this request.",
            )
        response = {}
        for item in actions.get("create", []):
            response.setdefault("create", []).append(self._batch_item(0, self._create_product, item))
        for item in actions.get("update", []):
            item_id = item.get("id", 0) if isinstance(item, dict) else 0
            response.setdefault("update", []).append(self._batch_item(item_id, self._update_product, item))
        for raw_id in actions.get("delete", []):
            product_id = abs(int(raw_id)) if str(raw_id).lstrip("-").isdigit() else 0
            if product_id == 0:
                continue
            response.setdefault("delete", []).append(
                self._batch_item(product_id, self._delete_product, product_id)
            )
        # PHP encodes an empty array() as [], not {}.
        return _Response(200, response or [])

    @staticmethod
    def _batch_item(item_id, operation, argument):
        try:
            return operation(argument)
        except _ApiError as error:
            return {"id": item_id, "error": error.body}

    def _check_unique_sku(self, sku, product_id):
        if not sku:
            return
        for other in self.products.values():
            if other.get("sku") == sku and other["id"] != product_id:
                raise _ApiError(
                    400, "product_invalid_sku", "Invalid or duplicated SKU.", resource_id=other["id"]
                )

    def _apply_product_fields(self, product, fields):
        for name, value in fields.items():
            if name != "id":
                product[name] = copy.deepcopy(value)
        # "price" is read-only: WooCommerce derives it from the sale and regular prices.
        product["price"] = product.get("sale_price") or product.get("regular_price") or ""
        if product.get("manage_stock") and product.get("stock_quantity") is not None:
            if int(product["stock_quantity"]) > 0:
                product["stock_status"] = "instock"
            elif product.get("backorders", "no") != "no":
                product["stock_status"] = "onbackorder"
            else:
                product["stock_status"] = "outofstock"
        now = self.now()
        product["date_modified_gmt"] = _format_date(now)
        product["date_modified"] = _format_date(now + self.utc_offset)

    def _create_product(self, fields):
        if not isinstance(fields, dict):
            raise _ApiError(400, "rest_invalid_param", "Invalid parameter(s): create")
        if fields.get("id"):
            raise _ApiError(400, "woocommerce_rest_product_exists", "Cannot create existing product.")
        self._check_unique_sku(fields.get("sku") or "", None)
        product_id = max(self._next_product_id, max(self.products, default=0) + 1)
        self._next_product_id = product_id + 1
        now = self.now()
        name = fields.get("name") or ""
        product = {
            "id": product_id,
            "name": name,
            "slug": re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"),
            "permalink": "",
            "date_created": _format_date(now + self.utc_offset),
            "date_created_gmt": _format_date(now),
            "type": "simple",
            "status": "publish",
            "sku": "",
            "price": "",
            "regular_price": "",
            "sale_price": "",
            "tax_status": "taxable",
            "tax_class": "",
            "manage_stock": False,
            "stock_quantity": None,
            "stock_status": "instock",
            "backorders": "no",
            "meta_data": [],
        }
        self._apply_product_fields(product, fields)
        product["permalink"] = f"{self.base_url}/product/{product['slug'] or product_id}/"
        self.products[product_id] = product
        return copy.deepcopy(product)

    def _update_product(self, fields):
        raw_id = fields.get("id") if isinstance(fields, dict) else None
        product_id = int(raw_id) if str(raw_id).isdigit() else 0
        if product_id not in self.products:
            raise _ApiError(400, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        if "sku" in fields:
            self._check_unique_sku(fields.get("sku") or "", product_id)
        product = self.products[product_id]
        self._apply_product_fields(product, fields)
        return copy.deepcopy(product)

    def _delete_product(self, product_id):
        # Batch deletes are forced (no trash), and answer with the product as it was.
        if product_id not in self.products:
            raise _ApiError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        return self.products.pop(product_id)
