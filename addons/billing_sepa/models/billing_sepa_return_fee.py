from odoo import Command, api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError

LIVE_BATCH_STATES = ("gathering", "draft", "generating", "generated", "sent", "booking")


class BillingSepaReturn(models.Model):
    """The return fee charged to the customer: a customer invoice of its own, out of VAT scope."""

    _inherit = "billing.sepa.return"

    fee_move_ids = fields.One2many(
        "account.move", "sepa_fee_return_id", string="Return Fee Invoices", readonly=True
    )
    fee_move_id = fields.Many2one(
        "account.move",
        string="Return Fee",
        compute="_compute_fee_move_id",
        help="The customer invoice charging the return fee for this return: one at most.",
    )
    fee_state = fields.Selection(
        [("none", "No Fee"), ("charged", "Charged"), ("waived", "Waived")],
        string="Return Fee Status",
        compute="_compute_fee_move_id",
    )
    fee_waive_reason = fields.Text(string="Why the Fee Was Waived", readonly=True)

    @api.depends("fee_move_ids.payment_state", "fee_move_ids.state")
    def _compute_fee_move_id(self):
        for ret in self:
            fee = ret.fee_move_ids[:1]
            ret.fee_move_id = fee
            if not fee:
                ret.fee_state = "none"
            elif fee.state == "cancel" or fee.payment_state == "reversed":
                ret.fee_state = "waived"
            else:
                ret.fee_state = "charged"

    def _get_fee_returns(self):
        """The booked returns that charge a fee and have none yet."""
        returns = self.filtered(
            lambda ret: (
                ret.state == "booked"
                and ret.invoice_id
                and ret.kind != "refund"
                and ret.reason_id.charge_fee
                and ret.company_id.sepa_return_fee_enabled
                and ret.company_id.currency_id.compare_amounts(ret.company_id.sepa_return_fee_amount, 0) > 0
            )
        )
        if not returns:
            return returns
        # The database holds one fee per return (a unique index): this only avoids the error.
        charged = self.env["account.move"].search([("sepa_fee_return_id", "in", returns.ids)])
        return returns - charged.sepa_fee_return_id

    def _charge_fees(self):
        """Charge the return fee of the returns whose reason asks for it: one create for all."""
        returns = self._get_fee_returns()
        if not returns:
            return self.env["account.move"]
        fees = self.env["account.move"].create([ret._prepare_fee_move_vals() for ret in returns])
        fees.action_post()
        return fees

    def _prepare_fee_move_vals(self):
        self.ensure_one()
        company = self.company_id
        invoice = self.invoice_id
        product = company.sepa_return_fee_product_id
        today = fields.Date.context_today(self)
        # In the invoice's currency (EUR: a direct debit), so that it is collected the same way.
        amount = company.currency_id._convert(
            company.sepa_return_fee_amount, invoice.currency_id, company, today
        )
        line_vals = {
            "name": self.env._(
                "Fee for the returned direct debit of %(invoice)s (%(reason)s)",
                invoice=invoice.name,
                reason=self._get_reason_words(),
            ),
            "quantity": 1,
            "price_unit": amount,
            # Out of VAT scope: a charge for a failed payment, not a supply.
            "tax_ids": [Command.clear()],
        }
        if product:
            line_vals["product_id"] = product.id
        if company.sepa_return_fee_account_id:
            line_vals["account_id"] = company.sepa_return_fee_account_id.id
        return {
            "move_type": "out_invoice",
            "company_id": company.id,
            "journal_id": invoice.journal_id.id,
            "partner_id": invoice.partner_id.id,
            "currency_id": invoice.currency_id.id,
            "invoice_date": today,
            "invoice_origin": invoice.name,
            "sepa_fee_return_id": self.id,
            "invoice_line_ids": [Command.create(line_vals)],
        }

    def action_waive_fee(self, reason=False):
        """Waive the return fee of these returns: its invoice is reversed by a credit note.

        Callable over RPC with ``reason`` (the text posted on the fee invoice); without a reason,
        answers the form that asks for one.
        """
        ensure_records(self)
        if not reason:
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "billing_sepa.billing_sepa_return_fee_waive_action"
            )
            action["context"] = {"default_return_ids": [Command.set(self.ids)]}
            return action
        fees = self.fee_move_ids.filtered(
            lambda fee: fee.state == "posted" and fee.payment_state != "reversed"
        )
        if not fees:
            raise UserError(self.env._("These returns have no return fee to waive."))
        for fee in fees:
            if fee.payment_state != "not_paid":
                raise UserError(
                    self.env._(
                        "The return fee %(fee)s is paid already: refund it with a credit note instead.",
                        fee=fee.name,
                    )
                )
            if fee.sepa_batch_id.state in LIVE_BATCH_STATES:
                raise UserError(
                    self.env._(
                        "The return fee %(fee)s is being collected by %(batch)s: cancel the collection first.",
                        fee=fee.name,
                        batch=fee.sepa_batch_id.name,
                    )
                )
        today = fields.Date.context_today(self)
        fees._reverse_moves(
            [
                {
                    "ref": self.env._("Return fee %(fee)s waived", fee=fee.name),
                    "invoice_date": today,
                    "date": today,
                }
                for fee in fees
            ],
            cancel=True,
        )
        fees.sepa_fee_return_id.write({"fee_waive_reason": reason})
        for fee in fees:
            fee.message_post(body=self.env._("Return fee waived: %(reason)s", reason=reason))
        return True
