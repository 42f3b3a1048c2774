"""Direct payment (suoramaksu): invoices of customers with a direct-payment agreement go out as INV09."""

import dataclasses
import datetime

from odoo import models
from odoo.exceptions import UserError

# The payer's bank tells the payer of each direct payment before it debits the account, and the
# payer may cancel it: the invoice must reach the bank this many days before its due date
# (FA "Suoramaksun soveltamisohje", **verify** the number with your bank).
DIRECT_PAYMENT_NOTICE_DAYS = 14


class BillingEinvoiceFinvoiceBuilder(models.AbstractModel):
    _inherit = "billing.einvoice.finvoice.builder"

    def _get_finvoice_direct_payment_agreement(self, invoice):
        """The customer's active direct-payment agreement in the invoice's company, if any."""
        invoice.ensure_one()
        return self.env["billing.einvoice.agreement"].search(
            [
                ("partner_id", "=", invoice.partner_id.commercial_partner_id.id),
                ("company_id", "=", invoice.company_id.id),
                ("state", "=", "active"),
                ("direct_payment", "=", True),
            ],
            limit=1,
        )

    def _get_finvoice_data(self, invoice, sending_method, timestamp):
        # EXTENDS billing.einvoice.finvoice.builder: an invoice under a direct-payment agreement
        # is an INV09 with the agreement's billing subject code, due on a banking day far enough ahead.
        data = super()._get_finvoice_data(invoice, sending_method, timestamp)
        if invoice.move_type != "out_invoice" or sending_method != "elasku":
            return data
        agreement = self._get_finvoice_direct_payment_agreement(invoice)
        if not agreement:
            return data
        self._check_finvoice_direct_payment_due_date(invoice, data.due_date, timestamp.date())
        if not data.payment_reference:
            raise UserError(
                self.env._(
                    "Invoice %(invoice)s is a direct payment: it needs a Finnish or RF payment reference "
                    "(set the reference model of journal %(journal)s).",
                    invoice=invoice.name,
                    journal=invoice.journal_id.display_name,
                )
            )
        return dataclasses.replace(
            data,
            is_direct_payment=True,
            payment_instruction_id=agreement.billing_subject_id.code or data.payment_instruction_id,
        )

    def _check_finvoice_direct_payment_due_date(self, invoice, due_date, sent_on):
        """A direct payment is due on a weekday at least the notice days after it is sent."""
        earliest = sent_on + datetime.timedelta(days=DIRECT_PAYMENT_NOTICE_DAYS)
        if due_date < earliest:
            raise UserError(
                self.env._(
                    "Invoice %(invoice)s is a direct payment due on %(due)s: the payer's bank must be told "
                    "%(days)s days ahead, so the due date must be %(earliest)s or later.",
                    invoice=invoice.name,
                    due=due_date,
                    days=DIRECT_PAYMENT_NOTICE_DAYS,
                    earliest=earliest,
                )
            )
        if due_date.weekday() >= 5:
            raise UserError(
                self.env._(
                    "Invoice %(invoice)s is a direct payment due on %(due)s, a weekend day: the bank debits "
                    "on banking days only, choose a weekday.",
                    invoice=invoice.name,
                    due=due_date,
                )
            )
