from odoo import Command, api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError

CHARGE_KINDS = [
    ("fee", "Reminder fee"),
    ("interest", "Late-payment interest"),
    ("compensation", "Fixed compensation"),
]


class BillingDunningCharge(models.Model):
    """A fee, interest or fixed compensation claimed for one invoice at one level, posted on
    a separate customer invoice linked to the origin invoice (``debit_origin_id``).

    Unique per (invoice, level, kind), and the fixed compensation once per invoice: both are
    database constraints, so no run, however concurrent or repeated, posts a charge twice.
    """

    _name = "billing.dunning.charge"
    _description = "Dunning Charge"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        ondelete="restrict",
        index=True,
        readonly=True,
        check_company=True,
    )
    level_id = fields.Many2one(
        "billing.dunning.level",
        string="Level",
        required=True,
        ondelete="restrict",
        readonly=True,
        check_company=True,
    )
    kind = fields.Selection(CHARGE_KINDS, required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True, check_company=True
    )
    reminder_id = fields.Many2one(
        "billing.dunning.reminder", string="Reminder", readonly=True, index=True, check_company=True
    )
    run_id = fields.Many2one(related="reminder_id.run_id", store=True, index="btree_not_null")
    date = fields.Date(required=True, readonly=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    amount = fields.Monetary(required=True, readonly=True, currency_field="currency_id")
    charge_move_id = fields.Many2one(
        "account.move",
        string="Charges Document",
        readonly=True,
        ondelete="restrict",
        index="btree_not_null",
        check_company=True,
    )
    charge_line_id = fields.Many2one(
        "account.move.line", string="Charges Line", readonly=True, ondelete="set null"
    )
    interest_date_from = fields.Date(string="Interest From", readonly=True)
    interest_date_to = fields.Date(string="Interest Until", readonly=True)
    interest_detail = fields.Text(readonly=True, help="The periods, bases and rates the interest is made of.")
    state = fields.Selection(
        [("posted", "Posted"), ("waived", "Waived")],
        default="posted",
        required=True,
        readonly=True,
        tracking=True,
    )
    waive_reason = fields.Char(readonly=True, tracking=True)
    waive_user_id = fields.Many2one("res.users", string="Waived By", readonly=True)
    waive_date = fields.Date(string="Waived On", readonly=True)
    waive_move_id = fields.Many2one(
        "account.move", string="Waiver Credit Note", readonly=True, ondelete="restrict", check_company=True
    )

    _sql_constraints = [
        (
            "move_level_kind_uniq",
            "unique(move_id, level_id, kind)",
            "An invoice is charged each kind of dunning charge once per level.",
        ),
    ]

    def init(self):
        super().init()
        # The fixed compensation is owed once per late invoice, whatever the level.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS billing_dunning_charge_compensation_once "
            "ON billing_dunning_charge (move_id) WHERE kind = 'compensation'"
        )

    @api.depends("kind", "move_id")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for charge in self:
            charge.display_name = f"{kinds.get(charge.kind, '')} {charge.move_id.name or ''}".strip()

    def action_waive(self, reason=None):
        """Waive the charges: post a credit note reversing them, with ``reason`` and the user.

        Without a reason (a button), opens the wizard asking for one.
        """
        ensure_records(self)
        if not reason:
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "billing_dunning.billing_dunning_charge_waive_action"
            )
            action["context"] = {"active_model": self._name, "active_ids": self.ids}
            return action
        self._waive(reason)
        return True

    def _waive(self, reason):
        if any(charge.state != "posted" for charge in self):
            raise UserError(self.env._("Only posted charges can be waived."))
        today = fields.Date.context_today(self)
        refunds_vals = []
        groups = list(self.grouped("charge_move_id").items())
        for document, charges in groups:
            refunds_vals.append(charges._prepare_waiver_vals(document, reason, today))
        refunds = self.env["account.move"].create(refunds_vals)
        refunds.action_post()
        for (document, charges), refund in zip(groups, refunds, strict=True):
            receivable = (document.line_ids | refund.line_ids).filtered(
                lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
            )
            if len(receivable) > 1:
                receivable.reconcile()
            charges.write(
                {
                    "state": "waived",
                    "waive_reason": reason,
                    "waive_user_id": self.env.user.id,
                    "waive_date": today,
                    "waive_move_id": refund.id,
                }
            )
        return refunds

    def _prepare_waiver_vals(self, document, reason, date):
        return {
            "move_type": "out_refund",
            "partner_id": document.partner_id.id,
            "company_id": document.company_id.id,
            "journal_id": document.journal_id.id,
            "currency_id": document.currency_id.id,
            "invoice_date": date,
            "reversed_entry_id": document.id,
            "fiscal_position_id": False,
            "invoice_payment_term_id": False,
            "ref": self.env._("Waived: %(reason)s", reason=reason),
            "billing_dunning_is_charge": True,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": self.env._(
                            "Waived: %(charge)s", charge=charge.charge_line_id.name or charge.display_name
                        ),
                        "account_id": charge.charge_line_id.account_id.id,
                        "tax_ids": [Command.set(charge.charge_line_id.tax_ids.ids)],
                        "quantity": 1,
                        "price_unit": charge.amount,
                    }
                )
                for charge in self
            ],
        }
