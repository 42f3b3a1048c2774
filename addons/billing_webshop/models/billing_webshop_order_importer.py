"""The order import pipeline: one normalised shop order → partner, sales order, invoice, payment.

Every step is a small method so that a later shop type or a customer addon can extend it with
``super()``. The caller (``billing.webshop.event._process_one``) holds the per-order advisory
lock and a savepoint: any exception leaves the database as it was and puts the event in error.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from odoo import Command, api, models

from ..exceptions import WebshopImportError
from ..webshop.normalize import LINE_KIND_FEE, LINE_KIND_SHIPPING, order_digest

PAID_STATUSES = frozenset({"processing", "completed"})
CANCELLED_STATUSES = frozenset({"cancelled", "failed", "trash"})
# Orders first seen in these states are recorded but create nothing.
NOT_IMPORTED_STATUSES = CANCELLED_STATUSES | {"checkout-draft"}


def _to_float(amount):
    return float(amount)


class BillingWebshopOrderImporter(models.AbstractModel):
    _name = "billing.webshop.order.importer"
    _description = "Webshop Order Import"

    # -- entry point --------------------------------------------------------------------------------

    @api.model
    def _import_payload(self, backend, payload):
        """Import one order payload; return (order binding, what happened as short text)."""
        adapter = backend._get_adapter()
        order = adapter.normalize_order(adapter.full_order(payload))
        digest = order_digest(order)
        Binding = self.env["billing.webshop.order.binding"]
        binding = Binding.search([("backend_id", "=", backend.id), ("external_id", "=", order.external_id)])
        if binding and binding.digest == digest:
            return binding, "unchanged"
        if binding and binding.external_modified_at and order.modified_at < binding.external_modified_at:
            # A late retry carrying an older version of the order: the newer one stays.
            return binding, "stale"
        if not binding:
            binding = Binding.create(self._prepare_binding_vals(backend, order))
            if order.status in NOT_IMPORTED_STATUSES:
                binding.digest = digest
                return binding, "skipped"
            self._create_sale_order(backend, order, binding)
            done = ["created"]
        else:
            done = self._update_sale_order(backend, order, binding)
        done += self._apply_workflow(backend, order, binding)
        binding.write(
            {
                "digest": digest,
                "external_status": order.status,
                "external_modified_at": order.modified_at,
                "shop_total": _to_float(order.total),
            }
        )
        return binding, ", ".join(done) or "updated"

    def _prepare_binding_vals(self, backend, order):
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", order.currency)], limit=1)
        )
        return {
            "backend_id": backend.id,
            "external_id": order.external_id,
            "external_number": order.number,
            "external_status": order.status,
            "external_modified_at": order.modified_at,
            "currency_id": currency.id,
            "shop_total": _to_float(order.total),
        }

    # -- sales order --------------------------------------------------------------------------------

    def _create_sale_order(self, backend, order, binding):
        partner, invoice_address, delivery_address = self._get_partners(backend, order)
        values = self._prepare_sale_order_vals(backend, order, partner, invoice_address, delivery_address)
        values["order_line"] = [Command.create(line) for line in self._prepare_order_lines(backend, order)]
        sale_order = self.env["sale.order"].with_company(backend.company_id).create(values)
        binding.sale_order_id = sale_order
        self._check_total(
            backend,
            order.number,
            order.total,
            sale_order.amount_total,
            sale_order.currency_id,
            # Created in this import: it has no name the user could look up.
            self.env._("The sales order"),
        )
        return sale_order

    def _prepare_sale_order_vals(self, backend, order, partner, invoice_address, delivery_address):
        pricelist = self._get_pricelist(backend, order)
        return {
            "company_id": backend.company_id.id,
            "partner_id": partner.id,
            "partner_invoice_id": invoice_address.id,
            "partner_shipping_id": delivery_address.id,
            "pricelist_id": pricelist.id,
            "team_id": backend.team_id.id,
            "user_id": backend.user_id.id,
            "client_order_ref": order.number,
            "origin": f"{backend.name} {order.number}",
            "date_order": order.created_at,
        }

    def _get_pricelist(self, backend, order):
        pricelist = backend.pricelist_id
        if pricelist.currency_id.name == order.currency:
            return pricelist
        if backend.currency_policy == "any_pricelist":
            pricelist = self.env["product.pricelist"].search(
                [
                    ("currency_id.name", "=", order.currency),
                    ("company_id", "in", (backend.company_id.id, False)),
                ],
                limit=1,
            )
            if pricelist:
                return pricelist
        currency = (
            self.env["res.currency"].with_context(active_test=False).search([("name", "=", order.currency)])
        )
        if currency.active:
            todo = self.env._(
                "Create a pricelist in %(currency)s for %(company)s and set it on the webshop, or set the "
                'webshop\'s Currency Policy to "Any currency with a pricelist of this company", then Retry.',
                currency=order.currency,
                company=backend.company_id.name,
            )
        elif currency:
            todo = self.env._(
                "Activate the currency %(currency)s (Accounting > Configuration > Currencies), create a "
                "pricelist in it for %(company)s and set the webshop's Currency Policy to \"Any currency with a "
                'pricelist of this company", then Retry.',
                currency=order.currency,
                company=backend.company_id.name,
            )
        else:
            todo = self.env._(
                "Odoo knows no currency with the code %(currency)s: check the currency setting of the shop, "
                "then Retry, or Ignore this event.",
                currency=order.currency,
            )
        raise WebshopImportError(
            self.env._(
                "Shop order %(number)s is in %(currency)s, but webshop %(backend)s sells in %(backend_currency)s "
                "(pricelist %(pricelist)s) and has no pricelist in %(currency)s. %(todo)s",
                number=order.number,
                currency=order.currency,
                backend=backend.name,
                backend_currency=backend.pricelist_id.currency_id.name or "-",
                pricelist=backend.pricelist_id.name or "-",
                todo=todo,
            ),
            kind="currency",
            ref=order.currency,
            name=currency.full_name or order.currency,
        )

    def _update_sale_order(self, backend, order, binding):
        """Apply a changed shop order to what is still updatable; return what was done."""
        sale_order = binding.sale_order_id
        if not sale_order:
            # First seen cancelled or as a draft, now a real order.
            if order.status in NOT_IMPORTED_STATUSES:
                return ["skipped"]
            self._create_sale_order(backend, order, binding)
            return ["created"]
        if order.status in CANCELLED_STATUSES:
            return []
        new_lines = self._prepare_order_lines(backend, order)
        if self._lines_signature(new_lines) == self._order_lines_signature(sale_order):
            return []
        if sale_order.state in ("draft", "sent"):
            sale_order.order_line = [Command.clear()] + [Command.create(line) for line in new_lines]
            self._check_total(
                backend,
                order.number,
                order.total,
                sale_order.amount_total,
                sale_order.currency_id,
                sale_order.name,
            )
            return ["lines updated"]
        raise WebshopImportError(
            self.env._(
                "The lines of shop order %(number)s changed in the shop after %(order)s was confirmed in Odoo, "
                "and a confirmed order is never rewritten. Change %(order)s by hand to match the shop, then "
                "Ignore this event.",
                number=order.number,
                order=sale_order.name,
            ),
            kind="order",
            ref=order.number,
            name=sale_order.name,
        )

    @api.model
    def _lines_signature(self, line_vals):
        return sorted(
            (
                vals["product_id"],
                round(vals["product_uom_qty"], 4),
                round(vals["price_unit"], 4),
                tuple(sorted(vals["tax_id"][0][2])),
            )
            for vals in line_vals
        )

    @api.model
    def _order_lines_signature(self, sale_order):
        return sorted(
            (
                line.product_id.id,
                round(line.product_uom_qty, 4),
                round(line.price_unit, 4),
                tuple(sorted(line.tax_id.ids)),
            )
            for line in sale_order.order_line
            if not line.display_type
        )

    # -- lines --------------------------------------------------------------------------------------

    def _prepare_order_lines(self, backend, order):
        """Sales order lines from line totals (never the shop's float unit price).

        A line whose amount is not its quantity times a 2-decimal unit price, and every coupon
        discount, goes into one adjustment line per tax combination, so that the amounts match
        the shop's to the cent instead of a rounded discount percentage missing by one.
        """
        digits = self.env["decimal.precision"].precision_get("Product Price")
        quantum = Decimal(1).scaleb(-digits)
        country = self._get_order_country(order)
        adjustments = defaultdict(Decimal)
        lines = []
        for line in order.lines:
            taxes = self._get_line_taxes(backend, order, line, country)
            product = self._get_line_product(backend, order, line)
            included = self._taxes_price_included(backend, order, line, taxes)
            before = line.subtotal + line.subtotal_tax if included else line.subtotal
            after = line.total + line.total_tax if included else line.total
            quantity = line.quantity if line.quantity else Decimal(1)
            unit_price = (before / quantity).quantize(quantum, rounding=ROUND_HALF_UP)
            lines.append(self._prepare_order_line_vals(backend, line, product, quantity, unit_price, taxes))
            remainder = after - unit_price * quantity
            if remainder:
                adjustments[taxes] += remainder
        for taxes, amount in adjustments.items():
            lines.append(self._prepare_adjustment_line_vals(backend, order, taxes, amount))
        return lines

    def _prepare_order_line_vals(self, backend, line, product, quantity, unit_price, taxes):
        return {
            "product_id": product.id,
            "name": line.name or product.display_name,
            "product_uom_qty": _to_float(quantity),
            "price_unit": _to_float(unit_price),
            "discount": 0.0,
            "tax_id": [Command.set(taxes.ids)],
        }

    def _prepare_adjustment_line_vals(self, backend, order, taxes, amount):
        product = backend.discount_product_id
        codes = ", ".join(coupon.code for coupon in order.coupons)
        if not product:
            self._raise_missing_setting(
                backend,
                "discount_product_id",
                self.env._(
                    "Shop order %(number)s has a coupon discount (%(codes)s) or a rounding difference to the "
                    "cent, and webshop %(backend)s has no %(setting)s to put it on.",
                    number=order.number,
                    codes=codes or "-",
                    backend=backend.name,
                    setting=self._setting_label(backend, "discount_product_id"),
                ),
            )
        name = self.env._("Discount %(codes)s", codes=codes) if codes else self.env._("Rounding difference")
        return {
            "product_id": product.id,
            "name": name,
            "product_uom_qty": 1.0,
            "price_unit": _to_float(amount),
            "discount": 0.0,
            "tax_id": [Command.set(taxes.ids)],
        }

    def _setting_label(self, backend, field_name):
        return backend._fields[field_name]._description_string(self.env)

    def _raise_missing_setting(self, backend, field_name, problem):
        """Raise ``problem`` (a sentence) for an empty webshop field, saying where to fill it."""
        setting = self._setting_label(backend, field_name)
        raise WebshopImportError(
            " ".join(
                (
                    problem,
                    self.env._(
                        "Set %(setting)s on the Sales tab of webshop %(backend)s, then Retry.",
                        setting=setting,
                        backend=backend.name,
                    ),
                )
            ),
            kind="setting",
            ref=field_name,
            name=setting,
        )

    def _taxes_price_included(self, backend, order, line, taxes):
        included = {tax.price_include for tax in taxes}
        if len(included) > 1:
            raise WebshopImportError(
                self.env._(
                    "The tax rates of line %(line)s of shop order %(number)s map to Odoo taxes of which some "
                    "include the price and some do not (%(taxes)s). Correct the Taxes tab of webshop "
                    "%(backend)s so that the rates of one line map to taxes that all include or all exclude "
                    "the price, then Retry.",
                    line=line.name,
                    number=order.number,
                    taxes=", ".join(taxes.mapped("name")),
                    backend=backend.name,
                ),
                kind="setting",
                ref="tax_map_ids",
                name=self._setting_label(backend, "tax_map_ids"),
            )
        return included.pop() if included else False

    def _get_order_country(self, order):
        address = order.shipping_address or order.billing_address
        code = address.country or order.billing_address.country
        return (
            self.env["res.country"].search([("code", "=", code)], limit=1)
            if code
            else self.env["res.country"]
        )

    def _get_line_taxes(self, backend, order, line, country):
        """The Odoo taxes of a shop line, from the backend's tax mapping; error naming the rate."""
        rates = {rate.rate_id: rate for rate in order.tax_rates}
        taxes = self.env["account.tax"]
        for line_tax in line.taxes:
            if not line_tax.total and not line_tax.subtotal:
                # WooCommerce keeps rates that no longer apply to the line with an empty total.
                continue
            rate = rates.get(line_tax.rate_id)
            percent = rate.percent if rate else None
            tax = backend._get_mapped_tax(line_tax.rate_id, percent, country, order.prices_include_tax)
            if not tax:
                self._raise_unmapped_tax(backend, order, line_tax.rate_id, country, line=line)
            taxes |= tax
        return taxes

    def _raise_unmapped_tax(self, backend, order, rate_id, country, line=None, refund=None):
        """Raise the error of a shop tax rate the backend maps to no Odoo tax, naming the rate."""
        rate = next((rate for rate in order.tax_rates if rate.rate_id == rate_id), None)
        percent = rate.percent if rate else None
        label = (rate.label or rate.code) if rate else ""
        values = {
            "number": order.number,
            "label": label or "?",
            "rate_id": rate_id,
            "percent": format(percent.normalize(), "f") if percent is not None else "?",
            "country": country.code or "?",
            "included": self.env._("including") if order.prices_include_tax else self.env._("excluding"),
            "backend": backend.name,
        }
        if refund:
            problem = self.env._(
                'Refund %(refund)s of shop order %(number)s uses shop tax rate "%(label)s" (rate id %(rate_id)s, '
                "%(percent)s %%, %(country)s, prices %(included)s tax), which webshop %(backend)s maps to no "
                "Odoo tax.",
                refund=refund.external_id,
                **values,
            )
        else:
            problem = self.env._(
                'Line "%(line)s" of shop order %(number)s uses shop tax rate "%(label)s" (rate id %(rate_id)s, '
                "%(percent)s %%, %(country)s, prices %(included)s tax), which webshop %(backend)s maps to no "
                "Odoo tax.",
                line=line.name,
                **values,
            )
        todo = self.env._(
            "Map the rate to the Odoo sales tax it is (Map tax rate on this event, or the Taxes tab of the "
            "webshop), then Retry."
        )
        raise WebshopImportError(
            f"{problem} {todo}",
            kind="tax",
            ref=rate_id,
            name=label,
            details={
                "code": rate.code if rate else "",
                "percent": str(percent) if percent is not None else None,
                "country": country.code or False,
                "price_include": order.prices_include_tax,
            },
        )

    def _get_line_product(self, backend, order, line):
        if line.kind == LINE_KIND_SHIPPING and not backend.shipping_product_id:
            self._raise_missing_setting(
                backend,
                "shipping_product_id",
                self.env._(
                    'Shop order %(number)s has the shipping line "%(name)s" (%(method)s), and webshop '
                    "%(backend)s has no %(setting)s to put it on.",
                    number=order.number,
                    name=line.name,
                    method=line.method_id or "-",
                    backend=backend.name,
                    setting=self._setting_label(backend, "shipping_product_id"),
                ),
            )
        if line.kind == LINE_KIND_FEE and not backend.fee_product_id:
            self._raise_missing_setting(
                backend,
                "fee_product_id",
                self.env._(
                    'Shop order %(number)s has the fee line "%(name)s", and webshop %(backend)s has no '
                    "%(setting)s to put it on.",
                    number=order.number,
                    name=line.name,
                    backend=backend.name,
                    setting=self._setting_label(backend, "fee_product_id"),
                ),
            )
        if line.kind == LINE_KIND_SHIPPING:
            return backend.shipping_product_id
        if line.kind == LINE_KIND_FEE:
            return backend.fee_product_id
        return self._get_product(backend, order, line)

    def _get_product(self, backend, order, line):
        """A product line's product: by binding (variation, then product id), then by SKU."""
        Binding = self.env["billing.webshop.product.binding"]
        external_id = line.variation_id or line.product_id
        if external_id:
            binding = Binding.search(
                [("backend_id", "=", backend.id), ("external_id", "=", external_id)], limit=1
            )
            if binding:
                return binding.product_id
        products = self.env["product.product"]
        if line.sku:
            products = products.search(
                [("default_code", "=", line.sku), ("company_id", "in", (backend.company_id.id, False))],
                limit=3,
            )
        if len(products) == 1:
            if external_id:
                Binding.create(
                    {"backend_id": backend.id, "external_id": external_id, "product_id": products.id}
                )
            return products
        self._raise_unknown_product(backend, order, line, products)

    def _raise_unknown_product(self, backend, order, line, products):
        """Raise the error of a product line that matches no Odoo product, or several by SKU."""
        external_id = line.variation_id or line.product_id
        if line.variation_id:
            shop_product = self.env._(
                "%(product)s, variation %(variation)s",
                product=line.product_id or "-",
                variation=line.variation_id,
            )
        else:
            shop_product = line.product_id
        values = {
            "number": order.number,
            "product": shop_product,
            "name": line.name,
            "sku": line.sku,
            "backend": backend.name,
            "company": backend.company_id.name,
        }
        bind = self.env._(
            "Bind it to its Odoo product (Bind product on this event, or Sales > Webshop > Products), then Retry."
        )
        if products:
            problem = self.env._(
                'Line "%(name)s" of shop order %(number)s has the SKU %(sku)s, which several Odoo products of '
                "%(company)s share (%(products)s).",
                products=", ".join(products.mapped("display_name")),
                **values,
            )
            todo = (
                bind
                if external_id
                else self.env._("Give those products different Internal References, then Retry.")
            )
        elif external_id and line.sku:
            problem = self.env._(
                'Shop product %(product)s "%(name)s" (SKU %(sku)s) on shop order %(number)s is bound to no Odoo '
                "product of webshop %(backend)s, and no Odoo product of %(company)s has the SKU %(sku)s.",
                **values,
            )
            todo = self.env._(
                "Bind it to its Odoo product (Bind product on this event, or Sales > Webshop > Products), or give the "
                "Odoo product the Internal Reference %(sku)s, then Retry.",
                sku=line.sku,
            )
        elif external_id:
            problem = self.env._(
                'Shop product %(product)s "%(name)s" on shop order %(number)s has no SKU and is bound to no '
                "Odoo product of webshop %(backend)s.",
                **values,
            )
            todo = bind
        elif line.sku:
            problem = self.env._(
                'Line "%(name)s" of shop order %(number)s names no shop product (it was deleted in the shop), '
                "and no Odoo product of %(company)s has its SKU %(sku)s.",
                **values,
            )
            todo = self.env._(
                "Give the Odoo product the Internal Reference %(sku)s, then Retry.", sku=line.sku
            )
        else:
            raise WebshopImportError(
                self.env._(
                    'Line "%(name)s" of shop order %(number)s names no shop product (it was deleted in the '
                    "shop) and has no SKU, so no Odoo product can be found for it. Enter the order in Odoo by "
                    "hand, then Ignore this event.",
                    **values,
                ),
                kind="order",
                ref=order.number,
                name=line.name,
            )
        raise WebshopImportError(
            f"{problem} {todo}",
            kind="product",
            ref=external_id or "",
            name=line.name,
            details={"sku": line.sku, "product_id": line.product_id, "variation_id": line.variation_id},
        )
