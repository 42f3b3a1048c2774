from odoo import fields, models
from odoo.addons.billing_base.tools import ensure_records


class ResPartner(models.Model):
    """The customer's shop accounts and shop orders in the form's "Getting paid" smart buttons."""

    _inherit = "res.partner"

    webshop_binding_count = fields.Integer(
        string="Webshop Customer Count", compute="_compute_webshop_overview_counts"
    )
    webshop_order_count = fields.Integer(
        string="Webshop Order Count", compute="_compute_webshop_overview_counts"
    )

    def _compute_webshop_overview_counts(self):
        # One grouped query per model for every partner shown (the order's customer is read
        # through its sales order in the same query).
        bindings = dict(
            self.env["billing.webshop.partner.binding"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        orders = dict(
            self.env["billing.webshop.order.binding"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.webshop_binding_count = bindings.get(partner, 0)
            partner.webshop_order_count = orders.get(partner, 0)

    def _webshop_partner_action(self, xml_id):
        action = self.env["ir.actions.act_window"]._for_xml_id(xml_id)
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_view_webshop_bindings(self):
        ensure_records(self, single=True)
        return self._webshop_partner_action("billing_webshop.billing_webshop_partner_binding_action")

    def action_view_webshop_orders(self):
        ensure_records(self, single=True)
        return self._webshop_partner_action("billing_webshop.billing_webshop_order_binding_action")
