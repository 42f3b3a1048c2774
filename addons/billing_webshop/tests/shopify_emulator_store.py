"""The Shopify emulator's store: the test hooks that fill and change it (orders, variants,
refunds) and the payloads it builds from it (GraphQL objects, REST webhook bodies and their
signed deliveries). :class:`ShopifyEmulator` in ``shopify_emulator`` serves it over HTTP."""

import base64
import copy
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import requests

API_VERSION = "2025-10"
# The RefundLineItemRestockType enum (RefundLineItem.restockType).
RESTOCK_TYPES = ("CANCEL", "LEGACY_RESTOCK", "NO_RESTOCK", "RETURN")


def money(amount, currency="EUR", presentment=None, presentment_currency=None):
    """A MoneyBag in the GraphQL shape; presentment money defaults to the shop money."""
    amount = f"{Decimal(str(amount)):.2f}"
    return {
        "shopMoney": {"amount": amount, "currencyCode": currency},
        "presentmentMoney": {
            "amount": f"{Decimal(str(presentment)):.2f}" if presentment is not None else amount,
            "currencyCode": presentment_currency or currency,
        },
    }


def shopify_json(payload):
    """JSON as Shopify writes webhook bodies: ``/`` and ``&`` escaped (not what json.dumps gives)."""
    return json.dumps(payload, separators=(",", ":")).replace("/", "\\/").replace("&", "\\u0026").encode()


