from odoo import fields, models


class BillingEinvoiceBank(models.Model):
    """A Finnish bank that receives the invoicer notifications (one SenderInfo per bank)."""

    _name = "billing.einvoice.bank"
    _description = "Consumer E-invoice Bank"
    _order = "sequence, name"

    name = fields.Char(required=True)
    bic = fields.Char(
        string="BIC", required=True, help="The bank's BIC, the intermediator of its SenderInfo."
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, help="Inactive banks receive no SenderInfo.")

    _sql_constraints = [("bic_unique", "UNIQUE(bic)", "A bank with this BIC exists already.")]
