from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..dunning.levels import LevelStep, check_ladder


class BillingDunningPolicy(models.Model):
    _name = "billing.dunning.policy"
    _description = "Dunning Policy"
    _inherit = ["mail.thread"]
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    level_ids = fields.One2many("billing.dunning.level", "policy_id", string="Levels", copy=True)
    catch_up = fields.Selection(
        [("age", "At the level its age deserves"), ("first", "At the first level")],
        string="Old Items Enter",
        required=True,
        default="age",
        tracking=True,
        help="Where an overdue item that was never reminded enters the ladder. 'At the level its "
        "age deserves' follows the ladder as if every earlier reminder had gone out on time; "
        "'At the first level' always starts with the first overdue level. After that an item "
        "climbs one level per run.",
    )
    min_amount_item = fields.Monetary(
        string="Minimum per Item",
        currency_field="currency_id",
        tracking=True,
        help="Items whose open amount, in company currency, is below this are not reminded.",
    )
    min_amount_partner = fields.Monetary(
        string="Minimum per Customer",
        currency_field="currency_id",
        tracking=True,
        help="A customer is reminded only when the open amount of its items, less its unapplied "
        "credits, in company currency, reaches this amount. A customer whose credits cover "
        "everything is never reminded.",
    )
    charge_due_days = fields.Integer(
        string="Charges Payable Within",
        default=14,
        help="Days between the reminder and the due date of the charges document.",
    )

    @api.constrains("level_ids")
    def _check_level_ids(self):
        self._check_steps()

    def _get_steps(self):
        """The levels of this policy in ladder order, as plain ``LevelStep`` tuples."""
        self.ensure_one()
        return [
            LevelStep(level.id, level.delay_days, level.delay_from == "previous")
            for level in self._get_levels()
        ]

    def _get_levels(self):
        self.ensure_one()
        return self.level_ids.sorted(lambda level: (level.sequence, level.id))

    def _raise_for_ladder(self, reason):
        raise ValidationError(
            self.env._(
                "The levels of dunning policy %(policy)s are not consistent: %(reason)s.",
                policy=self.display_name,
                reason=reason,
            )
        )

    def _check_steps(self):
        for policy in self:
            try:
                check_ladder(policy._get_steps())
            except ValueError as error:
                policy._raise_for_ladder(str(error))
