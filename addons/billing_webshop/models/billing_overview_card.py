from datetime import timedelta

from odoo import api, fields, models

ORDER_DAYS = 30


class BillingOverviewCard(models.Model):
    """The "Webshop Orders" card: shop orders imported in the last 30 days, and the orders in
    error that wait for a fix (whenever they came)."""

    _inherit = "billing.overview.card"

    @api.model
    def _webshop_imported_domain(self):
        since = fields.Datetime.now() - timedelta(days=ORDER_DAYS)
        return [
            ("company_id", "in", self.env.companies.ids),
            ("state", "=", "done"),
            ("create_date", ">=", since),
        ]

    @api.model
    def _webshop_error_domain(self):
        return [("company_id", "in", self.env.companies.ids), ("state", "=", "error")]

    @api.model
    def _get_card_figures(self, codes):
        figures = super()._get_card_figures(codes)
        if "webshop_order" in codes and self.env["billing.webshop.event"].has_access("read"):
            _amount, count = self._sum_by_company("billing.webshop.event", self._webshop_imported_domain())
            _amount, second_count = self._sum_by_company(
                "billing.webshop.event", self._webshop_error_domain()
            )
            figures["webshop_order"] = {"count": count, "second_count": second_count}
        return figures

    @api.model
    def _get_card_action(self, code, second=False):
        if code != "webshop_order":
            return super()._get_card_action(code, second=second)
        return self._card_window_action(
            "billing_webshop.billing_webshop_event_action",
            self.env._("Shop Orders in Error") if second else self.env._("Shop Orders Imported"),
            self._webshop_error_domain() if second else self._webshop_imported_domain(),
        )
