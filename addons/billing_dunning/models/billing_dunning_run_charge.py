from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from odoo import Command, models

from ..dunning.belgium import MAX_REMINDER_FEE_EUR, may_charge
from ..dunning.interest import PROFILES, Payment, compensation_due, statutory_interest
from .billing_dunning_interest_rate import RATE_SET_BY_PROFILE


class BillingDunningRun(models.Model):
    """The run's charges: fees, interest and compensation of new reminder lines, posted on one
    charges document per origin invoice."""

    _inherit = "billing.dunning.run"

    def _create_charges(self, reminders, plans):
        """Fees, interest and compensation of the new reminder lines, posted on one charges
        document per origin invoice."""
        levels = self.env["billing.dunning.level"].browse(
            {level.id for plan in plans for _item, level in plan.escalations}
        )
        chargeable = set(
            levels.filtered(
                lambda level: (
                    not level.pre_due
                    and (level.fee_type != "none" or level.apply_interest or level.apply_compensation)
                )
            )
        )
        if not chargeable:
            return self.env["billing.dunning.charge"]
        lines = reminders.line_ids.filtered(lambda line: line.level_id in chargeable)
        if not lines:
            return self.env["billing.dunning.charge"]
        moves = lines.move_id
        previous = self.env["billing.dunning.charge"].search_fetch(
            [("move_id", "in", moves.ids), ("kind", "in", ("interest", "compensation"))],
            ["move_id", "kind", "interest_date_to"],
        )
        compensated = set(previous.filtered(lambda charge: charge.kind == "compensation").move_id.ids)
        interest_until = {}
        for charge in previous.filtered(lambda charge: charge.kind == "interest"):
            interest_until[charge.move_id.id] = max(
                interest_until.get(charge.move_id.id, charge.interest_date_to), charge.interest_date_to
            )
        payments = self._get_payments(moves.filtered(lambda move: move.payment_state == "partial"))
        first_reminders = self._get_first_reminders(
            moves.filtered(lambda move: move.commercial_partner_id.billing_dunning_profile == "b2c_be")
        )
        rates_cache = {}
        charges_vals = []
        for line in lines:
            charges_vals += self._prepare_line_charges(
                line, compensated, interest_until, payments, rates_cache, first_reminders
            )
        if not charges_vals:
            return self.env["billing.dunning.charge"]
        return self._post_charges(charges_vals)

    def _get_payments(self, moves):
        """Payments and credit notes matched with ``moves``: {move id: [Payment]} in invoice currency."""
        partials = self.env["account.partial.reconcile"].search_fetch(
            [
                ("debit_move_id.move_id", "in", moves.ids),
                ("debit_move_id.account_type", "=", "asset_receivable"),
            ],
            ["debit_move_id", "debit_amount_currency", "max_date"],
        )
        result = defaultdict(list)
        for partial in partials:
            amount = partial.debit_move_id.currency_id.round(partial.debit_amount_currency)
            result[partial.debit_move_id.move_id.id].append(Payment(partial.max_date, Decimal(str(amount))))
        return result

    def _get_first_reminders(self, moves):
        """{invoice id: (date, channel)} of the first overdue reminder of each of ``moves``
        before the run's date."""
        if not moves:
            return {}
        earlier = self.env["billing.dunning.reminder.line"].search_fetch(
            [("move_id", "in", moves.ids), ("date", "<", self.date), ("level_id.pre_due", "=", False)],
            ["move_id", "date", "reminder_id"],
            order="date, id",
        )
        first = {}
        for line in earlier:
            first.setdefault(line.move_id.id, (line.date, line.reminder_id.channel))
        return first

    def _prepare_line_charges(
        self, line, compensated, interest_until, payments, rates_cache, first_reminders=None
    ):
        move, level = line.move_id, line.level_id
        profile_code = move.commercial_partner_id.billing_dunning_profile
        base = {
            "move_id": move.id,
            "level_id": level.id,
            "company_id": self.company_id.id,
            "partner_id": move.commercial_partner_id.id,
            "reminder_id": line.reminder_id.id,
            "date": self.date,
            "currency_id": move.currency_id.id,
        }
        if profile_code == "b2c_be":
            return self._prepare_line_charges_be_consumer(line, base, (first_reminders or {}).get(move.id))
        charges = []
        fee = self._get_fee(level, move)
        if not move.currency_id.is_zero(fee):
            charges.append(dict(base, kind="fee", amount=fee))
        if profile_code == "none":
            return charges
        if level.apply_interest:
            date_from = interest_until.get(move.id, move.invoice_date_due)
            interest, detail = self._get_interest(
                move, profile_code, date_from, payments.get(move.id, []), rates_cache
            )
            if not move.currency_id.is_zero(interest):
                charges.append(
                    dict(
                        base,
                        kind="interest",
                        amount=interest,
                        interest_date_from=date_from + timedelta(days=1),
                        interest_date_to=self.date,
                        interest_detail=detail,
                    )
                )
        if level.apply_compensation and move.id not in compensated:
            amount_eur = compensation_due(PROFILES[profile_code.upper()])
            if amount_eur:
                eur = self.env.ref("base.EUR")
                amount = eur._convert(float(amount_eur), move.currency_id, self.company_id, self.date)
                charges.append(dict(base, kind="compensation", amount=amount))
                compensated.add(move.id)
        return charges

    def _prepare_line_charges_be_consumer(self, line, base, first_reminder):
        """Belgian consumer (Book XIX): the first reminder is free, nothing is charged before
        the 14-day wait after it, and a reminder fee is at most EUR 7.50. No statutory interest
        and no fixed compensation (no Belgian consumer rate in the rate table)."""
        move = line.move_id
        day, channel = first_reminder or (None, None)
        if not may_charge(day, "letter" if channel == "letter" else "email", self.date):
            return []
        cap = self.env.ref("base.EUR")._convert(
            float(MAX_REMINDER_FEE_EUR), move.currency_id, self.company_id, self.date
        )
        fee = min(self._get_fee(line.level_id, move), cap)
        return [] if move.currency_id.is_zero(fee) else [dict(base, kind="fee", amount=fee)]

    def _get_fee(self, level, move):
        """The fee for ``move`` at ``level``, in the invoice currency, rounded."""
        currency, company = move.currency_id, self.company_id
        if level.fee_type == "fixed":
            fees = {fee.currency_id: fee.amount for fee in level.fee_fixed_ids}
            if currency in fees:
                return currency.round(fees[currency])
            if company.currency_id in fees:
                return company.currency_id._convert(fees[company.currency_id], currency, company, self.date)
            return 0.0
        if level.fee_type == "percent":
            amount = currency.round(move.amount_residual * level.fee_percent / 100)
            minimum = company.currency_id._convert(level.fee_min, currency, company, self.date)
            amount = max(amount, minimum)
            if level.fee_max:
                amount = min(
                    amount, company.currency_id._convert(level.fee_max, currency, company, self.date)
                )
            return amount
        return 0.0

    def _get_interest(self, move, profile_code, date_from, payments, rates_cache):
        """Interest on ``move`` for the days after ``date_from`` up to the run date, and a text
        with its periods."""
        Rate = self.env["billing.dunning.interest.rate"]
        if profile_code not in rates_cache:
            rates_cache[profile_code] = Rate._get_profile_rates(profile_code)
        profile, periods = rates_cache[profile_code]
        currency = move.currency_id
        try:
            result = statutory_interest(
                Decimal(str(currency.round(move.amount_total))),
                date_from,
                self.date,
                payments,
                periods,
                profile.margin_points,
                currency_decimals=currency.decimal_places,
            )
        except ValueError:
            Rate._raise_missing_rate(RATE_SET_BY_PROFILE[profile_code], date_from + timedelta(days=1))
        detail = "\n".join(
            self.env._(
                "%(start)s - %(end)s: %(days)s days on %(base)s at %(rate)s %%",
                start=segment.start,
                end=segment.end,
                days=segment.days,
                base=segment.base,
                rate=segment.annual_rate,
            )
            for segment in result.segments
        )
        return float(result.total), detail

    def _post_charges(self, charges_vals):
        company = self.company_id
        accounts = company._get_billing_dunning_charge_setup()
        tax = accounts["tax"]
        kinds = dict(self.env["billing.dunning.charge"]._fields["kind"]._description_selection(self.env))
        by_move = defaultdict(list)
        for vals in charges_vals:
            by_move[vals["move_id"]].append(vals)
        origins = self.env["account.move"].browse(list(by_move))
        documents_vals = []
        for origin in origins:
            policy = self._get_policy(origin.commercial_partner_id)
            documents_vals.append(
                {
                    "move_type": "out_invoice",
                    "partner_id": origin.partner_id.id,
                    "company_id": company.id,
                    "journal_id": origin.journal_id.id,
                    "currency_id": origin.currency_id.id,
                    "invoice_date": self.date,
                    "date": self.date,
                    "invoice_payment_term_id": False,
                    "invoice_date_due": self.date + timedelta(days=policy.charge_due_days),
                    "fiscal_position_id": False,
                    "debit_origin_id": origin.id,
                    "invoice_origin": origin.name,
                    "billing_dunning_is_charge": True,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": self.env._(
                                    "%(kind)s on %(invoice)s%(period)s",
                                    kind=kinds[vals["kind"]],
                                    invoice=origin.name,
                                    period=self.env._(
                                        " from %(start)s to %(end)s",
                                        start=vals["interest_date_from"],
                                        end=vals["interest_date_to"],
                                    )
                                    if vals["kind"] == "interest"
                                    else "",
                                ),
                                "account_id": accounts[vals["kind"]].id,
                                "tax_ids": [Command.set(tax.ids)],
                                "quantity": 1,
                                "price_unit": vals["amount"],
                            }
                        )
                        for vals in by_move[origin.id]
                    ],
                }
            )
        documents = self.env["account.move"].create(documents_vals)
        documents.action_post()
        charges_to_create = []
        for origin, document in zip(origins, documents, strict=True):
            for vals, line in zip(by_move[origin.id], document.invoice_line_ids, strict=True):
                charges_to_create.append(dict(vals, charge_move_id=document.id, charge_line_id=line.id))
        return (
            self.env["billing.dunning.charge"]
            .with_context(mail_create_nolog=True, mail_create_nosubscribe=True)
            .create(charges_to_create)
        )
