from odoo import api, fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    sepa_credit_transfer_id = fields.Many2one(
        "billing.sepa.credit.transfer",
        string="SEPA Refund Batch",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="On a customer's credit: the live SEPA refund batch paying it back.",
    )

    @api.model
    def _sepa_get_open_credit_domain(self, company):
        """Open EUR credits on customers' receivables of ``company`` that no refund pays back."""
        return [
            ("company_id", "=", company.id),
            ("parent_state", "=", "posted"),
            ("account_id.account_type", "=", "asset_receivable"),
            ("reconciled", "=", False),
            ("partner_id", "!=", False),
            ("currency_id", "=", self.env.ref("base.EUR").id),
            ("amount_residual_currency", "<", 0),
            ("sepa_credit_transfer_id", "=", False),
        ]

    @api.model
    def _sepa_offset_credits(self, credits, company, debits=None):
        """Reconcile ``credits`` with the open debts of the same customer and account.

        ``debits`` defaults to every open EUR receivable debit of the customers that no live
        collection is collecting (a file already at the bank must keep its amount). Everything
        is reconciled in one plan, oldest first within each customer and account.

        :return: the part of ``credits`` still open afterwards
        """
        if not credits:
            return credits
        if debits is None:
            debits = self.search(
                [
                    ("company_id", "=", company.id),
                    ("parent_state", "=", "posted"),
                    ("account_id", "in", credits.account_id.ids),
                    ("partner_id.commercial_partner_id", "in", credits.partner_id.commercial_partner_id.ids),
                    ("reconciled", "=", False),
                    ("currency_id", "=", self.env.ref("base.EUR").id),
                    ("amount_residual_currency", ">", 0),
                    ("move_id.sepa_batch_id", "=", False),
                ]
            )

        def key(line):
            return line.partner_id.commercial_partner_id, line.account_id

        debits_by_key = debits.grouped(key)
        plan = [
            key_credits | debits_by_key[line_key]
            for line_key, key_credits in credits.grouped(key).items()
            if line_key in debits_by_key
        ]
        if plan:
            self.with_context(skip_invoice_sync=True)._reconcile_plan(plan)
        return credits.filtered(lambda line: not line.reconciled)

    @api.model
    def _sepa_offset_collection(self, invoices, company):
        """Offset the open credits of the customers who keep them against these invoices.

        Called when a collection gathers its invoices: what a customer has in credit is not
        collected (the amount collected is the net). Customers who want their credits paid
        back keep them for the next refund batch.

        :return: the invoices that are still to be collected
        """
        partners = invoices.commercial_partner_id.with_company(company).filtered(
            lambda partner: partner.sepa_credit_policy != "refund"
        )
        if not partners:
            return invoices
        credits = self.search(
            [
                *self._sepa_get_open_credit_domain(company),
                ("partner_id.commercial_partner_id", "in", partners.ids),
            ]
        )
        if not credits:
            return invoices
        # Only the invoices of customers with a credit: a collection gathers thousands of invoices.
        in_credit = credits.partner_id.commercial_partner_id
        debits = invoices.filtered(
            lambda invoice: invoice.commercial_partner_id in in_credit
        ).line_ids.filtered(
            lambda line: (
                line.account_id.account_type == "asset_receivable"
                and not line.reconciled
                and line.currency_id == line.move_id.currency_id
                and line.currency_id.name == "EUR"
            )
        )
        self._sepa_offset_credits(credits, company, debits)
        return invoices.filtered(lambda invoice: not invoice.currency_id.is_zero(invoice.amount_residual))
