"""Shop refunds as credit notes, split per tax rate and equal to the refund to the cent."""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from odoo import Command, fields, models

from ..exceptions import WebshopImportError
from .billing_webshop_order_importer import _to_float


class BillingWebshopOrderImporter(models.AbstractModel):
    _inherit = "billing.webshop.order.importer"

    # -- refunds ------------------------------------------------------------------------------------

    def _sync_refunds(self, backend, order, binding):
        known = set(binding.refund_ids.mapped("external_id"))
        new_refunds = [refund for refund in order.refunds if refund.external_id not in known]
        if not new_refunds:
            return []
        invoice = self._get_invoice(binding)
        if not invoice:
            sale_order = binding.sale_order_id
            raise WebshopImportError(
                self.env._(
                    "Shop order %(number)s has refund %(refund)s, but %(order)s has no posted invoice to credit "
                    "(%(setting)s is off on webshop %(backend)s, or the invoice is still a draft). Post the "
                    "invoice of %(order)s, then Retry; or credit the refund by hand, then Ignore this event.",
                    number=order.number,
                    refund=new_refunds[0].external_id,
                    order=sale_order.name or "-",
                    setting=self._setting_label(backend, "invoice_on_confirm"),
                    backend=backend.name,
                ),
                kind="order",
                ref=order.number,
                name=sale_order.name or "",
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
            self._sync_refund_stock(backend, order, binding, refund, credit_note)
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
            self._absorb_total_difference(
                backend, credit_note, refund.amount, expected_by_group, number=order.number
            )
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
            self._raise_missing_setting(
                backend,
                "refund_product_id",
                self.env._(
                    "Refund %(refund)s of shop order %(number)s is partial, and webshop %(backend)s has no "
                    "%(setting)s to credit it with.",
                    refund=refund.external_id,
                    number=order.number,
                    backend=backend.name,
                    setting=self._setting_label(backend, "refund_product_id"),
                ),
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
                self._raise_unmapped_tax(backend, order, rate_id, country, refund=refund)
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
                    "Refund %(refund)s of shop order %(number)s names no tax rates, and %(invoice)s has no "
                    "line with a positive amount to split it over. Credit the refund by hand, then Ignore this "
                    "event.",
                    refund=refund.external_id,
                    number=order.number,
                    invoice=invoice.name,
                ),
                kind="order",
                ref=order.number,
                name=invoice.name,
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
