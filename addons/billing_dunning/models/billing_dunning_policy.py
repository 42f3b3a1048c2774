from odoo import fields, models


class BillingDunningPolicy(models.Model):
    _name = "billing.dunning.policy"
    _description = "Dunning Policy"
    _inherit = ["mail.thread"]
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    level_ids = fields.One2many("billing.dunning.level", "policy_id", string="Levels", copy=True)
