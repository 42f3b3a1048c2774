"""One small adapter per shop type: signature check, payload reading and the shop's REST API.

The Odoo models only talk to a :class:`ShopAdapter`; the next shop type (Shopify) adds a
subclass here and an entry in :data:`ADAPTERS`. Nothing in this module imports Odoo: it takes
and returns plain data, and the HTTP session, the sleep function and the clock are injectable.
"""

import base64
import binascii
import hashlib
import hmac
import json
import logging
import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import requests

from . import signature
from .normalize import (
    PROBLEM_MISSING,
    PROBLEM_NOT_JSON,
    PROBLEM_NOT_OBJECT,
    PROBLEM_UNSTORABLE_TEXT,
    WebshopPayloadError,
)
from .normalize_woocommerce import normalize_woocommerce_order

_logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30  # seconds, to connect and between two bytes of the answer
MAX_PAGE_SIZE = 100
WOO_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
_LINK_NEXT_RE = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
# What PostgreSQL refuses in a text column: NUL, and unpaired UTF-16 surrogates (JSON "\ud800"),
# which cannot be encoded as UTF-8.
_UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff]")
# In a JSON text already checked to be UTF-8 without NUL, only an escape can bring either in:
# "\u0000" or one of "\ud800" to "\udfff" (a literal backslash before "u" matches too, harmlessly).
_UNSTORABLE_ESCAPE_RE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


class ShopApiError(Exception):
    """A call to the shop failed; ``transient`` tells whether trying again later may help."""

    def __init__(self, message, *, status=None, transient=False, retry_after=None):
        super().__init__(message)
        self.status = status
        self.transient = transient
        self.retry_after = retry_after


def retry_after_seconds(value, now=None):
    """Read a ``Retry-After`` header (seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or datetime.now(UTC)
    return max(0, int((moment - now).total_seconds()))


class ShopAdapter:
    """What the Odoo side needs from a shop. Subclasses fill in the shop specifics."""

    shop_type = None
    supports_polling = False
    supports_push = False

    def __init__(
        self,
        base_url="",
        api_key="",
        api_secret="",
        *,
        session=None,
        timeout=DEFAULT_TIMEOUT,
        sleep=time.sleep,
        max_retries=4,
        max_backoff=60,
    ):
        self.base_url = (base_url or "").rstrip("/")
        self.api_key = api_key or ""
        self.api_secret = api_secret or ""
        self.session = session or requests.Session()
        self.timeout = timeout
        self.sleep = sleep
        self.max_retries = max_retries
        self.max_backoff = max_backoff

    def __repr__(self):
        # Never show credentials, not even in a traceback.
        return f"<{type(self).__name__} {self.base_url or '-'}>"

    # -- webhooks ---------------------------------------------------------------------------------

    def is_ping(self, headers, raw_body):
        return False

    def verify_webhook(self, secret, headers, raw_body, *, now=None):
        raise NotImplementedError

    def delivery_key(self, headers, raw_body):
        """A key that stays the same when the shop delivers the same content again."""
        return hashlib.sha256(bytes(raw_body)).hexdigest()

    def webhook_topic(self, headers):
        return ""

    def delivery_triggered_at(self, headers):
        """When the shop says it triggered the delivery (naive UTC, to the second), or None: a
        delivery triggered before the order's last imported change need not be read."""
        return None

    # -- orders -----------------------------------------------------------------------------------

    def normalize_order(self, payload):
        raise NotImplementedError

    def is_uninstall(self, headers):
        """Whether a delivery says the shop removed the app (the backend is then disabled)."""
        return False

    def full_order(self, payload):
        """The complete order a stored payload stands for (a shop may send only a reference)."""
        return payload

    def order_modified_at(self, payload):
        """The order's modification date as the shop wrote it (the polling cursor)."""
        return (payload or {}).get("date_modified_gmt") or ""

    def order_external_id(self, payload):
        if isinstance(payload, dict) and payload.get("id") not in (None, "", 0):
            return str(payload["id"])
        raise WebshopPayloadError("The payload carries no order id", field_name="id", problem=PROBLEM_MISSING)

    def iter_orders_modified_since(self, since):
        raise ShopApiError(f"{self.shop_type} shops cannot be polled")

    def push_products(self, updates):
        raise ShopApiError(f"{self.shop_type} shops take no product updates")

    def read_products(self, external_ids):
        raise ShopApiError(f"{self.shop_type} shops take no product updates")

    # -- HTTP -------------------------------------------------------------------------------------

    def _auth(self):
        return None

    def _request(self, method, path_or_url, *, params=None, json_body=None):
        """Call the shop; retry 429/5xx honouring Retry-After with bounded exponential backoff."""
        url = (
            path_or_url if path_or_url.startswith(("http://", "https://")) else f"{self.api_url}{path_or_url}"
        )
        attempt = 0
        while True:
            try:
                response = self.session.request(
                    method, url, params=params, json=json_body, auth=self._auth(), timeout=self.timeout
                )
            except requests.RequestException as error:
                response, failure = None, error
            else:
                failure = None
            if response is not None and response.status_code < 400:
                return response
            status = response.status_code if response is not None else None
            transient = response is None or status == 429 or status >= 500
            retry_after = (
                retry_after_seconds(response.headers.get("Retry-After")) if response is not None else None
            )
            if not transient or attempt >= self.max_retries:
                raise ShopApiError(
                    self._error_message(method, url, response, failure),
                    status=status,
                    transient=transient,
                    retry_after=retry_after,
                )
            delay = retry_after if retry_after is not None else 2**attempt
            delay = min(delay, self.max_backoff)
            _logger.info(
                "webshop %s %s answered %s, trying again in %ss",
                method,
                url.split("?")[0],
                status or "no response",
                delay,
            )
            self.sleep(delay)
            attempt += 1

    @staticmethod
    def _error_message(method, url, response, failure):
        url = url.split("?")[0]
        if response is None:
            return f"{method} {url} failed: {failure.__class__.__name__}"
        detail = ""
        try:
            body = response.json()
            if isinstance(body, dict):
                detail = f": {body.get('code', '')} {body.get('message', '')}".rstrip()
        except ValueError:
            detail = f": {response.text[:200].strip()}" if response.text else ""
        return f"{method} {url} answered {response.status_code}{detail}"