def sign(secret, raw_body):
    return base64.b64encode(hmac.new(secret.encode(), raw_body, hashlib.sha256).digest()).decode()


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class ShopifyStore:
    """The orders, variants and products of a :class:`ShopifyEmulator`, and its webhooks."""

    # -- test hooks ---------------------------------------------------------------------------------

    def new_id(self, kind):
        with self._lock:
            self._next_id += 1
            return f"gid://shopify/{kind}/{self._next_id}"

    def add_variant(
        self, sku, price="10.00", available=0, location_id="gid://shopify/Location/1", product_id=None
    ):
        """A variant of a new product, or of ``product_id`` when given."""
        product_id = product_id or self.new_id("Product")
        self.products.setdefault(product_id, {"id": product_id, "title": sku, "descriptionHtml": ""})
        variant = {
            "id": self.new_id("ProductVariant"),
            "sku": sku,
            "price": price,
            "product": {"id": product_id},
            "inventoryItem": {"id": self.new_id("InventoryItem")},
        }
        self.variants[variant["id"]] = variant
        self.inventory[(variant["inventoryItem"]["id"], location_id)] = available
        return variant

    def add_order(
        self,
        lines,
        *,
        currency="EUR",
        taxes_included=False,
        shipping=None,
        gateway="shopify_payments",
        paid=True,
        customer_email="bob@example.com",
        discount_code=None,
        gift_card=None,
        presentment_rate=None,
        presentment_currency=None,
        updated_at=None,
        **changes,
    ):
        """Store an order built from ``lines`` [(sku, variant GID or None, qty, unit price,
        [(title, rate, tax)], discount)] and ``shipping`` (title, price, [(title, rate, tax)]);
        the totals are computed as Shopify does. Return the stored copy."""

        def bag(amount):
            if presentment_rate:
                converted = (Decimal(str(amount)) * Decimal(str(presentment_rate))).quantize(Decimal("0.01"))
                return money(amount, currency, converted, presentment_currency)
            return money(amount, currency)

        def tax_lines(taxes):
            return [
                {"title": title, "rate": rate, "ratePercentage": rate * 100, "priceSet": bag(amount)}
                for title, rate, amount in taxes
            ]

        now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        items, total, total_tax = [], Decimal(0), Decimal(0)
        for sku, variant_id, quantity, unit, taxes, discount in lines:
            variant = self.variants.get(variant_id) or {"id": variant_id, "product": {"id": None}}
            tax = sum((Decimal(str(t[2])) for t in taxes), Decimal(0))
            gross = Decimal(str(unit)) * quantity - Decimal(str(discount or 0))
            total += gross + (0 if taxes_included else tax)
            total_tax += tax
            items.append(
                {
                    "id": self.new_id("LineItem"),
                    "name": sku,
                    "sku": sku,
                    "quantity": quantity,
                    "currentQuantity": quantity,
                    "variant": {"id": variant["id"], "product": {"id": variant["product"]["id"]}}
                    if variant_id
                    else None,
                    "originalUnitPriceSet": bag(unit),
                    "discountAllocations": [{"allocatedAmountSet": bag(discount)}] if discount else [],
                    "taxLines": tax_lines(taxes),
                }
            )
        shipping_lines = []
        if shipping:
            title, price, taxes = shipping
            tax = sum((Decimal(str(t[2])) for t in taxes), Decimal(0))
            total += Decimal(str(price)) + (0 if taxes_included else tax)
            total_tax += tax
            shipping_lines.append(
                {
                    "id": self.new_id("ShippingLine"),
                    "title": title,
                    "code": title.lower(),
                    "originalPriceSet": bag(price),
                    "discountedPriceSet": bag(price),
                    "taxLines": tax_lines(taxes),
                }
            )
        transactions = []
        if paid:
            rest = total
            if gift_card:
                transactions.append(self._transaction("gift_card", gift_card, bag, now))
                rest -= Decimal(str(gift_card))
            if rest:
                transactions.append(self._transaction(gateway, rest, bag, now))
        gid = self.new_id("Order")
        order = {
            "id": gid,
            "name": f"#{1000 + len(self.orders) + 1}",
            "email": customer_email,
            "note": None,
            "createdAt": _iso(now),
            "updatedAt": updated_at or _iso(now),
            "processedAt": _iso(now),
            "cancelledAt": None,
            "cancelReason": None,
            "displayFinancialStatus": "PAID" if paid else "PENDING",
            "taxesIncluded": taxes_included,
            "currencyCode": currency,
            "presentmentCurrencyCode": presentment_currency or currency,
            "customer": {"id": self.new_id("Customer"), "email": customer_email, "phone": None},
            "billingAddress": {
                "firstName": "Bob",
                "lastName": "Norman",
                "name": "Bob Norman",
                "company": None,
                "address1": "Damrak 1",
                "address2": None,
                "zip": "1012 LG",
                "city": "Amsterdam",
                "provinceCode": None,
                "countryCodeV2": "NL",
                "phone": None,
            },
            "shippingAddress": None,
            "totalPriceSet": bag(total),
            "totalTaxSet": bag(total_tax),
            "lineItems": {"nodes": items, "pageInfo": {"hasNextPage": False, "endCursor": None}},
            "shippingLines": {"nodes": shipping_lines},
            "discountApplications": {
                "nodes": [{"__typename": "DiscountCodeApplication", "code": discount_code}]
                if discount_code
                else []
            },
            "transactions": transactions,
            "refunds": [],
        }
        order.update(changes)
        with self._lock:
            self.orders[gid] = order
        return copy.deepcopy(order)

    def _transaction(self, gateway, amount, bag, now):
        return {
            "id": self.new_id("OrderTransaction"),
            "kind": "SALE",
            "status": "SUCCESS",
            "gateway": gateway,
            "processedAt": _iso(now),
            "amountSet": bag(amount),
            "parentTransaction": None,
        }

    def touch(self, gid):
        """Move the order's updatedAt at least one second on; return it."""
        order = self.orders[gid]
        before = datetime.fromisoformat(order["updatedAt"].replace("Z", "+00:00")).replace(tzinfo=None)
        now = max(datetime.now(UTC).replace(tzinfo=None, microsecond=0), before + timedelta(seconds=1))
        order["updatedAt"] = _iso(now)
        return order["updatedAt"]

    def update_order(self, gid, **changes):
        with self._lock:
            self.orders[gid].update(changes)
            self.touch(gid)
            return copy.deepcopy(self.orders[gid])

    def add_refund(self, gid, amount, lines=(), note=None):
        """Refund ``amount`` of the order; ``lines`` [(line index, quantity, subtotal, tax[, restock
        type])]. The restock type is a ``RefundLineItemRestockType`` (RETURN when not given, as the
        admin's "Restock items" of a fulfilled line; CANCEL, NO_RESTOCK, LEGACY_RESTOCK)."""
        with self._lock:
            order = self.orders[gid]
            currency = order["currencyCode"]
            refund_lines = []
            for index, quantity, subtotal, tax, *restock in lines:
                restock_type = restock[0] if restock else "RETURN"
                if restock_type not in RESTOCK_TYPES:
                    raise ValueError(f"restockType {restock_type!r} is not a RefundLineItemRestockType")
                item = order["lineItems"]["nodes"][index]
                item["currentQuantity"] -= quantity
                refund_lines.append(
                    {
                        "id": self.new_id("RefundLineItem"),
                        "quantity": quantity,
                        "restockType": restock_type,
                        "restocked": restock_type != "NO_RESTOCK",
                        "subtotalSet": money(subtotal, currency),
                        "totalTaxSet": money(tax, currency),
                        "lineItem": {"id": item["id"], "sku": item["sku"], "taxLines": item["taxLines"]},
                    }
                )
            refund = {
                "id": self.new_id("Refund"),
                "note": note,
                "createdAt": _iso(datetime.now(UTC)),
                "totalRefundedSet": money(amount, currency),
                "refundLineItems": {"nodes": refund_lines},
            }
            order["refunds"].append(refund)
            refunded = sum(Decimal(r["totalRefundedSet"]["shopMoney"]["amount"]) for r in order["refunds"])
            total = Decimal(order["totalPriceSet"]["shopMoney"]["amount"])
            order["displayFinancialStatus"] = "REFUNDED" if refunded >= total else "PARTIALLY_REFUNDED"
            order["transactions"].append(
                {
                    "id": self.new_id("OrderTransaction"),
                    "kind": "REFUND",
                    "status": "SUCCESS",
                    "gateway": "shopify_payments",
                    "processedAt": _iso(datetime.now(UTC)),
                    "amountSet": money(amount, currency),
                    "parentTransaction": None,
                }
            )
            self.touch(gid)
            return copy.deepcopy(refund)

    # -- webhooks -----------------------------------------------------------------------------------

    def rest_order(self, gid):
        """The webhook body of an order: its REST resource (snake_case, numeric ids)."""
        order = self.orders[gid]
        return {
            "id": int(gid.rsplit("/", 1)[1]),
            "admin_graphql_api_id": gid,
            "name": order["name"],
            "email": order["email"],
            "updated_at": order["updatedAt"],
            "created_at": order["createdAt"],
            "cancelled_at": order["cancelledAt"],
            "currency": order["currencyCode"],
            "financial_status": order["displayFinancialStatus"].lower(),
            "total_price": order["totalPriceSet"]["shopMoney"]["amount"],
            "taxes_included": order["taxesIncluded"],
            "order_status_url": f"https://{self.shop_domain}/orders/x?key=a&b",
            "line_items": [
                {"id": int(item["id"].rsplit("/", 1)[1]), "sku": item["sku"], "quantity": item["quantity"]}
                for item in order["lineItems"]["nodes"]
            ],
        }

    def rest_refund(self, gid, refund_gid):
        """The ``refunds/create`` webhook body: the REST refund resource (``restock_type`` in lower
        case, as the REST API spells the enum)."""
        refund = next(refund for refund in self.orders[gid]["refunds"] if refund["id"] == refund_gid)

        def number(any_gid):
            return int(any_gid.rsplit("/", 1)[1])

        return {
            "id": number(refund_gid),
            "admin_graphql_api_id": refund_gid,
            "order_id": number(gid),
            "created_at": refund["createdAt"],
            "note": refund["note"],
            "refund_line_items": [
                {
                    "id": number(line["id"]),
                    "line_item_id": number(line["lineItem"]["id"]),
                    "quantity": line["quantity"],
                    "restock_type": line["restockType"].lower(),
                    "subtotal": line["subtotalSet"]["shopMoney"]["amount"],
                    "total_tax": line["totalTaxSet"]["shopMoney"]["amount"],
                }
                for line in refund["refundLineItems"]["nodes"]
            ],
        }

    def webhook_request(self, topic, payload, *, secret=None, webhook_id=None, triggered_at=None):
        """(headers, raw body) of a delivery of ``topic`` as Shopify sends it."""
        body = payload if isinstance(payload, bytes) else shopify_json(payload)
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": sign(secret or self.client_secret, body),
            "X-Shopify-Shop-Domain": self.shop_domain,
            "X-Shopify-API-Version": API_VERSION,
            "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
            "X-Shopify-Event-Id": str(uuid.uuid4()),
            "X-Shopify-Triggered-At": triggered_at or datetime.now(UTC).isoformat(),
            "User-Agent": "Shopify-Captain-Hook",
        }
        return headers, body

    def deliver(self, url, topic, payload, **options):
        headers, body = self.webhook_request(topic, payload, **options)
        return self.deliver_raw(url, headers, body)

    @staticmethod
    def deliver_raw(url, headers, body):
        return requests.post(url, data=body, headers=headers, timeout=60)
