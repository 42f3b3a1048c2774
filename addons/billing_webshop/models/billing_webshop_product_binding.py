import logging
import math

from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.tools import SQL, float_repr, float_round

from ..webshop.adapters import ShopApiError

_logger = logging.getLogger(__name__)

PUSH_BATCH_SIZE = 500  # bindings per cron run; the adapter sends them 100 per request
# Writes to these fields make a bound product dirty (they are what the shop shows).
PUSHED_PRODUCT_FIELDS = frozenset({"name", "description_sale", "default_code", "lst_price", "price_extra"})
PUSHED_TEMPLATE_FIELDS = frozenset({"name", "description_sale", "default_code", "list_price", "taxes_id"})


class BillingWebshopProductBinding(models.Model):
    """A shop product and the Odoo product it is; carries the push state.

    Odoo is the master of name, description, SKU, price and stock. A write to one of those
    fields or a stock change marks the binding ``need_push``; the push cron sends the dirty
    bindings to the shop in batches. The stock figure is only overwritten when the shop still
    shows the figure we last read or wrote (``last_stock_read``): a shop-side change since then
    is recorded as a stock conflict and left alone until someone resolves it.
    """

    _name = "billing.webshop.product.binding"
    _description = "Webshop Product Binding"
    _order = "id desc"
    _rec_name = "external_id"
    _check_company_auto = True

    backend_id = fields.Many2one("billing.webshop.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    external_id = fields.Char(string="Shop Product ID", required=True)
    product_id = fields.Many2one(
        "product.product", required=True, ondelete="cascade", index=True, check_company=True
    )
    default_code = fields.Char(related="product_id.default_code", string="SKU")
    need_push = fields.Boolean(string="To Push", index=True, copy=False)
    push_state = fields.Selection(
        [
            ("synced", "Up to date"),
            ("pending", "To push"),
            ("conflict", "Stock conflict"),
            ("error", "Error"),
        ],
        compute="_compute_push_state",
        store=True,
        index=True,
    )
    last_push = fields.Datetime(readonly=True, copy=False)
    last_stock_read = fields.Integer(
        readonly=True, copy=False, help="The shop's stock quantity when we last read or wrote it."
    )
    stock_read_at = fields.Datetime(
        string="Stock Read At",
        readonly=True,
        copy=False,
        help="When the shop's stock was last read or written.",
    )
    stock_conflict = fields.Boolean(readonly=True, copy=False)
    conflict_shop_stock = fields.Integer(
        string="Stock in Shop", readonly=True, copy=False, help="The shop's stock figure that was left alone."
    )
    conflict_odoo_stock = fields.Integer(
        string="Stock in Odoo", readonly=True, copy=False, help="The figure that was not pushed."
    )
    push_error = fields.Char(readonly=True, copy=False)

    _sql_constraints = [
        ("external_unique", "UNIQUE(backend_id, external_id)", "This shop product is already bound."),
    ]

    @api.depends("need_push", "stock_conflict", "push_error")
    def _compute_push_state(self):
        for binding in self:
            if binding.stock_conflict:
                binding.push_state = "conflict"
            elif binding.push_error:
                binding.push_state = "error"
            elif binding.need_push:
                binding.push_state = "pending"
            else:
                binding.push_state = "synced"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals.setdefault("need_push", True)
        return super().create(vals_list)

    # -- dirty flag -----------------------------------------------------------------------------

    @api.model
    def _mark_products_to_push(self, products):
        """Flag the bindings of ``products`` for the next push (one query when none is bound)."""
        if not products:
            return
        bindings = (
            self.sudo()
            .with_context(active_test=False)
            .search([("product_id", "in", products.ids), ("need_push", "=", False)])
        )
        if bindings:
            bindings.need_push = True

    # -- buttons --------------------------------------------------------------------------------

    def action_push_now(self):
        """Push the selected bindings to the shop now, whether they changed or not."""
        ensure_records(self)
        self.check_access("write")
        self.need_push = True
        self._push()
        pushed = self.filtered(lambda binding: binding.push_state == "synced")
        problems = self - pushed
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if problems else "success",
                "message": self.env._(
                    "%(pushed)s products pushed, %(problems)s with a stock conflict or an error.",
                    pushed=len(pushed),
                    problems=len(problems),
                ),
                # Show the new push states in the list or form the button was clicked in.
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_overwrite_shop_stock(self):
        """Resolve a stock conflict in Odoo's favour: the next push overwrites the shop's figure."""
        ensure_records(self)
        return self._resolve_stock_conflict(push_odoo_stock=True)

    def action_accept_shop_stock(self):
        """Resolve a stock conflict in the shop's favour: keep its figure as the one last read."""
        ensure_records(self)
        return self._resolve_stock_conflict(push_odoo_stock=False)

    def _resolve_stock_conflict(self, push_odoo_stock):
        # Either way the shop's figure becomes the one last read; only pushing Odoo's differs.
        self.check_access("write")
        now = fields.Datetime.now()
        for binding in self.filtered("stock_conflict"):
            values = {
                "last_stock_read": binding.conflict_shop_stock,
                "stock_read_at": now,
                "stock_conflict": False,
                "push_error": False,
            }
            if push_odoo_stock:
                values["need_push"] = True
            binding.write(values)
        return True

    # -- push -----------------------------------------------------------------------------------

    @api.model
    def _cron_push_products(self, batch_size=PUSH_BATCH_SIZE):
        """Push dirty bindings of the backends that push; claim them with FOR UPDATE SKIP LOCKED."""
        domain = [
            ("need_push", "=", True),
            ("backend_id.push_enabled", "=", True),
            ("backend_id.active", "=", True),
        ]
        candidates = self.search(domain, order="id", limit=batch_size + 1)
        if not candidates:
            return
        self.env.cr.execute(
            SQL(
                "SELECT id FROM billing_webshop_product_binding WHERE id IN %s AND need_push "
                "ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
                tuple(candidates.ids),
                batch_size,
            )
        )
        claimed = self.browse([row[0] for row in self.env.cr.fetchall()])
        claimed._push()
        remaining = self.search_count([*domain, ("id", "not in", claimed.ids)])
        self.env["ir.cron"]._notify_progress(done=len(claimed), remaining=remaining)
        if remaining:
            self._trigger_push()

    @api.model
    def _trigger_push(self):
        cron = self.env.ref("billing_webshop.ir_cron_push_products", raise_if_not_found=False)
        if cron:
            cron._trigger()

    def _push(self):
        """Send these bindings' products to their shops; results are stored, never raised."""
        for backend, bindings in self.grouped("backend_id").items():
            bindings.with_company(backend.company_id)._push_backend(backend.with_company(backend.company_id))

    def _push_backend(self, backend):
        adapter = backend._get_adapter()
        if not adapter.supports_push:
            self.write(
                {
                    "push_error": self.env._(
                        "%(backend)s shops take no product updates.", backend=backend.shop_type
                    )
                }
            )
            return
        shop_products = {}
        try:
            if backend.push_stock:
                shop_products = adapter.read_products(self.mapped("external_id"))
        except ShopApiError as error:
            self._push_failed(backend, str(error))
            return
        odoo_stock = self._get_stock_to_push(backend) if backend.push_stock else {}
        prices = self._get_prices_to_push(backend)
        now = fields.Datetime.now()
        updates, pushed_stock, results = [], {}, {}
        for binding in self:
            vals = binding._prepare_push_vals(backend, prices[binding.id])
            if backend.push_stock:
                shop_product = shop_products.get(binding.external_id)
                if shop_product is None:
                    results[binding] = {
                        "push_error": self.env._(
                            "Product %(id)s is not in the shop (any more).", id=binding.external_id
                        )
                    }
                    continue
                shop_stock = shop_product.get("stock_quantity")
                stock = odoo_stock[binding.id]
                if binding.stock_read_at:
                    # The shop sold or someone edited the figure since we last saw it.
                    stale = shop_stock != binding.last_stock_read
                else:
                    # Never read: only a shop without a figure yet, or with Odoo's, is safe.
                    stale = shop_stock is not None and shop_stock != stock
                if stale:
                    # Never overwrite it blindly: keep everything but the stock.
                    results[binding] = {
                        "stock_conflict": True,
                        "conflict_shop_stock": int(shop_stock or 0),
                        "conflict_odoo_stock": stock,
                    }
                else:
                    vals.update(binding._prepare_push_stock_vals(stock))
                    pushed_stock[binding.external_id] = stock
            updates.append(vals)
        answers = {}
        if updates:
            try:
                answers = adapter.push_products(updates)
            except ShopApiError as error:
                self._push_failed(backend, str(error))
                return
        for binding in self:
            values = results.get(binding, {})
            if "push_error" in values:
                values.update(need_push=False)
            elif binding.external_id not in answers:
                values = {"push_error": self.env._("The shop did not answer for this product.")}
            elif answers[binding.external_id]:
                values = {"push_error": answers[binding.external_id][:255]}
            else:
                values.update(need_push=False, push_error=False, last_push=now)
                if binding.external_id in pushed_stock:
                    values.update(
                        last_stock_read=pushed_stock[binding.external_id],
                        stock_read_at=now,
                        stock_conflict=False,
                    )
            binding.write(values)
        conflicts = self.filtered(lambda binding: "stock_conflict" in results.get(binding, {}))
        if conflicts:
            backend.message_post(
                body=self.env._(
                    "Stock not pushed for %(count)s products changed in the shop since it was last "
                    "read: %(products)s. Resolve the conflicts on the webshop products.",
                    count=len(conflicts),
                    products=", ".join(conflicts.mapped(lambda b: b.default_code or b.external_id)),
                )
            )

    def _push_failed(self, backend, message):
        _logger.info("webshop %s: product push failed: %s", backend.name, message)
        self.write({"push_error": message[:255]})

    def _get_stock_to_push(self, backend):
        """{binding id: whole free quantity} in the backend's stock location (never on hand)."""
        context = {"location": backend.stock_location_id.id} if backend.stock_location_id else {}
        products = self.product_id.with_context(**context)
        # free_qty is computed from the quants without dependencies: never trust a cached value.
        products.invalidate_recordset(["free_qty"])
        free = {product.id: product.free_qty for product in products}
        return {binding.id: max(0, math.floor(free[binding.product_id.id])) for binding in self}

    def _get_prices_to_push(self, backend):
        """{binding id: price} from the backend's pricelist, with tax when the shop wants it."""
        pricelist = backend.pricelist_id
        currency = pricelist.currency_id or backend.company_id.currency_id
        products = self.product_id
        if pricelist:
            base = pricelist._get_products_price(products, 1.0)
        else:
            base = {product.id: product.lst_price for product in products}
        prices = {}
        for binding in self:
            product = binding.product_id
            price = base[product.id]
            if backend.push_price_include_tax:
                taxes = product.taxes_id.filtered(lambda tax: tax.company_id == backend.company_id)
                price = taxes.compute_all(price, currency, 1.0, product=product)["total_included"]
            prices[binding.id] = float_repr(
                float_round(price, precision_rounding=currency.rounding), currency.decimal_places
            )
        return prices

    def _prepare_push_vals(self, backend, price):
        """The fields of one product update: WooCommerce's (``price`` is read-only there), or
        Shopify's variant (price, SKU) with its product's title and description."""
        self.ensure_one()
        product = self.product_id
        if backend.shop_type == "shopify":
            return {
                "id": self.external_id,
                "price": price,
                "sku": product.default_code or "",
                "title": product.name,
                "description": product.description_sale or "",
            }
        return {
            "id": int(self.external_id),
            "name": product.name,
            "description": product.description_sale or "",
            "sku": product.default_code or "",
            "regular_price": price,
        }

    def _prepare_push_stock_vals(self, quantity):
        return {"manage_stock": True, "stock_quantity": quantity}
