"""The order import pipeline: one normalised shop order → partner, sales order, invoice, payment.

Every step is a small method so that a later shop type or a customer addon can extend it with
``super()``. The caller (``billing.webshop.event._process_one``) holds the per-order advisory
lock and a savepoint: any exception leaves the database as it was and puts the event in error.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from odoo import Command, api, fields, models
from odoo.tools import float_compare, float_is_zero

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
        order = backend._get_adapter().normalize_order(payload)
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
            sale_order.name,
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
        raise WebshopImportError(
            self.env._(
                "Shop order %(number)s is in %(currency)s, and webshop %(backend)s has no pricelist in that currency.",
                number=order.number,
                currency=order.currency,
                backend=backend.name,
            )
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
                "The lines of shop order %(number)s changed after %(order)s was confirmed; "
                "change the sales order by hand, then ignore this event.",
                number=order.number,
                order=sale_order.name,
            )
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
            included = self._taxes_price_included(order, line, taxes)
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
        if not product:
            raise WebshopImportError(
                self.env._("Webshop %(backend)s has no discount product.", backend=backend.name)
            )
        codes = ", ".join(coupon.code for coupon in order.coupons)
        name = self.env._("Discount %(codes)s", codes=codes) if codes else self.env._("Rounding difference")
        return {
            "product_id": product.id,
            "name": name,
            "product_uom_qty": 1.0,
            "price_unit": _to_float(amount),
            "discount": 0.0,
            "tax_id": [Command.set(taxes.ids)],
        }

    def _taxes_price_included(self, order, line, taxes):
        included = {tax.price_include for tax in taxes}
        if len(included) > 1:
            raise WebshopImportError(
                self.env._(
                    "Shop order %(number)s: line %(line)s maps to taxes both included and excluded in the price.",
                    number=order.number,
                    line=line.name,
                )
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
                raise WebshopImportError(
                    self.env._(
                        "No tax mapping for shop tax rate %(rate)s (rate id %(rate_id)s, %(percent)s %%) in "
                        "%(country)s with prices %(included)s tax, on shop order %(number)s.",
                        rate=(rate.label or rate.code) if rate else "?",
                        rate_id=line_tax.rate_id,
                        percent=format(percent.normalize(), "f") if percent is not None else "?",
                        country=country.code or "?",
                        included=self.env._("including")
                        if order.prices_include_tax
                        else self.env._("excluding"),
                        number=order.number,
                    )
                )
            taxes |= tax
        return taxes

    def _get_line_product(self, backend, order, line):
        if line.kind == LINE_KIND_SHIPPING:
            product = backend.shipping_product_id
        elif line.kind == LINE_KIND_FEE:
            product = backend.fee_product_id
        else:
            product = self._get_product(backend, order, line)
        if not product:
            raise WebshopImportError(
                self.env._(
                    "Webshop %(backend)s has no product for %(kind)s lines.",
                    backend=backend.name,
                    kind=line.kind,
                )
            )
        return product

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
                limit=2,
            )
        if len(products) > 1:
            raise WebshopImportError(
                self.env._(
                    "Several products have SKU %(sku)s (%(name)s, shop order %(number)s).",
                    sku=line.sku,
                    name=line.name,
                    number=order.number,
                )
            )
        if not products and not line.sku:
            raise WebshopImportError(
                self.env._(
                    "Unknown shop product %(product)s without SKU (%(name)s, shop order %(number)s).",
                    product=external_id or "-",
                    name=line.name,
                    number=order.number,
                )
            )
        if not products:
            raise WebshopImportError(
                self.env._(
                    "Unknown product SKU %(sku)s (%(name)s, shop order %(number)s).",
                    sku=line.sku or "-",
                    name=line.name,
                    number=order.number,
                )
            )
        if external_id:
            Binding.create({"backend_id": backend.id, "external_id": external_id, "product_id": products.id})
        return products

    # -- customers ----------------------------------------------------------------------------------

    def _get_partners(self, backend, order):
        """Return (customer, invoice address, delivery address) for the order."""
        partner = self._get_customer(backend, order)
        # The checkout's e-mail belongs to the billing block: invoices go to it.
        invoice_address = self._get_address(
            partner, order.billing_address, "invoice", email=order.customer.email
        )
        delivery_address = self._get_address(
            partner, order.shipping_address or order.billing_address, "delivery"
        )
        return partner, invoice_address, delivery_address

    def _get_customer(self, backend, order):
        """Match: customer binding → VAT → normalised e-mail → create. Never by name."""
        customer = order.customer
        Partner = self.env["res.partner"].with_context(active_test=False)
        PartnerBinding = self.env["billing.webshop.partner.binding"]
        if customer.external_id:
            binding = PartnerBinding.search(
                [("backend_id", "=", backend.id), ("external_id", "=", customer.external_id)], limit=1
            )
            if binding:
                return binding.partner_id.commercial_partner_id
        domain = [("company_id", "in", (backend.company_id.id, False))]
        excluded = set()
        if customer.external_id:
            # A partner already bound to another shop account is someone else.
            others = PartnerBinding.search(
                [("backend_id", "=", backend.id), ("external_id", "!=", customer.external_id)]
            )
            excluded = set(others.partner_id.ids)
        partner = Partner.browse()
        for step_domain in self._customer_match_domains(customer):
            candidates = Partner.search(domain + step_domain, order="parent_id desc, id")
            candidates = candidates.commercial_partner_id.filtered(lambda p: p.id not in excluded)
            if candidates:
                partner = candidates[0]
                break
        if not partner:
            partner = Partner.create(self._prepare_customer_vals(backend, order))
        if customer.external_id:
            PartnerBinding.create(
                {"backend_id": backend.id, "external_id": customer.external_id, "partner_id": partner.id}
            )
        return partner

    def _customer_match_domains(self, customer):
        domains = []
        if customer.vat:
            domains.append([("vat", "=ilike", customer.vat)])
        if customer.email:
            domains.append([("email_normalized", "=", customer.email)])
        return domains

    def _prepare_customer_vals(self, backend, order):
        customer = order.customer
        values = self._prepare_address_vals(order.billing_address)
        values.update(
            {
                "name": customer.company or customer.name or customer.email,
                "is_company": bool(customer.company),
                "email": customer.email,
                "phone": customer.phone or False,
                "vat": customer.vat or False,
                "company_id": False,
                "customer_rank": 1,
            }
        )
        return values

    def _prepare_address_vals(self, address):
        country = (
            self.env["res.country"].search([("code", "=", address.country)], limit=1)
            if address.country
            else None
        )
        state = self.env["res.country.state"]
        if country and address.state:
            state = state.search([("country_id", "=", country.id), ("code", "=", address.state)], limit=1)
        return {
            "name": address.name or address.company,
            "street": address.street or False,
            "street2": address.street2 or False,
            "zip": address.zip or False,
            "city": address.city or False,
            "state_id": state.id or False,
            "country_id": country.id if country else False,
        }

    @api.model
    def _address_key(self, values):
        def clean(value):
            return " ".join(str(value or "").lower().split())

        return tuple(
            clean(values.get(name))
            for name in ("name", "street", "street2", "zip", "city", "state_id", "country_id")
        )

    def _get_address(self, partner, address, address_type, email=None):
        """A child contact of ``partner`` for ``address``, reused when identical."""
        values = self._prepare_address_vals(address)
        key = self._address_key(values)
        for child in partner.child_ids.filtered(lambda c: c.type == address_type):
            child_values = {
                "name": child.name,
                "street": child.street,
                "street2": child.street2,
                "zip": child.zip,
                "city": child.city,
                "state_id": child.state_id.id or False,
                "country_id": child.country_id.id or False,
            }
            if self._address_key(child_values) == key:
                return child
        values.update(
            {
                "parent_id": partner.id,
                "type": address_type,
                "phone": address.phone or False,
                "email": email or False,
            }
        )
        return self.env["res.partner"].create(values)

    # -- totals -------------------------------------------------------------------------------------

    def _check_total(self, backend, number, shop_total, odoo_total, currency, document):
        difference = abs(Decimal(str(currency.round(odoo_total))) - shop_total)
        if difference > Decimal(str(backend.total_tolerance)):
            raise WebshopImportError(
                self.env._(
                    "%(document)s totals %(odoo_total)s but shop order %(number)s totals %(shop_total)s: the "
                    "difference %(difference)s is more than the tolerance %(tolerance)s.",
                    document=document,
                    odoo_total=format(odoo_total, ".2f"),
                    number=number,
                    shop_total=format(shop_total, "f"),
                    difference=format(difference, "f"),
                    tolerance=format(backend.total_tolerance, ".2f"),
                )
            )
        return difference

    def _expected_tax_by_group(self, backend, order):
        """The shop's tax per Odoo tax group, when every shop rate maps to a single tax."""
        country = self._get_order_country(order)
        expected = defaultdict(Decimal)
        for rate in order.tax_rates:
            tax = backend._get_mapped_tax(rate.rate_id, rate.percent, country, order.prices_include_tax)
            if not tax:
                return None
            expected[tax.tax_group_id.id] += rate.tax_total + rate.shipping_tax_total
        return expected

    def _absorb_total_difference(self, backend, move, expected_total, expected_by_group=None):
        """Make ``move`` total ``expected_total`` to the cent by editing its tax amounts.

        Within the backend's tolerance, the difference goes into the invoice tax lines (the
        ``tax_totals`` inverse Odoo offers "if you encounter rounding issues"): per tax group to
        the shop's own tax amount when known, any rest on the largest group. Beyond it, error.
        """
        currency = move.currency_id
        self._check_total(
            backend, move.ref or "", expected_total, move.amount_total, currency, move.name or move.ref
        )
        if currency.compare_amounts(move.amount_total, _to_float(expected_total)) == 0:
            return False
        totals = move.tax_totals
        groups = [group for subtotal in totals["subtotals"] for group in subtotal["tax_groups"]]
        if not groups:
            raise WebshopImportError(
                self.env._(
                    "%(document)s misses the shop total by %(difference)s and has no tax to absorb it.",
                    document=move.name or move.ref,
                    difference=format(_to_float(expected_total) - move.amount_total, ".2f"),
                )
            )
        if expected_by_group:
            for group in groups:
                if group["id"] in expected_by_group:
                    group["tax_amount_currency"] = _to_float(expected_by_group[group["id"]])
        rest = currency.round(
            _to_float(expected_total)
            - totals["base_amount_currency"]
            - sum(group["tax_amount_currency"] for group in groups)
        )
        if not float_is_zero(rest, precision_rounding=currency.rounding):
            largest = max(groups, key=lambda group: abs(group["tax_amount_currency"]))
            largest["tax_amount_currency"] = currency.round(largest["tax_amount_currency"] + rest)
        move.tax_totals = totals
        if float_compare(move.amount_total, _to_float(expected_total), precision_rounding=currency.rounding):
            raise WebshopImportError(
                self.env._(
                    "%(document)s totals %(odoo_total)s after the rounding correction instead of %(shop_total)s.",
                    document=move.name or move.ref,
                    odoo_total=format(move.amount_total, ".2f"),
                    shop_total=format(expected_total, "f"),
                )
            )
        return True

    # -- workflow -----------------------------------------------------------------------------------

    @api.model
    def _is_paid(self, order):
        return order.paid_at is not None or order.status in PAID_STATUSES

    def _apply_workflow(self, backend, order, binding):
        """Confirm, invoice, pay, cancel and credit as the backend's policy says."""
        sale_order = binding.sale_order_id
        if not sale_order:
            return []
        done = []
        if order.status in CANCELLED_STATUSES:
            return self._cancel_order(backend, order, binding)
        paid = self._is_paid(order)
        if sale_order.state in ("draft", "sent") and (backend.confirm_policy == "always" or paid):
            sale_order.action_confirm()
            # Confirmation stamps "now"; the shop's order date is the real one.
            sale_order.date_order = order.created_at
            if backend.send_confirmation:
                sale_order._send_order_confirmation_mail()
            done.append("confirmed")
        invoice = self._get_invoice(binding)
        if sale_order.state == "sale" and backend.invoice_on_confirm and not invoice:
            invoice = self._create_invoice(backend, order, binding)
            done.append(f"invoiced {invoice.name}")
        can_pay = invoice and paid and backend.register_payment and not binding.payment_ids
        if can_pay and self._register_payment(backend, order, binding, invoice):
            done.append("paid")
        done += self._sync_refunds(backend, order, binding)
        return done

    @api.model
    def _get_invoice(self, binding):
        return binding.sale_order_id.invoice_ids.filtered(
            lambda move: move.move_type == "out_invoice" and move.state == "posted"
        )[:1]

    def _create_invoice(self, backend, order, binding):
        invoice = binding.sale_order_id._create_invoices()
        invoice.ref = order.number
        self._absorb_total_difference(
            backend, invoice, order.total, self._expected_tax_by_group(backend, order)
        )
        invoice.action_post()
        return invoice

    def _get_gateway(self, backend, order):
        gateway = backend.payment_method_ids.filtered(lambda method: method.code == order.payment_method)
        if not gateway:
            raise WebshopImportError(
                self.env._(
                    "Shop order %(number)s was paid with gateway %(gateway)s, which webshop %(backend)s has "
                    "no journal for.",
                    number=order.number,
                    gateway=order.payment_method or "-",
                    backend=backend.name,
                )
            )
        return gateway

    def _register_payment(self, backend, order, binding, invoice):
        gateway = self._get_gateway(backend, order)
        if not gateway.register_payment or invoice.payment_state in ("paid", "in_payment"):
            return False
        payments = self._pay_move(gateway, order, invoice, invoice.amount_residual)
        binding.write(
            {
                "payment_ids": [Command.link(payment.id) for payment in payments],
                "transaction_id": order.transaction_id,
            }
        )
        return True

    def _pay_move(self, gateway, order, move, amount):
        paid_at = order.paid_at or order.created_at
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create(
                {
                    "journal_id": gateway.journal_id.id,
                    "payment_date": fields.Date.to_date(paid_at),
                    "amount": amount,
                    "communication": " ".join(filter(None, (order.number, order.transaction_id))),
                }
            )
        )
        return wizard._create_payments()

    def _cancel_order(self, backend, order, binding):
        sale_order = binding.sale_order_id
        if sale_order.state == "cancel":
            return []
        delivered = any(picking.state == "done" for picking in sale_order.picking_ids)
        if self._get_invoice(binding) or delivered:
            raise WebshopImportError(
                self.env._(
                    "Shop order %(number)s was cancelled in the shop, but %(order)s is already invoiced or "
                    "delivered: refund it in the shop (a refund becomes a credit note) or handle it by hand.",
                    number=order.number,
                    order=sale_order.name,
                )
            )
        sale_order._action_cancel()
        return ["cancelled"]

    # -- refunds ------------------------------------------------------------------------------------

    def _sync_refunds(self, backend, order, binding):
        known = set(binding.refund_ids.mapped("external_id"))
        new_refunds = [refund for refund in order.refunds if refund.external_id not in known]
        if not new_refunds:
            return []
        invoice = self._get_invoice(binding)
        if not invoice:
            raise WebshopImportError(
                self.env._(
                    "Shop order %(number)s has a refund but no posted invoice to credit.", number=order.number
                )
            )
        done = []
        for refund in new_refunds:
            credit_note = self._create_credit_note(backend, order, binding, invoice, refund)
            self.env["billing.webshop.refund.binding"].create(
                {
                    "order_binding_id": binding.id,
                    "external_id": refund.external_id,
                    "amount": _to_float(refund.amount),
                    "move_id": credit_note.id,
                }
            )
            if self._is_paid(order) and backend.register_payment:
                gateway = self._get_gateway(backend, order)
                if gateway.register_payment:
                    self._pay_move(gateway, order, credit_note, credit_note.amount_residual)
            done.append(f"credited {credit_note.name}")
        return done

    def _create_credit_note(self, backend, order, binding, invoice, refund):
        """A full refund reverses the invoice; a partial one credits its amount per tax rate."""
        reason = refund.reason or self.env._("Shop refund %(refund)s", refund=refund.external_id)
        already = sum(binding.refund_ids.mapped("amount"))
        if (
            not already
            and invoice.currency_id.compare_amounts(invoice.amount_total, _to_float(refund.amount)) == 0
        ):
            credit_note = invoice._reverse_moves(
                [{"ref": reason, "invoice_date": fields.Date.context_today(self)}]
            )
        else:
            prices = self._get_refund_line_prices(backend, order, invoice, refund)
            credit_note = self.env["account.move"].create(
                self._prepare_partial_credit_note_vals(backend, order, invoice, refund, reason, prices)
            )
            # Each rate's tax is what makes its line total its share of the refund, to the cent.
            expected_by_group = defaultdict(Decimal)
            for taxes, amount, _price, base in prices:
                if len(taxes.tax_group_id) == 1:
                    expected_by_group[taxes.tax_group_id.id] += amount - base
            self._absorb_total_difference(backend, credit_note, refund.amount, expected_by_group)
        credit_note.action_post()
        return credit_note

    def _prepare_partial_credit_note_vals(self, backend, order, invoice, refund, reason, prices=None):
        """A credit note with one refund line per combination of taxes, summing to the refund.

        The refund's own lines give the split per tax rate when the shop sends them (a
        WooCommerce refund object); what they do not explain (an amount-only refund, "refund
        manually" of a sum) is split over the invoice's tax combinations in proportion to their
        amounts with tax, as a discount on the whole order would be, to the cent.
        """
        if not backend.refund_product_id:
            raise WebshopImportError(
                self.env._("Webshop %(backend)s has no refund product.", backend=backend.name)
            )
        if prices is None:
            prices = self._get_refund_line_prices(backend, order, invoice, refund)
        line_vals = []
        for taxes, _amount, price, _base in prices:
            line_vals.append(
                Command.create(
                    {
                        "product_id": backend.refund_product_id.id,
                        "name": reason,
                        "quantity": 1.0,
                        "price_unit": _to_float(price),
                        "tax_ids": [Command.set(taxes.ids)],
                    }
                )
            )
        return {
            "move_type": "out_refund",
            "partner_id": invoice.partner_id.id,
            "company_id": invoice.company_id.id,
            "currency_id": invoice.currency_id.id,
            "journal_id": invoice.journal_id.id,
            "reversed_entry_id": invoice.id,
            "invoice_origin": invoice.invoice_origin,
            "ref": reason,
            "invoice_line_ids": line_vals,
        }

    def _get_refund_line_prices(self, backend, order, invoice, refund):
        """[(taxes, amount with tax, line price, base)] of a partial refund's credit note lines."""
        prices = []
        for taxes, amount in self._split_refund_by_taxes(backend, order, invoice, refund):
            rate = sum(Decimal(str(tax.amount)) for tax in taxes if tax.amount_type == "percent")
            base = (amount / (1 + rate / 100)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            price = amount if taxes and all(taxes.mapped("price_include")) else base
            prices.append((taxes, amount, price, base))
        return prices

    def _split_refund_by_taxes(self, backend, order, invoice, refund):
        """Return [(account.tax recordset, Decimal amount with tax)] summing to ``refund.amount``."""
        country = self._get_order_country(order)
        amounts = defaultdict(Decimal)
        for rate_ids, amount in refund.amounts_by_rates:
            taxes = self._get_rate_taxes(backend, order, country, rate_ids, refund)
            amounts[taxes] += amount.quantize(Decimal("0.01"), ROUND_HALF_UP)
        rest = refund.amount - sum(amounts.values(), Decimal(0))
        if rest:
            for taxes, amount in self._allocate_by_invoice_taxes(invoice, rest, refund, order):
                amounts[taxes] += amount
        return [(taxes, amount) for taxes, amount in amounts.items() if amount]

    def _get_rate_taxes(self, backend, order, country, rate_ids, refund):
        taxes = self.env["account.tax"]
        for rate_id in rate_ids:
            rate = next((rate for rate in order.tax_rates if rate.rate_id == rate_id), None)
            tax = backend._get_mapped_tax(
                rate_id, rate.percent if rate else None, country, order.prices_include_tax
            )
            if not tax:
                raise WebshopImportError(
                    self.env._(
                        "Shop refund %(refund)s on order %(number)s uses tax rate %(rate)s, which has no "
                        "tax mapping.",
                        refund=refund.external_id,
                        number=order.number,
                        rate=rate_id,
                    )
                )
            taxes |= tax
        return taxes

    def _allocate_by_invoice_taxes(self, invoice, amount, refund, order):
        """Split ``amount`` over the invoice's tax combinations pro rata, largest remainder."""
        weights = defaultdict(Decimal)
        for line in invoice.invoice_line_ids.filtered(lambda line: line.display_type == "product"):
            weights[line.tax_ids] += Decimal(str(line.price_total))
        weights = {taxes: weight for taxes, weight in weights.items() if weight > 0}
        total = sum(weights.values(), Decimal(0))
        if not total:
            raise WebshopImportError(
                self.env._(
                    "Shop refund %(refund)s on order %(number)s cannot be split: the invoice has no positive lines.",
                    refund=refund.external_id,
                    number=order.number,
                )
            )
        cent = Decimal("0.01")
        cents = int((amount / cent).to_integral_value(ROUND_HALF_UP))
        sign = 1 if cents >= 0 else -1
        exact = {taxes: abs(cents) * weight / total for taxes, weight in weights.items()}
        shares = {taxes: int(value) for taxes, value in exact.items()}
        left = abs(cents) - sum(shares.values())
        # Hand the cents left over to the largest fractional parts (ties: the larger weight).
        for taxes in sorted(exact, key=lambda t: (exact[t] - shares[t], weights[t]), reverse=True)[:left]:
            shares[taxes] += 1
        return [(taxes, sign * share * cent) for taxes, share in shares.items() if share]
