"""What the WooCommerce emulator shares with WordPress's REST API: its limits and enums, its JSON
encoding and dates, and its request, answer and error shapes (see ``woo_emulator``)."""

import json
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote_plus

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
