from odoo import api, fields, models
from odoo.exceptions import ValidationError


class BillingDunningLevelFee(models.Model):
    _name = "billing.dunning.level.fee"
    _description = "Dunning Level Fixed Fee"
    _order = "level_id, currency_id"

    level_id = fields.Many2one("billing.dunning.level", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="level_id.company_id", store=True)
    currency_id = fields.Many2one("res.currency", required=True)
    amount = fields.Monetary(required=True, currency_field="currency_id")

    _sql_constraints = [
        ("level_currency_uniq", "unique(level_id, currency_id)", "One fixed fee per currency and level."),
    ]

    @api.constrains("amount")
    def _check_amount(self):
        if any(fee.amount < 0 for fee in self):
            raise ValidationError(self.env._("A fixed fee cannot be negative."))
