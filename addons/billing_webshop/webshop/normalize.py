"""The normalised order every shop format is read into, and what all formats share.

An order is a tree of plain frozen dataclasses (:class:`NormalizedOrder`) with WooCommerce's
semantics: line ``subtotal`` before coupon discounts and ``total`` after, both without tax, the
tax beside them. Money is kept as ``Decimal``; a float never touches an amount. The formats map
onto it in modules of their own: ``normalize_woocommerce`` (WooCommerce REST v3, also the shape
of the generic signed-JSON shop) and ``normalize_shopify`` (GraphQL ``Order`` nodes). Here: the
dataclasses, :class:`WebshopPayloadError` and its problems, the reader that names the order and
field in every error, and :func:`order_digest`.
"""

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

LINE_KIND_PRODUCT = "product"
LINE_KIND_SHIPPING = "shipping"
LINE_KIND_FEE = "fee"

# Fields left out of the digest because they change without business meaning: WooCommerce
# bumps date_modified_gmt on every save, even when nothing a customer sees has changed.
DIGEST_EXCLUDED_FIELDS = frozenset({"modified_at"})

_ZERO = Decimal("0")
_MAX_NUMBER = Decimal(10) ** 15


# What is wrong with a payload field, as WebshopPayloadError.problem: the Odoo side words each
# in the user's language (billing.webshop.event._payload_error_message).
PROBLEM_MISSING = "missing"
PROBLEM_EMPTY = "empty"
PROBLEM_NOT_TEXT = "not_text"
PROBLEM_NOT_INTEGER = "not_integer"
PROBLEM_NOT_BOOLEAN = "not_boolean"
PROBLEM_NOT_OBJECT = "not_object"
PROBLEM_NOT_LIST = "not_list"
PROBLEM_NOT_AMOUNT = "not_amount"
PROBLEM_NOT_DATE = "not_date"
PROBLEM_NOT_POSITIVE = "not_positive"
PROBLEM_NOT_JSON = "not_json"
PROBLEM_UNSTORABLE_TEXT = "unstorable_text"
PROBLEM_TOO_LARGE = "too_large"
PROBLEM_TOO_MANY_LINES = "too_many_lines"


class WebshopPayloadError(ValueError):
    """A webshop payload lacks a required field or holds a value that cannot be used.

    ``field_name`` is the path of the field (``line_items[1].subtotal``), ``problem`` one of the
    ``PROBLEM_*`` codes and ``value`` a short repr of the value refused; the message is English
    for logs and tests.
    """

    def __init__(self, message, *, field_name=None, order_id=None, problem=None, value=None):
        super().__init__(message)
        self.field_name = field_name
        self.order_id = order_id
        self.problem = problem
        self.value = value


@dataclass(frozen=True)
class Address:
    """A postal address with the name and company it is addressed to.

    ``phone`` does not take part in equality: the same person at the same place is the same
    address, whether or not the checkout asked for a phone number on that block.
    """

    first_name: str
    last_name: str
    company: str
    street: str
    street2: str
    zip: str
    city: str
    state: str
    country: str
    phone: str = field(default="", compare=False)

    @property
    def name(self):
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def is_empty(self):
        return not any(
            (
                self.first_name,
                self.last_name,
                self.company,
                self.street,
                self.street2,
                self.zip,
                self.city,
                self.state,
                self.country,
            )
        )


@dataclass(frozen=True)
class Customer:
    """Who ordered: ``external_id`` is None for a guest checkout (``customer_id`` 0)."""

    external_id: str | None
    email: str
    name: str
    company: str
    vat: str
    phone: str

    @property
    def is_guest(self):
        return self.external_id is None


@dataclass(frozen=True)
class LineTax:
    """One tax rate's share of a line; ``subtotal`` is None when WooCommerce sent none."""

    rate_id: int
    total: Decimal
    subtotal: Decimal | None


@dataclass(frozen=True)
class OrderLine:
    """A product, shipping or fee line; amounts exclude tax, ``subtotal`` is before discounts."""

    kind: str
    external_id: str
    name: str
    sku: str
    product_id: str | None
    variation_id: str | None
    method_id: str
    tax_class: str
    quantity: Decimal
    subtotal: Decimal
    subtotal_tax: Decimal
    total: Decimal
    total_tax: Decimal
    taxes: tuple[LineTax, ...]

    @property
    def tax_rate_ids(self):
        return tuple(tax.rate_id for tax in self.taxes)

    @property
    def discount(self):
        """Coupon discount on this line, without tax."""
        return self.subtotal - self.total


