"""Turn a WooCommerce REST v3 order into plain frozen dataclasses.

Money is read from the JSON strings WooCommerce sends and kept as ``Decimal``; a float never
touches an amount. In particular ``line_items[].price`` is ignored: WooCommerce sends it as a
raw PHP float equal to ``total / quantity`` (``8.3333333333333``). ``taxes[].total`` and
``taxes[].subtotal`` come unrounded (``"1.3365"``); they are kept exactly as sent, next to the
rounded ``total_tax`` of the line.

Line amounts follow WooCommerce: ``subtotal`` is before coupon discounts and ``total`` after,
both without tax, which is in ``subtotal_tax`` and ``total_tax`` (also when the shop enters
prices with tax included: WooCommerce has already split the tax off).
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

# Order meta keys under which the common EU VAT plugins store the customer's VAT number,
# most specific first (WooCommerce EU VAT Number, EU VAT Assistant, Germanized, checkout
# field editors).
VAT_META_KEYS = (
    "_billing_vat",
    "_billing_vat_number",
    "_billing_vat_id",
    "_vat_number",
    "vat_number",
    "billing_vat",
    "_billing_eu_vat_number",
)

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
    """Reads one WooCommerce order payload, naming the order and field in every error."""

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


def _optional_id(number):
    """WooCommerce uses 0 for "none" (guest customer, deleted product, no variation)."""
    return str(number) if number else None


def _normalize_email(email):
    return email.strip().lower()


def _normalize_vat(vat):
    return "".join(character for character in vat.upper() if character.isalnum())


def _read_address(reader, block, path):
    return Address(
        first_name=reader.text(block, "first_name", f"{path}.first_name"),
        last_name=reader.text(block, "last_name", f"{path}.last_name"),
        company=reader.text(block, "company", f"{path}.company"),
        street=reader.text(block, "address_1", f"{path}.address_1"),
        street2=reader.text(block, "address_2", f"{path}.address_2"),
        zip=reader.text(block, "postcode", f"{path}.postcode").upper(),
        city=reader.text(block, "city", f"{path}.city"),
        state=reader.text(block, "state", f"{path}.state").upper(),
        country=reader.text(block, "country", f"{path}.country").upper(),
        phone=reader.text(block, "phone", f"{path}.phone"),
    )


def _read_vat(reader, payload):
    meta_by_key = {}
    for meta in reader.items(payload, "meta_data", "meta_data"):
        key = meta.get("key")
        value = meta.get("value")
        # Plugins also store structured meta (arrays of validation results): only a
        # non-empty string is a VAT number.
        if isinstance(key, str) and isinstance(value, str) and value.strip():
            meta_by_key.setdefault(key, value)
    for key in VAT_META_KEYS:
        if key in meta_by_key:
            return _normalize_vat(meta_by_key[key])
    return ""


def _read_customer(reader, payload, billing):
    customer_id = reader.integer(payload, "customer_id", "customer_id", required=False)
    return Customer(
        external_id=_optional_id(customer_id),
        email=_normalize_email(reader.text(billing, "email", "billing.email")),
        name=" ".join(
            part
            for part in (
                reader.text(billing, "first_name", "billing.first_name"),
                reader.text(billing, "last_name", "billing.last_name"),
            )
            if part
        ),
        company=reader.text(billing, "company", "billing.company"),
        vat=_read_vat(reader, payload),
        phone=reader.text(billing, "phone", "billing.phone"),
    )


def _read_line_taxes(reader, line, path):
    taxes = []
    for index, tax in enumerate(reader.items(line, "taxes", f"{path}.taxes")):
        tax_path = f"{path}.taxes[{index}]"
        taxes.append(
            LineTax(
                rate_id=reader.integer(tax, "id", f"{tax_path}.id"),
                # WooCommerce writes "" for a rate that no longer applies to the line.
                total=reader.money(tax, "total", f"{tax_path}.total", required=False, blank=_ZERO),
                subtotal=reader.money(tax, "subtotal", f"{tax_path}.subtotal", required=False),
            )
        )
    return tuple(taxes)


def _read_product_line(reader, line, path):
    return OrderLine(
        kind=LINE_KIND_PRODUCT,
        external_id=str(reader.integer(line, "id", f"{path}.id")),
        name=reader.text(line, "name", f"{path}.name"),
        sku=reader.text(line, "sku", f"{path}.sku"),
        product_id=_optional_id(reader.integer(line, "product_id", f"{path}.product_id", required=False)),
        variation_id=_optional_id(
            reader.integer(line, "variation_id", f"{path}.variation_id", required=False)
        ),
        method_id="",
        tax_class=reader.text(line, "tax_class", f"{path}.tax_class"),
        quantity=reader.quantity(line, "quantity", f"{path}.quantity"),
        subtotal=reader.money(line, "subtotal", f"{path}.subtotal"),
        subtotal_tax=reader.money(line, "subtotal_tax", f"{path}.subtotal_tax"),
        total=reader.money(line, "total", f"{path}.total"),
        total_tax=reader.money(line, "total_tax", f"{path}.total_tax"),
        taxes=_read_line_taxes(reader, line, path),
    )


def _read_shipping_line(reader, line, path):
    # Shipping lines carry no subtotal: coupons do not discount shipping in WooCommerce
    # (free-shipping coupons change the method instead), so before and after are the same.
    return _read_single_amount_line(
        reader,
        line,
        path,
        kind=LINE_KIND_SHIPPING,
        name=reader.text(line, "method_title", f"{path}.method_title"),
        method_id=reader.text(line, "method_id", f"{path}.method_id"),
    )


def _read_fee_line(reader, line, path):
    return _read_single_amount_line(
        reader,
        line,
        path,
        kind=LINE_KIND_FEE,
        name=reader.text(line, "name", f"{path}.name"),
        tax_class=reader.text(line, "tax_class", f"{path}.tax_class"),
    )


def _read_single_amount_line(reader, line, path, *, kind, name, method_id="", tax_class=""):
    """A shipping or fee line: one unit whose amount is the same before and after coupons."""
    total = reader.money(line, "total", f"{path}.total")
    total_tax = reader.money(line, "total_tax", f"{path}.total_tax")
    return OrderLine(
        kind=kind,
        external_id=str(reader.integer(line, "id", f"{path}.id")),
        name=name,
        sku="",
        product_id=None,
        variation_id=None,
        method_id=method_id,
        tax_class=tax_class,
        quantity=Decimal(1),
        subtotal=total,
        subtotal_tax=total_tax,
        total=total,
        total_tax=total_tax,
        taxes=_read_line_taxes(reader, line, path),
    )


def _read_lines(reader, payload):
    lines = []
    for key, read_line, required in (
        ("line_items", _read_product_line, True),
        ("shipping_lines", _read_shipping_line, False),
        ("fee_lines", _read_fee_line, False),
    ):
        for index, line in enumerate(reader.items(payload, key, key, required=required)):
            lines.append(read_line(reader, line, f"{key}[{index}]"))
    return tuple(lines)


def _read_tax_rates(reader, payload):
    rates = []
    for index, tax_line in enumerate(reader.items(payload, "tax_lines", "tax_lines")):
        path = f"tax_lines[{index}]"
        compound = tax_line.get("compound", False)
        rates.append(
            TaxRate(
                rate_id=reader.integer(tax_line, "rate_id", f"{path}.rate_id"),
                code=reader.text(tax_line, "rate_code", f"{path}.rate_code"),
                label=reader.text(tax_line, "label", f"{path}.label"),
                compound=bool(compound),
                percent=reader.percentage(tax_line, "rate_percent", f"{path}.rate_percent"),
                tax_total=reader.money(tax_line, "tax_total", f"{path}.tax_total", blank=_ZERO),
                shipping_tax_total=reader.money(
                    tax_line, "shipping_tax_total", f"{path}.shipping_tax_total", required=False, blank=_ZERO
                ),
            )
        )
    return tuple(rates)


def _read_coupons(reader, payload):
    coupons = []
    for index, coupon in enumerate(reader.items(payload, "coupon_lines", "coupon_lines")):
        path = f"coupon_lines[{index}]"
        coupons.append(
            Coupon(
                code=reader.text(coupon, "code", f"{path}.code", required=True),
                discount=reader.money(coupon, "discount", f"{path}.discount", blank=_ZERO),
                discount_tax=reader.money(
                    coupon, "discount_tax", f"{path}.discount_tax", required=False, blank=_ZERO
                ),
            )
        )
    return tuple(coupons)


def _read_refunds(reader, payload):
    refunds = []
    for index, refund in enumerate(reader.items(payload, "refunds", "refunds")):
        path = f"refunds[{index}]"
        refunds.append(
            Refund(
                external_id=str(reader.integer(refund, "id", f"{path}.id")),
                reason=reader.text(refund, "reason", f"{path}.reason"),
                total=reader.money(refund, "total", f"{path}.total"),
                amounts_by_rates=_read_refund_amounts_by_rates(reader, refund, path),
            )
        )
    return tuple(refunds)


def _read_refund_amounts_by_rates(reader, refund, path):
    """Sum a refund object's lines (negative amounts) per combination of tax rates."""
    amounts = {}
    for key in ("line_items", "shipping_lines", "fee_lines"):
        for index, line in enumerate(reader.items(refund, key, f"{path}.{key}")):
            line_path = f"{path}.{key}[{index}]"
            taxes = _read_line_taxes(reader, line, line_path)
            total = reader.money(line, "total", f"{line_path}.total", required=False, blank=_ZERO) or _ZERO
            # total_tax is rounded to the shop's decimals, taxes[].total is not.
            tax = reader.money(line, "total_tax", f"{line_path}.total_tax", required=False)
            if tax is None:
                tax = sum((line_tax.total for line_tax in taxes), _ZERO)
            rate_ids = tuple(sorted(line_tax.rate_id for line_tax in taxes if not line_tax.total.is_zero()))
            amounts[rate_ids] = amounts.get(rate_ids, _ZERO) - total - tax
    return tuple((rate_ids, amount) for rate_ids, amount in sorted(amounts.items()) if not amount.is_zero())


