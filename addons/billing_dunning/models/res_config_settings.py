from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    billing_dunning_policy_id = fields.Many2one(
        related="company_id.billing_dunning_policy_id", readonly=False
    )
    billing_dunning_auto_run = fields.Boolean(related="company_id.billing_dunning_auto_run", readonly=False)
    billing_collection_auto_sync = fields.Boolean(
        related="company_id.billing_collection_auto_sync", readonly=False
    )
