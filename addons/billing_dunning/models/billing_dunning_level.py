from odoo import api, fields, models
from odoo.exceptions import ValidationError


class BillingDunningLevel(models.Model):
    _name = "billing.dunning.level"
    _description = "Dunning Level"
    _order = "policy_id, sequence, id"
    _check_company_auto = True

    policy_id = fields.Many2one("billing.dunning.policy", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    delay_days = fields.Integer(
        string="Days",
        required=True,
        help="Days after the due date (zero or negative: a reminder on or before the due date) "
        "or after the previous reminder, at which this level is reached.",
    )
    delay_from = fields.Selection(
        [("due_date", "Due date"), ("previous", "Previous reminder")],
        string="Counted From",
        required=True,
        default="due_date",
    )
    pre_due = fields.Boolean(
        string="Before Due",
        compute="_compute_pre_due",
        store=True,
        help="A friendly reminder on or before the due date: never charged, skipped once the item "
        "is overdue.",
    )
    channel = fields.Selection(
        [("email", "E-mail"), ("letter", "Letter"), ("phone", "Phone call")],
        required=True,
        default="email",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain=[("model", "=", "billing.dunning.reminder")],
        help="Leave empty for the standard reminder text.",
    )
    report_id = fields.Many2one(
        "ir.actions.report",
        string="Letter",
        domain=[("model", "=", "billing.dunning.reminder")],
        help="The PDF letter of this level, attached to its e-mails and printed for its letters. "
        "Leave empty for the standard reminder letter.",
    )
    fee_type = fields.Selection(
        [("none", "No fee"), ("fixed", "Fixed amount"), ("percent", "Percentage")],
        string="Fee",
        required=True,
        default="none",
    )
    fee_fixed_ids = fields.One2many(
        "billing.dunning.level.fee",
        "level_id",
        string="Fixed Fees",
        copy=True,
        help="The fee per invoice currency. An invoice in a currency without a line gets the "
        "company-currency fee converted on the reminder date.",
    )
    fee_percent = fields.Float(string="Fee (%)", digits=(16, 4), help="Of the open amount of the item.")
    fee_min = fields.Monetary(string="Minimum Fee", currency_field="currency_id")
    fee_max = fields.Monetary(string="Maximum Fee", currency_field="currency_id", help="Zero: no maximum.")
    apply_interest = fields.Boolean(
        string="Charge Interest",
        help="Post the statutory interest accrued since the due date (or since the last interest "
        "charge) for customers with a dunning profile.",
    )
    apply_compensation = fields.Boolean(
        string="Charge Fixed Compensation",
        help="Post the fixed compensation for late payment (EUR 40 for businesses) once per invoice.",
    )

    @api.depends("delay_days", "delay_from")
    def _compute_pre_due(self):
        for level in self:
            level.pre_due = level.delay_from == "due_date" and level.delay_days <= 0

    @api.constrains("sequence", "delay_days", "delay_from", "policy_id")
    def _check_ladder(self):
        self.policy_id._check_steps()

    @api.constrains("fee_type", "fee_percent", "fee_min", "fee_max", "delay_days", "delay_from")
    def _check_fee(self):
        for level in self:
            if level.pre_due and (
                level.fee_type != "none" or level.apply_interest or level.apply_compensation
            ):
                raise ValidationError(
                    self.env._(
                        "Level %(level)s comes before the due date: it cannot charge a fee, interest "
                        "or compensation.",
                        level=level.display_name,
                    )
                )
            if level.fee_percent < 0 or level.fee_min < 0 or level.fee_max < 0:
                raise ValidationError(
                    self.env._("The fee of level %(level)s cannot be negative.", level=level.display_name)
                )
            if level.fee_max and level.fee_max < level.fee_min:
                raise ValidationError(
                    self.env._(
                        "The maximum fee of level %(level)s is below its minimum.", level=level.display_name
                    )
                )
