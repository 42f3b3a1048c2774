from odoo import api, fields, models
from odoo.tools import SQL


class BillingDunningReminderLine(models.Model):
    """One invoice reaching a new level in a reminder. Unique per (invoice, level): an invoice
    is reminded at each level once, whatever runs happen."""

    _name = "billing.dunning.reminder.line"
    _description = "Dunning Reminder Line"
    _order = "reminder_id, due_date, id"
    # Lines never change once a run wrote them, and their reminder records who made it and
    # when: without the log columns a run inserts thousands of lines with two foreign-key
    # checks per line fewer.
    _log_access = False

    reminder_id = fields.Many2one("billing.dunning.reminder", required=True, ondelete="cascade", index=True)
    # Copies of the reminder's values, set by the run when it creates the lines: a run creates
    # thousands of lines at once, and stored related fields would cost an UPDATE after them.
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    date = fields.Date(required=True, readonly=True)
    partner_id = fields.Many2one(related="reminder_id.partner_id", string="Customer")
    # No index of its own: the unique index on (move_id, level_id) serves lookups by invoice.
    move_id = fields.Many2one("account.move", string="Invoice", required=True, ondelete="restrict")
    level_id = fields.Many2one("billing.dunning.level", string="Level", required=True, ondelete="restrict")
    level_sequence = fields.Integer(related="level_id.sequence", string="Level Order")
    pre_due = fields.Boolean(related="level_id.pre_due")
    due_date = fields.Date(required=True)
    days_overdue = fields.Integer(string="Days Overdue")
    currency_id = fields.Many2one("res.currency", required=True)
    amount_residual = fields.Monetary(string="Open Amount", currency_field="currency_id")
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    amount_residual_company = fields.Monetary(
        string="Open Amount in Company Currency", currency_field="company_currency_id"
    )

    _sql_constraints = [
        (
            "move_level_uniq",
            "unique(move_id, level_id)",
            "An invoice is reminded at each dunning level once.",
        ),
    ]

    @api.model
    def _insert_batch(self, vals_list):
        """Create the lines of a dunning run in one INSERT and return them.

        A run creates thousands of lines at once; the ORM's ``create`` spends most of a run's
        time preparing them one by one. ``vals_list`` holds plain values (ids, dates, numbers)
        of stored columns only, all with the same keys: no defaults, no computed fields. Amounts
        are rounded to their currency here, as the ORM would. The caches and the computed
        fields that depend on the lines (an invoice's level and last reminder date) are then
        brought up to date as after a ``create``.
        """
        if not vals_list:
            return self.browse()
        self.check_access("create")
        names = list(vals_list[0])
        currencies = self.env["res.currency"].browse({vals["currency_id"] for vals in vals_list})
        rounding = {currency.id: currency.round for currency in currencies}
        companies = self.env["res.company"].browse({vals["company_id"] for vals in vals_list})
        company_rounding = {company.id: company.currency_id.round for company in companies}
        rows = []
        for vals in vals_list:
            vals = dict(
                vals,
                amount_residual=rounding[vals["currency_id"]](vals["amount_residual"]),
                amount_residual_company=company_rounding[vals["company_id"]](vals["amount_residual_company"]),
            )
            rows.append(tuple(vals[name] for name in names))
        self.env.cr.execute(
            SQL(
                "INSERT INTO %s (%s) VALUES %s RETURNING id",
                SQL.identifier(self._table),
                SQL(", ").join(SQL.identifier(name) for name in names),
                SQL(", ").join(rows),
            )
        )
        lines = self.browse(line_id for [line_id] in self.env.cr.fetchall())
        reminders = self.env["billing.dunning.reminder"].browse({vals["reminder_id"] for vals in vals_list})
        reminders.invalidate_recordset(["line_ids"])
        moves = self.env["account.move"].browse({vals["move_id"] for vals in vals_list})
        moves.invalidate_recordset(
            ["billing_dunning_line_ids", "billing_dunning_level_id", "billing_dunning_last_date"]
        )
        self.env["res.partner"].invalidate_model(["billing_dunning_move_ids"])
        return lines
