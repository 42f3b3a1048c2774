from odoo import fields, models


class BillingRecurringPrice(models.Model):
    _name = "billing.recurring.price"
    _description = "Contract Line Price Change"
    _order = "contract_line_id, date, id"
    _check_company_auto = True

    contract_line_id = fields.Many2one(
        "contract.line", string="Contract Line", required=True, ondelete="cascade", index=True
    )
    contract_id = fields.Many2one(related="contract_line_id.contract_id", store=True)
    company_id = fields.Many2one(related="contract_line_id.contract_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="contract_line_id.currency_id")
    date = fields.Date(string="Effective From", required=True)
    price_unit = fields.Float(string="New Unit Price", required=True, digits="Product Price")

    _sql_constraints = [
        (
            "line_date_unique",
            "unique(contract_line_id, date)",
            "A contract line has one price change per date.",
        )
    ]
