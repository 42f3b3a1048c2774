from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError
from odoo.tools import format_date, formatLang

from ..sepa.target2 import next_target2_business_day


class AccountMove(models.Model):
    _inherit = "account.move"

    sepa_mandate_id = fields.Many2one(
        "billing.sepa.mandate",
        string="SEPA Mandate",
        copy=False,
        check_company=True,
        index="btree_not_null",
        domain="[('partner_id', '=', commercial_partner_id), ('state', '=', 'active')]",
        tracking=True,
        help="Mandate under which this invoice is collected by direct debit.",
    )
    sepa_collection_date = fields.Date(
        string="Expected Collection Date",
        copy=False,
        tracking=True,
        help="Earliest date the invoice is collected: on or after the due date, after the "
        "pre-notification period and the collection delay, on a TARGET2 business day.",
    )

    sepa_batch_id = fields.Many2one(
        "billing.sepa.batch",
        string="SEPA Collection",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The live direct-debit batch collecting this invoice; an invoice is in one at most.",
    )

    sepa_collection_batch_id = fields.Many2one(
        "billing.sepa.batch",
        string="Collected by SEPA Batch",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="On the journal entries that book a collected direct-debit batch.",
    )
    sepa_payment_info_identifier = fields.Char(
        string="SEPA Payment Block",
        copy=False,
        readonly=True,
        help="The PmtInfId of the payment block this entry books: the bank statement shows it.",
    )

    sepa_return_import_id = fields.Many2one(
        "billing.sepa.return.import",
        string="SEPA Return Import",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="On the journal entries that book returned direct debits.",
    )
    sepa_return_ids = fields.One2many(
        "billing.sepa.return", "invoice_id", string="SEPA Returns", readonly=True
    )
    sepa_return_count = fields.Integer(compute="_compute_sepa_return_count")
    sepa_represented = fields.Boolean(
        string="Re-presented",
        copy=False,
        readonly=True,
        help="Returned once and given back to the next collection: a second return is not re-presented.",
    )
    sepa_disputed = fields.Boolean(
        string="Direct Debit Disputed",
        copy=False,
        tracking=True,
        help="The customer disputed or refused the direct debit: collections leave this invoice alone.",
    )

    sepa_prenotification_text = fields.Text(
        string="Direct Debit Pre-notification",
        compute="_compute_sepa_prenotification_text",
        help="Printed on the invoice and added to its e-mail: amount, date, mandate, creditor, account.",
    )

    @api.depends(
        "sepa_mandate_id", "sepa_collection_date", "amount_residual", "company_id.sepa_creditor_identifier"
    )
    def _compute_sepa_prenotification_text(self):
        for move in self:
            mandate = move.sepa_mandate_id
            if not (mandate and move.sepa_collection_date and move.state == "posted"):
                move.sepa_prenotification_text = False
                continue
            move.sepa_prenotification_text = move.env._(
                "We will collect %(amount)s by SEPA direct debit on or shortly after %(date)s from account "
                "%(account)s, under mandate %(reference)s of creditor identifier %(creditor)s.",
                amount=formatLang(move.env, move.amount_residual, currency_obj=move.currency_id),
                date=format_date(move.env, move.sepa_collection_date),
                account=mandate.partner_bank_id._get_sepa_masked_number(),
                reference=mandate.name,
                creditor=move.company_id.sepa_creditor_identifier or "",
            )

    def _compute_sepa_return_count(self):
        counts = self.env["billing.sepa.return"]._count_by("invoice_id", self)
        for move in self:
            move.sepa_return_count = counts.get(move, 0)

    def action_view_sepa_returns(self):
        ensure_records(self, single=True)
        return self.env["billing.sepa.return"]._get_action([("invoice_id", "=", self.id)])

    def action_view_sepa_batch(self):
        ensure_records(self, single=True)
        return {
            "type": "ir.actions.act_window",
            "res_model": "billing.sepa.batch",
            "res_id": self.sepa_batch_id.id,
            "view_mode": "form",
        }

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._assign_sepa_collection()
        return posted

    def button_draft(self):
        in_batch = self.filtered(
            lambda move: (
                move.sepa_batch_id.state
                in ("gathering", "draft", "generating", "generated", "sent", "booking")
            )
        )
        if in_batch:
            raise UserError(
                self.env._(
                    "Invoice %(invoice)s is being collected by SEPA batch %(batch)s: cancel the batch first.",
                    invoice=in_batch[0].name,
                    batch=in_batch[0].sepa_batch_id.name,
                )
            )
        result = super().button_draft()
        self.filtered("sepa_mandate_id").write({"sepa_mandate_id": False, "sepa_collection_date": False})
        # Odoo's own button_draft answers None, which XML-RPC cannot send back.
        return True if result is None else result

    def _assign_sepa_collection(self):
        """Give customer invoices of direct-debit customers their mandate and collection date."""
        invoices = self.filtered(
            lambda move: (
                move.move_type == "out_invoice"
                and move.state == "posted"
                and not move.sepa_mandate_id
                and move.currency_id.name == "EUR"
            )
        )
        if not invoices:
            return
        today = fields.Date.context_today(self)
        for company, company_invoices in invoices.grouped("company_id").items():
            partners = company_invoices.commercial_partner_id.with_company(company)
            debit_partners = partners.filtered("sepa_direct_debit")
            if not debit_partners:
                continue
            mandates = self.env["billing.sepa.mandate"].search(
                [
                    ("partner_id", "in", debit_partners.ids),
                    ("company_id", "=", company.id),
                    # A suspended mandate: its invoices wait, skipped, until it is reactivated.
                    ("state", "in", ("active", "suspended")),
                ],
                order="signature_date desc, id desc",
            )
            mandate_by_partner = {}
            for mandate in mandates:
                mandate_by_partner.setdefault(mandate.partner_id, mandate)
            # One write per (mandate, date): invoices of a monthly run share both.
            invoices_by_values = defaultdict(lambda: self.browse())
            for invoice in company_invoices:
                partner = invoice.commercial_partner_id.with_company(company)
                mandate = mandate_by_partner.get(partner)
                if partner.sepa_direct_debit and mandate:
                    date = invoice._sepa_earliest_collection_date(partner, today)
                    invoices_by_values[mandate.id, date] |= invoice
            # Only our two fields change: no invoice line synchronisation needed.
            for (mandate_id, date), grouped_invoices in invoices_by_values.items():
                grouped_invoices.with_context(skip_invoice_sync=True).write(
                    {"sepa_mandate_id": mandate_id, "sepa_collection_date": date}
                )

    @api.model
    def _sepa_earliest_collection_date_for(
        self, invoice_date, due_date, prenotification_days, delay_days, today
    ):
        earliest = max(
            due_date or invoice_date,
            invoice_date + timedelta(days=delay_days),
            today + timedelta(days=prenotification_days),
        )
        return next_target2_business_day(earliest)

    def _sepa_earliest_collection_date(self, partner, today):
        self.ensure_one()
        company = self.company_id
        prenotification = partner.sepa_prenotification_days or company.sepa_prenotification_days
        return self._sepa_earliest_collection_date_for(
            self.invoice_date,
            self.invoice_date_due,
            prenotification,
            company.sepa_collection_delay_days,
            today,
        )
