from odoo.tests import freeze_time, tagged

from .common import BillingRecurringCommon


@tagged("post_install", "-at_install")
class TestRecurringOverviewCard(BillingRecurringCommon):
    """The "Recurring Billing" card against contracts and runs counted by hand."""

    def test_contracts_due_and_runs_not_finished(self):
        due = self._contract(self._customer("Due Customer"), self._line(self.hosting, 10.0, "2026-01-01"))
        self._contract(self._customer("Later Customer"), self._line(self.hosting, 10.0, "2026-06-01"))
        self._contract(
            self._customer("Own Schedule"),
            self._line(self.hosting, 10.0, "2026-01-01"),
            billing_recurring=False,
        )
        self.env["billing.recurring.run"].create({"company_id": self.company.id, "date": "2026-03-15"})
        card = self.env.ref("billing_recurring.billing_overview_card_recurring").with_context(
            allowed_company_ids=self.company.ids
        )
        with freeze_time("2026-03-15"):
            self.assertEqual((card.count, card.second_count), (1, 1))
            contracts = self.env["contract.contract"].search(card.action_open()["domain"])
            self.assertEqual(contracts, due)
            runs = self.env["billing.recurring.run"].search(card.action_open_second()["domain"])
            self.assertEqual(runs.mapped("state"), ["draft"])
