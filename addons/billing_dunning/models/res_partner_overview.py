from odoo import fields, models
from odoo.addons.billing_base.tools import ensure_records


class ResPartner(models.Model):
    """The customer's reminders and dunning charges in the form's "Getting paid" smart buttons."""

    _inherit = "res.partner"

    billing_dunning_reminder_count = fields.Integer(
        string="Reminder Count", compute="_compute_billing_dunning_overview_counts"
    )
    billing_dunning_charge_count = fields.Integer(
        string="Dunning Charge Count", compute="_compute_billing_dunning_overview_counts"
    )

    def _compute_billing_dunning_overview_counts(self):
        # Reminders and charges are made out to the commercial partner: one grouped query per
        # model for every partner shown.
        domain = [("partner_id", "in", self.commercial_partner_id.ids)]
        reminders = dict(
            self.env["billing.dunning.reminder"]._read_group(domain, ["partner_id"], ["__count"])
        )
        charges = dict(self.env["billing.dunning.charge"]._read_group(domain, ["partner_id"], ["__count"]))
        for partner in self:
            partner.billing_dunning_reminder_count = reminders.get(partner.commercial_partner_id, 0)
            partner.billing_dunning_charge_count = charges.get(partner.commercial_partner_id, 0)

    def _billing_dunning_partner_action(self, xml_id):
        action = self.env["ir.actions.act_window"]._for_xml_id(xml_id)
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action

    def action_view_billing_dunning_reminders(self):
        ensure_records(self, single=True)
        return self._billing_dunning_partner_action("billing_dunning.billing_dunning_reminder_action")

    def action_view_billing_dunning_charges(self):
        ensure_records(self, single=True)
        return self._billing_dunning_partner_action("billing_dunning.billing_dunning_charge_action")
