from odoo import fields, models


class MailTemplate(models.Model):
    _inherit = "mail.template"

    einvoice_attach_pdf = fields.Boolean(
        string="Attach Invoice PDF",
        default=True,
        help="When sending invoices with this template, attach the invoice PDF to the e-mail. "
        "Off: the e-mail goes without it (the PDF is still kept on the invoice).",
    )
