"""The totals of an imported order: Odoo's total checked against the shop's, cent differences absorbed."""

from collections import defaultdict
from decimal import Decimal

from odoo import models
from odoo.tools import float_compare, float_is_zero

from ..exceptions import WebshopImportError
from .billing_webshop_order_importer import _to_float


class BillingWebshopOrderImporter(models.AbstractModel):
    _inherit = "billing.webshop.order.importer"

    # -- totals -------------------------------------------------------------------------------------

    def _check_total(self, backend, number, shop_total, odoo_total, currency, document):
        difference = abs(Decimal(str(currency.round(odoo_total))) - shop_total)
        if difference > Decimal(str(backend.total_tolerance)):
            self._raise_total_error(
                backend,
                number,
                document,
                odoo_total,
                shop_total,
                currency,
                self.env._(
                    "%(document)s totals %(odoo_total)s but shop order %(number)s totals %(shop_total)s "
                    "%(currency)s: the difference %(difference)s is more than the %(tolerance_label)s "
                    "%(tolerance)s of webshop %(backend)s.",
                    document=document,
                    odoo_total=format(odoo_total, ".2f"),
                    number=number,
                    shop_total=format(shop_total, "f"),
                    currency=currency.name,
                    difference=format(difference, "f"),
                    tolerance_label=self._setting_label(backend, "total_tolerance"),
                    tolerance=format(backend.total_tolerance, ".2f"),
                    backend=backend.name,
                ),
            )
        return difference

    def _raise_total_error(self, backend, number, document, odoo_total, shop_total, currency, problem):
        """Raise ``problem`` (a sentence on totals that differ) with what to check."""
        todo = self.env._(
            "Check on the Taxes tab of webshop %(backend)s that each shop tax rate maps to an Odoo tax of the "
            "same rate and the same price-included setting; if the shop only rounds differently, raise "
            "%(tolerance_label)s on its Workflow tab. Then Retry.",
            backend=backend.name,
            tolerance_label=self._setting_label(backend, "total_tolerance"),
        )
        raise WebshopImportError(
            f"{problem} {todo}",
            kind="total",
            ref=number,
            name=document,
            details={
                "odoo_total": format(odoo_total, ".2f"),
                "shop_total": format(shop_total, "f"),
                "currency": currency.name,
            },
        )

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

    def _absorb_total_difference(self, backend, move, expected_total, expected_by_group=None, number=None):
        """Make ``move`` total ``expected_total`` to the cent by editing its tax amounts.

        Within the backend's tolerance, the difference goes into the invoice tax lines (the
        ``tax_totals`` inverse Odoo offers "if you encounter rounding issues"): per tax group to
        the shop's own tax amount when known, any rest on the largest group. Beyond it, error.
        """
        currency = move.currency_id
        number = number or move.ref or ""
        # Created in this import: it has no number the user could look up.
        document = (
            self.env._("The invoice") if move.move_type == "out_invoice" else self.env._("The credit note")
        )
        self._check_total(backend, number, expected_total, move.amount_total, currency, document)
        if currency.compare_amounts(move.amount_total, _to_float(expected_total)) == 0:
            return False
        totals = move.tax_totals
        groups = [group for subtotal in totals["subtotals"] for group in subtotal["tax_groups"]]
        if not groups:
            self._raise_total_error(
                backend,
                number,
                document,
                move.amount_total,
                expected_total,
                currency,
                self.env._(
                    "%(document)s totals %(odoo_total)s but shop order %(number)s totals %(shop_total)s "
                    "%(currency)s, and has no tax amount to absorb the difference of %(difference)s in.",
                    document=document,
                    odoo_total=format(move.amount_total, ".2f"),
                    number=number,
                    shop_total=format(expected_total, "f"),
                    currency=currency.name,
                    difference=format(_to_float(expected_total) - move.amount_total, ".2f"),
                ),
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
            self._raise_total_error(
                backend,
                number,
                document,
                move.amount_total,
                expected_total,
                currency,
                self.env._(
                    "%(document)s still totals %(odoo_total)s after the rounding correction, not the "
                    "%(shop_total)s %(currency)s of shop order %(number)s.",
                    document=document,
                    odoo_total=format(move.amount_total, ".2f"),
                    shop_total=format(expected_total, "f"),
                    currency=currency.name,
                    number=number,
                ),
            )
        return True
