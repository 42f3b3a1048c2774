from odoo import fields, models
from odoo.addons.billing_base.tools import ensure_records


class BillingSepaReturnFeeWaive(models.TransientModel):
    _name = "billing.sepa.return.fee.waive"
    _description = "Waive a SEPA Return Fee"

    return_ids = fields.Many2many("billing.sepa.return", string="Returns", required=True)
    reason = fields.Text(
        required=True, help="Why the customer does not pay the fee; posted on the fee invoice."
    )

    def action_waive(self):
        ensure_records(self, single=True)
        self.return_ids.action_waive_fee(self.reason)
        return {"type": "ir.actions.act_window_close"}
