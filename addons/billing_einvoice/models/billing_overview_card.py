from datetime import timedelta

from odoo import api, fields, models

DELIVERY_DAYS = 30


class BillingOverviewCard(models.Model):
    """The "Invoice Deliveries" card: invoices sent or delivered in the last 30 days, and those
    that failed or bounced in the same days."""

    _inherit = "billing.overview.card"

    @api.model
    def _einvoice_delivery_domain(self, states):
        since = fields.Datetime.now() - timedelta(days=DELIVERY_DAYS)
        return [
            ("company_id", "in", self.env.companies.ids),
            ("state", "in", states),
            ("create_date", ">=", since),
        ]

    @api.model
    def _get_card_figures(self, codes):
        figures = super()._get_card_figures(codes)
        if "einvoice_delivery" in codes and self.env["billing.einvoice.delivery"].has_access("read"):
            _amount, count = self._sum_by_company(
                "billing.einvoice.delivery", self._einvoice_delivery_domain(["sent", "delivered"])
            )
            _amount, second_count = self._sum_by_company(
                "billing.einvoice.delivery", self._einvoice_delivery_domain(["failed", "bounced"])
            )
            figures["einvoice_delivery"] = {"count": count, "second_count": second_count}
        return figures

    @api.model
    def _get_card_action(self, code, second=False):
        if code != "einvoice_delivery":
            return super()._get_card_action(code, second=second)
        if second:
            return self._card_window_action(
                "billing_einvoice.billing_einvoice_delivery_action",
                self.env._("Deliveries Failed or Bounced"),
                self._einvoice_delivery_domain(["failed", "bounced"]),
            )
        return self._card_window_action(
            "billing_einvoice.billing_einvoice_delivery_action",
            self.env._("Invoices Sent"),
            self._einvoice_delivery_domain(["sent", "delivered"]),
        )
