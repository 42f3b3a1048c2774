from odoo import api, fields, models
from odoo.exceptions import ValidationError


class BillingDunningLevel(models.Model):
    _name = "billing.dunning.level"
    _description = "Dunning Level"
    _order = "policy_id, sequence, id"

    policy_id = fields.Many2one("billing.dunning.policy", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    delay_days = fields.Integer(
        string="Days",
        required=True,
        help="Days after the due date (negative: before it) at which this level is reached.",
    )
    channel = fields.Selection(
        [("email", "E-mail"), ("letter", "Letter"), ("phone", "Phone call")],
        required=True,
        default="email",
    )

    @api.constrains("sequence", "delay_days", "policy_id")
    def _check_delay_days_increase(self):
        for policy in self.policy_id:
            delays = policy.level_ids.sorted(lambda lvl: (lvl.sequence, lvl.id)).mapped("delay_days")
            if delays != sorted(delays) or len(set(delays)) != len(delays):
                raise ValidationError(
                    self.env._(
                        "The levels of dunning policy %(policy)s must come at strictly increasing days.",
                        policy=policy.display_name,
                    )
                )
