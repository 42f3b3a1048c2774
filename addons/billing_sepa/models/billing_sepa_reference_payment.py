from collections import defaultdict

from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError
from odoo.tools import SQL

from .billing_sepa_batch_booking import BULK_BOOKING_CONTEXT

REVIEW_REASONS = [
    ("no_reference", "No reference"),
    ("unknown_reference", "Unknown reference"),
    ("ambiguous", "Several open invoices"),
    ("wrong_amount", "Amount differs"),
    ("already_paid", "Invoice already paid"),
    ("currency", "Other currency"),
]


class BillingSepaReferencePayment(models.Model):
    """One incoming payment by reference (viitemaksu), from a camt.054 or camt.053 credit entry.

    Matched to the customer invoice whose payment reference it carries and whose amount due it
    pays, then booked with the other payments of its file and account block in one entry on the
    bank journal, which marks the invoices paid. A payment that cannot be matched waits for
    review with the reason and the bank's entry: it is never dropped.
    """

    _name = "billing.sepa.reference.payment"
    _description = "Incoming Payment by Reference"
    _order = "id desc"
    _check_company_auto = True
    _rec_name = "reference"

    import_id = fields.Many2one(
        "billing.sepa.return.import",
        string="Import",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    key = fields.Char(required=True, readonly=True, help="Identifies the bank's entry: imported once.")
    state = fields.Selection(
        [("matched", "Matched"), ("to_review", "To Review"), ("booked", "Booked"), ("ignored", "Ignored")],
        required=True,
        default="to_review",
        readonly=True,
        index=True,
        help="To Review: no open invoice with this reference and amount; choose the invoice and "
        "press Match. Booked: the payment is reconciled with the invoice.",
    )
    review_reason = fields.Selection(REVIEW_REASONS, readonly=True)
    reference = fields.Char(readonly=True, help="The reference as the bank reported it.")
    normalized_reference = fields.Char(readonly=True, index="btree_not_null")
    reference_source = fields.Selection(
        [("structured", "Structured"), ("unstructured", "Free text")], readonly=True
    )
    currency_id = fields.Many2one(
        "res.currency", required=True, readonly=True, default=lambda self: self.env.company.currency_id
    )
    amount = fields.Monetary(readonly=True)
    date = fields.Date(string="Booking Date", readonly=True)
    block = fields.Char(readonly=True, help="The account notification or statement in the file.")
    account_iban = fields.Char(string="Account", readonly=True)
    bank_reference = fields.Char(readonly=True, index="btree_not_null")
    end_to_end_id = fields.Char(string="End-to-End ID", readonly=True)
    debtor_name = fields.Char(string="Payer", readonly=True)
    debtor_iban = fields.Char(string="Payer Account", readonly=True)
    raw_xml = fields.Text(string="Bank Entry", readonly=True)
    invoice_id = fields.Many2one(
        "account.move",
        string="Invoice",
        index="btree_not_null",
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted')]",
        help="The invoice this payment pays. Set it on a payment to review, then press Match.",
    )
    partner_id = fields.Many2one(
        related="invoice_id.commercial_partner_id", string="Customer", store=True, index="btree_not_null"
    )
    move_id = fields.Many2one("account.move", string="Payment Entry", readonly=True, index="btree_not_null")

    _sql_constraints = [
        ("key_company_unique", "unique(company_id, key)", "The bank reported this entry once already."),
    ]

    # ------------------------------------------------------------------ matching

    @api.model
    def _find_invoices(self, company, normalized_references):
        """Posted customer invoices of ``company`` by normalised payment reference, in one query."""
        if not normalized_references:
            return {}
        self.env["account.move"].flush_model(["payment_reference", "company_id", "move_type", "state"])
        normalized = SQL(
            "CASE WHEN regexp_replace(payment_reference, '\\s', '', 'g') ~ '^[0-9]+$' "
            "THEN ltrim(regexp_replace(payment_reference, '\\s', '', 'g'), '0') "
            "ELSE upper(regexp_replace(payment_reference, '\\s', '', 'g')) END"
        )
        rows = self.env.execute_query(
            SQL(
                """
                SELECT id, %(normalized)s FROM account_move
                 WHERE company_id = %(company)s AND move_type = 'out_invoice' AND state = 'posted'
                   AND payment_reference IS NOT NULL AND %(normalized)s = ANY(%(references)s)
              ORDER BY id
                """,
                normalized=normalized,
                company=company.id,
                references=list(normalized_references),
            )
        )
        invoices = self.env["account.move"].browse([row[0] for row in rows])
        by_reference = defaultdict(lambda: self.env["account.move"])
        for (_id, reference), invoice in zip(rows, invoices, strict=True):
            by_reference[reference] |= invoice
        # Each group read together with the others: one query for all the invoices' fields.
        return {
            reference: group.with_prefetch(invoices._prefetch_ids)
            for reference, group in by_reference.items()
        }

    @api.model
    def _add_match_vals(self, company, vals_list):
        """Fill in each new payment's invoice and state: the open invoice with its reference and
        amount due is matched, anything else waits for review with the reason. One query for the
        invoices of the whole list; the payments are then created matched, without a write each.
        """
        invoices_by_reference = self._find_invoices(
            company, {vals["normalized_reference"] for vals in vals_list} - {False, ""}
        )
        currencies = self.env["res.currency"].browse({vals["currency_id"] for vals in vals_list})
        residual = {}  # what is left to pay on an invoice once the list's payments count
        for vals in vals_list:
            currency = currencies.browse(vals["currency_id"])
            reason, invoice = self._get_match(
                invoices_by_reference, residual, vals["normalized_reference"], vals["amount"], currency
            )
            if not reason:
                residual[invoice] -= vals["amount"]
            vals.update(
                invoice_id=invoice.id, state="to_review" if reason else "matched", review_reason=reason
            )
        return vals_list

    @api.model
    def _get_match(self, invoices_by_reference, residual, reference, amount, currency):
        """``(review reason, invoice)``: no reason when the payment pays ``invoice``."""
        no_invoice = self.env["account.move"]
        if not reference:
            return "no_reference", no_invoice
        invoices = invoices_by_reference.get(reference, no_invoice)
        if not invoices:
            return "unknown_reference", no_invoice
        for invoice in invoices:
            residual.setdefault(invoice, invoice.amount_residual)
        open_invoices = invoices.filtered(lambda inv: not inv.currency_id.is_zero(residual[inv]))
        if len(open_invoices) > 1:
            return "ambiguous", no_invoice
        if not open_invoices:
            return "already_paid", invoices[-1:]
        invoice = open_invoices
        if invoice.currency_id != currency:
            return "currency", invoice
        if invoice.currency_id.compare_amounts(amount, residual[invoice]):
            return "wrong_amount", invoice
        return False, invoice

    def action_match(self):
        """Book payments under review against the invoice the user chose (also a part payment)."""
        ensure_records(self)
        to_match = self.filtered(lambda payment: payment.state == "to_review")
        if to_match.filtered(lambda payment: not payment.invoice_id):
            raise UserError(self.env._("Choose the invoice each payment pays first."))
        for payment in to_match:
            invoice = payment.invoice_id
            if invoice.currency_id != payment.currency_id or (
                invoice.currency_id.compare_amounts(payment.amount, invoice.amount_residual) > 0
            ):
                raise UserError(
                    self.env._(
                        "The payment of %(amount)s does not fit invoice %(invoice)s, which has %(residual)s "
                        "left to pay: choose another invoice or ignore the payment.",
                        amount=payment.amount,
                        invoice=invoice.name,
                        residual=invoice.amount_residual,
                    )
                )
        to_match.write({"state": "matched", "review_reason": False})
        to_match._book()
        to_match.import_id._update_review_state()
        return True

    def action_ignore(self):
        """Leave payments under review out: booked by hand or outside Odoo."""
        ensure_records(self)
        self.filtered(lambda payment: payment.state == "to_review").write({"state": "ignored"})
        self.import_id._update_review_state()
        return True

    # ------------------------------------------------------------------ booking

    def _book(self):
        """Book matched payments: one entry per import and account block, each invoice reconciled."""
        matched = self.filtered(lambda payment: payment.state == "matched")
        if not matched:
            return
        groups = matched.grouped(lambda payment: (payment.import_id, payment.block, payment.currency_id))
        receivable_by_invoice = defaultdict(lambda: self.env["account.move.line"])
        for line in matched.invoice_id.line_ids:
            if line.account_id.account_type == "asset_receivable" and not line.reconciled:
                receivable_by_invoice[line.move_id] |= line
        moves_vals, ordered = [], []
        for (record, block, _currency), payments in groups.items():
            moves_vals.append(payments._prepare_payment_move_vals(record, block, receivable_by_invoice))
            ordered.append(payments)
        moves = self.env["account.move"].with_context(**BULK_BOOKING_CONTEXT).create(moves_vals)
        # The customers' ranks raised together once the entries are posted, not one lock each.
        pending_ranks = {}
        moves.with_context(billing_sepa_pending_ranks=pending_ranks, **BULK_BOOKING_CONTEXT).action_post()
        self.env["res.partner"]._increase_pending_ranks(pending_ranks)
        plan = []
        for move, payments in zip(moves, ordered, strict=True):
            credit_by_key = {
                line.name: line for line in move.line_ids if line.account_type == "asset_receivable"
            }
            for payment in payments:
                plan.append(
                    receivable_by_invoice[payment.invoice_id] | credit_by_key[payment._get_line_name()]
                )
            payments.write({"move_id": move.id, "state": "booked"})
        self.env["account.move.line"].with_context(**BULK_BOOKING_CONTEXT)._reconcile_plan(plan)

    def _get_line_name(self):
        self.ensure_one()
        return f"{self.reference} {self.bank_reference or self.key}"

    def _prepare_payment_move_vals(self, record, block, receivable_by_invoice):
        """Entry of the payments of one block: credit each customer, debit outstanding receipts."""
        company = record.company_id
        currency = self.currency_id[:1]
        to_company = self._get_company_currency_converter(currency, company)
        line_vals = []
        total = total_balance = 0.0
        for payment in self:
            balance = to_company(payment.amount, payment.date)
            line_vals.append(
                self._prepare_payment_line_vals(
                    payment._get_line_name(),
                    receivable_by_invoice[payment.invoice_id][:1].account_id,
                    payment.invoice_id.commercial_partner_id,
                    currency,
                    -payment.amount,
                    -balance,
                )
            )
            total += payment.amount
            total_balance += balance
        line_vals.append(
            self._prepare_payment_line_vals(
                self.env._("Payments by reference %(block)s", block=block),
                record.journal_id._get_sepa_outstanding_account("inbound"),
                self.env["res.partner"],
                currency,
                currency.round(total),
                company.currency_id.round(total_balance),
            )
        )
        return {
            "move_type": "entry",
            "journal_id": record.journal_id.id,
            "date": max(self.mapped("date") or [fields.Date.context_today(self)]),
            "ref": self.env._("Payments by reference %(file)s (%(block)s)", file=record.name, block=block),
            "sepa_return_import_id": record.id,
            "line_ids": [fields.Command.create(vals) for vals in line_vals],
        }

    @api.model
    def _get_company_currency_converter(self, currency, company):
        if currency == company.currency_id:
            return lambda amount, _date: currency.round(amount)
        return lambda amount, date: currency._convert(amount, company.currency_id, company, date)

    @api.model
    def _prepare_payment_line_vals(self, name, account, partner, currency, amount, balance):
        return {
            "name": name,
            "account_id": account.id,
            "partner_id": partner.id,
            "currency_id": currency.id,
            "amount_currency": amount,
            "balance": balance,
            "analytic_distribution": False,
            "tax_ids": [],
        }

    def action_open_invoice(self):
        ensure_records(self, single=True)
        if not self.invoice_id:
            raise UserError(self.env._("This payment has no invoice yet."))
        return self.invoice_id._get_records_action()
