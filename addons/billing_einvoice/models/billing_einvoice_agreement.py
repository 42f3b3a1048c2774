from odoo import fields, models
from odoo.addons.billing_base.tools import ensure_records


class BillingEinvoiceAgreement(models.Model):
    """A consumer's e-invoice agreement (e-lasku or direct payment), made by a matched ReceiverInfo ADD."""

    _name = "billing.einvoice.agreement"
    _description = "Consumer E-invoice Agreement"
    _order = "date_start desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, check_company=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    billing_subject_id = fields.Many2one("billing.einvoice.billing.subject", check_company=True)
    order_id = fields.Many2one("billing.einvoice.consumer.order", string="Order", check_company=True)
    end_order_id = fields.Many2one(
        "billing.einvoice.consumer.order", string="Termination", check_company=True
    )
    recipient_address = fields.Char(string="E-invoice Address", required=True)
    recipient_intermediator = fields.Char(string="Intermediator", required=True)
    identifier = fields.Char(string="Identifier Typed")
    language_code = fields.Char()
    proposed_due_date = fields.Char()
    direct_payment = fields.Boolean(help="The agreement is for direct payment (suoramaksu).")
    previous_sending_method = fields.Char(
        help="The customer's channel before the agreement, restored when it ends."
    )
    state = fields.Selection(
        [("active", "Active"), ("ended", "Ended")], required=True, default="active", index=True
    )
    date_start = fields.Date(default=fields.Date.context_today, required=True)
    date_end = fields.Date()

    def action_open_order(self):
        ensure_records(self, single=True)
        return {
            "type": "ir.actions.act_window",
            "res_model": "billing.einvoice.consumer.order",
            "res_id": self.order_id.id,
            "view_mode": "form",
        }
