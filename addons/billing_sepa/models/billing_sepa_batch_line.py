from collections import defaultdict
from decimal import Decimal

from odoo import fields, models

from ..sepa import pain008
from ..sepa.charset import to_sepa_text


class BillingSepaBatchLine(models.Model):
    _name = "billing.sepa.batch.line"
    _description = "SEPA Direct Debit Collection Line"
    _order = "batch_id, id"
    _check_company_auto = True

    batch_id = fields.Many2one("billing.sepa.batch", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="batch_id.company_id", store=True)
    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, index=True, ondelete="restrict", check_company=True
    )
    partner_id = fields.Many2one(related="move_id.commercial_partner_id", string="Debtor")
    mandate_id = fields.Many2one(
        "billing.sepa.mandate", required=True, ondelete="restrict", check_company=True
    )
    currency_id = fields.Many2one(related="batch_id.currency_id")
    amount = fields.Monetary(required=True)
    sequence_type = fields.Selection(
        [("FRST", "First"), ("RCUR", "Recurrent"), ("OOFF", "One-off"), ("FNAL", "Final")], required=True
    )
    end_to_end_id = fields.Char(string="End-to-End ID", required=True, index=True)
    message_identifier = fields.Char(
        string="File Message ID",
        readonly=True,
        copy=False,
        help="The MsgId of the pain.008 file this direct debit went out in.",
    )
    payment_info_identifier = fields.Char(
        string="Payment Block",
        readonly=True,
        copy=False,
        help="The PmtInfId of the payment-information block this direct debit went out in; the bank "
        "books each block as one amount.",
    )
    collection_line_id = fields.Many2one(
        "account.move.line",
        string="Booked As",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The debtor's credit line in the entry booking the collection.",
    )
    booking_done = fields.Boolean(
        string="Booked",
        readonly=True,
        copy=False,
        help="The invoice has been reconciled with the collection (or was paid otherwise by then).",
    )

    def _group_by_scheme_and_sequence(self):
        """These lines per scheme and sequence type: what one payment block may hold."""
        ids_by_block = defaultdict(list)
        for line in self:
            ids_by_block[line.mandate_id.scheme, line.sequence_type].append(line.id)
        return {block: self.browse(ids) for block, ids in ids_by_block.items()}

    def _group_by_block(self):
        """These sent lines per payment-information block they went out in.

        :return: {(scheme, sequence type, PmtInfId): lines}; a block too large for one file of
            the bank is split into several blocks, each with its PmtInfId
        """
        ids_by_block = defaultdict(list)
        for line in self:
            key = (line.mandate_id.scheme, line.sequence_type, line.payment_info_identifier)
            ids_by_block[key].append(line.id)
        return {block: self.browse(ids) for block, ids in ids_by_block.items()}

    def _take_whole_entries(self, limit):
        """The first of these booked lines, whole collection entries at a time, about ``limit``.

        Entries are taken in the order they were posted, as many as fit in ``limit`` lines and
        at least one: reconciling part of an entry whose other lines are already matched would
        make Odoo recompute every invoice matched with it.
        """
        ids_by_entry = defaultdict(list)
        for line in self:
            ids_by_entry[line.collection_line_id.move_id.id].append(line.id)
        taken = []
        for entry_id in sorted(ids_by_entry):
            entry_line_ids = ids_by_entry[entry_id]
            if taken and len(taken) + len(entry_line_ids) > limit:
                break
            taken += entry_line_ids
        return self.browse(taken)

    def _get_invoice_receivable_lines(self, open_only=True):
        """The (open) receivable lines of these lines' invoices, read in one query."""
        domain = [
            ("move_id", "in", self.move_id.ids),
            ("account_id.account_type", "=", "asset_receivable"),
        ]
        if open_only:
            domain.append(("reconciled", "=", False))
        return self.env["account.move.line"].search_fetch(
            domain,
            ["move_id", "account_id", "amount_residual", "amount_residual_currency", "currency_id"],
        )

    def _prefetch_direct_debits(self):
        """Read what :meth:`_prepare_direct_debit` needs of all these lines, a few queries per model."""
        self.fetch(["end_to_end_id", "amount", "mandate_id", "move_id"])
        mandates = self.mandate_id
        mandates.fetch(["name", "signature_date", "partner_bank_id", "amendment_ids"])
        mandates.partner_bank_id.fetch(["acc_holder_name", "sanitized_acc_number", "bank_id"])
        self.move_id.fetch(["commercial_partner_id", "payment_reference", "name"])

    def _prepare_direct_debit(self):
        self.ensure_one()
        mandate = self.mandate_id
        debtor = self.move_id.commercial_partner_id
        bank = mandate.partner_bank_id
        return pain008.DirectDebit(
            end_to_end_id=self.end_to_end_id,
            instruction_id=self.end_to_end_id,
            amount=Decimal(str(self.currency_id.round(self.amount))).quantize(Decimal("0.01")),
            mandate_id=mandate.name,
            mandate_signature_date=mandate.signature_date,
            debtor_name=to_sepa_text(bank.acc_holder_name or debtor.name, 70),
            debtor_iban=bank.sanitized_acc_number,
            debtor_bic=bank.bank_bic or "",
            debtor_address=debtor._prepare_sepa_address(),
            amendment=self._prepare_amendment(),
            remittance_text=to_sepa_text(self.move_id.payment_reference or self.move_id.name, 140),
        )

    def _prepare_amendment(self):
        pending = self.mandate_id.amendment_ids.filtered(lambda amendment: amendment.state == "pending")
        if not pending:
            return None
        # The oldest original value of each kind is what the debtor bank last saw.
        originals = {}
        for amendment in pending.sorted("id"):
            originals.setdefault(amendment.kind, amendment.original_value)
        return pain008.MandateAmendment(
            original_mandate_id=originals.get("reference", ""),
            original_creditor_identifier=originals.get("creditor_identifier", ""),
            original_debtor_iban=originals.get("debtor_account", ""),
        )