def normalize_woocommerce_order(payload: dict) -> NormalizedOrder:
    """Return the WooCommerce REST v3 order ``payload`` (parsed JSON) as a :class:`NormalizedOrder`.

    Raises :class:`WebshopPayloadError` naming the order id and the field when a required field
    is missing or an amount is not a number. A ``deleted`` webhook payload (only ``{"id": N}``)
    is not an order and is refused the same way.
    """
    reader = _OrderReader(payload)
    order_id = reader.integer(payload, "id", "id")
    if order_id <= 0:
        raise reader.error(
            "id",
            f"must be a positive integer, not {order_id!r}",
            problem=PROBLEM_NOT_POSITIVE,
            value=order_id,
        )
    billing = reader.mapping(payload, "billing", "billing")
    shipping_address = _read_address(
        reader, reader.mapping(payload, "shipping", "shipping", required=False), "shipping"
    )
    return NormalizedOrder(
        external_id=str(order_id),
        # Sequential-number plugins rewrite "number"; "id" stays the key.
        number=reader.text(payload, "number", "number") or str(order_id),
        status=reader.text(payload, "status", "status", required=True),
        currency=reader.text(payload, "currency", "currency", required=True).upper(),
        prices_include_tax=reader.boolean(payload, "prices_include_tax", "prices_include_tax"),
        created_at=reader.gmt_datetime(payload, "date_created_gmt", "date_created_gmt"),
        modified_at=reader.gmt_datetime(payload, "date_modified_gmt", "date_modified_gmt"),
        paid_at=reader.gmt_datetime(payload, "date_paid_gmt", "date_paid_gmt", required=False),
        customer=_read_customer(reader, payload, billing),
        billing_address=_read_address(reader, billing, "billing"),
        # Virtual-only orders come with an all-empty shipping block.
        shipping_address=None if shipping_address.is_empty else shipping_address,
        lines=_read_lines(reader, payload),
        tax_rates=_read_tax_rates(reader, payload),
        coupons=_read_coupons(reader, payload),
        refunds=_read_refunds(reader, payload),
        discount_total=reader.money(payload, "discount_total", "discount_total", required=False, blank=_ZERO),
        discount_tax=reader.money(payload, "discount_tax", "discount_tax", required=False, blank=_ZERO),
        total=reader.money(payload, "total", "total"),
        total_tax=reader.money(payload, "total_tax", "total_tax"),
        payment_method=reader.text(payload, "payment_method", "payment_method"),
        payment_method_title=reader.text(payload, "payment_method_title", "payment_method_title"),
        transaction_id=reader.text(payload, "transaction_id", "transaction_id"),
        customer_note=reader.text(payload, "customer_note", "customer_note"),
    )


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
    canonical = json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_canonical_default
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
