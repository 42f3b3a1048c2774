from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, create_index

from ..dunning.levels import next_action_date
from .res_company import BLOCK_REASONS


class AccountMove(models.Model):
    _inherit = "account.move"

    billing_dunning_line_ids = fields.One2many(
        "billing.dunning.reminder.line", "move_id", string="Reminder Lines", readonly=True
    )
    billing_dunning_charge_ids = fields.One2many(
        "billing.dunning.charge", "move_id", string="Dunning Charges", readonly=True
    )
    # Computed from the reminder lines, not stored: a run reminds thousands of invoices at
    # once, and a stored level would cost an UPDATE of every one of them (29 indexes each).
    billing_dunning_level_id = fields.Many2one(
        "billing.dunning.level",
        string="Dunning Level",
        compute="_compute_billing_dunning_level",
        search="_search_billing_dunning_level_id",
        help="Level of the last reminder sent for this invoice.",
    )
    billing_dunning_last_date = fields.Date(string="Last Reminder", compute="_compute_billing_dunning_level")
    billing_dunning_next_date = fields.Date(
        string="Next Dunning Action",
        compute="_compute_billing_dunning_next_date",
        help="The first day on which the next level could be reached.",
    )
    billing_dunning_block_reason = fields.Selection(
        BLOCK_REASONS,
        string="Dunning Block",
        tracking=True,
        copy=False,
        help="No reminder and no charge for this invoice while set.",
    )
    billing_dunning_block_until = fields.Date(
        string="Dunning Block Until", tracking=True, copy=False, help="The block ends after this day."
    )
    billing_dunning_block_note = fields.Char(string="Dunning Block Note", copy=False)
    billing_dunning_court_state = fields.Selection(
        [
            ("requested", "Court order requested"),
            ("issued", "Court order issued"),
            ("objected", "Objection raised"),
            ("enforceable", "Enforcement order issued"),
        ],
        string="Court Dunning",
        tracking=True,
        copy=False,
        help="German Mahnverfahren. Automatic reminders stop once the court is involved.",
    )
    billing_dunning_court_request_date = fields.Date(string="Court Order Requested On", copy=False)
    billing_dunning_court_issue_date = fields.Date(string="Court Order Issued On", copy=False)
    billing_dunning_court_file_number = fields.Char(string="Court File Number", copy=False)
    billing_dunning_court_costs = fields.Monetary(
        string="Court Costs", currency_field="company_currency_id", copy=False
    )
    billing_dunning_is_charge = fields.Boolean(
        string="Dunning Charges Document",
        readonly=True,
        copy=False,
        help="Fees, interest or compensation of a reminder: never reminded itself (no interest on interest).",
    )
    billing_dunning_thanked = fields.Boolean(string="Thank-you Sent", readonly=True, copy=False)

    def init(self):
        super().init()
        # A dunning run takes its customers in batches, in the order of their ids, and then
        # their open invoices: with this index each batch reads its own customers' invoices
        # instead of every open invoice of the company (40 scans of 100 000 rows for a run
        # over 20 000 customers).
        create_index(
            self.env.cr,
            "account_move_billing_dunning_open_partner_idx",
            self._table,
            ["commercial_partner_id"],
            where="move_type = 'out_invoice' AND state = 'posted' AND payment_state IN ('not_paid', 'partial')",
        )

    @api.depends("billing_dunning_line_ids.level_id", "billing_dunning_line_ids.date")
    def _compute_billing_dunning_level(self):
        # One read for all moves: a run recomputes thousands at once.
        saved = self.filtered(lambda move: isinstance(move.id, int))
        lines = self.env["billing.dunning.reminder.line"].search_fetch(
            [("move_id", "in", saved.ids)], ["move_id", "level_id", "date"]
        )
        last = {}
        for line in lines:
            key = (line.date, line.level_id.sequence, line.id)
            if line.move_id.id not in last or key > last[line.move_id.id][0]:
                last[line.move_id.id] = (key, line)
        for move in self:
            line = last.get(move.id, (None, self.env["billing.dunning.reminder.line"]))[1]
            move.billing_dunning_level_id = line.level_id
            move.billing_dunning_last_date = line.date

    def _search_billing_dunning_level_id(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(
                self.env._(
                    "Searching the dunning level with %(operator)s is not supported.", operator=operator
                )
            )
        values = set(value) if operator in ("in", "not in") else {value}
        positive = operator in ("=", "in")
        level_ids = [level for level in values if level]
        domains = []
        if False in values or None in values:
            # No level at all: the invoice has no reminder line.
            domains.append([("billing_dunning_line_ids", "=" if positive else "!=", False)])
        if level_ids:
            self.env["billing.dunning.reminder.line"].flush_model()
            self.env.cr.execute(
                SQL(
                    """
                    SELECT move_id FROM (
                        SELECT DISTINCT ON (line.move_id) line.move_id, line.level_id
                          FROM billing_dunning_reminder_line line
                          JOIN billing_dunning_level level ON level.id = line.level_id
                      ORDER BY line.move_id, line.date DESC, level.sequence DESC, line.id DESC
                    ) last
                    WHERE last.level_id = ANY(%s)
                    """,
                    level_ids,
                )
            )
            move_ids = [move_id for [move_id] in self.env.cr.fetchall()]
            domains.append([("id", "in" if positive else "not in", move_ids)])
        if not domains:
            return [("id", "=", False)] if positive else []
        return expression.OR(domains) if positive else expression.AND(domains)

    @api.depends(
        "billing_dunning_level_id",
        "billing_dunning_last_date",
        "invoice_date_due",
        "payment_state",
        "commercial_partner_id",
    )
    def _compute_billing_dunning_next_date(self):
        today = fields.Date.context_today(self)
        for move in self:
            policy = move._get_billing_dunning_policy()
            if (
                move.move_type != "out_invoice"
                or move.state != "posted"
                or move.payment_state not in ("not_paid", "partial")
                or move.billing_dunning_is_charge
                or not policy
                or not move.invoice_date_due
            ):
                move.billing_dunning_next_date = False
                continue
            levels = policy._get_levels()
            current = move.billing_dunning_level_id
            current_index = list(levels).index(current) if current in levels else None
            move.billing_dunning_next_date = next_action_date(
                policy._get_steps(),
                move.invoice_date_due,
                today,
                current_index,
                move.billing_dunning_last_date,
            )

    def _get_billing_dunning_policy(self):
        self.ensure_one()
        company = self.company_id
        return (
            self.commercial_partner_id.with_company(company).billing_dunning_policy_id
            or company.billing_dunning_policy_id
        )