@dataclass(frozen=True)
class TaxRate:
    """An order's ``tax_lines[]`` entry: one per rate used (``rate_id`` = a line tax's id)."""

    rate_id: int
    code: str
    label: str
    compound: bool
    percent: Decimal | None
    tax_total: Decimal
    shipping_tax_total: Decimal


@dataclass(frozen=True)
class Coupon:
    code: str
    discount: Decimal
    discount_tax: Decimal


# What a refund line did to the shop's stock (Shopify ``RefundLineItem.restockType``).
RESTOCK_RETURN = "return"  # RETURN, LEGACY_RESTOCK: shipped items came back and were restocked
RESTOCK_CANCEL = "cancel"  # CANCEL: items not shipped yet were taken off the order
RESTOCK_NONE = "none"  # NO_RESTOCK: the stock did not change


@dataclass(frozen=True)
class RefundRestock:
    """One refund line's stock effect: ``quantity`` of order line ``line_id`` (its external id)."""

    line_id: str
    quantity: Decimal
    restock_type: str


@dataclass(frozen=True)
class Refund:
    """A refund summary as embedded in the order; ``total`` is negative, as WooCommerce sends it."""

    external_id: str
    reason: str
    total: Decimal
    # ((rate ids, refunded amount with tax, positive), ...) from the refund's own line_items,
    # shipping_lines and fee_lines when the payload carries them (a WooCommerce refund object);
    # empty for an embedded summary, which only has the total.
    amounts_by_rates: tuple[tuple[tuple[int, ...], Decimal], ...] = ()
    # The refund lines' stock effects, when the shop tells them (Shopify); WooCommerce's refund
    # object does not say whether its items were restocked.
    restocks: tuple[RefundRestock, ...] = ()

    @property
    def amount(self):
        """The refunded amount as a positive number."""
        return -self.total


@dataclass(frozen=True)
class Payment:
    """One payment the shop took (a Shopify SALE or CAPTURE transaction; a gift card is one)."""

    gateway: str
    amount: Decimal
    transaction_id: str
    paid_at: datetime | None = None


@dataclass(frozen=True)
class NormalizedOrder:
    """A webshop order as plain data; datetimes are naive UTC."""

    external_id: str
    number: str
    status: str
    currency: str
    prices_include_tax: bool
    created_at: datetime
    modified_at: datetime
    paid_at: datetime | None
    customer: Customer
    billing_address: Address
    shipping_address: Address | None
    lines: tuple[OrderLine, ...]
    tax_rates: tuple[TaxRate, ...]
    coupons: tuple[Coupon, ...]
    refunds: tuple[Refund, ...]
    discount_total: Decimal
    discount_tax: Decimal
    total: Decimal
    total_tax: Decimal
    payment_method: str
    payment_method_title: str
    transaction_id: str
    customer_note: str
    # The payments one by one, when the shop tells them apart (Shopify: gift card plus card);
    # empty means one payment of the whole order through ``payment_method``.
    payments: tuple[Payment, ...] = ()

    @property
    def product_lines(self):
        return tuple(line for line in self.lines if line.kind == LINE_KIND_PRODUCT)

    @property
    def refunded_amount(self):
        return sum((refund.amount for refund in self.refunds), _ZERO)


