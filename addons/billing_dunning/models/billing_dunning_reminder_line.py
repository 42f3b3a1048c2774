from odoo import api, fields, models
from odoo.tools import SQL

from ..dunning.pg_arrays import array_literal


class BillingDunningReminderLine(models.Model):
    """One invoice reaching a new level in a reminder. Unique per (invoice, level): an invoice
    is reminded at each level once, whatever runs happen."""

    _name = "billing.dunning.reminder.line"
    _description = "Dunning Reminder Line"
    _order = "reminder_id, due_date, id"
    # Lines never change once a run wrote them, and their reminder records who made it and
    # when. A run inserts thousands of lines at once, and each stored many2one costs a
    # foreign-key check per line: no log columns, and the company and the currency are those
    # of the reminder and of the invoice, read through them (neither ever changes).
    _log_access = False
    _check_company_auto = True

    reminder_id = fields.Many2one("billing.dunning.reminder", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="reminder_id.company_id")
    # A copy of the reminder's date, set by the run when it creates the lines: searched for
    # by the run (first reminders, an invoice's level), where a join would cost more.
    date = fields.Date(required=True, readonly=True)
    partner_id = fields.Many2one(related="reminder_id.partner_id", string="Customer")
    # No index of its own: the unique index on (move_id, level_id) serves lookups by invoice.
    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, ondelete="restrict", check_company=True
    )
    level_id = fields.Many2one(
        "billing.dunning.level", string="Level", required=True, ondelete="restrict", check_company=True
    )
    level_sequence = fields.Integer(related="level_id.sequence", string="Level Order")
    pre_due = fields.Boolean(related="level_id.pre_due")
    due_date = fields.Date(required=True)
    days_overdue = fields.Integer(string="Days Overdue")
    currency_id = fields.Many2one(related="move_id.currency_id")
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
        of stored columns only, all with the same keys: no defaults, no computed fields. The
        amounts are the invoice's stored open amounts, rounded to their currency already. The
        caches and the computed fields that depend on the lines (an invoice's level and last
        reminder date) are then brought up to date as after a ``create``.
        """
        if not vals_list:
            return self.browse()
        self.check_access("create")
        names = list(vals_list[0])
        # One array per column rather than a row of values per line, each passed as the text
        # of the array: far less to quote and for PostgreSQL to parse.
        self.env.cr.execute(
            SQL(
                "INSERT INTO %s (%s) SELECT * FROM UNNEST(%s) RETURNING id",
                SQL.identifier(self._table),
                SQL(", ").join(SQL.identifier(name) for name in names),
                SQL(", ").join(
                    SQL(
                        "%s::%s[]",
                        array_literal([vals[name] for vals in vals_list]),
                        SQL.identifier(self._fields[name].column_type[0]),
                    )
                    for name in names
                ),
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
