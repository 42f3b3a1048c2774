from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    webshop_binding_ids = fields.One2many(
        "billing.webshop.partner.binding", "partner_id", string="Webshop Customers"
    )
