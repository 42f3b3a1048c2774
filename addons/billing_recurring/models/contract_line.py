from odoo import fields, models


class ContractLine(models.Model):
    _inherit = "contract.line"

    billing_recurring_price_ids = fields.One2many(
        "billing.recurring.price",
        "contract_line_id",
        string="Price Changes",
        help="New prices from a date: a billing period that spans the date is invoiced at the old "
        "price up to the day before and at the new price from the date.",
    )
