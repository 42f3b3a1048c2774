from odoo import fields, models, tools
from odoo.tools import SQL


class BillingDunningReminderReport(models.Model):
    """One row per invoice reminded at a level, with whether that invoice is paid now: the
    "Getting paid" overview counts reminders sent and invoices paid after them per level in
    one grouped query, as core's report models do."""

    _name = "billing.dunning.reminder.report"
    _description = "Reminders Analysis"
    _auto = False
    _order = "date desc, id desc"
    # What the view reads: flushed before each query on it, so unsaved changes are counted.
    _depends = {
        "billing.dunning.reminder.line": ["reminder_id", "move_id", "level_id", "amount_residual_company"],
        "billing.dunning.reminder": ["company_id", "partner_id", "date", "state"],
        "account.move": ["payment_state"],
        "res.company": ["currency_id"],
    }

    reminder_id = fields.Many2one("billing.dunning.reminder", string="Reminder", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    level_id = fields.Many2one("billing.dunning.level", string="Level", readonly=True)
    date = fields.Date(string="Reminder Date", readonly=True)
    state = fields.Selection(
        lambda self: self.env["billing.dunning.reminder"]._fields["state"].selection,
        string="Reminder Status",
        readonly=True,
    )
    company_currency_id = fields.Many2one("res.currency", readonly=True)
    amount_reminded = fields.Monetary(
        currency_field="company_currency_id", readonly=True, help="The invoice's open amount when reminded."
    )
    reminded_count = fields.Integer(string="Invoices Reminded", readonly=True)
    paid_count = fields.Integer(string="Paid After Reminder", readonly=True)
    amount_paid = fields.Monetary(
        string="Amount Paid After Reminder",
        currency_field="company_currency_id",
        readonly=True,
        help="The reminded open amount of the invoices that are paid now.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %s AS (
                    SELECT line.id AS id,
                           line.reminder_id AS reminder_id,
                           reminder.company_id AS company_id,
                           reminder.partner_id AS partner_id,
                           line.move_id AS move_id,
                           line.level_id AS level_id,
                           reminder.date AS date,
                           reminder.state AS state,
                           company.currency_id AS company_currency_id,
                           line.amount_residual_company AS amount_reminded,
                           1 AS reminded_count,
                           CASE WHEN move.payment_state IN ('paid', 'in_payment') THEN 1 ELSE 0 END
                               AS paid_count,
                           CASE WHEN move.payment_state IN ('paid', 'in_payment')
                                THEN line.amount_residual_company ELSE 0 END AS amount_paid
                      FROM billing_dunning_reminder_line line
                      JOIN billing_dunning_reminder reminder ON reminder.id = line.reminder_id
                      JOIN res_company company ON company.id = reminder.company_id
                      JOIN account_move move ON move.id = line.move_id
                )
                """,
                SQL.identifier(self._table),
            )
        )
