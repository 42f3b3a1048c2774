from decimal import Decimal

from odoo import api, fields, models


class BillingWebshopTaxMap(models.Model):
    """One shop tax rate in one context (country, prices with or without tax) → an Odoo tax."""

    _name = "billing.webshop.tax.map"
    _description = "Webshop Tax Mapping"
    _order = "backend_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    backend_id = fields.Many2one("billing.webshop.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    external_rate_id = fields.Char(
        string="Shop Rate ID", help="WooCommerce tax rate id (tax_lines[].rate_id); empty matches any."
    )
    rate = fields.Float(string="Rate (%)", digits=(16, 4), required=True)
    country_id = fields.Many2one("res.country", help="Country of the order's address; empty matches any.")
    price_include = fields.Boolean(
        string="Shop Prices Include Tax", help="For orders where the shop's prices include tax."
    )
    tax_id = fields.Many2one(
        "account.tax",
        required=True,
        check_company=True,
        domain="[('type_tax_use', '=', 'sale')]",
        ondelete="restrict",
    )

    _sql_constraints = [
        (
            "mapping_unique",
            "UNIQUE NULLS NOT DISTINCT (backend_id, external_rate_id, rate, country_id, price_include)",
            "This shop tax rate is already mapped.",
        )
    ]

    @api.depends("rate", "external_rate_id", "country_id", "tax_id")
    def _compute_display_name(self):
        for mapping in self:
            parts = [f"{mapping.rate:g} %"]
            if mapping.external_rate_id:
                parts.append(f"#{mapping.external_rate_id}")
            if mapping.country_id:
                parts.append(mapping.country_id.code)
            mapping.display_name = " ".join(parts) + f" → {mapping.tax_id.display_name or ''}"

    def _matches(self, rate_id, percent, country, price_include):
        self.ensure_one()
        if self.price_include != price_include:
            return False
        if self.external_rate_id and self.external_rate_id != str(rate_id):
            return False
        if self.country_id and self.country_id != country:
            return False
        return percent is None or Decimal(str(self.rate)).quantize(Decimal("0.0001")) == percent.quantize(
            Decimal("0.0001")
        )

    def _specificity(self):
        return (bool(self.external_rate_id), bool(self.country_id), -self.sequence)
