from odoo import fields, models


class ProductProduct(models.Model):
    _inherit = "product.product"

    webshop_binding_ids = fields.One2many(
        "billing.webshop.product.binding", "product_id", string="Webshop Products"
    )
