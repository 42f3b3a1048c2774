from odoo import fields, models


class BillingWebshopOrderBinding(models.Model):
    """Links one shop order to its Odoo sales order, exactly once per backend."""

    _name = "billing.webshop.order.binding"
    _description = "Webshop Order Binding"
    _order = "id desc"
    _rec_name = "external_number"
    _check_company_auto = True

    backend_id = fields.Many2one("billing.webshop.backend", required=True, ondelete="restrict", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    external_id = fields.Char(string="Shop Order ID", required=True)
    external_number = fields.Char(string="Shop Order Number")
    external_status = fields.Char(string="Shop Status")
    sale_order_id = fields.Many2one(
        "sale.order", ondelete="set null", index="btree_not_null", check_company=True
    )
    partner_id = fields.Many2one(related="sale_order_id.partner_id")
    digest = fields.Char(help="SHA-256 of the normalised order last imported.", copy=False)
    external_modified_at = fields.Datetime(string="Modified in Shop")
    shop_total = fields.Monetary(currency_field="currency_id")
    currency_id = fields.Many2one("res.currency")
    payment_ids = fields.Many2many("account.payment", string="Payments", copy=False, check_company=True)
    transaction_id = fields.Char(string="Shop Transaction ID", copy=False)
    refund_ids = fields.One2many("billing.webshop.refund.binding", "order_binding_id")
    event_ids = fields.One2many("billing.webshop.event", "order_binding_id")

    _sql_constraints = [
        ("external_unique", "UNIQUE(backend_id, external_id)", "This shop order is already bound."),
    ]


class BillingWebshopRefundBinding(models.Model):
    """A shop refund and the credit note it became."""

    _name = "billing.webshop.refund.binding"
    _description = "Webshop Refund Binding"
    _check_company_auto = True

    order_binding_id = fields.Many2one("billing.webshop.order.binding", required=True, ondelete="cascade")
    backend_id = fields.Many2one(related="order_binding_id.backend_id", store=True)
    company_id = fields.Many2one(related="order_binding_id.company_id", store=True, index=True)
    external_id = fields.Char(string="Shop Refund ID", required=True)
    amount = fields.Monetary(currency_field="currency_id")
    currency_id = fields.Many2one(related="order_binding_id.currency_id")
    move_id = fields.Many2one("account.move", string="Credit Note", check_company=True)

    _sql_constraints = [
        ("external_unique", "UNIQUE(backend_id, external_id)", "This shop refund is already bound."),
    ]


class BillingWebshopPartnerBinding(models.Model):
    """A shop customer account (WooCommerce customer id) and the partner it is."""

    _name = "billing.webshop.partner.binding"
    _description = "Webshop Customer Binding"
    _order = "id desc"
    _rec_name = "external_id"
    _check_company_auto = True

    backend_id = fields.Many2one("billing.webshop.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    external_id = fields.Char(string="Shop Customer ID", required=True)
    # Many bindings may point at one partner (merged partners keep working).
    partner_id = fields.Many2one(
        "res.partner", required=True, ondelete="cascade", index=True, check_company=True
    )

    _sql_constraints = [
        ("external_unique", "UNIQUE(backend_id, external_id)", "This shop customer is already bound."),
    ]
