"""The products batch endpoint of the WooCommerce emulator (``POST /products/batch``): create,
update and delete, each item answered on its own, within WooCommerce's batch limit."""

import copy
import json
import re

from .woo_emulator_wire import (
    BATCH_LIMIT,
    _ApiError,
    _format_date,
    _invalid_param,
    _Response,
)


class WooProducts:
    """The products a :class:`WooEmulator` creates, updates and deletes in batches."""

    # -- products batch ---------------------------------------------------------------------------

    def _batch_products(self, body):
        try:
            request = json.loads(body or b"{}")
        except ValueError as error:
            raise _ApiError(
                400,
                "rest_invalid_json",
                "Invalid JSON body passed.",
                json_error_code=4,
                json_error_message=str(error),
            ) from None
        if not isinstance(request, dict):
            request = {}
        for action in ("create", "update", "delete"):
            if action in request and not isinstance(request[action], list):
                raise _invalid_param(action, f"{action} is not of type array.", "rest_invalid_type")
        # array_filter() in batch_items() drops empty lists, and only filled actions answer.
        actions = {
            action: request[action] for action in ("create", "update", "delete") if request.get(action)
        }
        if sum(len(items) for items in actions.values()) > BATCH_LIMIT:
            raise _ApiError(
                413,
                "woocommerce_rest_request_entity_too_large",
                f"Unable to accept more than {BATCH_LIMIT} items for this request.",
            )
        response = {}
        for item in actions.get("create", []):
            response.setdefault("create", []).append(self._batch_item(0, self._create_product, item))
        for item in actions.get("update", []):
            item_id = item.get("id", 0) if isinstance(item, dict) else 0
            response.setdefault("update", []).append(self._batch_item(item_id, self._update_product, item))
        for raw_id in actions.get("delete", []):
            product_id = abs(int(raw_id)) if str(raw_id).lstrip("-").isdigit() else 0
            if product_id == 0:
                continue
            response.setdefault("delete", []).append(
                self._batch_item(product_id, self._delete_product, product_id)
            )
        # PHP encodes an empty array() as [], not {}.
        return _Response(200, response or [])

    @staticmethod
    def _batch_item(item_id, operation, argument):
        try:
            return operation(argument)
        except _ApiError as error:
            return {"id": item_id, "error": error.body}

    def _check_unique_sku(self, sku, product_id):
        if not sku:
            return
        for other in self.products.values():
            if other.get("sku") == sku and other["id"] != product_id:
                raise _ApiError(
                    400, "product_invalid_sku", "Invalid or duplicated SKU.", resource_id=other["id"]
                )

    def _apply_product_fields(self, product, fields):
        for name, value in fields.items():
            if name != "id":
                product[name] = copy.deepcopy(value)
        # "price" is read-only: WooCommerce derives it from the sale and regular prices.
        product["price"] = product.get("sale_price") or product.get("regular_price") or ""
        if product.get("manage_stock") and product.get("stock_quantity") is not None:
            if int(product["stock_quantity"]) > 0:
                product["stock_status"] = "instock"
            elif product.get("backorders", "no") != "no":
                product["stock_status"] = "onbackorder"
            else:
                product["stock_status"] = "outofstock"
        now = self.now()
        product["date_modified_gmt"] = _format_date(now)
        product["date_modified"] = _format_date(now + self.utc_offset)

    def _create_product(self, fields):
        if not isinstance(fields, dict):
            raise _ApiError(400, "rest_invalid_param", "Invalid parameter(s): create")
        if fields.get("id"):
            raise _ApiError(400, "woocommerce_rest_product_exists", "Cannot create existing product.")
        self._check_unique_sku(fields.get("sku") or "", None)
        product_id = max(self._next_product_id, max(self.products, default=0) + 1)
        self._next_product_id = product_id + 1
        now = self.now()
        name = fields.get("name") or ""
        product = {
            "id": product_id,
            "name": name,
            "slug": re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"),
            "permalink": "",
            "date_created": _format_date(now + self.utc_offset),
            "date_created_gmt": _format_date(now),
            "type": "simple",
            "status": "publish",
            "sku": "",
            "price": "",
            "regular_price": "",
            "sale_price": "",
            "tax_status": "taxable",
            "tax_class": "",
            "manage_stock": False,
            "stock_quantity": None,
            "stock_status": "instock",
            "backorders": "no",
            "meta_data": [],
        }
        self._apply_product_fields(product, fields)
        product["permalink"] = f"{self.base_url}/product/{product['slug'] or product_id}/"
        self.products[product_id] = product
        return copy.deepcopy(product)

    def _update_product(self, fields):
        raw_id = fields.get("id") if isinstance(fields, dict) else None
        product_id = int(raw_id) if str(raw_id).isdigit() else 0
        if product_id not in self.products:
            raise _ApiError(400, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        if "sku" in fields:
            self._check_unique_sku(fields.get("sku") or "", product_id)
        product = self.products[product_id]
        self._apply_product_fields(product, fields)
        return copy.deepcopy(product)

    def _delete_product(self, product_id):
        # Batch deletes are forced (no trash), and answer with the product as it was.
        if product_id not in self.products:
            raise _ApiError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        return self.products.pop(product_id)
