from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    billing_recurring_auto_run = fields.Boolean(
        string="Daily Billing Run",
        help="Every day, invoice the contract lines and usage that are due and post the invoices "
        "(scheduled action). Off: billing runs are started by hand.",
    )
    billing_recurring_offset_credits = fields.Boolean(
        string="Offset Credits on Run Invoices",
        default=True,
        help="When an invoice of a billing run is posted, the customer's open credit notes, "
        "overpayments and prepayments are reconciled with it: only the rest is collected.",
    )
