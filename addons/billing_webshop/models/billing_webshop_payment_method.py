from odoo import fields, models


class BillingWebshopPaymentMethod(models.Model):
    """A shop payment gateway (WooCommerce ``payment_method``) and the journal it pays into."""

    _name = "billing.webshop.payment.method"
    _description = "Webshop Payment Gateway"
    _order = "backend_id, code"
    _check_company_auto = True

    backend_id = fields.Many2one("billing.webshop.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    code = fields.Char(
        required=True, help="The gateway id the shop sends, e.g. stripe or mollie_wc_gateway_ideal."
    )
    name = fields.Char()
    journal_id = fields.Many2one(
        "account.journal",
        required=True,
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash'))]",
    )
    register_payment = fields.Boolean(
        default=True, help="Untick for gateways paid later (bank transfer): the invoice then stays open."
    )

    _sql_constraints = [
        ("code_unique", "UNIQUE(backend_id, code)", "Each gateway of a webshop can have one journal only."),
    ]
