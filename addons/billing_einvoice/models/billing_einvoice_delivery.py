from odoo import fields, models

DELIVERY_CHANNELS = [
    ("email", "E-mail"),
    ("peppol", "Peppol"),
    ("finvoice", "Finvoice e-invoice"),
    ("post", "Post"),
]


class BillingEinvoiceDelivery(models.Model):
    _name = "billing.einvoice.delivery"
    _description = "Invoice Delivery Attempt"
    _order = "create_date desc, id desc"
    _check_company_auto = True

    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
        domain="[('move_type', 'in', ('out_invoice', 'out_refund'))]",
    )
    company_id = fields.Many2one(related="move_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="move_id.partner_id", store=True, string="Customer")
    channel = fields.Selection(DELIVERY_CHANNELS, required=True)
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("sent", "Sent"),
            ("delivered", "Delivered"),
            ("bounced", "Bounced"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="queued",
        index=True,
    )
    payload_attachment_id = fields.Many2one("ir.attachment", string="Payload", readonly=True)
    external_id = fields.Char(string="External Reference", readonly=True, index="btree_not_null")
    error_message = fields.Text(readonly=True)
    sent_date = fields.Datetime(readonly=True)
    done_date = fields.Datetime(string="Delivered/Bounced On", readonly=True)
