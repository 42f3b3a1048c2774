from odoo import fields, models
from odoo.addons.billing_base.tools import ensure_records


class BillingSepaReturnImport(models.Model):
    """The incoming payments by reference a camt.054 / camt.053 file carries next to its returns."""

    _inherit = "billing.sepa.return.import"

    reference_payment_ids = fields.One2many(
        "billing.sepa.reference.payment", "import_id", string="Payments by Reference", readonly=True
    )
    reference_payment_count = fields.Integer(compute="_compute_reference_payment_counts")
    reference_payment_review_count = fields.Integer(compute="_compute_reference_payment_counts")

    def _compute_reference_payment_counts(self):
        counts = {
            (record, state): count
            for record, state, count in self.env["billing.sepa.reference.payment"]._read_group(
                [("import_id", "in", self.ids)], ["import_id", "state"], ["__count"]
            )
        }
        for record in self:
            record.reference_payment_count = sum(
                count for (rec, _state), count in counts.items() if rec == record
            )
            record.reference_payment_review_count = counts.get((record, "to_review"), 0)

    def _get_result(self, duplicate=False):
        # EXTENDS billing_sepa: the payments by reference of the file.
        result = super()._get_result(duplicate)
        payments = self.reference_payment_ids
        result.update(
            payment_count=len(payments),
            paid_count=len(payments.filtered(lambda payment: payment.state == "booked")),
            payment_review_count=len(payments.filtered(lambda payment: payment.state == "to_review")),
        )
        return result

    def _create_reference_payments(self, credits):
        """One payment per credit entry not seen before; match, book and reconcile them in bulk,
        a chunk (the booking chunk size, 500 by default) at a time.

        An entry is known by its key in the file, and by the bank's reference of the
        transaction on the same account (the same payment in an intraday camt.054 and in the
        day's camt.053): it is imported once.
        """
        self.ensure_one()
        if not credits:
            return self.env["billing.sepa.reference.payment"]
        Payment = self.env["billing.sepa.reference.payment"]
        known = Payment.sudo().search_fetch(
            [
                ("company_id", "=", self.company_id.id),
                "|",
                ("key", "in", [credit.key for credit in credits]),
                (
                    "bank_reference",
                    "in",
                    [credit.bank_reference for credit in credits if credit.bank_reference],
                ),
            ],
            ["key", "bank_reference", "account_iban"],
        )
        known_keys = set(known.mapped("key"))
        known_bank_references = {(payment.account_iban, payment.bank_reference) for payment in known}
        currencies = {
            currency.name: currency
            for currency in self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "in", list({credit.currency for credit in credits if credit.currency}))])
        }
        vals_list = []
        for credit in credits:
            if credit.key in known_keys or (
                credit.bank_reference
                and (credit.account_iban, credit.bank_reference) in known_bank_references
            ):
                continue
            known_keys.add(credit.key)
            if credit.bank_reference:
                known_bank_references.add((credit.account_iban, credit.bank_reference))
            vals_list.append(self._prepare_reference_payment_vals(credit, currencies))
        size = self.env["billing.sepa.batch"]._get_booking_chunk_size()
        payment_ids = []
        for start in range(0, len(vals_list), size):
            payment_ids += self._create_reference_payments_chunk(vals_list[start : start + size]).ids
        self._update_review_state()
        return Payment.browse(payment_ids)

    def _create_reference_payments_chunk(self, vals_list):
        """Create, match and book the payments of ``vals_list``: the same queries whatever its size."""
        self.ensure_one()
        Payment = self.env["billing.sepa.reference.payment"]
        payments = Payment.create(Payment._add_match_vals(self.company_id, vals_list))
        payments._book()
        return payments

    def _prepare_reference_payment_vals(self, credit, currencies):
        currency = currencies.get(credit.currency) or self.company_id.currency_id
        return {
            "import_id": self.id,
            "company_id": self.company_id.id,
            "key": credit.key,
            "reference": credit.reference or False,
            "normalized_reference": credit.normalized_reference or False,
            "reference_source": credit.reference_source or False,
            "currency_id": currency.id,
            "amount": float(credit.amount or 0),
            "date": credit.date,
            "block": credit.block,
            "account_iban": credit.account_iban or False,
            "bank_reference": credit.bank_reference or False,
            "end_to_end_id": credit.end_to_end_id or False,
            "debtor_name": credit.debtor_name or False,
            "debtor_iban": credit.debtor_iban or False,
            "raw_xml": credit.raw_xml,
        }

    def _update_review_state(self):
        """To Review while a return or a payment of the file waits for a user.

        An import whose returns are booked in the background stays Booking: its scheduled action
        sets this state at the end.
        """
        for record in self.filtered(lambda record: record.state != "booking"):
            waiting = record.return_ids.filtered(lambda ret: ret.state == "to_review") or (
                record.reference_payment_ids.filtered(lambda payment: payment.state == "to_review")
            )
            record.state = "to_review" if waiting else "done"

    def action_view_reference_payments(self):
        ensure_records(self, single=True)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "billing_sepa.billing_sepa_reference_payment_action"
        )
        action["domain"] = [("import_id", "=", self.id)]
        action["context"] = {}
        return action
