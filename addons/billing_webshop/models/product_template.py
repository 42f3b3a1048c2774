from odoo import models

from .billing_webshop_product_binding import PUSHED_TEMPLATE_FIELDS


class ProductTemplate(models.Model):
    _inherit = "product.template"

    def write(self, vals):
        result = super().write(vals)
        if PUSHED_TEMPLATE_FIELDS.intersection(vals):
            self.env["billing.webshop.product.binding"]._mark_products_to_push(
                self.with_context(active_test=False).product_variant_ids
            )
        return result
