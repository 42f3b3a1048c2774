from datetime import timedelta

from odoo import api, fields, models

REMINDER_DAYS = 30


class BillingOverviewCard(models.Model):
    """The "Reminders" card: invoices reminded in the last 30 days, and how many of them are
    paid since."""

    _inherit = "billing.overview.card"

    @api.model
    def _dunning_reminded_domain(self):
        since = fields.Date.context_today(self) - timedelta(days=REMINDER_DAYS)
        return [("company_id", "in", self.env.companies.ids), ("state", "=", "sent"), ("date", ">=", since)]

    @api.model
    def _dunning_paid_domain(self):
        return [*self._dunning_reminded_domain(), ("paid_count", "=", 1)]

    @api.model
    def _get_card_figures(self, codes):
        figures = super()._get_card_figures(codes)
        if "reminder" in codes and self.env["billing.dunning.reminder.report"].has_access("read"):
            amount, count = self._sum_by_company(
                "billing.dunning.reminder.report", self._dunning_reminded_domain(), "amount_reminded"
            )
            second_amount, second_count = self._sum_by_company(
                "billing.dunning.reminder.report", self._dunning_paid_domain(), "amount_paid"
            )
            figures["reminder"] = {
                "amount": amount,
                "count": count,
                "second_amount": second_amount,
                "second_count": second_count,
            }
        return figures

    @api.model
    def _get_card_action(self, code, second=False):
        if code != "reminder":
            return super()._get_card_action(code, second=second)
        return self._card_window_action(
            "billing_dunning.billing_dunning_reminder_report_action",
            self.env._("Paid After the Reminder") if second else self.env._("Invoices Reminded"),
            self._dunning_paid_domain() if second else self._dunning_reminded_domain(),
            view_modes=("list",),
        )
