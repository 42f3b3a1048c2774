"""The Shopify shop adapter: webhooks, orders, reconciliation and push over the GraphQL Admin API.

A thin adapter: it verifies and keys webhooks, reads orders as GraphQL ``Order`` nodes and hands
them to :func:`normalize_shopify_order`; the importer does the rest, as for WooCommerce.

A webhook body is the REST resource of its topic (an order, or a refund for
``refunds/create``); it only says which order changed. The order itself is read again over
GraphQL when the event is processed (as Tryton's ``web_shop_shopify`` does after the HMAC
check), so a late retry carrying an old copy cannot undo a newer state, and the
refund of a ``refunds/create`` arrives with its order.
"""

import base64
import hashlib
import hmac
import html
import json
import re
import time
from datetime import UTC, datetime

import requests

from .adapters import ADAPTERS, ShopAdapter, ShopApiError, _header, storable_text
from .normalize import PROBLEM_MISSING, WebshopPayloadError
from .normalize_shopify import normalize_shopify_order, order_gid
from .shopify_client import DEFAULT_API_VERSION, ShopifyClient, ShopifyError

WEBHOOK_TOPICS = ("orders/create", "orders/updated", "orders/cancelled", "refunds/create", "app/uninstalled")
UNINSTALLED_TOPIC = "app/uninstalled"
INVENTORY_BATCH = 250  # inventorySetQuantities takes at most 250 quantities
_TRIGGERED_AT_RE = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(?:Z|\+00:00)")

_MONEY = "shopMoney {amount currencyCode} presentmentMoney {amount currencyCode}"
_TAX_LINES = f"taxLines {{title rate ratePercentage priceSet {{{_MONEY}}}}}"
ORDER_FIELDS = f"""
  id name email note createdAt updatedAt processedAt cancelledAt cancelReason
  displayFinancialStatus taxesIncluded currencyCode presentmentCurrencyCode
  customer {{id email phone}}
  billingAddress {{firstName lastName name company address1 address2 zip city provinceCode countryCodeV2 phone}}
  shippingAddress {{firstName lastName name company address1 address2 zip city provinceCode countryCodeV2 phone}}
  totalPriceSet {{{_MONEY}}}
  totalTaxSet {{{_MONEY}}}
  lineItems(first: 100) {{
    nodes {{
      id name sku quantity currentQuantity
      variant {{id product {{id}}}}
      originalUnitPriceSet {{{_MONEY}}}
      discountAllocations {{allocatedAmountSet {{{_MONEY}}}}}
      {_TAX_LINES}
    }}
    pageInfo {{hasNextPage endCursor}}
  }}
  shippingLines(first: 50) {{
    nodes {{id title code originalPriceSet {{{_MONEY}}} discountedPriceSet {{{_MONEY}}} {_TAX_LINES}}}
  }}
  discountApplications(first: 50) {{
    nodes {{
      __typename allocationMethod targetType
      ... on DiscountCodeApplication {{code}}
      ... on AutomaticDiscountApplication {{title}}
      ... on ManualDiscountApplication {{title}}
    }}
  }}
  transactions {{id kind status gateway processedAt amountSet {{{_MONEY}}} parentTransaction {{id}}}}
  refunds {{
    id note createdAt
    totalRefundedSet {{{_MONEY}}}
    refundLineItems(first: 100) {{
      nodes {{
        quantity restockType
        subtotalSet {{{_MONEY}}}
        totalTaxSet {{{_MONEY}}}
        lineItem {{id sku {_TAX_LINES}}}
      }}
    }}
  }}
"""

