from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.tools import clean_context


class BillingWebshopMapTax(models.TransientModel):
    """Map the shop tax rate an import in error lacks to an Odoo tax (from the event form).

    Opened by ``billing.webshop.event.action_map_tax``: the rate id, label, percentage, country
    and price-included setting come from the event; the user picks the Odoo sales tax (proposed
    when exactly one of the company has that percentage and setting).
    """

    _name = "billing.webshop.map.tax"
    _description = "Map a Shop Tax Rate"
    _inherit = "billing.webshop.event.fix"

    external_rate_id = fields.Char(
        string="Shop Rate ID", compute="_compute_from_event", precompute=True, store=True, readonly=False
    )
    label = fields.Char(string="Name in the Shop", compute="_compute_from_event", precompute=True, store=True)
    rate = fields.Float(
        string="Rate (%)",
        digits=(16, 4),
        compute="_compute_from_event",
        precompute=True,
        store=True,
        readonly=False,
    )
    country_id = fields.Many2one(
        "res.country",
        compute="_compute_from_event",
        precompute=True,
        store=True,
        readonly=False,
        help="Country of the order's address; empty maps the rate for every country.",
    )
    price_include = fields.Boolean(
        string="Shop Prices Include Tax",
        compute="_compute_from_event",
        precompute=True,
        store=True,
        readonly=False,
    )
    tax_id = fields.Many2one(
        "account.tax",
        string="Odoo Tax",
        compute="_compute_tax_id",
        precompute=True,
        store=True,
        readonly=False,
        required=True,
        check_company=True,
        domain="[('type_tax_use', '=', 'sale')]",
    )

    @api.depends("event_id")
    def _compute_from_event(self):
        for wizard in self:
            wizard.external_rate_id, wizard.label, details = wizard._missing_of_kind("tax")
            country = details.get("country")
            wizard.rate = float(details["percent"]) if details.get("percent") else 0.0
            wizard.country_id = (
                self.env["res.country"].search([("code", "=", country)], limit=1) if country else False
            )
            wizard.price_include = bool(details.get("price_include"))

    @api.depends("rate", "price_include", "company_id")
    def _compute_tax_id(self):
        for wizard in self:
            taxes = self.env["account.tax"].search(
                [
                    ("company_id", "=", wizard.company_id.id),
                    ("type_tax_use", "=", "sale"),
                    ("amount_type", "=", "percent"),
                    ("amount", "=", wizard.rate),
                ]
            )
            taxes = taxes.filtered_domain([("price_include", "=", wizard.price_include)])
            wizard.tax_id = taxes if wizard.rate and len(taxes) == 1 else wizard.tax_id

    def action_map(self):
        """Map the shop rate to the chosen tax; Retry on the event then imports the order."""
        ensure_records(self, single=True)
        self.env["billing.webshop.tax.map"].with_context(clean_context(self.env.context)).create(
            {
                "backend_id": self.backend_id.id,
                "external_rate_id": self.external_rate_id or False,
                "rate": self.rate or self.tax_id.amount,
                "country_id": self.country_id.id,
                "price_include": self.price_include,
                "tax_id": self.tax_id.id,
            }
        )
        return self._close()