class WooCommerceAdapter(ShopAdapter):
    """WooCommerce REST API v3 over HTTPS (HTTP Basic with the consumer key and secret)."""

    shop_type = "woocommerce"
    supports_polling = True
    supports_push = True

    @property
    def api_url(self):
        return f"{self.base_url}/wp-json/wc/v3"

    def _auth(self):
        return (self.api_key, self.api_secret) if self.api_key else None

    def is_ping(self, headers, raw_body):
        return signature.is_woocommerce_ping(headers, raw_body)

    def verify_webhook(self, secret, headers, raw_body, *, now=None):
        received = _header(headers, signature.SIGNATURE_HEADER)
        return signature.verify_signature(secret, raw_body, received)

    def delivery_key(self, headers, raw_body):
        # X-WC-Webhook-Delivery-ID changes on every attempt: the body is the stable part.
        webhook_id = storable_text(_header(headers, "X-WC-Webhook-ID") or "-")
        return f"woo:{webhook_id}:{hashlib.sha256(bytes(raw_body)).hexdigest()}"

    def webhook_topic(self, headers):
        return _header(headers, "X-WC-Webhook-Topic") or ""

    def normalize_order(self, payload):
        return normalize_woocommerce_order(payload)

    def fetch_order(self, external_id):
        return self._request("GET", f"/orders/{int(external_id)}").json()

    def iter_orders_modified_since(self, since):
        """Yield the orders modified after ``since`` (naive UTC), oldest first, every page."""
        params = {
            "modified_after": since.strftime(WOO_DATE_FORMAT),
            "dates_are_gmt": "true",
            "orderby": "modified",
            "order": "asc",
            "per_page": MAX_PAGE_SIZE,
            "status": "any",
            "page": 1,
        }
        while True:
            response = self._request("GET", "/orders", params=params)
            orders = response.json()
            if not isinstance(orders, list):
                raise ShopApiError("GET /orders did not answer a list")
            yield from orders
            total_pages = int(response.headers.get("X-WP-TotalPages") or 0)
            has_next = bool(_LINK_NEXT_RE.search(response.headers.get("Link") or ""))
            if not orders or (params["page"] >= total_pages and not has_next):
                return
            params["page"] += 1

    def read_products(self, external_ids):
        """Return {id: product} for the given WooCommerce product ids (≤100 per request)."""
        products = {}
        ids = [int(external_id) for external_id in external_ids]
        for start in range(0, len(ids), MAX_PAGE_SIZE):
            chunk = ids[start : start + MAX_PAGE_SIZE]
            params = {"include": ",".join(map(str, chunk)), "per_page": MAX_PAGE_SIZE}
            for product in self._request("GET", "/products", params=params).json():
                products[str(product["id"])] = product
        return products

    def push_products(self, updates):
        """Send product updates ({"id": ..., fields}) in batches of at most 100.

        Returns {id: error message or None}.
        """
        results = {}
        for start in range(0, len(updates), MAX_PAGE_SIZE):
            chunk = updates[start : start + MAX_PAGE_SIZE]
            answer = self._request("POST", "/products/batch", json_body={"update": chunk}).json()
            for item in (answer or {}).get("update", []) if isinstance(answer, dict) else []:
                error = item.get("error")
                results[str(item.get("id"))] = (error or {}).get("message") if error else None
        return results


