"""Turn a Shopify GraphQL Admin order into the suite's :class:`NormalizedOrder`.

The importer only knows the normalised shape (WooCommerce semantics: line ``subtotal`` before
discounts and ``total`` after, both without tax, the tax beside them). This module maps a
GraphQL ``Order`` node onto it, in one of its two currencies: ``shopMoney`` (the shop's) or
``presentmentMoney`` (the customer's), as the backend says.

* The order GID (``gid://shopify/Order/123``) is the external id; its ``name`` (``#1001``) the
  number.
* Status: ``cancelledAt`` set → ``cancelled``; financial status PAID, PARTIALLY_REFUNDED or
  REFUNDED → ``processing`` (paid); AUTHORIZED or PARTIALLY_PAID → ``on-hold``; else ``pending``.
* Lines: ``originalUnitPriceSet`` times ``quantity`` is the line before discounts (with tax when
  ``taxesIncluded``), ``discountAllocations`` the discounts, ``taxLines`` the tax after them.
  Shopify tax lines carry no id: a rate is known as "<title> <percent>%" (``VAT 21%``), which is
  what a tax mapping's Shop Rate ID holds when it is set.
* Shipping lines: ``originalPriceSet`` before and ``discountedPriceSet`` after shipping discounts.
* Payments: the successful SALE and CAPTURE transactions, per gateway; a gift card is a gateway
  (``gift_card``) like any other.
* Refunds: ``totalRefundedSet`` and, per refund line, the line's tax rates and amount, so the
  credit note splits the refund per rate; and its ``restockType`` with the quantity: RETURN and
  LEGACY_RESTOCK (the older name of a restock of shipped items) put the items back in stock,
  CANCEL takes unshipped items off the order, NO_RESTOCK (or a type this module does not know)
  leaves the stock alone.
"""

from decimal import Decimal

from .normalize import (
    LINE_KIND_PRODUCT,
    LINE_KIND_SHIPPING,
    PROBLEM_MISSING,
    PROBLEM_NOT_TEXT,
    PROBLEM_TOO_MANY_LINES,
    RESTOCK_CANCEL,
    RESTOCK_NONE,
    RESTOCK_RETURN,
    Address,
    Coupon,
    Customer,
    LineTax,
    NormalizedOrder,
    OrderLine,
    Payment,
    Refund,
    RefundRestock,
    TaxRate,
    _OrderReader,
)

ORDER_GID_PREFIX = "gid://shopify/Order/"
MONEY_KEYS = {"shop": "shopMoney", "presentment": "presentmentMoney"}
PAID_FINANCIAL_STATUSES = frozenset({"PAID", "PARTIALLY_REFUNDED", "REFUNDED"})
ON_HOLD_FINANCIAL_STATUSES = frozenset({"AUTHORIZED", "PARTIALLY_PAID"})
PAYMENT_KINDS = frozenset({"SALE", "CAPTURE"})
# RefundLineItemRestockType → what the importer does with the stock.
RESTOCK_TYPES = {
    "RETURN": RESTOCK_RETURN,
    "LEGACY_RESTOCK": RESTOCK_RETURN,
    "CANCEL": RESTOCK_CANCEL,
    "NO_RESTOCK": RESTOCK_NONE,
}

_ZERO = Decimal("0")


