from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    billing_collection_journal_id = fields.Many2one(
        related="company_id.billing_collection_journal_id", readonly=False
    )
    billing_collection_clearing_account_id = fields.Many2one(
        related="company_id.billing_collection_clearing_account_id", readonly=False
    )
    billing_collection_commission_account_id = fields.Many2one(
        related="company_id.billing_collection_commission_account_id", readonly=False
    )
    billing_collection_cost_account_id = fields.Many2one(
        related="company_id.billing_collection_cost_account_id", readonly=False
    )
    billing_collection_purchase_tax_id = fields.Many2one(
        related="company_id.billing_collection_purchase_tax_id", readonly=False
    )
    billing_collection_bad_debt_account_id = fields.Many2one(
        related="company_id.billing_collection_bad_debt_account_id", readonly=False
    )
    billing_collection_vat_relief_account_id = fields.Many2one(
        related="company_id.billing_collection_vat_relief_account_id", readonly=False
    )
