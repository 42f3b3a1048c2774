from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    billing_recurring_key = fields.Char(
        string="Billing Run Key",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="Customer, period and (per contract) contract this invoice of a billing run covers: "
        "a period is invoiced once, however often the run is started.",
    )
    billing_recurring_run_id = fields.Many2one(
        "billing.recurring.run", string="Billing Run", copy=False, readonly=True, index="btree_not_null"
    )

    _sql_constraints = [
        (
            "billing_recurring_key_unique",
            "unique(billing_recurring_key)",
            "A customer's billing period is invoiced once by the billing runs.",
        )
    ]


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    billing_recurring_usage_ids = fields.One2many(
        "billing.recurring.usage", "move_line_id", string="Billed Usage", readonly=True
    )
