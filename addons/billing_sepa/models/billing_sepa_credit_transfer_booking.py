import psycopg2

from odoo import Command, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError
from odoo.tools import SQL

# The entries carry no tax and the credits only get reconciled; the batch's chatter records it.
BULK_BOOKING_CONTEXT = {"skip_invoice_sync": True, "tracking_disable": True}


class BillingSepaCreditTransfer(models.Model):
    """Booking a paid-out refund batch: one entry per batch, credits reconciled in one plan."""

    _inherit = "billing.sepa.credit.transfer"

    def action_mark_paid(self):
        """Book the refunds the bank paid out and reconcile them with the customers' credits.

        One entry per batch debits each customer's receivable and credits outstanding payments:
        with batch booking on one line for the whole batch (the bank shows one amount), else one
        line per refund. All refunds of all the batches are reconciled in one plan.
        """
        ensure_records(self)
        self._check_manager_rights()
        self._lock_for_booking()
        if self.filtered(lambda transfer: transfer.state != "sent"):
            raise UserError(self.env._("Only refund batches sent to the bank can be marked paid out."))
        moves = (
            self.env["account.move"]
            .with_context(**BULK_BOOKING_CONTEXT)
            .create([transfer._prepare_payment_move_vals() for transfer in self])
        )
        moves.with_context(**BULK_BOOKING_CONTEXT).action_post()
        lines = self.line_ids
        debit_by_end_to_end_id = {
            (aml.move_id, aml.name): aml for aml in moves.line_ids if aml.amount_currency > 0
        }
        move_by_transfer = dict(zip(self, moves, strict=True))
        for line in lines:
            line.payment_line_id = debit_by_end_to_end_id[
                move_by_transfer[line.transfer_id], line.end_to_end_id
            ]
        for transfer, move in move_by_transfer.items():
            transfer.move_id = move
        # A credit used otherwise since the file went out has nothing left to match: the
        # payment line then stays open on the customer's account, which is what they owe.
        plan = [
            line.payment_line_id | line.credit_line_ids.filtered(lambda aml: not aml.reconciled)
            for line in lines
        ]
        self.env["account.move.line"].with_context(**BULK_BOOKING_CONTEXT)._reconcile_plan(plan)
        self.write({"state": "paid"})
        for transfer in self:
            transfer.message_post(
                body=self.env._(
                    "%(count)s refunds booked in %(entry)s and reconciled with the customers' credits.",
                    count=transfer.line_count,
                    entry=transfer.move_id.name,
                )
            )
        return True

    def _lock_for_booking(self):
        """Lock the batches, so that a second click cannot book them twice."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM billing_sepa_credit_transfer WHERE id IN %s FOR NO KEY UPDATE NOWAIT",
                        tuple(self.ids),
                    )
                )
        except psycopg2.errors.LockNotAvailable as error:
            raise UserError(
                self.env._("This refund batch is being booked right now: try again in a moment.")
            ) from error
        self.invalidate_recordset(["state"])

    def _prepare_payment_move_vals(self):
        """Entry of the batch: debit each customer's receivable, credit outstanding payments."""
        self.ensure_one()
        outstanding = self.journal_id._get_sepa_outstanding_account("outbound")
        no_partner = self.env["res.partner"]
        line_vals = []
        for line in self.line_ids:
            line_vals.append(
                self._prepare_payment_line_vals(
                    line.end_to_end_id,
                    line.account_id,
                    line.partner_id,
                    line.amount,
                    line.amount_company_currency,
                )
            )
            if not self.journal_id.sepa_batch_booking:
                line_vals.append(
                    self._prepare_payment_line_vals(
                        line.end_to_end_id,
                        outstanding,
                        line.partner_id,
                        -line.amount,
                        -line.amount_company_currency,
                    )
                )
        if self.journal_id.sepa_batch_booking:
            line_vals.append(
                self._prepare_payment_line_vals(
                    self._get_payment_info_identifier(),
                    outstanding,
                    no_partner,
                    -self.currency_id.round(sum(self.line_ids.mapped("amount"))),
                    -self.company_id.currency_id.round(sum(self.line_ids.mapped("amount_company_currency"))),
                )
            )
        return {
            "move_type": "entry",
            "journal_id": self.journal_id.id,
            "date": self.execution_date,
            "ref": self.env._("SEPA refunds %(batch)s", batch=self.name),
            "line_ids": [Command.create(vals) for vals in line_vals],
        }

    def _prepare_payment_line_vals(self, name, account, partner, amount, balance):
        return {
            "name": name,
            "account_id": account.id,
            "partner_id": partner.id,
            "currency_id": self.currency_id.id,
            "amount_currency": amount,
            "balance": balance,
            "tax_ids": [],
        }
