from dateutil.relativedelta import relativedelta

from odoo import api, fields, models


class BillingOverviewCard(models.Model):
    """The "Direct Debits" card: collected this month, and returned this month."""

    _inherit = "billing.overview.card"

    @api.model
    def _sepa_month_domain(self, date_field):
        month_start = fields.Date.context_today(self).replace(day=1)
        return [
            ("company_id", "in", self.env.companies.ids),
            (date_field, ">=", month_start),
            (date_field, "<", month_start + relativedelta(months=1)),
        ]

    @api.model
    def _sepa_collected_domain(self):
        return [*self._sepa_month_domain("collection_date"), ("state", "=", "collected")]

    @api.model
    def _sepa_returned_domain(self):
        return [*self._sepa_month_domain("date"), ("state", "!=", "ignored")]

    @api.model
    def _get_card_figures(self, codes):
        figures = super()._get_card_figures(codes)
        if "direct_debit" in codes and self.env["billing.sepa.collection.report"].has_access("read"):
            amount, count = self._sum_by_company(
                "billing.sepa.collection.report",
                self._sepa_collected_domain(),
                "amount_collected",
                currency_field="currency_id",
            )
            second_amount, second_count = self._sum_by_company(
                "billing.sepa.return", self._sepa_returned_domain(), "amount", currency_field="currency_id"
            )
            figures["direct_debit"] = {
                "amount": amount,
                "count": count,
                "second_amount": second_amount,
                "second_count": second_count,
            }
        return figures

    @api.model
    def _get_card_action(self, code, second=False):
        if code != "direct_debit":
            return super()._get_card_action(code, second=second)
        if second:
            return self._card_window_action(
                "billing_sepa.billing_sepa_return_action",
                self.env._("Direct Debits Returned This Month"),
                self._sepa_returned_domain(),
            )
        return self._card_window_action(
            "billing_sepa.billing_sepa_collection_report_action",
            self.env._("Direct Debits Collected This Month"),
            self._sepa_collected_domain(),
            view_modes=("list",),
        )
