from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    invoice_sending_method = fields.Selection(
        selection_add=[
            ("finvoice", "by Finvoice e-invoice"),
            ("elasku", "by consumer e-invoice (e-lasku)"),
        ],
    )
    einvoice_address = fields.Char(
        string="E-invoice Address",
        help="The customer's e-invoice address: an OVT identifier (0037 + business id) for companies, "
        "the address the consumer's bank gave for e-lasku.",
    )
    einvoice_operator = fields.Char(
        string="E-invoice Intermediator",
        help="The operator code or the BIC of the bank that receives e-invoices for this customer "
        "(e.g. 003723327487 or NDEAFIHH).",
    )
    einvoice_agreement_ids = fields.One2many(
        "billing.einvoice.agreement", "partner_id", string="E-invoice Agreements", readonly=True
    )
