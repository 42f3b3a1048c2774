from odoo import fields, models, tools
from odoo.tools import SQL

# The keys sort as the buckets follow each other: graphs and pivots group in the order of the
# stored values (an eager read_group keeps no selection order), so "Not Due" comes first.
AGE_BUCKETS = [
    ("0_not_due", "Not Due"),
    ("1_late_30", "1-30 Days Late"),
    ("2_late_60", "31-60 Days Late"),
    ("3_late_90", "61-90 Days Late"),
    ("4_late_over_90", "Over 90 Days Late"),
]
NO_CHANNEL = "none"


def _channel_selection(records):
    """The customer's sending methods, and a value of its own for a customer without one (a
    legend of "None" in the graph otherwise)."""
    methods = records.env["res.partner"]._fields["invoice_sending_method"].selection
    if callable(methods):
        methods = methods(records.env["res.partner"])
    return [*methods, (NO_CHANNEL, records.env._("Not Set"))]


class BillingEinvoiceReceivableReport(models.Model):
    """One row per open customer receivable line, with its age (days past its due date, at
    the time it is read) and the customer's invoice sending channel: the "Getting paid"
    overview groups them in the database, so 10 000 open invoices cost one grouped query."""

    _name = "billing.einvoice.receivable.report"
    _description = "Open Receivables Analysis"
    _auto = False
    _order = "date_maturity, id"
    # What the view reads: flushed before each query on it, so unsaved changes are counted.
    _depends = {
        "account.move.line": [
            "move_id",
            "company_id",
            "partner_id",
            "date",
            "date_maturity",
            "account_id",
            "parent_state",
            "reconciled",
            "amount_residual",
            "company_currency_id",
        ],
        "account.account": ["account_type"],
        "res.partner": ["commercial_partner_id", "invoice_sending_method"],
    }

    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    age_bucket = fields.Selection(AGE_BUCKETS, string="Age", readonly=True)
    channel = fields.Selection(
        _channel_selection,
        string="Sending Channel",
        readonly=True,
        help="The customer's invoice sending method in the invoice's company; Not Set when none is set.",
    )
    company_currency_id = fields.Many2one("res.currency", readonly=True)
    amount_residual = fields.Monetary(
        string="Open Amount", currency_field="company_currency_id", readonly=True
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %s AS (
                    SELECT line.id AS id,
                           line.move_id AS move_id,
                           line.company_id AS company_id,
                           partner.commercial_partner_id AS partner_id,
                           COALESCE(line.date_maturity, line.date) AS date_maturity,
                           CASE
                               WHEN COALESCE(line.date_maturity, line.date) >= CURRENT_DATE THEN '0_not_due'
                               WHEN COALESCE(line.date_maturity, line.date) >= CURRENT_DATE - 30 THEN '1_late_30'
                               WHEN COALESCE(line.date_maturity, line.date) >= CURRENT_DATE - 60 THEN '2_late_60'
                               WHEN COALESCE(line.date_maturity, line.date) >= CURRENT_DATE - 90 THEN '3_late_90'
                               ELSE '4_late_over_90'
                           END AS age_bucket,
                           COALESCE(commercial.invoice_sending_method ->> line.company_id::text, %s) AS channel,
                           line.company_currency_id AS company_currency_id,
                           line.amount_residual AS amount_residual
                      FROM account_move_line line
                      JOIN account_account account ON account.id = line.account_id
                      JOIN res_partner partner ON partner.id = line.partner_id
                      JOIN res_partner commercial ON commercial.id = partner.commercial_partner_id
                     WHERE account.account_type = 'asset_receivable'
                       AND line.parent_state = 'posted'
                       AND NOT line.reconciled
                       AND line.amount_residual != 0
                )
                """,
                SQL.identifier(self._table),
                NO_CHANNEL,
            )
        )
