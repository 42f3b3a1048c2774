from odoo import fields, models
from odoo.addons.billing_base.tools import ensure_records


class BillingDunningChargeWaive(models.TransientModel):
    _name = "billing.dunning.charge.waive"
    _description = "Waive Dunning Charges"

    charge_ids = fields.Many2many(
        "billing.dunning.charge",
        string="Charges",
        default=lambda self: self._default_charge_ids(),
        domain=[("state", "=", "posted")],
    )
    reason = fields.Char(required=True)

    def _default_charge_ids(self):
        if self.env.context.get("active_model") != "billing.dunning.charge":
            return []
        return self.env.context.get("active_ids") or []

    def action_confirm(self):
        ensure_records(self, single=True)
        self.charge_ids._waive(self.reason)
        return {"type": "ir.actions.act_window_close"}