class _OrderReader:
    """Reads one order payload, naming the order and field in every error (a WooCommerce order;
    other formats subclass it with their own label)."""

    def __init__(self, payload):
        if not isinstance(payload, dict):
            raise WebshopPayloadError(
                f"WooCommerce order payload must be a JSON object, not {type(payload).__name__}",
                problem=PROBLEM_NOT_OBJECT,
                value=repr(payload)[:60],
            )
        self.payload = payload
        raw_id = payload.get("id")
        self.order_label = f"WooCommerce order {raw_id}" if raw_id not in (None, "") else "WooCommerce order"
        self.order_id = raw_id

    def error(self, path, text, *, problem, value=None):
        return WebshopPayloadError(
            f"{self.order_label}: field '{path}' {text}",
            field_name=path,
            order_id=self.order_id,
            problem=problem,
            value=None if value is None else repr(value)[:60],
        )

    def get(self, container, key, path, *, required=True):
        if key not in container or container[key] is None:
            if required:
                raise self.error(path, "is missing", problem=PROBLEM_MISSING)
            return None
        return container[key]

    def text(self, container, key, path, *, required=False):
        value = self.get(container, key, path, required=required)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.error(
                path, f"must be a string, not {type(value).__name__}", problem=PROBLEM_NOT_TEXT, value=value
            )
        value = " ".join(str(value).split())
        if required and not value:
            raise self.error(path, "is empty", problem=PROBLEM_EMPTY)
        return value

    def integer(self, container, key, path, *, required=True):
        value = self.get(container, key, path, required=required)
        if value is None:
            return 0
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(
                path, f"must be an integer, not {value!r}", problem=PROBLEM_NOT_INTEGER, value=value
            )
        return value

    def boolean(self, container, key, path):
        value = self.get(container, key, path)
        if not isinstance(value, bool):
            raise self.error(
                path, f"must be true or false, not {value!r}", problem=PROBLEM_NOT_BOOLEAN, value=value
            )
        return value

    def mapping(self, container, key, path, *, required=True):
        value = self.get(container, key, path, required=required)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error(
                path,
                f"must be an object, not {type(value).__name__}",
                problem=PROBLEM_NOT_OBJECT,
                value=value,
            )
        return value

    def items(self, container, key, path, *, required=False):
        value = self.get(container, key, path, required=required)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(
                path, f"must be a list, not {type(value).__name__}", problem=PROBLEM_NOT_LIST, value=value
            )
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.error(
                    f"{path}[{index}]",
                    f"must be an object, not {type(item).__name__}",
                    problem=PROBLEM_NOT_OBJECT,
                    value=item,
                )
        return value

    def decimal(self, value, path):
        # WooCommerce sends money as strings; a JSON float here would already have lost
        # precision in the JSON parser, so it is refused rather than silently rounded.
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise self.error(
                path, f"must be a number in a string, not {value!r}", problem=PROBLEM_NOT_AMOUNT, value=value
            )
        try:
            number = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
        except InvalidOperation:
            raise self.error(
                path, f"is not a number: {value!r}", problem=PROBLEM_NOT_AMOUNT, value=value
            ) from None
        if not number.is_finite():
            raise self.error(path, f"is not a number: {value!r}", problem=PROBLEM_NOT_AMOUNT, value=value)
        if abs(number) >= _MAX_NUMBER:
            # Odoo keeps amounts and quantities as floats: beyond this they lose their cents.
            raise self.error(path, f"is too large: {str(value)[:40]}", problem=PROBLEM_TOO_LARGE, value=value)
        return number

    def money(self, container, key, path, *, required=True, blank=None):
        """Read an amount; ``blank`` is what a missing (when not required) or "" value means."""
        value = self.get(container, key, path, required=required)
        if value is None:
            return blank
        if isinstance(value, str) and not value.strip():
            if required and blank is None:
                raise self.error(path, "is empty", problem=PROBLEM_EMPTY)
            return blank
        return self.decimal(value, path)

    def quantity(self, container, key, path):
        value = self.get(container, key, path)
        if isinstance(value, float):
            # Quantities are counts, not money: plugins selling by weight send JSON numbers,
            # and the shortest repr of such a float is the number the shop stored.
            value = repr(value)
        return self.decimal(value, path)

    def percentage(self, container, key, path):
        value = self.get(container, key, path, required=False)
        if value is None or value == "":
            return None
        if isinstance(value, float):
            # rate_percent is a PHP float (21.0); it describes the rate and is never summed.
            value = repr(value)
        return self.decimal(value, path)

    def gmt_datetime(self, container, key, path, *, required=True):
        value = self.get(container, key, path, required=required)
        if value is None or value == "":
            if required:
                raise self.error(path, "is missing", problem=PROBLEM_MISSING)
            return None
        if not isinstance(value, str):
            raise self.error(
                path, f"must be an ISO 8601 date, not {value!r}", problem=PROBLEM_NOT_DATE, value=value
            )
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise self.error(
                path, f"is not an ISO 8601 date: {value!r}", problem=PROBLEM_NOT_DATE, value=value
            ) from None
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return moment


def _canonical_decimal(value):
    # "5.00" and "5.0" are the same amount; only a different amount may change the digest.
    if value.is_zero():
        return "0"
    return format(value.normalize(), "f")


def _canonical_default(value):
    if isinstance(value, Decimal):
        return _canonical_decimal(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} in an order digest")


def order_digest(order: NormalizedOrder) -> str:
    """Return the SHA-256 hex digest of ``order`` without its meaningless fields.

    Replaying an unchanged order gives the same digest, also when only ``date_modified_gmt``
    moved; any change of status, line, amount, address, coupon or refund gives another one.
    """
    data = dataclasses.asdict(order)
    for name in DIGEST_EXCLUDED_FIELDS:
        data.pop(name, None)
    if not data["payments"]:
        # Orders without a payment breakdown keep the digest they had before it existed.
        del data["payments"]
    for refund in data["refunds"]:
        if not refund["restocks"]:
            # Refunds without stock effects (WooCommerce) too.
            del refund["restocks"]
    canonical = json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_canonical_default
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
