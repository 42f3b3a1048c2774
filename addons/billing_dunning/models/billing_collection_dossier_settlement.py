from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..collection.settlement import parse_settlement

# While the agency reports one of these, a settlement that leaves money open makes the dossier
# partially paid (a payment plan stays a payment plan).
PARTIAL_FROM_STATES = ("submitted", "notice_sent")


class BillingCollectionDossier(models.Model):
    """The money of a dossier: the agency's settlement statements booked against its invoices."""

    _inherit = "billing.collection.dossier"

    settlement_ids = fields.One2many("billing.collection.settlement", "dossier_id", string="Settlements")
    amount_collected = fields.Monetary(
        string="Collected",
        compute="_compute_settlement_amounts",
        store=True,
        help="Paid to the agency for you.",
    )
    amount_commission = fields.Monetary(
        string="Commission", compute="_compute_settlement_amounts", store=True
    )
    amount_costs = fields.Monetary(string="Costs You Bear", compute="_compute_settlement_amounts", store=True)
    amount_open = fields.Monetary(
        string="Still Open",
        compute="_compute_amount_open",
        help="What the customer still owes on the dossier's invoices and their dunning charges.",
    )

    @api.depends(
        "settlement_ids.amount_collected", "settlement_ids.amount_commission", "settlement_ids.amount_costs"
    )
    def _compute_settlement_amounts(self):
        for dossier in self:
            settlements = dossier.settlement_ids
            dossier.amount_collected = sum(settlements.mapped("amount_collected"))
            dossier.amount_commission = sum(settlements.mapped("amount_commission"))
            dossier.amount_costs = sum(settlements.mapped("amount_costs"))

    def _compute_amount_open(self):
        for dossier in self:
            dossier.amount_open = dossier._get_amount_open()

    def _get_amount_open(self):
        self.ensure_one()
        return self.currency_id.round(
            sum(
                line.amount_residual_currency
                for line in self._get_collection_receivable_lines()
                if line.currency_id == self.currency_id
            )
        )

    def _get_collection_receivable_lines(self):
        """The open receivable lines of the dossier, in the order a payment pays them: the
        dunning charges (costs and interest) before the invoices (principal), oldest first."""
        self.ensure_one()
        charges = self.invoice_ids.billing_dunning_charge_ids.filtered(lambda c: c.state == "posted")

        def open_lines(moves):
            return moves.line_ids.filtered(
                lambda line: (
                    line.account_id.account_type == "asset_receivable"
                    and line.parent_state == "posted"
                    and not line.reconciled
                )
            ).sorted(lambda line: (line.date_maturity or line.date, line.id))

        return open_lines(charges.charge_move_id) + open_lines(self.invoice_ids)

    # ------------------------------------------------------------------ agency events

    def _apply_agency_event(self, event, source):
        """A status event may carry the agency's settlement statement: booked with the status,
        or neither (the event is then refused with the reason, and may come again)."""
        settlement = event.get("settlement") if isinstance(event, dict) else None
        if settlement is None:
            return super()._apply_agency_event(event, source)
        parsed = parse_settlement(
            settlement,
            self.currency_id.name,
            self.currency_id.decimal_places,
            str(event.get("date") or fields.Date.context_today(self)),
        )
        try:
            with self.env.cr.savepoint():
                applied = super()._apply_agency_event(event, source)
                if applied:
                    self._book_agency_settlement(parsed, str(event.get("event_id")))
        except UserError as exc:
            raise ValueError(str(exc)) from exc
        return applied

    def _book_agency_settlement(self, parsed, event_id):
        """Book one parsed settlement (collection.settlement.parse_settlement)."""
        self.ensure_one()
        if (
            self.env["billing.collection.settlement"]
            .sudo()
            .search_count(
                [("agency_id", "=", self.agency_id.id), ("name", "=", parsed["settlement_id"])], limit=1
            )
        ):
            raise UserError(
                self.env._(
                    "The settlement %(settlement)s was booked before.", settlement=parsed["settlement_id"]
                )
            )
        currency = self.currency_id
        collected = currency.round(parsed["paid_amount"] - parsed["costs_recovered"])
        commission = parsed["commission"]
        if commission is None:
            rate = (
                self.agency_id.commission_rate_b2c
                if self.scenario == "b2c"
                else self.agency_id.commission_rate_b2b
            )
            commission = currency.round(collected * rate / 100.0)
        # Made from the agency's statement only, never by hand: created and booked as superuser
        # whoever polled (an invoicing user reads settlements, never writes them).
        settlement = (
            self.env["billing.collection.settlement"]
            .sudo()
            .create(
                {
                    "name": parsed["settlement_id"],
                    "dossier_id": self.id,
                    "event_id": event_id,
                    "date": parsed["date"],
                    "currency_id": currency.id,
                    "amount_paid": parsed["paid_amount"],
                    "amount_costs_recovered": parsed["costs_recovered"],
                    "amount_collected": collected,
                    "amount_commission": commission,
                    "amount_costs": parsed["costs"],
                }
            )
        )
        settlement._book()
        self.message_post(
            body=self.env._(
                "Settlement %(settlement)s of %(agency)s: %(collected)s collected, %(commission)s "
                "commission, %(costs)s costs; %(remitted)s to be transferred.",
                settlement=settlement.name,
                agency=self.agency_id.name,
                collected=currency.format(settlement.amount_collected),
                commission=currency.format(settlement.amount_commission),
                costs=currency.format(settlement.amount_costs),
                remitted=currency.format(settlement.amount_remitted),
            )
        )
        self._follow_payments()
        return settlement

    def _follow_payments(self):
        """The state follows the money: paid once nothing is open, partially paid while some is."""
        self.ensure_one()
        self.invalidate_recordset(["amount_open"])
        if self.currency_id.is_zero(self._get_amount_open()):
            if self.state not in ("paid", "closed"):
                self._add_status("paid", note=self.env._("Settled in full"))
        elif self.state in PARTIAL_FROM_STATES:
            self._add_status("partially_paid", note=self.env._("Settled in part"))

    def _create_agency_bill(self, day, reference, lines, currency, setup):
        """A posted vendor bill of the agency: ``lines`` are (label, expense account, net amount),
        each with the agency's VAT."""
        self.ensure_one()
        partner = self.agency_id.partner_id
        if not partner:
            raise UserError(
                self.env._(
                    "The collection agency %(agency)s has no contact: its bills need one.",
                    agency=self.agency_id.display_name,
                )
            )
        tax = setup["tax"]
        bill = (
            self.env["account.move"]
            .with_company(self.company_id)
            .create(
                {
                    "move_type": "in_invoice",
                    "partner_id": partner.id,
                    "company_id": self.company_id.id,
                    "currency_id": currency.id,
                    "invoice_date": day,
                    "date": day,
                    "ref": f"{self.agency_id.name} {reference}"[:200],
                    "invoice_origin": self.name,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": label,
                                "account_id": account.id,
                                "quantity": 1.0,
                                "price_unit": amount,
                                "tax_ids": [Command.set(tax.ids)],
                            }
                        )
                        for label, account, amount in lines
                    ],
                }
            )
        )
        bill.action_post()
        return bill
