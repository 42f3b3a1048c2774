from datetime import date

from odoo.tests import freeze_time, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningOverview(DunningCommon):
    """The "Getting paid" figures for reminders against a run's reminders counted by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.old = cls._invoice(cls.b2b, 100.0, date(2025, 3, 1))
        cls.recent = cls._invoice(cls.b2b, 50.0, date(2025, 3, 20))
        cls.other = cls._invoice(cls.b2c, 80.0, date(2025, 3, 20))

    def test_reminded_and_paid_per_level(self):
        self._run(date(2025, 3, 28))
        # 27 days: the old item reaches L2; the recent one and the other customer's reach L1.
        self._pay(self.recent, 50.0, date(2025, 4, 2))
        lines = self.env["billing.dunning.reminder.line"].search(
            [("move_id", "in", (self.old | self.recent | self.other).ids)]
        )
        recent_line = lines.filtered(lambda line: line.move_id == self.recent)
        per_level = {
            level: (reminded, paid, amount_paid)
            for level, reminded, paid, amount_paid in self.env["billing.dunning.reminder.report"]._read_group(
                [("move_id", "in", lines.move_id.ids)],
                ["level_id"],
                ["reminded_count:sum", "paid_count:sum", "amount_paid:sum"],
            )
        }
        self.assertEqual(
            per_level,
            {
                self.level_1: (2, 1, recent_line.amount_residual_company),
                self.level_2: (1, 0, 0.0),
            },
        )

    def test_partner_smart_buttons(self):
        self._run(date(2025, 3, 28))
        contact = self.env["res.partner"].create({"name": "Accounts Payable", "parent_id": self.b2b.id})
        charges = self.env["billing.dunning.charge"].search([("partner_id", "=", self.b2b.id)])
        for partner in (self.b2b, contact):
            self.assertEqual(partner.billing_dunning_reminder_count, 1)
            self.assertEqual(partner.billing_dunning_charge_count, len(charges))
        self.assertTrue(charges, "L2 charges a fixed fee")
        action = contact.action_view_billing_dunning_reminders()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), self._reminders(self.b2b))
        action = contact.action_view_billing_dunning_charges()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), charges)

    def test_overview_card(self):
        """Eight days after the run: the invoices of the reminders sent (a letter once marked
        sent), not those waiting to be printed, and the one paid since."""
        run = self._run(date(2025, 3, 28))
        self._pay(self.recent, 50.0, date(2025, 4, 2))
        reminders = self.env["billing.dunning.reminder"].search([("run_id", "=", run.id)])
        reminders.filtered(lambda reminder: reminder.partner_id == self.b2b).action_mark_sent()
        sent = reminders.filtered(lambda reminder: reminder.state == "sent")
        self.assertTrue(sent.line_ids.move_id & self.recent, "the recent invoice was reminded and sent")
        reminded = sent.line_ids.move_id
        card = self.env.ref("billing_dunning.billing_overview_card_reminder").with_context(
            allowed_company_ids=self.company.ids
        )
        with freeze_time("2025-04-05"):
            self.assertEqual(card.count, len(sent.line_ids))
            self.assertEqual(card.second_count, len(reminded & self.recent))
            rows = self.env["billing.dunning.reminder.report"].search(card.action_open()["domain"])
            self.assertEqual(rows.move_id, reminded)
        card.invalidate_recordset()
        with freeze_time("2025-05-30"):
            self.assertEqual(card.with_context(allowed_company_ids=self.company.ids).count, 0)
