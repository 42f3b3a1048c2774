from odoo import api, fields, models


class BillingOverviewCard(models.Model):
    """The "Recurring Billing" card: customer contracts due for the billing run today, and the
    billing runs not finished yet."""

    _inherit = "billing.overview.card"

    @api.model
    def _recurring_due_domain(self):
        today = fields.Date.context_today(self)
        contracts = self.env["contract.contract"].with_context(billing_recurring_include_all=True)
        return [
            *contracts._get_contracts_to_invoice_domain(today),
            ("company_id", "in", self.env.companies.ids),
            ("contract_type", "=", "sale"),
            ("billing_recurring", "=", True),
        ]

    @api.model
    def _recurring_run_open_domain(self):
        return [("company_id", "in", self.env.companies.ids), ("state", "!=", "done")]

    @api.model
    def _get_card_figures(self, codes):
        figures = super()._get_card_figures(codes)
        if "recurring" in codes and self.env["contract.contract"].has_access("read"):
            _amount, count = self._sum_by_company("contract.contract", self._recurring_due_domain())
            _amount, second_count = self._sum_by_company(
                "billing.recurring.run", self._recurring_run_open_domain()
            )
            figures["recurring"] = {"count": count, "second_count": second_count}
        return figures

    @api.model
    def _get_card_action(self, code, second=False):
        if code != "recurring":
            return super()._get_card_action(code, second=second)
        if second:
            return self._card_window_action(
                "billing_recurring.billing_recurring_run_action",
                self.env._("Billing Runs Not Finished"),
                self._recurring_run_open_domain(),
            )
        return self._card_window_action(
            "billing_recurring.contract_contract_action",
            self.env._("Contracts Due for Billing"),
            self._recurring_due_domain(),
        )
