from odoo import api, models


class StockQuant(models.Model):
    _inherit = "stock.quant"

    @api.model
    def _update_available_quantity(self, product_id, location_id, *args, **kwargs):
        result = super()._update_available_quantity(product_id, location_id, *args, **kwargs)
        if location_id.usage == "internal":
            self.env["billing.webshop.product.binding"]._mark_products_to_push(product_id)
        return result

    @api.model
    def _update_reserved_quantity(self, product_id, location_id, *args, **kwargs):
        result = super()._update_reserved_quantity(product_id, location_id, *args, **kwargs)
        if location_id.usage == "internal":
            self.env["billing.webshop.product.binding"]._mark_products_to_push(product_id)
        return result
