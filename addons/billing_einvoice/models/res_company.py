import os

from odoo import fields, models
from odoo.exceptions import UserError

from ..finvoice import schema

XSD_DIR_ENVIRONMENT_VARIABLE = "BILLING_FINVOICE_XSD_DIR"
XSD_DIR_PARAMETER = "billing_einvoice.finvoice_xsd_dir"


class ResCompany(models.Model):
    _inherit = "res.company"

    einvoice_address = fields.Char(
        string="Own E-invoice Address",
        help="The company's e-invoice address as sender (FromIdentifier), e.g. its OVT identifier or IBAN.",
    )
    einvoice_operator = fields.Char(
        string="Own E-invoice Intermediator",
        help="Operator code or BIC of the bank that sends the company's e-invoices (FromIntermediator).",
    )
    finvoice_encoding = fields.Selection(
        [("UTF-8", "UTF-8"), ("ISO-8859-15", "ISO-8859-15 (Latin-9)")],
        string="Finvoice Encoding",
        default="UTF-8",
        required=True,
        help="Character encoding of the Finvoice files; some operators still require ISO-8859-15.",
    )
    finvoice_payment_instruction_id = fields.Char(
        string="E-lasku Billing Subject Code",
        help="The billing subject code (laskutusaihe) announced in the invoicer notification; "
        "consumer e-invoices carry it as EpiPaymentInstructionId.",
    )

    def _get_finvoice_xsd_dir(self):
        """Return the folder that holds Finvoice3.0.xsd, or raise a UserError saying what to set.

        The environment variable BILLING_FINVOICE_XSD_DIR wins over the system parameter
        billing_einvoice.finvoice_xsd_dir; a send never goes out unvalidated.
        """
        xsd_dir = os.environ.get(XSD_DIR_ENVIRONMENT_VARIABLE) or (
            self.env["ir.config_parameter"].sudo().get_param(XSD_DIR_PARAMETER)
        )
        try:
            return str(schema.schema_path(xsd_dir).parent)
        except schema.FinvoiceSchemaMissing as error:
            raise UserError(
                self.env._(
                    "Finvoice files are validated against the official Finvoice 3.0 XSD before they are "
                    "sent, and the XSD cannot be found (%(reason)s). Run setup/einvoice_schemas.py and set "
                    "the environment variable %(variable)s or the system parameter %(parameter)s to the "
                    "folder that holds %(file)s.",
                    reason=str(error),
                    variable=XSD_DIR_ENVIRONMENT_VARIABLE,
                    parameter=XSD_DIR_PARAMETER,
                    file=schema.SCHEMA_FILE,
                )
            ) from None
