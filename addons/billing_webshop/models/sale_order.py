from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    webshop_binding_ids = fields.One2many(
        "billing.webshop.order.binding", "sale_order_id", string="Webshop Orders"
    )
