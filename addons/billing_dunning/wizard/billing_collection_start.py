from odoo import Command, api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError

from ..models.account_move_collection import collection_scenario


class BillingCollectionStart(models.TransientModel):
    """Confirmation of a hand-over: the agency, the scenario, the amounts, and for a disputed or
    blocked invoice the reason to hand it over all the same."""

    _name = "billing.collection.start"
    _description = "Start Collection Dossier"

    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    company_id = fields.Many2one("res.company", compute="_compute_company_id")
    agency_id = fields.Many2one(
        "billing.collection.agency",
        domain="[('company_id', '=', company_id)]",
        compute="_compute_agency_id",
        store=True,
        readonly=False,
    )
    partner_id = fields.Many2one("res.partner", string="Customer", compute="_compute_summary")
    scenario = fields.Selection([("b2c", "Consumer"), ("b2b", "Business")], compute="_compute_summary")
    scenario_text = fields.Text(compute="_compute_summary")
    currency_id = fields.Many2one("res.currency", compute="_compute_summary")
    amount_principal = fields.Monetary(string="Principal", compute="_compute_summary")
    amount_interest = fields.Monetary(string="Interest", compute="_compute_summary")
    amount_fees = fields.Monetary(string="Reminder Fees", compute="_compute_summary")
    amount_compensation = fields.Monetary(string="Fixed Compensation", compute="_compute_summary")
    problems = fields.Text(compute="_compute_summary")
    blocks = fields.Text(string="Disputed or Blocked", compute="_compute_summary")
    override_reason = fields.Char(help="Required to hand over a disputed or blocked invoice.")

    @api.depends("move_ids")
    def _compute_company_id(self):
        for wizard in self:
            wizard.company_id = wizard.move_ids.company_id[:1]

    @api.depends("move_ids")
    def _compute_agency_id(self):
        for wizard in self:
            company = wizard.move_ids.company_id[:1]
            if not wizard.agency_id or wizard.agency_id.company_id != company:
                wizard.agency_id = self.env["billing.collection.agency"]._get_agency_for_company(company)

    @api.depends("move_ids", "agency_id")
    def _compute_summary(self):
        today = fields.Date.context_today(self)
        for wizard in self:
            moves = wizard.move_ids
            partner = moves.commercial_partner_id[:1]
            errors, blocks = moves._get_billing_collection_problems(today)
            amounts = moves._get_billing_collection_amounts(today) if moves and not errors else {}
            wizard.partner_id = partner
            wizard.scenario = collection_scenario(partner) if partner else False
            wizard.scenario_text = (
                wizard.agency_id._get_scenario_text(wizard.scenario)
                if wizard.agency_id and partner
                else False
            )
            wizard.currency_id = moves.currency_id[:1]
            wizard.amount_principal = amounts.get("principal", 0.0)
            wizard.amount_interest = amounts.get("interest", 0.0)
            wizard.amount_fees = amounts.get("fees", 0.0)
            wizard.amount_compensation = amounts.get("compensation", 0.0)
            wizard.problems = "\n".join(errors) or False
            wizard.blocks = "\n".join(blocks) or False

    def action_confirm(self):
        """Create the dossier, hand it over, and open it."""
        ensure_records(self, single=True)
        dossier = self._create_dossier()
        dossier.action_submit()
        return {
            "type": "ir.actions.act_window",
            "res_model": "billing.collection.dossier",
            "res_id": dossier.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def _create_dossier(self):
        self.ensure_one()
        today = fields.Date.context_today(self)
        moves = self.move_ids
        errors, blocks = moves._get_billing_collection_problems(today)
        if errors:
            raise UserError("\n".join(errors))
        if blocks and not (self.override_reason or "").strip():
            raise UserError(
                self.env._(
                    "Give a reason to hand over a disputed or blocked invoice:\n%(blocks)s",
                    blocks="\n".join(blocks),
                )
            )
        if not self.agency_id:
            raise UserError(self.env._("Choose the collection agency, or add one under Configuration."))
        self.agency_id._check_ready()
        amounts = moves._get_billing_collection_amounts(today)
        partner = moves.commercial_partner_id
        dossier = self.env["billing.collection.dossier"].create(
            {
                "agency_id": self.agency_id.id,
                "company_id": moves.company_id.id,
                "partner_id": partner.id,
                "invoice_ids": [Command.set(moves.ids)],
                "scenario": collection_scenario(partner),
                "currency_id": moves.currency_id.id,
                "handover_date": today,
                "amount_principal": amounts["principal"],
                "amount_interest": amounts["interest"],
                "amount_fees": amounts["fees"],
                "amount_compensation": amounts["compensation"],
                "override_reason": self.override_reason if blocks else False,
            }
        )
        note = self.env._("Started by %(user)s", user=self.env.user.name)
        if blocks:
            note = self.env._(
                "%(note)s, overriding: %(blocks)s Reason: %(reason)s",
                note=note,
                blocks=" ".join(blocks),
                reason=self.override_reason,
            )
        dossier._add_status("draft", note=note[:500])
        for move in moves:
            move.message_post(
                body=self.env._(
                    "Handed over to the collection agency %(agency)s in dossier %(dossier)s.",
                    agency=self.agency_id.name,
                    dossier=dossier.name,
                )
            )
        return dossier