class GenericAdapter(ShopAdapter):
    """A shop of our own making that signs JSON the Standard Webhooks way.

    Headers ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature: v1,<base64
    HMAC-SHA256(secret, id + "." + timestamp + "." + body)>``; the secret may carry the
    ``whsec_`` prefix of a base64 key. The body is an order in the WooCommerce v3 shape, which
    is this suite's canonical order format, so the same normaliser reads it.
    """

    shop_type = "generic"
    tolerance = timedelta(minutes=5)

    @staticmethod
    def _key(secret):
        if secret.startswith("whsec_"):
            try:
                return base64.b64decode(secret[6:], validate=True)
            except binascii.Error:
                return secret.encode()
        return secret.encode()

    @classmethod
    def sign(cls, secret, webhook_id, timestamp, raw_body):
        signed = f"{webhook_id}.{timestamp}.".encode() + bytes(raw_body)
        digest = hmac.new(cls._key(secret), signed, hashlib.sha256).digest()
        return "v1," + base64.b64encode(digest).decode("ascii")

    def verify_webhook(self, secret, headers, raw_body, *, now=None):
        if not secret or not isinstance(raw_body, bytes | bytearray):
            return False
        webhook_id = _header(headers, "webhook-id")
        timestamp = _header(headers, "webhook-timestamp")
        received = _header(headers, "webhook-signature")
        # isascii: "²".isdigit() is true, but int() refuses it.
        if not (webhook_id and timestamp and received and timestamp.isascii() and timestamp.isdigit()):
            return False
        now = now or datetime.now(UTC).replace(tzinfo=None)
        try:
            sent = datetime.fromtimestamp(int(timestamp), UTC).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):
            return False
        if abs(now - sent) > self.tolerance:
            return False
        expected = self.sign(secret, webhook_id, timestamp, raw_body).encode()
        # Several space-separated signatures may be sent during a secret rotation.
        return any(hmac.compare_digest(expected, candidate.encode()) for candidate in received.split())

    def delivery_key(self, headers, raw_body):
        webhook_id = _header(headers, "webhook-id")
        return f"generic:{storable_text(webhook_id) if webhook_id else hashlib.sha256(bytes(raw_body)).hexdigest()}"

    def webhook_topic(self, headers):
        return "order.updated"

    def normalize_order(self, payload):
        return normalize_woocommerce_order(payload)


def _header(headers, name):
    lowered = name.lower()
    for key, value in (headers or {}).items():
        if str(key).lower() == lowered:
            return value
    return None


def storable_text(value):
    """``value`` as text PostgreSQL can store: NUL and unpaired surrogates become U+FFFD."""
    return _UNSTORABLE_RE.sub("\ufffd", value if isinstance(value, str) else str(value))


def unstorable_text_path(payload):
    """The path (``billing.first_name``, ``line_items[0].name``) of a key or string in ``payload``
    that PostgreSQL cannot store as text (a ``\\u0000`` or unpaired surrogate escape), or None.

    Walks the payload without recursion, so that no nesting depth can make it fail.
    """
    stack = [("", payload)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if _UNSTORABLE_RE.search(value):
                return path or "(the body)"
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                if _UNSTORABLE_RE.search(str(key)):
                    return storable_text(child)
                stack.append((child, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
    return None


def printable_body(raw_body):
    """A body that could not be read, as text that can be shown and stored (bytes escaped)."""
    return bytes(raw_body).decode("utf-8", "backslashreplace").replace("\x00", "\\x00")


def parse_json_body(raw_body):
    """Read a verified webhook body as a JSON object; raise WebshopPayloadError saying why not.

    Refused: a body that is not UTF-8, holds a NUL byte, is not JSON or nested too deeply to
    read, is not a JSON object, or holds a key or string PostgreSQL cannot store as text.
    """
    raw_body = bytes(raw_body)
    try:
        text = raw_body.decode("utf-8")
    except UnicodeDecodeError as error:
        reason = f"not UTF-8 text: byte 0x{raw_body[error.start]:02x} at offset {error.start}"
        raise WebshopPayloadError(
            f"The webhook body is {reason}", problem=PROBLEM_NOT_JSON, value=reason
        ) from None
    if "\x00" in text:
        reason = f"a NUL byte at offset {raw_body.index(0)}"
        raise WebshopPayloadError(f"The webhook body holds {reason}", problem=PROBLEM_NOT_JSON, value=reason)
    try:
        payload = json.loads(text)
    except RecursionError:
        reason = "JSON nested too deeply to read"
        raise WebshopPayloadError(
            f"The webhook body is {reason}", problem=PROBLEM_NOT_JSON, value=reason
        ) from None
    except ValueError as error:
        raise WebshopPayloadError(
            f"The webhook body is not JSON: {error}", problem=PROBLEM_NOT_JSON, value=str(error)[:60]
        ) from None
    if not isinstance(payload, dict):
        raise WebshopPayloadError(
            "The webhook body is not a JSON object", problem=PROBLEM_NOT_OBJECT, value=repr(payload)[:60]
        )
    # The walk over every key and string is for the few bodies that may need it.
    path = unstorable_text_path(payload) if _UNSTORABLE_ESCAPE_RE.search(text) else None
    if path is not None:
        raise WebshopPayloadError(
            f"The webhook body holds a NUL character or an unpaired surrogate (\\u0000, \\ud800) in {path}, "
            "which cannot be stored as text",
            field_name=path,
            problem=PROBLEM_UNSTORABLE_TEXT,
        )
    return payload


# Shop type -> adapter class; webshop/shopify.py adds its own on import.
ADAPTERS = {adapter.shop_type: adapter for adapter in (WooCommerceAdapter, GenericAdapter)}
