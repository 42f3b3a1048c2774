from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.tools import clean_context


class BillingWebshopBindProduct(models.TransientModel):
    """Bind the shop product an import in error lacks to an Odoo product (from the event form).

    Opened by ``billing.webshop.event.action_bind_product``: the shop product id, name and SKU
    come from the event; the user picks the Odoo product, then retries the event.
    """

    _name = "billing.webshop.bind.product"
    _description = "Bind a Shop Product"
    _inherit = "billing.webshop.event.fix"

    external_id = fields.Char(
        string="Shop Product ID",
        compute="_compute_from_event",
        precompute=True,
        store=True,
        readonly=False,
        required=True,
        help="The shop's id of the product (of the variation for a variable product).",
    )
    shop_product_name = fields.Char(
        string="Name in the Shop", compute="_compute_from_event", precompute=True, store=True
    )
    shop_sku = fields.Char(
        string="SKU in the Shop", compute="_compute_from_event", precompute=True, store=True
    )
    product_id = fields.Many2one(
        "product.product", string="Odoo Product", required=True, check_company=True, ondelete="cascade"
    )

    @api.depends("event_id")
    def _compute_from_event(self):
        for wizard in self:
            ref, name, details = wizard._missing_of_kind("product")
            wizard.external_id = ref
            wizard.shop_product_name = name
            wizard.shop_sku = details.get("sku") or False

    def action_bind(self):
        """Bind the shop product to the chosen product; Retry on the event then imports the order."""
        ensure_records(self, single=True)
        Binding = self.env["billing.webshop.product.binding"].with_context(clean_context(self.env.context))
        binding = Binding.search(
            [("backend_id", "=", self.backend_id.id), ("external_id", "=", self.external_id)], limit=1
        )
        if binding:
            binding.product_id = self.product_id
        else:
            Binding.create(
                {
                    "backend_id": self.backend_id.id,
                    "external_id": self.external_id,
                    "product_id": self.product_id.id,
                }
            )
        return self._close()
