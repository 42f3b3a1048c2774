from decimal import Decimal

from odoo import fields, models

from ..sepa import pain001
from ..sepa.charset import to_sepa_text


class BillingSepaCreditTransferLine(models.Model):
    _name = "billing.sepa.credit.transfer.line"
    _description = "SEPA Credit Transfer Line (Refund)"
    _order = "transfer_id, id"
    _check_company_auto = True

    transfer_id = fields.Many2one(
        "billing.sepa.credit.transfer", string="Refund Batch", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="transfer_id.company_id", store=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="restrict"
    )
    partner_bank_id = fields.Many2one(
        "res.partner.bank", string="Paid To", required=True, ondelete="restrict"
    )
    account_id = fields.Many2one(
        "account.account", string="Receivable Account", required=True, ondelete="restrict"
    )
    currency_id = fields.Many2one(related="transfer_id.currency_id")
    amount = fields.Monetary(required=True)
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    amount_company_currency = fields.Monetary(
        string="Amount in Company Currency",
        currency_field="company_currency_id",
        required=True,
        help="The open balance of the credits in the company currency when they were gathered.",
    )
    end_to_end_id = fields.Char(string="End-to-End ID", required=True, index=True)
    remittance_text = fields.Char(string="Remittance Information")
    credit_line_ids = fields.Many2many(
        "account.move.line",
        "billing_sepa_credit_transfer_line_credit_rel",
        "transfer_line_id",
        "move_line_id",
        string="Credits Paid Back",
        readonly=True,
    )
    payment_line_id = fields.Many2one(
        "account.move.line",
        string="Booked As",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The customer's debit line in the entry booking the refunds.",
    )

    def _prepare_credit_transfer(self):
        self.ensure_one()
        bank = self.partner_bank_id
        partner = self.partner_id
        return pain001.CreditTransfer(
            end_to_end_id=self.end_to_end_id,
            instruction_id=self.end_to_end_id,
            amount=Decimal(str(self.currency_id.round(self.amount))).quantize(Decimal("0.01")),
            creditor_name=to_sepa_text(bank.acc_holder_name or partner.name, 70),
            creditor_iban=bank.sanitized_acc_number,
            creditor_bic=bank.bank_bic or "",
            creditor_address=partner._prepare_sepa_address(),
            remittance_text=self.remittance_text or "",
        )
