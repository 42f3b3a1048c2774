from collections import defaultdict

from odoo import fields, models
from odoo.addons.billing_base.tools import ensure_records


class ResPartner(models.Model):
    """The customer's invoice deliveries in the form's "Getting paid" smart buttons."""

    _inherit = "res.partner"

    einvoice_delivery_count = fields.Integer(
        string="Invoice Delivery Count", compute="_compute_einvoice_delivery_count"
    )

    def _compute_einvoice_delivery_count(self):
        # One grouped query for every partner shown; a delivery names the invoice's partner,
        # which may be a contact of the customer: the groups are added up per commercial partner.
        groups = self.env["billing.einvoice.delivery"]._read_group(
            [("partner_id", "child_of", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
        )
        counts = defaultdict(int)
        for partner, count in groups:
            counts[partner.commercial_partner_id] += count
        for partner in self:
            partner.einvoice_delivery_count = counts[partner.commercial_partner_id]

    def action_view_einvoice_deliveries(self):
        ensure_records(self, single=True)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "billing_einvoice.billing_einvoice_delivery_action"
        )
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {}
        return action
