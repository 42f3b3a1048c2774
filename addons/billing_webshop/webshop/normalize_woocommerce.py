"""Turn a WooCommerce REST v3 order (also the shape of the generic signed-JSON shop) into the
normalised order of :mod:`.normalize`.

Money is read from the JSON strings WooCommerce sends and kept as ``Decimal``; a float never
touches an amount. In particular ``line_items[].price`` is ignored: WooCommerce sends it as a
raw PHP float equal to ``total / quantity`` (``8.3333333333333``). ``taxes[].total`` and
``taxes[].subtotal`` come unrounded (``"1.3365"``); they are kept exactly as sent, next to the
rounded ``total_tax`` of the line.

Line amounts follow WooCommerce: ``subtotal`` is before coupon discounts and ``total`` after,
both without tax, which is in ``subtotal_tax`` and ``total_tax`` (also when the shop enters
prices with tax included: WooCommerce has already split the tax off).
"""

from decimal import Decimal

from .normalize import (
    _ZERO,
    LINE_KIND_FEE,
    LINE_KIND_PRODUCT,
    LINE_KIND_SHIPPING,
    PROBLEM_NOT_POSITIVE,
    Address,
    Coupon,
    Customer,
    LineTax,
    NormalizedOrder,
    OrderLine,
    Refund,
    TaxRate,
    _OrderReader,
)

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
