from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    sepa_reference_payment_ids = fields.One2many(
        "billing.sepa.reference.payment", "invoice_id", string="Payments by Reference", readonly=True
    )
    reference_payment_date = fields.Date(
        string="Paid by Reference On",
        compute="_compute_reference_payment_date",
        help="Booking date of the latest payment by reference booked on this invoice.",
    )

    @api.depends("sepa_reference_payment_ids.state", "sepa_reference_payment_ids.date")
    def _compute_reference_payment_date(self):
        for move in self:
            dates = move.sepa_reference_payment_ids.filtered(
                lambda payment: payment.state == "booked"
            ).mapped("date")
            move.reference_payment_date = max(dates) if dates else False
