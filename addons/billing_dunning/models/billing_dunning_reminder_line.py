from odoo import fields, models


class BillingDunningReminderLine(models.Model):
    """One invoice reaching a new level in a reminder. Unique per (invoice, level): an invoice
    is reminded at each level once, whatever runs happen."""

    _name = "billing.dunning.reminder.line"
    _description = "Dunning Reminder Line"
    _order = "reminder_id, due_date, id"

    reminder_id = fields.Many2one("billing.dunning.reminder", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="reminder_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="reminder_id.partner_id", store=True)
    date = fields.Date(related="reminder_id.date", store=True)
    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, ondelete="restrict", index=True
    )
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
