from odoo import api, fields, models

from ..ubl import validation


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    einvoice_address = fields.Char(related="company_id.einvoice_address", readonly=False)
    einvoice_operator = fields.Char(related="company_id.einvoice_operator", readonly=False)
    finvoice_encoding = fields.Selection(related="company_id.finvoice_encoding", readonly=False)
    finvoice_payment_instruction_id = fields.Char(
        related="company_id.finvoice_payment_instruction_id", readonly=False
    )
    einvoice_auto_send = fields.Boolean(related="company_id.einvoice_auto_send", readonly=False)
    einvoice_consumer_order_auto_match = fields.Boolean(
        related="company_id.einvoice_consumer_order_auto_match", readonly=False
    )
    einvoice_send_delay = fields.Integer(related="company_id.einvoice_send_delay", readonly=False)
    einvoice_send_lead_days = fields.Integer(related="company_id.einvoice_send_lead_days", readonly=False)
    invoice_mail_server_id = fields.Many2one(related="company_id.invoice_mail_server_id", readonly=False)
    finvoice_transport = fields.Selection(related="company_id.finvoice_transport", readonly=False)
    finvoice_operator_api_url = fields.Char(related="company_id.finvoice_operator_api_url", readonly=False)
    finvoice_operator_api_key = fields.Char(related="company_id.finvoice_operator_api_key", readonly=False)
    einvoice_peppol_validation = fields.Boolean(
        related="company_id.einvoice_peppol_validation", readonly=False
    )
    finvoice_schema_problem = fields.Char(compute="_compute_einvoice_validation_problems")
    einvoice_validator_problem = fields.Char(compute="_compute_einvoice_validation_problems")

    @api.depends("company_id", "einvoice_peppol_validation")
    def _compute_einvoice_validation_problems(self):
        """Say on the settings screen which schema or validator package the server lacks."""
        _xsd_dir, finvoice_problem = self.env["res.company"]._find_finvoice_schema()
        missing = validation.missing_packages()
        for settings in self:
            settings.finvoice_schema_problem = finvoice_problem
            settings.einvoice_validator_problem = (
                self.env._(
                    "Peppol invoices cannot be checked: install the Python packages %(packages)s on the "
                    "Odoo server, or turn the check off.",
                    packages=", ".join(f"{package} ({layer})" for package, layer in missing),
                )
                if missing and settings.einvoice_peppol_validation
                else False
            )