ORDER_QUERY = f"query Order($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}"
# Polling reads only which orders changed (cheap: 250 per page); each order is read in full
# when its event is processed, within the cost limit of one query.
ORDERS_QUERY = """query Orders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes {id updatedAt}
    pageInfo {hasNextPage endCursor}
  }
}"""
BULK_RUN_MUTATION = """mutation BulkRun($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation {id status}
    userErrors {field message code}
  }
}"""
BULK_STATUS_QUERY = """query BulkStatus($id: ID!) {
  node(id: $id) { ... on BulkOperation {id status errorCode objectCount url partialDataUrl} }
}"""
WEBHOOK_CREATE_MUTATION = """mutation WebhookCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription {id topic}
    userErrors {field message}
  }
}"""
VARIANTS_QUERY = """query Variants($ids: [ID!]!, $locationId: ID!) {
  nodes(ids: $ids) {
    ... on ProductVariant {
      id sku price
      product {id}
      inventoryItem {id inventoryLevel(locationId: $locationId) {quantities(names: ["available"]) {name quantity}}}
    }
  }
}"""
INVENTORY_SET_MUTATION = """mutation InventorySet($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup {id}
    userErrors {field message code}
  }
}"""
VARIANTS_UPDATE_MUTATION = """mutation VariantsUpdate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants) {
    productVariants {id price sku}
    userErrors {field message code}
  }
}"""
PRODUCT_UPDATE_MUTATION = """mutation ProductUpdate($product: ProductUpdateInput!) {
  productUpdate(product: $product) {
    product {id title}
    userErrors {field message}
  }
}"""


def description_html(text):
    """Odoo's plain sales description as Shopify's ``descriptionHtml``: escaped, one paragraph
    per block, line breaks kept."""
    paragraphs = []
    for block in (text or "").replace("\r\n", "\n").split("\n\n"):
        lines = [html.escape(line.strip()) for line in block.strip().split("\n")]
        if any(lines):
            paragraphs.append("<p>" + "<br>".join(lines) + "</p>")
    return "".join(paragraphs)


