from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sepa_creditor_identifier = fields.Char(related="company_id.sepa_creditor_identifier", readonly=False)
    sepa_prenotification_days = fields.Integer(related="company_id.sepa_prenotification_days", readonly=False)
    sepa_collection_delay_days = fields.Integer(
        related="company_id.sepa_collection_delay_days", readonly=False
    )
    sepa_auto_collect = fields.Boolean(related="company_id.sepa_auto_collect", readonly=False)
    sepa_return_max_file_size = fields.Integer(related="company_id.sepa_return_max_file_size", readonly=False)
    sepa_return_charge_account_id = fields.Many2one(
        related="company_id.sepa_return_charge_account_id", readonly=False
    )
    sepa_return_fee_enabled = fields.Boolean(related="company_id.sepa_return_fee_enabled", readonly=False)
    sepa_return_fee_amount = fields.Monetary(related="company_id.sepa_return_fee_amount", readonly=False)
    sepa_return_fee_product_id = fields.Many2one(
        related="company_id.sepa_return_fee_product_id", readonly=False
    )
    sepa_return_fee_account_id = fields.Many2one(
        related="company_id.sepa_return_fee_account_id", readonly=False
    )
