from odoo import fields, models
from odoo.addons.billing_base.tools import ensure_records


class ResPartner(models.Model):
    """The customer's direct-debit collections in the form's "Getting paid" smart buttons."""

    _inherit = "res.partner"

    sepa_collection_count = fields.Integer(
        string="Direct Debit Collection Count", compute="_compute_sepa_collection_count"
    )

    def _compute_sepa_collection_count(self):
        # One grouped query for every partner shown, on the analysis view (its debtor is
        # stored there, unlike on the collection line where it is a related field).
        counts = dict(
            self.env["billing.sepa.collection.report"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.sepa_collection_count = counts.get(partner.commercial_partner_id, 0)

    def action_view_sepa_collections(self):
        ensure_records(self, single=True)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "billing_sepa.billing_sepa_collection_report_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["view_mode"] = "list,pivot,graph"
        action["views"] = [(False, "list"), (False, "pivot"), (False, "graph")]
        action["context"] = {}
        return action