def compute_shopify_hmac(secret, raw_body):
    """base64(HMAC-SHA256(app secret, raw body)): the ``X-Shopify-Hmac-Sha256`` header."""
    digest = hmac.new(secret.encode("utf-8"), bytes(raw_body), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_shopify_hmac(secrets, raw_body, received):
    """Whether ``received`` is the HMAC of ``raw_body`` under one of ``secrets``, in constant time."""
    if not received or not isinstance(raw_body, bytes | bytearray):
        return False
    received = received.strip().encode("ascii", "replace")
    matched = False
    for secret in secrets:
        if secret and hmac.compare_digest(compute_shopify_hmac(secret, raw_body).encode("ascii"), received):
            matched = True
    return matched


class ShopifyAdapter(ShopAdapter):
    """A Shopify store through the GraphQL Admin API (``base_url`` is the shop's address)."""

    shop_type = "shopify"
    supports_polling = True
    supports_push = True

    def __init__(
        self,
        base_url="",
        api_key="",
        api_secret="",
        *,
        access_token="",
        token_expires_at=None,
        api_version=DEFAULT_API_VERSION,
        money="shop",
        location_id="",
        on_token=None,
        bulk_timeout=600,
        **options,
    ):
        super().__init__(base_url, api_key, api_secret, **options)
        self.money = money or "shop"
        self.location_id = location_id or ""
        self.bulk_timeout = bulk_timeout
        self.client = ShopifyClient(
            self.base_url,
            access_token=access_token,
            client_id=self.api_key,
            client_secret=self.api_secret,
            token_expires_at=token_expires_at,
            api_version=api_version,
            on_token=on_token,
            session=self.session,
            timeout=self.timeout,
            sleep=self.sleep,
            max_retries=self.max_retries,
            max_backoff=self.max_backoff,
        )
        self._stock_read = {}

    def _call(self, method, *args, **kwargs):
        """Run a client call; its errors become the ShopApiError the Odoo side handles."""
        try:
            return method(*args, **kwargs)
        except ShopifyError as error:
            raise ShopApiError(str(error), status=error.status, transient=error.transient) from None

    # -- webhooks -----------------------------------------------------------------------------------

    def verify_webhook(self, secret, headers, raw_body, *, now=None):
        secrets = secret if isinstance(secret, list | tuple) else [secret]
        received = _header(headers, "X-Shopify-Hmac-Sha256") or _header(headers, "shopify-hmac-sha256")
        return verify_shopify_hmac(secrets, raw_body, received)

    def delivery_key(self, headers, raw_body):
        webhook_id = _header(headers, "X-Shopify-Webhook-Id") or _header(headers, "shopify-webhook-id")
        if webhook_id:
            return f"shopify:{storable_text(webhook_id)[:200]}"
        return f"shopify:sha256:{hashlib.sha256(bytes(raw_body)).hexdigest()}"

    def webhook_topic(self, headers):
        return _header(headers, "X-Shopify-Topic") or _header(headers, "shopify-topic") or ""

    def is_uninstall(self, headers):
        return self.webhook_topic(headers).strip().lower() == UNINSTALLED_TOPIC

    def delivery_triggered_at(self, headers):
        """``X-Shopify-Triggered-At`` (ISO 8601 in UTC, fractions of a second dropped); None when
        absent or not in UTC."""
        value = _header(headers, "X-Shopify-Triggered-At") or _header(headers, "shopify-triggered-at")
        match = _TRIGGERED_AT_RE.fullmatch(str(value or "").strip())
        return datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S") if match else None

    # -- orders -------------------------------------------------------------------------------------

    def order_external_id(self, payload):
        """The order GID of a GraphQL order, a REST order (webhook) or a REST refund."""
        if isinstance(payload, dict):
            if payload.get("order_id") not in (None, ""):  # refunds/create: a refund of that order
                gid = order_gid(payload.get("order_id"))
            else:
                gid = order_gid(payload.get("admin_graphql_api_id")) or order_gid(payload.get("id"))
            if gid:
                return gid
        raise WebshopPayloadError(
            "The payload names no Shopify order (id, admin_graphql_api_id or order_id)",
            field_name="id",
            problem=PROBLEM_MISSING,
        )

    @staticmethod
    def is_full_order(payload):
        return isinstance(payload, dict) and "lineItems" in payload and "totalPriceSet" in payload

    def full_order(self, payload):
        """The GraphQL order a payload stands for: itself, or read from the shop by its GID."""
        if self.is_full_order(payload):
            return payload
        return self.fetch_order(self.order_external_id(payload))

    def fetch_order(self, external_id):
        order = self._call(self.client.execute, ORDER_QUERY, {"id": order_gid(external_id)}).get("order")
        if not isinstance(order, dict):
            raise ShopApiError(f"Shopify has no order {external_id} (any more)")
        return order

    def normalize_order(self, payload):
        return normalize_shopify_order(payload, self.money)

    def order_modified_at(self, payload):
        return (payload or {}).get("updatedAt") or (payload or {}).get("updated_at") or ""

    def iter_orders_modified_since(self, since):
        """Yield the orders updated at or after ``since`` (naive UTC), oldest first, every page."""
        query = f"updated_at:>='{since.replace(tzinfo=UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}'"
        yield from self._paginate(ORDERS_QUERY, {"query": query}, ("orders",))

    def _paginate(self, query, variables, path):
        try:
            yield from self.client.paginate(query, variables, path)
        except ShopifyError as error:
            raise ShopApiError(str(error), status=error.status, transient=error.transient) from None

    def bulk_orders_since(self, since):
        """Run a bulk operation over the orders updated since ``since``; yield {id, updatedAt} rows.

        The operation is polled until it completes (at most ``bulk_timeout`` seconds), then its
        JSONL result is read line by line; rows of nested objects (with ``__parentId``) are
        skipped, each order is read again in full when its event is processed.
        """
        moment = since.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        query = f"{{ orders(query: \"updated_at:>='{moment}'\") {{ edges {{ node {{ id updatedAt }} }} }} }}"
        operation = self._call(
            self.client.mutate, BULK_RUN_MUTATION, {"query": query}, "bulkOperationRunQuery"
        )
        operation_id = (operation.get("bulkOperation") or {}).get("id")
        if not operation_id:
            raise ShopApiError("Shopify started no bulk operation")
        deadline = time.monotonic() + self.bulk_timeout
        delay = 1
        while True:
            status = (
                self._call(self.client.execute, BULK_STATUS_QUERY, {"id": operation_id}).get("node") or {}
            )
            if status.get("status") == "COMPLETED":
                break
            if status.get("status") in ("FAILED", "CANCELED", "CANCELING", "EXPIRED"):
                raise ShopApiError(
                    f"Shopify bulk operation {operation_id} ended {status.get('status')} "
                    f"({status.get('errorCode') or 'no error code'})"
                )
            if time.monotonic() > deadline:
                raise ShopApiError(
                    f"Shopify bulk operation {operation_id} did not complete in time", transient=True
                )
            self.sleep(delay)
            delay = min(delay * 2, 30)
        if not status.get("url"):
            return  # no order matched: Shopify gives no file
        try:
            response = self.session.get(status["url"], timeout=self.timeout, stream=True)
            response.raise_for_status()
            for line in response.iter_lines():
                if not line.strip():
                    continue
                row = json.loads(line)
                if isinstance(row, dict) and "__parentId" not in row and order_gid(row.get("id")):
                    yield row
        except (requests.RequestException, ValueError) as error:
            raise ShopApiError(
                f"Reading the bulk operation result failed: {type(error).__name__}", transient=True
            ) from None

    # -- webhook subscriptions ----------------------------------------------------------------------

    def register_webhooks(self, callback_url, topics=WEBHOOK_TOPICS):
        """Subscribe ``callback_url`` to ``topics``; return {topic: None or the error in words}."""
        results = {}
        for topic in topics:
            variables = {
                "topic": topic.upper().replace("/", "_"),
                "webhookSubscription": {"callbackUrl": callback_url, "format": "JSON"},
            }
            try:
                self.client.mutate(WEBHOOK_CREATE_MUTATION, variables, "webhookSubscriptionCreate")
                results[topic] = None
            except ShopifyError as error:
                taken = any("taken" in str(e.get("message", "")).lower() for e in error.user_errors)
                results[topic] = None if taken else str(error)
        return results

    # -- push ---------------------------------------------------------------------------------------

    def read_products(self, external_ids):
        """Return {variant GID: {"stock_quantity", "price", "product_id", "inventory_item_id"}}."""
        if not self.location_id:
            raise ShopApiError("No Shopify location is set to read and push stock at")
        products = {}
        ids = list(external_ids)
        for start in range(0, len(ids), INVENTORY_BATCH):
            variables = {"ids": ids[start : start + INVENTORY_BATCH], "locationId": self.location_id}
            for node in self._call(self.client.execute, VARIANTS_QUERY, variables).get("nodes") or []:
                if not isinstance(node, dict) or not node.get("id"):
                    continue
                item = node.get("inventoryItem") or {}
                level = item.get("inventoryLevel") or {}
                quantities = {q.get("name"): q.get("quantity") for q in level.get("quantities") or []}
                products[node["id"]] = {
                    "stock_quantity": quantities.get("available"),
                    "price": node.get("price"),
                    "product_id": (node.get("product") or {}).get("id"),
                    "inventory_item_id": item.get("id"),
                }
        self._stock_read.update(products)
        return products

    def push_products(self, updates):
        """Send variants ({"id": GID, "price", "sku", "title", "description", "stock_quantity"}).

        Price and SKU go per product with ``productVariantsBulkUpdate``; title and description
        are the product's, sent once per product with ``productUpdate`` (an empty SKU or
        description is not sent, so nothing the shop has is cleared). Stock goes with
        ``compareQuantity`` set to the figure just read, so a figure the shop changed in between
        is refused by Shopify instead of overwritten. Returns {GID: error or None}.
        """
        results = {update["id"]: None for update in updates}
        missing = [update["id"] for update in updates if update["id"] not in self._stock_read]
        if missing:
            self.read_products(missing)
        variants_of, products = {}, {}
        for update in updates:
            known = self._stock_read.get(update["id"])
            if not known:
                results[update["id"]] = "The variant is not in the shop (any more)."
                continue
            product_id = known["product_id"]
            variants_of.setdefault(product_id, [])
            variant = {"id": update["id"]}
            if "price" in update:
                variant["price"] = update["price"]
            if update.get("sku"):
                variant["inventoryItem"] = {"sku": update["sku"]}
            if len(variant) > 1:
                variants_of[product_id].append(variant)
            product = {
                "title": update.get("title"),
                "descriptionHtml": description_html(update.get("description")),
            }
            product = {key: value for key, value in product.items() if value}
            if product:
                products.setdefault(product_id, {"id": product_id}).update(product)
        for product_id, variants in variants_of.items():
            touched = [
                update["id"]
                for update in updates
                if (self._stock_read.get(update["id"]) or {}).get("product_id") == product_id
            ]
            try:
                if variants:
                    self.client.mutate(
                        VARIANTS_UPDATE_MUTATION,
                        {"productId": product_id, "variants": variants},
                        "productVariantsBulkUpdate",
                    )
                if product_id in products:
                    self.client.mutate(
                        PRODUCT_UPDATE_MUTATION, {"product": products[product_id]}, "productUpdate"
                    )
            except ShopifyError as error:
                for gid in touched:
                    results[gid] = str(error)
        stock = [u for u in updates if "stock_quantity" in u and results[u["id"]] is None]
        for start in range(0, len(stock), INVENTORY_BATCH):
            chunk = stock[start : start + INVENTORY_BATCH]
            self._set_quantities(chunk, results)
        return results

    def _set_quantities(self, chunk, results, *, again=True):
        """Set the stock of ``chunk`` in one call; Shopify refuses the whole call on one stale
        figure, so the others are sent once more without the refused ones."""
        quantities = [
            {
                "inventoryItemId": self._stock_read[update["id"]]["inventory_item_id"],
                "locationId": self.location_id,
                "quantity": int(update["stock_quantity"]),
                "compareQuantity": self._stock_read[update["id"]]["stock_quantity"],
            }
            for update in chunk
        ]
        variables = {"input": {"name": "available", "reason": "correction", "quantities": quantities}}
        try:
            self.client.mutate(INVENTORY_SET_MUTATION, variables, "inventorySetQuantities")
            for update in chunk:
                self._stock_read[update["id"]]["stock_quantity"] = int(update["stock_quantity"])
        except ShopifyError as error:
            refused = self._spread_stock_errors(chunk, error, results)
            rest = [update for update in chunk if update["id"] not in refused]
            if rest and refused and again:
                self._set_quantities(rest, results, again=False)
            elif rest:
                for update in rest:
                    results[update["id"]] = str(error)

    @staticmethod
    def _spread_stock_errors(chunk, error, results):
        """Put each user error on the variant of the quantity it names (``quantities.<n>``);
        return the GIDs so named."""
        refused = set()
        for user_error in error.user_errors:
            field = [str(part) for part in user_error.get("field") or []]
            if "quantities" in field and field.index("quantities") + 1 < len(field):
                index = field[field.index("quantities") + 1]
                if index.isdigit() and int(index) < len(chunk):
                    gid = chunk[int(index)]["id"]
                    results[gid] = storable_text(user_error.get("message") or "refused")
                    refused.add(gid)
        return refused


ADAPTERS[ShopifyAdapter.shop_type] = ShopifyAdapter
