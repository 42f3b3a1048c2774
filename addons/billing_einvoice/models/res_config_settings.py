from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    einvoice_address = fields.Char(related="company_id.einvoice_address", readonly=False)
    einvoice_operator = fields.Char(related="company_id.einvoice_operator", readonly=False)
    finvoice_encoding = fields.Selection(related="company_id.finvoice_encoding", readonly=False)
    finvoice_payment_instruction_id = fields.Char(
        related="company_id.finvoice_payment_instruction_id", readonly=False
    )
