from odoo import fields, models


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
        self.ensure_one()
        self.charge_ids._waive(self.reason)
        return {"type": "ir.actions.act_window_close"}
