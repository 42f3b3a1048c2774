from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    einvoice_address = fields.Char(related="company_id.einvoice_address", readonly=False)
    einvoice_operator = fields.Char(related="company_id.einvoice_operator", readonly=False)
    finvoice_encoding = fields.Selection(related="company_id.finvoice_encoding", readonly=False)
    finvoice_payment_instruction_id = fields.Char(
        related="company_id.finvoice_payment_instruction_id", readonly=False
    )
    einvoice_auto_send = fields.Boolean(related="company_id.einvoice_auto_send", readonly=False)
    einvoice_send_delay = fields.Integer(related="company_id.einvoice_send_delay", readonly=False)
    einvoice_send_lead_days = fields.Integer(related="company_id.einvoice_send_lead_days", readonly=False)
    invoice_mail_server_id = fields.Many2one(related="company_id.invoice_mail_server_id", readonly=False)
    finvoice_transport = fields.Selection(related="company_id.finvoice_transport", readonly=False)
    finvoice_operator_api_url = fields.Char(related="company_id.finvoice_operator_api_url", readonly=False)
    finvoice_operator_api_key = fields.Char(related="company_id.finvoice_operator_api_key", readonly=False)
    einvoice_peppol_validation = fields.Boolean(
        related="company_id.einvoice_peppol_validation", readonly=False
    )
