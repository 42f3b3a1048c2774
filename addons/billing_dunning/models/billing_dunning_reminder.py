from odoo import api, fields, models
from odoo.exceptions import UserError


class BillingDunningReminder(models.Model):
    """One reminder for one customer in one run: every item that reaches a new level, the
    other overdue items and the unapplied credits. The highest level sets the wording and
    the channel."""

    _name = "billing.dunning.reminder"
    _description = "Dunning Reminder"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    run_id = fields.Many2one(
        "billing.dunning.run", string="Run", ondelete="set null", index=True, readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True, check_company=True
    )
    date = fields.Date(required=True, readonly=True)
    level_id = fields.Many2one(
        "billing.dunning.level",
        string="Highest Level",
        required=True,
        readonly=True,
        check_company=True,
        help="Sets the wording and the channel of the reminder.",
    )
    channel = fields.Selection(related="level_id.channel", store=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_print", "To Print"),
            ("to_call", "To Call"),
            ("sent", "Sent"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    note = fields.Char(readonly=True)
    line_ids = fields.One2many("billing.dunning.reminder.line", "reminder_id", string="Items at a New Level")
    other_move_ids = fields.Many2many(
        "account.move",
        "billing_dunning_reminder_other_move_rel",
        "reminder_id",
        "move_id",
        string="Other Overdue Items",
        readonly=True,
    )
    credit_line_ids = fields.Many2many(
        "account.move.line",
        "billing_dunning_reminder_credit_line_rel",
        "reminder_id",
        "line_id",
        string="Unapplied Credits",
        readonly=True,
    )
    charge_ids = fields.One2many("billing.dunning.charge", "reminder_id", string="Charges", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    amount_due = fields.Monetary(
        string="Total Due",
        compute="_compute_amount_due",
        currency_field="currency_id",
        help="Open amount of all listed items less the unapplied credits, in company currency.",
    )

    _sql_constraints = [
        (
            "partner_date_uniq",
            "unique(company_id, partner_id, date)",
            "A customer gets one reminder per company and day.",
        ),
    ]

    @api.depends("line_ids.amount_residual_company", "other_move_ids", "credit_line_ids")
    def _compute_amount_due(self):
        for reminder in self:
            reminder.amount_due = (
                sum(reminder.line_ids.mapped("amount_residual_company"))
                + sum(reminder.other_move_ids.mapped("amount_residual_signed"))
                + sum(reminder.credit_line_ids.mapped("amount_residual"))
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("billing.dunning.reminder") or "/"
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_dispatched(self):
        if any(reminder.state not in ("draft", "cancel") for reminder in self):
            raise UserError(self.env._("A reminder that went out cannot be deleted."))

    def action_mark_sent(self):
        """A letter was printed and posted, or the customer was called."""
        reminders = self.filtered(lambda reminder: reminder.state in ("to_print", "to_call"))
        reminders.activity_ids.action_feedback()
        reminders.state = "sent"
        return True

    def _get_mail_template(self):
        self.ensure_one()
        if self.level_id.mail_template_id:
            return self.level_id.mail_template_id
        xmlid = (
            "mail_template_reminder_pre_due" if self.level_id.pre_due else "mail_template_reminder_overdue"
        )
        return self.env.ref(f"billing_dunning.{xmlid}")

    def _get_overdue_moves(self):
        """Every item the reminder lists, in due date order (for templates)."""
        self.ensure_one()
        return (self.line_ids.move_id | self.other_move_ids).sorted(
            lambda move: (move.invoice_date_due, move.id)
        )

    def _dispatch(self):
        """Send the reminders of ``self``: one e-mail (one chatter message) per customer, a
        phone-call activity, or a letter flagged for printing."""
        drafts = self.filtered(lambda reminder: reminder.state == "draft")
        no_email = drafts.filtered(
            lambda reminder: reminder.channel == "email" and not reminder.partner_id.email
        )
        by_email = drafts.filtered(lambda reminder: reminder.channel == "email") - no_email
        by_phone = drafts.filtered(lambda reminder: reminder.channel == "phone")
        by_letter = drafts - by_email - by_phone - no_email
        for reminder in by_email:
            reminder.message_post_with_source(
                reminder._get_mail_template(),
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        for reminder in by_phone:
            reminder.activity_schedule(
                "mail.mail_activity_data_call",
                date_deadline=reminder.date,
                summary=self.env._(
                    "Call about the overdue invoices (%(level)s)", level=reminder.level_id.name
                ),
                user_id=(reminder.partner_id.user_id or self.env.user).id,
            )
        by_email.state = "sent"
        by_phone.state = "to_call"
        by_letter.state = "to_print"
        no_email.write(
            {
                "state": "to_print",
                "note": self.env._("The customer has no e-mail address: print and post this reminder."),
            }
        )
