from odoo import fields, models, tools
from odoo.tools import SQL


class BillingSepaCollectionReport(models.Model):
    """One row per direct-debit collection line, with its collection's date and state: the
    "Getting paid" overview groups these per week (``collection_date:week``) in the database,
    as core's ``account.invoice.report`` does, so 10 000 lines cost one grouped query."""

    _name = "billing.sepa.collection.report"
    _description = "Direct Debit Collections Analysis"
    _auto = False
    _order = "collection_date desc, id desc"
    # What the view reads: flushed before each query on it, so unsaved changes are counted.
    _depends = {
        "billing.sepa.batch.line": ["batch_id", "move_id", "mandate_id", "amount"],
        "billing.sepa.batch": ["company_id", "collection_date", "state", "currency_id"],
        "account.move": ["commercial_partner_id"],
    }

    batch_id = fields.Many2one("billing.sepa.batch", string="Collection", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Debtor", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    mandate_id = fields.Many2one("billing.sepa.mandate", string="Mandate", readonly=True)
    collection_date = fields.Date(readonly=True)
    state = fields.Selection(
        lambda self: self.env["billing.sepa.batch"]._fields["state"].selection, readonly=True
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount = fields.Monetary(string="Amount Requested", readonly=True)
    amount_collected = fields.Monetary(
        readonly=True, help="The amount of the lines whose collection is booked as collected."
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %s AS (
                    SELECT line.id AS id,
                           line.batch_id AS batch_id,
                           batch.company_id AS company_id,
                           move.commercial_partner_id AS partner_id,
                           line.move_id AS move_id,
                           line.mandate_id AS mandate_id,
                           batch.collection_date AS collection_date,
                           batch.state AS state,
                           batch.currency_id AS currency_id,
                           line.amount AS amount,
                           CASE WHEN batch.state = 'collected' THEN line.amount ELSE 0 END
                               AS amount_collected
                      FROM billing_sepa_batch_line line
                      JOIN billing_sepa_batch batch ON batch.id = line.batch_id
                      JOIN account_move move ON move.id = line.move_id
                )
                """,
                SQL.identifier(self._table),
            )
        )
