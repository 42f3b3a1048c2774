from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records

from ..dunning.interest import PROFILES, compensation_due
from .billing_collection_dossier import LADDER_STOPPED_STATES


def collection_scenario(partner):
    """b2c or b2b, from the customer's late-payment profile (``none``: a company is a business)."""
    profile = partner.billing_dunning_profile or "none"
    if profile.startswith("b2c"):
        return "b2c"
    if profile.startswith("b2b"):
        return "b2b"
    return "b2b" if partner.is_company else "b2c"


class AccountMove(models.Model):
    """Hand-over of an unpaid invoice to a collection agency."""

    _inherit = "account.move"

    billing_collection_dossier_ids = fields.Many2many(
        "billing.collection.dossier",
        "billing_collection_dossier_move_rel",
        "move_id",
        "dossier_id",
        string="Collection Dossiers",
        readonly=True,
        copy=False,
    )
    billing_collection_dossier_count = fields.Integer(compute="_compute_billing_collection_dossier_count")
    billing_collection_live = fields.Boolean(
        string="With the Collection Agency",
        compute="_compute_billing_collection_dossier_count",
        help="A dossier that is not withdrawn holds this invoice: the dunning ladder is stopped.",
    )
    billing_collection_scenario = fields.Selection(
        [("b2c", "Consumer"), ("b2b", "Business")],
        string="Collection Scenario",
        compute="_compute_billing_collection_scenario",
    )
    billing_collection_scenario_text = fields.Text(compute="_compute_billing_collection_scenario")

    @api.depends("billing_collection_dossier_ids.state")
    def _compute_billing_collection_dossier_count(self):
        for move in self:
            dossiers = move.billing_collection_dossier_ids
            move.billing_collection_dossier_count = len(dossiers)
            move.billing_collection_live = any(d.state in LADDER_STOPPED_STATES for d in dossiers)

    @api.depends(
        "commercial_partner_id.billing_dunning_profile", "commercial_partner_id.is_company", "company_id"
    )
    def _compute_billing_collection_scenario(self):
        agencies = {}
        for move in self:
            scenario = (
                collection_scenario(move.commercial_partner_id) if move.commercial_partner_id else False
            )
            company = move.company_id
            if company not in agencies:
                agencies[company] = self.env["billing.collection.agency"]._get_agency_for_company(company)
            move.billing_collection_scenario = scenario
            move.billing_collection_scenario_text = (
                agencies[company]._get_scenario_text(scenario) if scenario and agencies[company] else False
            )

    def action_billing_collection_start(self):
        """The confirmation dialog of a hand-over to the collection agency."""
        ensure_records(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Start Collection Dossier"),
            "res_model": "billing.collection.start",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_move_ids": self.ids},
        }

    def action_view_billing_collection_dossiers(self):
        ensure_records(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "billing_dunning.billing_collection_dossier_action"
        )
        action["domain"] = [("invoice_ids", "in", self.ids)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------ eligibility

    def _get_billing_collection_problems(self, day):
        """(errors, blocks): why these invoices cannot be handed over at all, and why they need
        an explicit override (dispute, dunning block, Odoo's payment block, court dunning)."""
        errors, blocks = [], []
        for move in self:
            if move.move_type != "out_invoice" or move.state != "posted" or move.billing_dunning_is_charge:
                errors.append(
                    self.env._("%(invoice)s is not a posted customer invoice.", invoice=move.display_name)
                )
            elif move.payment_state not in ("not_paid", "partial", "blocked"):
                errors.append(self.env._("%(invoice)s is not unpaid.", invoice=move.display_name))
            elif not move.invoice_date_due or move.invoice_date_due >= day:
                errors.append(self.env._("%(invoice)s is not overdue.", invoice=move.display_name))
            elif move.billing_collection_live:
                errors.append(
                    self.env._(
                        "%(invoice)s is with the collection agency already.", invoice=move.display_name
                    )
                )
            partner = move.commercial_partner_id
            for record in (move, partner):
                if record.billing_dunning_block_reason and (
                    not record.billing_dunning_block_until or record.billing_dunning_block_until >= day
                ):
                    reason = dict(record._fields["billing_dunning_block_reason"].selection)[
                        record.billing_dunning_block_reason
                    ]
                    blocks.append(
                        self.env._(
                            "%(record)s: dunning blocked (%(reason)s).",
                            record=record.display_name,
                            reason=reason,
                        )
                    )
            if move.payment_state == "blocked":
                blocks.append(self.env._("%(invoice)s: payment blocked.", invoice=move.display_name))
            if move.billing_dunning_court_state:
                blocks.append(self.env._("%(invoice)s: in court dunning.", invoice=move.display_name))
        if len(self.commercial_partner_id) > 1:
            errors.append(self.env._("A dossier is for the invoices of one customer."))
        if len(self.currency_id) > 1:
            errors.append(self.env._("A dossier is for invoices in one currency."))
        return errors, blocks

    # ------------------------------------------------------------------ amounts

    def _get_billing_collection_amounts(self, day):
        """What is handed over for these invoices on ``day``, in their currency, as the dunning
        engine computes it: the open principal, the posted (not waived) fees, interest and EUR 40
        compensation, plus the interest the engine would charge from its last interest charge
        (or the due date) to ``day``, and the EUR 40 the engine would charge when not charged yet."""
        result = dict.fromkeys(("principal", "interest", "fees", "compensation"), 0.0)
        run = self.env["billing.dunning.run"].new({"date": day, "company_id": self.company_id[:1].id})
        payments = run._get_payments(self)
        for move in self:
            currency = move.currency_id
            profile_code = move.commercial_partner_id.billing_dunning_profile or "none"
            profile = PROFILES.get(profile_code.upper())
            charges = move.billing_dunning_charge_ids.filtered(lambda charge: charge.state == "posted")
            by_kind = dict.fromkeys(("fee", "interest", "compensation"), 0.0)
            for charge in charges:
                by_kind[charge.kind] += charge.amount
            interest = by_kind["interest"]
            if profile and move.invoice_date_due:
                date_from = max(
                    (charge.interest_date_to for charge in charges if charge.kind == "interest"),
                    default=move.invoice_date_due,
                )
                if date_from < day:
                    accrued, _detail = run._get_interest(
                        move, profile_code, date_from, payments.get(move.id, []), {}
                    )
                    interest += accrued
            compensation = by_kind["compensation"]
            if profile and not compensation and move.invoice_date_due and move.invoice_date_due < day:
                amount_eur = compensation_due(profile)
                if amount_eur:
                    compensation = self.env.ref("base.EUR")._convert(
                        float(amount_eur), currency, move.company_id, day
                    )
            result["principal"] += move.amount_residual
            result["interest"] += interest
            result["fees"] += by_kind["fee"]
            result["compensation"] += compensation
        currency = self.currency_id[:1]
        return {key: currency.round(value) for key, value in result.items()}

    def _get_billing_collection_pdf(self):
        """The invoice PDF sent to the agency: the one Odoo keeps, else rendered now."""
        self.ensure_one()
        if self.invoice_pdf_report_id:
            return self.invoice_pdf_report_id.raw
        content, _format = (
            self.env["ir.actions.report"].sudo()._render_qweb_pdf("account.account_invoices", self.ids)
        )
        return content
