from odoo import fields, models

MANAGER_GROUP = "billing_webshop.group_billing_webshop_manager"


class BillingWebshopBackend(models.Model):
    _name = "billing.webshop.backend"
    _description = "Webshop Backend"
    _inherit = ["mail.thread"]
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    shop_type = fields.Selection(
        [("woocommerce", "WooCommerce (REST API v3)"), ("generic", "Generic signed JSON")],
        required=True,
        default="woocommerce",
        tracking=True,
    )
    base_url = fields.Char(string="Shop URL", tracking=True, help="e.g. https://shop.example.com")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    # Secrets: readable by webshop managers only, never tracked, never copied.
    api_key = fields.Char(string="API Key", copy=False, groups=MANAGER_GROUP)
    api_secret = fields.Char(string="API Secret", copy=False, groups=MANAGER_GROUP)
    webhook_secret = fields.Char(copy=False, groups=MANAGER_GROUP)
