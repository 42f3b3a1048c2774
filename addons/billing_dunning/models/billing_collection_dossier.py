import uuid

from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records

DOSSIER_STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("notice_sent", "Formal Notice Sent"),
    ("payment_plan", "Payment Plan"),
    ("paid", "Paid"),
    ("partially_paid", "Partially Paid"),
    ("uncollectible", "Uncollectible"),
    ("bankrupt", "Bankrupt"),
    ("withdrawn", "Withdrawn"),
    ("closed", "Closed"),
]
# The states an agency may report (draft is Odoo's own: not handed over yet).
AGENCY_STATES = {state for state, _label in DOSSIER_STATES if state != "draft"}
# After these nothing changes any more: later agency events are stored, not applied.
FINAL_STATES = ("withdrawn", "closed")
# The dunning ladder stays stopped for the invoices of a dossier in any other state: once
# handed over, only a withdrawal gives an invoice back to the reminders.
LADDER_STOPPED_STATES = tuple(state for state, _label in DOSSIER_STATES if state != "withdrawn")
# Polled by the scheduled action.
SYNC_STATES = ("submitted", "notice_sent", "payment_plan", "partially_paid")


class BillingCollectionDossier(models.Model):
    """Unpaid invoices of one customer handed over to a collection agency.

    The amounts are those of the hand-over (the dunning engine's, in the invoice currency);
    the state follows the agency (signed callbacks, and a scheduled poll as a safety net),
    each change dated in the status history."""

    _name = "billing.collection.dossier"
    _description = "Collection Dossier"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    agency_id = fields.Many2one(
        "billing.collection.agency", required=True, readonly=True, check_company=True, index=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, index=True)
    invoice_ids = fields.Many2many(
        "account.move",
        "billing_collection_dossier_move_rel",
        "dossier_id",
        "move_id",
        string="Invoices",
        readonly=True,
        check_company=True,
    )
    dossier_number = fields.Char(
        string="Agency Dossier Number", readonly=True, copy=False, index="btree_not_null", tracking=True
    )
    scenario = fields.Selection([("b2c", "Consumer"), ("b2b", "Business")], required=True, readonly=True)
    scenario_text = fields.Text(compute="_compute_scenario_text")
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    handover_date = fields.Date(readonly=True)
    amount_principal = fields.Monetary(string="Principal", readonly=True)
    amount_interest = fields.Monetary(string="Interest", readonly=True)
    amount_fees = fields.Monetary(string="Reminder Fees", readonly=True)
    amount_compensation = fields.Monetary(string="Fixed Compensation (EUR 40)", readonly=True)
    amount_total = fields.Monetary(string="Total Handed Over", compute="_compute_amount_total", store=True)
    state = fields.Selection(DOSSIER_STATES, default="draft", required=True, readonly=True, tracking=True)
    status_ids = fields.One2many("billing.collection.dossier.status", "dossier_id", string="Status History")
    override_reason = fields.Char(
        readonly=True, help="Why a disputed or blocked invoice was handed over all the same."
    )
    idempotency_key = fields.Char(readonly=True, copy=False, default=lambda self: uuid.uuid4().hex)
    last_error = fields.Text(string="Last Agency Error", readonly=True, copy=False)
    last_sync = fields.Datetime(string="Last Synchronised", readonly=True, copy=False)
    user_id = fields.Many2one(
        "res.users", string="Started By", readonly=True, default=lambda self: self.env.user
    )

    _sql_constraints = [
        (
            "dossier_number_agency_unique",
            "UNIQUE(agency_id, dossier_number)",
            "An agency gives each dossier its own number.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("billing.collection.dossier") or "/"
        return super().create(vals_list)

    @api.depends("amount_principal", "amount_interest", "amount_fees", "amount_compensation")
    def _compute_amount_total(self):
        for dossier in self:
            dossier.amount_total = dossier.currency_id.round(
                dossier.amount_principal
                + dossier.amount_interest
                + dossier.amount_fees
                + dossier.amount_compensation
            )

    @api.depends("scenario", "agency_id")
    def _compute_scenario_text(self):
        for dossier in self:
            dossier.scenario_text = (
                dossier.agency_id._get_scenario_text(dossier.scenario) if dossier.agency_id else False
            )

    # ------------------------------------------------------------------ actions

    def action_view_invoices(self):
        ensure_records(self, single=True)
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("id", "in", self.invoice_ids.ids)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------ status

    def _add_status(self, state, date=None, note=None, source="odoo", event_id=None):
        """Record ``state`` in the history and on the dossier."""
        self.ensure_one()
        self.env["billing.collection.dossier.status"].create(
            {
                "dossier_id": self.id,
                "state": state,
                "date": date or fields.Datetime.now(),
                "note": note,
                "source": source,
                "event_id": event_id,
            }
        )
        if self.state != state:
            self.state = state

    def _apply_agency_event(self, event, source):
        """Apply one status event of the agency (a callback body or an event of a polled
        status): {event_id, status, date, note}. Returns False when the event was applied
        before (same ``event_id``); raises ValueError when it cannot be applied."""
        self.ensure_one()
        event_id = str(event.get("event_id") or "")
        status = event.get("status")
        if not event_id:
            raise ValueError(self.env._("The event has no event_id."))
        if status not in AGENCY_STATES:
            raise ValueError(self.env._("Unknown dossier status %(status)s.", status=status))
        if self.env["billing.collection.dossier.status"].search_count(
            [("dossier_id.agency_id", "=", self.agency_id.id), ("event_id", "=", event_id)], limit=1
        ):
            return False
        if self.state in FINAL_STATES:
            raise ValueError(
                self.env._(
                    "The dossier %(dossier)s is %(state)s: the status %(status)s is not applied.",
                    dossier=self.display_name,
                    state=self.state,
                    status=status,
                )
            )
        date = event.get("date")
        try:
            date = fields.Datetime.to_datetime(date[:19].replace("T", " ")) if date else fields.Datetime.now()
        except (TypeError, ValueError) as exc:
            raise ValueError(self.env._("The event date %(date)s is not a date.", date=date)) from exc
        note = event.get("note")
        self._add_status(
            status, date=date, note=str(note)[:500] if note else False, source=source, event_id=event_id
        )
        return True