def order_gid(value):
    """The order GID of a numeric id, a numeric string or a GID; None when it is none of them."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return f"{ORDER_GID_PREFIX}{value}"
    if isinstance(value, str):
        value = value.strip()
        if value.isascii() and value.isdigit() and int(value) > 0:
            return f"{ORDER_GID_PREFIX}{int(value)}"
        if value.startswith(ORDER_GID_PREFIX) and value[len(ORDER_GID_PREFIX) :].isdigit():
            return value
    return None


class _ShopifyReader(_OrderReader):
    def __init__(self, payload, money):
        super().__init__(payload)
        raw_id = payload.get("id")
        self.order_label = f"Shopify order {raw_id}" if raw_id not in (None, "") else "Shopify order"
        self.money_key = MONEY_KEYS[money]

    def amount(self, container, key, path, *, required=True):
        """A MoneyBag (``{"shopMoney": {"amount", "currencyCode"}, ...}``) in the chosen currency."""
        bag = self.mapping(container, key, path, required=required)
        if not bag:
            return _ZERO
        money = self.mapping(bag, self.money_key, f"{path}.{self.money_key}")
        return self.money(money, "amount", f"{path}.{self.money_key}.amount")

    def currency_of(self, container, key, path):
        bag = self.mapping(container, key, path)
        money = self.mapping(bag, self.money_key, f"{path}.{self.money_key}")
        return self.text(money, "currencyCode", f"{path}.{self.money_key}.currencyCode", required=True)

    def nodes(self, container, key, path):
        """The nodes of a connection (``{"nodes": [...]}``) or of a plain list."""
        value = self.get(container, key, path, required=False)
        if isinstance(value, dict):
            return self.items(value, "nodes", f"{path}.nodes")
        return self.items(container, key, path)


def rate_key(title, percent):
    """How a Shopify tax rate is known: ``VAT 21%``."""
    return f"{title or 'Tax'} {format(percent.normalize(), 'f')}%"


def _read_tax_lines(reader, container, path):
    """[(rate key, percent, label, amount)] of a ``taxLines`` list."""
    taxes = []
    for index, tax_line in enumerate(reader.items(container, "taxLines", f"{path}.taxLines")):
        tax_path = f"{path}.taxLines[{index}]"
        title = reader.text(tax_line, "title", f"{tax_path}.title")
        if tax_line.get("ratePercentage") is not None:
            percent = reader.percentage(tax_line, "ratePercentage", f"{tax_path}.ratePercentage")
        else:
            rate = reader.percentage(tax_line, "rate", f"{tax_path}.rate")
            percent = (rate * 100) if rate is not None else None
        if percent is None:
            raise reader.error(f"{tax_path}.rate", "is missing", problem=PROBLEM_MISSING)
        percent = percent.quantize(Decimal("0.0001")).normalize()
        amount = reader.amount(tax_line, "priceSet", f"{tax_path}.priceSet")
        taxes.append((rate_key(title, percent), percent, title, amount))
    return taxes


def _read_address(reader, container, key):
    block = reader.mapping(container, key, key, required=False)
    return Address(
        first_name=reader.text(block, "firstName", f"{key}.firstName"),
        last_name=reader.text(block, "lastName", f"{key}.lastName")
        or ("" if block.get("firstName") else reader.text(block, "name", f"{key}.name")),
        company=reader.text(block, "company", f"{key}.company"),
        street=reader.text(block, "address1", f"{key}.address1"),
        street2=reader.text(block, "address2", f"{key}.address2"),
        zip=reader.text(block, "zip", f"{key}.zip").upper(),
        city=reader.text(block, "city", f"{key}.city"),
        state=reader.text(block, "provinceCode", f"{key}.provinceCode").upper(),
        country=reader.text(block, "countryCodeV2", f"{key}.countryCodeV2").upper(),
        phone=reader.text(block, "phone", f"{key}.phone"),
    )


def _line(
    reader, kind, external_id, name, sku, variant_id, product_id, quantity, before, after, taxes, included
):
    """An OrderLine from amounts before and after discounts, with tax when ``included``."""
    tax = sum((amount for _key, _percent, _title, amount in taxes), _ZERO)
    line_taxes = tuple(LineTax(rate_id=key, total=amount, subtotal=amount) for key, _p, _t, amount in taxes)
    if included:
        subtotal, total = before - tax, after - tax
    else:
        subtotal, total = before, after
    return OrderLine(
        kind=kind,
        external_id=external_id,
        name=name,
        sku=sku,
        product_id=product_id,
        variation_id=variant_id,
        method_id="",
        tax_class="",
        quantity=quantity,
        subtotal=subtotal,
        subtotal_tax=tax,
        total=total,
        total_tax=tax,
        taxes=line_taxes,
    )


def _read_lines(reader, payload, included, rates):
    lines = []
    for index, item in enumerate(reader.nodes(payload, "lineItems", "lineItems")):
        path = f"lineItems.nodes[{index}]"
        quantity = reader.quantity(item, "quantity", f"{path}.quantity")
        unit = reader.amount(item, "originalUnitPriceSet", f"{path}.originalUnitPriceSet")
        discount = _ZERO
        for d_index, allocation in enumerate(
            reader.items(item, "discountAllocations", f"{path}.discountAllocations")
        ):
            discount += reader.amount(
                allocation, "allocatedAmountSet", f"{path}.discountAllocations[{d_index}].allocatedAmountSet"
            )
        taxes = _read_tax_lines(reader, item, path)
        _collect_rates(rates, taxes, shipping=False)
        variant = reader.mapping(item, "variant", f"{path}.variant", required=False)
        product = reader.mapping(variant, "product", f"{path}.variant.product", required=False)
        lines.append(
            _line(
                reader,
                LINE_KIND_PRODUCT,
                reader.text(item, "id", f"{path}.id", required=True),
                reader.text(item, "name", f"{path}.name") or reader.text(item, "title", f"{path}.title"),
                reader.text(item, "sku", f"{path}.sku"),
                reader.text(variant, "id", f"{path}.variant.id") or None,
                reader.text(product, "id", f"{path}.variant.product.id") or None,
                quantity,
                unit * quantity,
                unit * quantity - discount,
                taxes,
                included,
            )
        )
    if not lines:
        raise reader.error("lineItems", "is missing", problem=PROBLEM_MISSING)
    page_info = (
        (payload.get("lineItems") or {}).get("pageInfo")
        if isinstance(payload.get("lineItems"), dict)
        else None
    )
    if isinstance(page_info, dict) and page_info.get("hasNextPage"):
        # Importing part of an order would be wrong to the cent: refuse it, naming why.
        raise reader.error(
            "lineItems.pageInfo.hasNextPage",
            f"is true: the order has more than the {len(lines)} line items read at once",
            problem=PROBLEM_TOO_MANY_LINES,
            value=len(lines),
        )
    for index, shipping in enumerate(reader.nodes(payload, "shippingLines", "shippingLines")):
        path = f"shippingLines.nodes[{index}]"
        before = reader.amount(shipping, "originalPriceSet", f"{path}.originalPriceSet")
        after_key = (
            "discountedPriceSet" if shipping.get("discountedPriceSet") else "currentDiscountedPriceSet"
        )
        after = (
            reader.amount(shipping, after_key, f"{path}.{after_key}", required=False)
            if shipping.get(after_key)
            else before
        )
        taxes = _read_tax_lines(reader, shipping, path)
        _collect_rates(rates, taxes, shipping=True)
        lines.append(
            _line(
                reader,
                LINE_KIND_SHIPPING,
                reader.text(shipping, "id", f"{path}.id") or f"shipping-{index}",
                reader.text(shipping, "title", f"{path}.title"),
                "",
                None,
                None,
                Decimal(1),
                before,
                after,
                taxes,
                included,
            )
        )
    return tuple(lines)


def _collect_rates(rates, taxes, *, shipping):
    for key, percent, title, amount in taxes:
        entry = rates.setdefault(key, {"percent": percent, "title": title, "lines": _ZERO, "shipping": _ZERO})
        entry["shipping" if shipping else "lines"] += amount


def _read_payments(reader, payload):
    """((gateway, amount, transaction id), ...) of the successful SALE and CAPTURE transactions."""
    payments = []
    for index, transaction in enumerate(reader.nodes(payload, "transactions", "transactions")):
        path = f"transactions[{index}]"
        kind = reader.text(transaction, "kind", f"{path}.kind").upper()
        status = reader.text(transaction, "status", f"{path}.status").upper()
        if kind not in PAYMENT_KINDS or status != "SUCCESS":
            continue
        payments.append(
            Payment(
                gateway=reader.text(transaction, "gateway", f"{path}.gateway"),
                amount=reader.amount(transaction, "amountSet", f"{path}.amountSet"),
                transaction_id=reader.text(transaction, "id", f"{path}.id"),
                paid_at=reader.gmt_datetime(
                    transaction, "processedAt", f"{path}.processedAt", required=False
                ),
            )
        )
    return tuple(payments)


def _read_refunds(reader, payload, included):
    refunds = []
    for index, refund in enumerate(reader.nodes(payload, "refunds", "refunds")):
        path = f"refunds[{index}]"
        amounts = {}
        restocks = []
        for l_index, refund_line in enumerate(
            reader.nodes(refund, "refundLineItems", f"{path}.refundLineItems")
        ):
            line_path = f"{path}.refundLineItems[{l_index}]"
            item = reader.mapping(refund_line, "lineItem", f"{line_path}.lineItem")
            keys = tuple(
                sorted(key for key, *_rest in _read_tax_lines(reader, item, f"{line_path}.lineItem"))
            )
            subtotal = reader.amount(refund_line, "subtotalSet", f"{line_path}.subtotalSet")
            tax = reader.amount(refund_line, "totalTaxSet", f"{line_path}.totalTaxSet", required=False)
            amounts[keys] = amounts.get(keys, _ZERO) + (subtotal if included else subtotal + tax)
            restock_type = RESTOCK_TYPES.get(
                reader.text(refund_line, "restockType", f"{line_path}.restockType").upper(), RESTOCK_NONE
            )
            if restock_type != RESTOCK_NONE:
                restocks.append(
                    RefundRestock(
                        line_id=reader.text(item, "id", f"{line_path}.lineItem.id", required=True),
                        quantity=reader.quantity(refund_line, "quantity", f"{line_path}.quantity"),
                        restock_type=restock_type,
                    )
                )
        total = reader.amount(refund, "totalRefundedSet", f"{path}.totalRefundedSet")
        refunds.append(
            Refund(
                external_id=reader.text(refund, "id", f"{path}.id", required=True),
                reason=reader.text(refund, "note", f"{path}.note"),
                total=-total,
                amounts_by_rates=tuple(
                    (keys, amount) for keys, amount in sorted(amounts.items()) if not amount.is_zero()
                ),
                restocks=tuple(restocks),
            )
        )
    return tuple(refunds)


def _read_coupons(reader, payload):
    coupons = []
    for index, application in enumerate(
        reader.nodes(payload, "discountApplications", "discountApplications")
    ):
        path = f"discountApplications[{index}]"
        code = reader.text(application, "code", f"{path}.code") or reader.text(
            application, "title", f"{path}.title"
        )
        if code:
            coupons.append(Coupon(code=code, discount=_ZERO, discount_tax=_ZERO))
    return tuple(coupons)


def _status(reader, payload):
    if payload.get("cancelledAt"):
        return "cancelled"
    financial = reader.text(payload, "displayFinancialStatus", "displayFinancialStatus").upper()
    if financial in PAID_FINANCIAL_STATUSES:
        return "processing"
    if financial in ON_HOLD_FINANCIAL_STATUSES:
        return "on-hold"
    return "pending"


def normalize_shopify_order(payload: dict, money: str = "shop") -> NormalizedOrder:
    """Return the GraphQL ``Order`` node ``payload`` as a :class:`NormalizedOrder`.

    ``money`` is ``shop`` (amounts in the shop's currency) or ``presentment`` (in the currency
    the customer paid in). Raises :class:`WebshopPayloadError` naming the order and the field.
    """
    reader = _ShopifyReader(payload, money)
    gid = order_gid(payload.get("id"))
    if gid is None:
        raise reader.error(
            "id",
            "must be an order GID (gid://shopify/Order/<n>)",
            problem=PROBLEM_NOT_TEXT,
            value=payload.get("id"),
        )
    included = bool(payload.get("taxesIncluded"))
    currency_key = "currencyCode" if money == "shop" else "presentmentCurrencyCode"
    currency = reader.text(payload, currency_key, currency_key, required=True).upper()
    rates = {}
    lines = _read_lines(reader, payload, included, rates)
    customer_block = reader.mapping(payload, "customer", "customer", required=False)
    billing = _read_address(reader, payload, "billingAddress")
    shipping = _read_address(reader, payload, "shippingAddress")
    payments = _read_payments(reader, payload)
    paid_at = min((payment.paid_at for payment in payments if payment.paid_at), default=None)
    status = _status(reader, payload)
    main = max(payments, key=lambda payment: payment.amount, default=None)
    discount = sum((line.subtotal - line.total for line in lines), _ZERO)
    email = reader.text(payload, "email", "email") or reader.text(customer_block, "email", "customer.email")
    return NormalizedOrder(
        external_id=gid,
        number=reader.text(payload, "name", "name") or gid.rsplit("/", 1)[1],
        status=status,
        currency=currency,
        prices_include_tax=included,
        created_at=reader.gmt_datetime(payload, "createdAt", "createdAt"),
        modified_at=reader.gmt_datetime(payload, "updatedAt", "updatedAt"),
        paid_at=paid_at if status == "processing" else None,
        customer=Customer(
            external_id=reader.text(customer_block, "id", "customer.id") or None,
            email=email.strip().lower(),
            name=billing.name or shipping.name,
            company=billing.company,
            vat="",
            phone=reader.text(customer_block, "phone", "customer.phone") or billing.phone,
        ),
        billing_address=billing if not billing.is_empty else shipping,
        shipping_address=None if shipping.is_empty else shipping,
        lines=lines,
        tax_rates=tuple(
            TaxRate(
                rate_id=key,
                code=key,
                label=entry["title"],
                compound=False,
                percent=entry["percent"],
                tax_total=entry["lines"],
                shipping_tax_total=entry["shipping"],
            )
            for key, entry in sorted(rates.items())
        ),
        coupons=_read_coupons(reader, payload),
        refunds=_read_refunds(reader, payload, included),
        discount_total=discount,
        discount_tax=_ZERO,
        total=reader.amount(payload, "totalPriceSet", "totalPriceSet"),
        total_tax=reader.amount(payload, "totalTaxSet", "totalTaxSet", required=False),
        payment_method=main.gateway if main else "",
        payment_method_title=main.gateway if main else "",
        transaction_id=main.transaction_id if main else "",
        customer_note=reader.text(payload, "note", "note"),
        payments=payments,
    )
