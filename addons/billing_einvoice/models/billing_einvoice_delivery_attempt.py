from odoo import fields, models

ATTEMPT_STATES = [("sent", "Taken by the operator"), ("delivered", "Delivered"), ("failed", "Failed")]


class BillingEinvoiceDeliveryAttempt(models.Model):
    """One hand-over of a delivery's message to the operator, with its outcome.

    A retry sends the same message (same identifier, the operator's idempotency key) on the same
    delivery: each try is kept here with its error, so that the delivery's history survives
    the retries.
    """

    _name = "billing.einvoice.delivery.attempt"
    _description = "Invoice Delivery Attempt"
    _order = "date desc, id desc"

    delivery_id = fields.Many2one(
        "billing.einvoice.delivery", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="delivery_id.company_id", store=True, index=True)
    move_id = fields.Many2one(related="delivery_id.move_id", string="Invoice")
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    state = fields.Selection(ATTEMPT_STATES, required=True, readonly=True)
    transport_reference = fields.Char(string="Operator Reference", readonly=True)
    error_message = fields.Text(readonly=True)
