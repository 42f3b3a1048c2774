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

import base64
import copy
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import requests

API_VERSION = "2025-10"
# The RefundLineItemRestockType enum (RefundLineItem.restockType).
RESTOCK_TYPES = ("CANCEL", "LEGACY_RESTOCK", "NO_RESTOCK", "RETURN")
_UPDATED_AT_RE = re.compile(r"updated_at:>=\s*'?([0-9T:\-Z+]+)'?")


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


class ShopifyEmulator:
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

    # -- GraphQL ------------------------------------------------------------------------------------

    def _refill(self):
        now = time.monotonic()
        self.available = min(
            self.maximum_available, self.available + (now - self._bucket_at) * self.restore_rate
        )
        self._bucket_at = now

    def _cost(self, requested, actual=None):
        return {
            "requestedQueryCost": requested,
            "actualQueryCost": actual if actual is not None else requested,
            "throttleStatus": {
                "maximumAvailable": self.maximum_available,
                "currentlyAvailable": round(self.available, 1),
                "restoreRate": self.restore_rate,
            },
        }

    def graphql(self, query, variables):
        """(status, body) of one GraphQL call."""
        with self._lock:
            self._refill()
            operation, handler, requested = self._operation(query, variables)
            self.operation_log.append(operation)
            if self.throttle_next or requested > self.available:
                self.throttle_next = max(0, self.throttle_next - 1)
                body = {
                    "errors": [
                        {"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": ""}}
                    ],
                    "extensions": {"cost": self._cost(requested, 0)},
                }
                return self.throttle_status_code, body
            self.available -= requested
            if handler is None:
                return 200, {
                    "errors": [{"message": f"Field '{operation}' doesn't exist on type 'QueryRoot'"}]
                }
            data = handler(variables)
            return 200, {"data": data, "extensions": {"cost": self._cost(requested)}}

    def _operation(self, query, variables):
        for root, handler, cost in (
            ("bulkOperationRunQuery", self._bulk_run, 10),
            ("webhookSubscriptionCreate", self._webhook_create, 10),
            ("inventorySetQuantities", self._inventory_set, 10),
            ("productVariantsBulkUpdate", self._variants_update, 10),
            ("productUpdate(", self._product_update, 10),
            ("nodes(", self._nodes, 1 + len(variables.get("ids") or [])),
            ("node(", self._node, 1),
            ("orders(", self._orders, 2 + int(variables.get("first") or 0)),
            ("order(", self._order, 10),
        ):
            if root in query:
                return root, handler, cost
        return query.split("{", 1)[0][:40], None, 1

    def _order(self, variables):
        return {"order": copy.deepcopy(self.orders.get(variables.get("id")))}

    def _orders(self, variables):
        first = int(variables.get("first") or 0)
        if not 0 < first <= 250:
            raise ValueError("first must be between 1 and 250")
        match = _UPDATED_AT_RE.search(variables.get("query") or "")
        since = match.group(1) if match else ""
        orders = sorted(
            (order for order in self.orders.values() if order["updatedAt"] >= since),
            key=lambda order: (order["updatedAt"], order["id"]),
        )
        start = int(base64.b64decode(variables["after"]).decode()) if variables.get("after") else 0
        page = orders[start : start + first]
        end = start + len(page)
        return {
            "orders": {
                "nodes": copy.deepcopy(page),
                "pageInfo": {
                    "hasNextPage": end < len(orders),
                    "endCursor": base64.b64encode(str(end).encode()).decode() if page else None,
                },
            }
        }

    def _nodes(self, variables):
        location = variables.get("locationId")
        nodes = []
        for gid in variables.get("ids") or []:
            variant = self.variants.get(gid)
            if not variant:
                nodes.append(None)
                continue
            node = copy.deepcopy(variant)
            quantity = self.inventory.get((variant["inventoryItem"]["id"], location))
            node["inventoryItem"]["inventoryLevel"] = (
                {"quantities": [{"name": "available", "quantity": quantity}]}
                if quantity is not None
                else None
            )
            nodes.append(node)
        return {"nodes": nodes}

    def _inventory_set(self, variables):
        data = variables["input"]
        errors = []
        for index, quantity in enumerate(data.get("quantities") or []):
            key = (quantity["inventoryItemId"], quantity["locationId"])
            if key not in self.inventory:
                errors.append(
                    {
                        "field": ["input", "quantities", str(index), "locationId"],
                        "message": "The specified inventory item is not stocked at the location.",
                        "code": "ITEM_NOT_STOCKED_AT_LOCATION",
                    }
                )
            elif "compareQuantity" in quantity and quantity["compareQuantity"] != self.inventory[key]:
                errors.append(
                    {
                        "field": ["input", "quantities", str(index), "compareQuantity"],
                        "message": "The compareQuantity argument no longer matches the persisted quantity.",
                        "code": "COMPARE_QUANTITY_STALE",
                    }
                )
        if errors:
            return {"inventorySetQuantities": {"inventoryAdjustmentGroup": None, "userErrors": errors}}
        for quantity in data["quantities"]:
            self.inventory[(quantity["inventoryItemId"], quantity["locationId"])] = quantity["quantity"]
        return {
            "inventorySetQuantities": {
                "inventoryAdjustmentGroup": {"id": self.new_id("InventoryAdjustmentGroup")},
                "userErrors": [],
            }
        }

    def _variants_update(self, variables):
        updated, errors = [], []
        for index, change in enumerate(variables.get("variants") or []):
            variant = self.variants.get(change.get("id"))
            if not variant or variant["product"]["id"] != variables.get("productId"):
                errors.append(
                    {
                        "field": ["variants", str(index), "id"],
                        "message": "Product variant does not exist",
                        "code": "PRODUCT_VARIANT_DOES_NOT_EXIST",
                    }
                )
                continue
            variant["price"] = change.get("price", variant["price"])
            variant["sku"] = (change.get("inventoryItem") or {}).get("sku", variant["sku"])
            updated.append({"id": variant["id"], "price": variant["price"], "sku": variant["sku"]})
        return {"productVariantsBulkUpdate": {"productVariants": updated, "userErrors": errors}}

    def _product_update(self, variables):
        """``productUpdate(product: ProductUpdateInput!)``: title and descriptionHtml."""
        change = variables.get("product") or {}
        product = self.products.get(change.get("id"))
        if product is None:
            return {
                "productUpdate": {
                    "product": None,
                    "userErrors": [{"field": ["id"], "message": "Product does not exist"}],
                }
            }
        if "title" in change and not str(change["title"]).strip():
            return {
                "productUpdate": {
                    "product": None,
                    "userErrors": [{"field": ["title"], "message": "Title can't be blank"}],
                }
            }
        product.update({key: change[key] for key in ("title", "descriptionHtml") if key in change})
        return {
            "productUpdate": {"product": {"id": product["id"], "title": product["title"]}, "userErrors": []}
        }

    def _webhook_create(self, variables):
        topic = variables["topic"]
        url = (variables.get("webhookSubscription") or {}).get("callbackUrl")
        if any(sub["topic"] == topic and sub["callbackUrl"] == url for sub in self.subscriptions):
            return {
                "webhookSubscriptionCreate": {
                    "webhookSubscription": None,
                    "userErrors": [
                        {
                            "field": ["webhookSubscription", "callbackUrl"],
                            "message": "Address for this topic has already been taken",
                        }
                    ],
                }
            }
        subscription = {"id": self.new_id("WebhookSubscription"), "topic": topic, "callbackUrl": url}
        self.subscriptions.append(subscription)
        return {"webhookSubscriptionCreate": {"webhookSubscription": subscription, "userErrors": []}}

    def _bulk_run(self, variables):
        match = _UPDATED_AT_RE.search(variables.get("query") or "")
        since = match.group(1) if match else ""
        operation = {"id": self.new_id("BulkOperation"), "status": "CREATED", "since": since, "polls": 0}
        self.bulk_operations[operation["id"]] = operation
        return {
            "bulkOperationRunQuery": {
                "bulkOperation": {"id": operation["id"], "status": "CREATED"},
                "userErrors": [],
            }
        }

    def _node(self, variables):
        operation = self.bulk_operations.get(variables.get("id"))
        if not operation:
            return {"node": None}
        operation["polls"] += 1
        operation["status"] = "RUNNING" if operation["polls"] < 2 else "COMPLETED"
        rows = self._bulk_rows(operation)
        done = operation["status"] == "COMPLETED"
        return {
            "node": {
                "id": operation["id"],
                "status": operation["status"],
                "errorCode": None,
                "objectCount": str(len(rows)) if done else "0",
                "url": f"{self.base_url}/bulk/{operation['id'].rsplit('/', 1)[1]}.jsonl"
                if done and rows
                else None,
                "partialDataUrl": None,
            }
        }

    def _bulk_rows(self, operation):
        rows = []
        for order in sorted(self.orders.values(), key=lambda order: order["id"]):
            if order["updatedAt"] >= operation["since"]:
                rows.append({"id": order["id"], "updatedAt": order["updatedAt"]})
                for item in order["lineItems"]["nodes"]:
                    rows.append({"id": item["id"], "__parentId": order["id"]})
        return rows

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
