from odoo import fields, models

from .billing_webshop_product_binding import PUSHED_PRODUCT_FIELDS


class ProductProduct(models.Model):
    _inherit = "product.product"

    webshop_binding_ids = fields.One2many(
        "billing.webshop.product.binding", "product_id", string="Webshop Products"
    )

    def write(self, vals):
        result = super().write(vals)
        if PUSHED_PRODUCT_FIELDS.intersection(vals):
            self.env["billing.webshop.product.binding"]._mark_products_to_push(self)
        return result
