"""The Shopify emulator's GraphQL Admin API: the operations it recognises, and the leaky
bucket that prices and throttles them (see the module ``shopify_emulator`` for what it follows)."""

import base64
import copy
import re
import time

_UPDATED_AT_RE = re.compile(r"updated_at:>=\s*'?([0-9T:\-Z+]+)'?")


class ShopifyGraphQL:
    """The GraphQL side of a :class:`ShopifyEmulator`: :meth:`graphql` answers one call."""

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
