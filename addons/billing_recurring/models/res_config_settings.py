from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    billing_recurring_auto_run = fields.Boolean(
        related="company_id.billing_recurring_auto_run", readonly=False
    )
    billing_recurring_offset_credits = fields.Boolean(
        related="company_id.billing_recurring_offset_credits", readonly=False
    )
