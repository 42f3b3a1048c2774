from collections import defaultdict

from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        # EXTENDS 'account': the invoices of a billing run take the customer's credits.
        posted = super()._post(soft=soft)
        posted.filtered(
            lambda move: (
                move.billing_recurring_key
                and move.move_type == "out_invoice"
                and move.company_id.billing_recurring_offset_credits
            )
        )._billing_recurring_offset_credits()
        return posted

    def _billing_recurring_offset_credits(self):
        """Reconcile the open credits of each customer (credit notes, overpayments,
        prepayments: receivable lines with a credit left) with its new invoices, in one
        reconciliation plan. Partial reconciliations leave the rest open either way."""
        if not self:
            return
        receivables = self.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        )
        credits = self.env["account.move.line"].search(
            [
                ("company_id", "in", self.company_id.ids),
                ("partner_id", "child_of", self.commercial_partner_id.ids),
                ("account_id", "in", receivables.account_id.ids),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", "<", 0),
                ("move_id", "not in", self.ids),
            ],
            order="date, id",
        )
        groups = defaultdict(lambda: self.env["account.move.line"])
        for line in receivables | credits:
            key = (line.company_id, line.partner_id.commercial_partner_id, line.account_id, line.currency_id)
            groups[key] |= line
        plan = [
            lines
            for lines in groups.values()
            if min(lines.mapped("balance")) < 0 < max(lines.mapped("balance"))
        ]
        if plan:
            self.env["account.move.line"]._reconcile_plan(plan)
