from datetime import date
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningRun(DunningCommon):
    def test_one_reminder_per_customer_listing_all_its_items(self):
        old = self._invoice(self.b2b, 100.0, date(2025, 3, 1))
        recent = self._invoice(self.b2b, 50.0, date(2025, 3, 20))
        not_due = self._invoice(self.b2b, 70.0, date(2025, 4, 30))
        other = self._invoice(self.b2c, 80.0, date(2025, 3, 20))
        run = self._run(date(2025, 3, 28))

        reminder = self._reminders(self.b2b)
        self.assertEqual(len(reminder), 1)
        self.assertEqual(run.reminder_ids, reminder | self._reminders(self.b2c))
        # 27 days: the old item catches up to L2 (7 + 14 days); the recent one reaches L1.
        self.assertEqual(
            {(line.move_id, line.level_id) for line in reminder.line_ids},
            {(old, self.level_2), (recent, self.level_1)},
        )
        self.assertEqual(reminder.level_id, self.level_2, "the highest level drives the wording")
        self.assertEqual(
            (old.billing_dunning_level_id, old.billing_dunning_last_date), (self.level_2, date(2025, 3, 28))
        )
        self.assertFalse(not_due.billing_dunning_level_id)
        self.assertEqual(other.billing_dunning_level_id, self.level_1)
        # One e-mail and one chatter message per reminder, not one per item.
        messages = reminder.message_ids.filtered(lambda message: message.message_type == "comment")
        self.assertEqual(len(messages), 1)
        self.assertIn(old.name, str(messages.body))
        self.assertIn(recent.name, str(messages.body))
        self.assertIn("/my/invoices/", str(messages.body), "the portal pay link")
        notifications = messages.notification_ids.filtered(lambda notif: notif.notification_type == "email")
        self.assertEqual(notifications.res_partner_id, self.b2b, "one e-mail, to the customer")
        self.assertEqual(reminder.state, "sent")

    def test_catch_up_at_first_level_then_one_level_per_run(self):
        self.policy.catch_up = "first"
        invoice = self._invoice(self.b2c, 100.0, date(2025, 3, 1))
        self._run(date(2025, 4, 30))
        self.assertEqual(invoice.billing_dunning_level_id, self.level_1)
        # L2 counts 14 days from the L1 reminder of 30 April.
        self._run(date(2025, 5, 13))
        self.assertEqual(invoice.billing_dunning_level_id, self.level_1)
        self._run(date(2025, 5, 14))
        self.assertEqual(invoice.billing_dunning_level_id, self.level_2)
        # L3 (35 days after the due date) is overdue already: it follows in the next run.
        self._run(date(2025, 5, 15))
        self.assertEqual(invoice.billing_dunning_level_id, self.level_3)
        self.assertEqual(
            self._reminders(self.b2c).mapped("level_id"), self.level_1 | self.level_2 | self.level_3
        )

    def test_pre_due_reminder_is_never_charged(self):
        invoice = self._invoice(self.b2b, 100.0, date(2025, 3, 10))
        self._run(date(2025, 3, 7))
        reminder = self._reminders(self.b2b)
        self.assertEqual(reminder.level_id, self.pre_due)
        self.assertFalse(self._charges(invoice))
        message = reminder.message_ids.filtered(lambda message: message.message_type == "comment")
        self.assertIn("fall due soon", str(message.body))
        self.assertEqual(invoice.billing_dunning_next_date, date(2025, 3, 17))

    def test_thresholds_in_company_currency(self):
        self.policy.min_amount_item = 100.0  # USD; 1 EUR = 2 USD
        small = self._invoice(self.b2c, 40.0, date(2025, 3, 1))  # 80 USD
        large = self._invoice(self.b2c, 60.0, date(2025, 3, 1))  # 120 USD
        self._run(date(2025, 3, 9))
        self.assertEqual(self._reminders(self.b2c).line_ids.move_id, large)
        self.assertFalse(small.billing_dunning_level_id)

    def test_customer_total_threshold_and_unapplied_credits(self):
        self.policy.min_amount_partner = 150.0  # USD
        below = self._make_partner("Below Total")
        self._invoice(below, 70.0, date(2025, 3, 1))  # 140 USD
        above = self._make_partner("Above Total")
        self._invoice(above, 80.0, date(2025, 3, 1))  # 160 USD
        covered = self._make_partner("Covered Customer")
        self._invoice(covered, 100.0, date(2025, 3, 1), currency=self.usd)
        payment = self.env["account.payment"].create(
            {
                "amount": 100.0,
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": covered.id,
                "date": date(2025, 3, 2),
            }
        )
        payment.action_post()
        self._run(date(2025, 3, 9))
        self.assertFalse(self._reminders(below))
        self.assertTrue(self._reminders(above))
        self.assertFalse(self._reminders(covered), "its unapplied payment covers everything")

    def test_unapplied_credits_are_listed(self):
        invoice = self._invoice(self.b2c, 100.0, date(2025, 3, 1), currency=self.usd)
        refund = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.b2c.id,
                "invoice_date": date(2025, 3, 2),
                "invoice_line_ids": [
                    (0, 0, {"name": "Credit", "quantity": 1, "price_unit": 30.0, "tax_ids": []})
                ],
            }
        )
        refund.action_post()
        self._run(date(2025, 3, 9))
        reminder = self._reminders(self.b2c)
        self.assertEqual(reminder.line_ids.move_id, invoice)
        self.assertEqual(reminder.credit_line_ids.move_id, refund)
        self.assertAlmostEqual(reminder.amount_due, 70.0)

    def test_blocks(self):
        disputed = self._invoice(self.b2c, 100.0, date(2025, 3, 1))
        disputed.billing_dunning_block_reason = "dispute"
        plan = self._invoice(self.b2c, 100.0, date(2025, 3, 1))
        plan.write(
            {"billing_dunning_block_reason": "payment_plan", "billing_dunning_block_until": date(2025, 3, 8)}
        )
        odoo_blocked = self._invoice(self.b2c, 100.0, date(2025, 3, 1))
        odoo_blocked.action_toggle_block_payment()
        self.assertEqual(odoo_blocked.payment_state, "blocked")
        in_court = self._invoice(self.b2c, 100.0, date(2025, 3, 1))
        in_court.billing_dunning_court_state = "requested"
        insolvent = self._make_partner("Insolvent AG", billing_dunning_block_reason="insolvency")
        insolvent_invoice = self._invoice(insolvent, 100.0, date(2025, 3, 1))

        self._run(date(2025, 3, 9))
        # The payment plan ended on 8 March; everything else stays blocked.
        self.assertEqual(self._reminders(self.b2c).line_ids.move_id, plan)
        self.assertFalse(disputed.billing_dunning_level_id | odoo_blocked.billing_dunning_level_id)
        self.assertFalse(in_court.billing_dunning_level_id | insolvent_invoice.billing_dunning_level_id)

        insolvent.billing_dunning_block_reason = False
        self._run(date(2025, 3, 10))
        self.assertEqual(insolvent_invoice.billing_dunning_level_id, self.level_1)

    def test_running_twice_for_the_same_date_changes_nothing(self):
        invoice = self._invoice(self.b2b, 1000.0, date(2025, 3, 1))
        first = self._run(date(2025, 4, 1))
        charges = self._charges(invoice)
        self.assertTrue(charges)
        messages = self.env["mail.message"].search_count([("model", "=", "billing.dunning.reminder")])
        moves = self.env["account.move"].search_count([])

        first.state = "running"
        first.partner_cursor = 0
        first.action_run()
        second = self._run(date(2025, 4, 1))
        self.assertFalse(second.reminder_ids)
        self.assertEqual(self._charges(invoice), charges)
        self.assertEqual(len(self._reminders(self.b2b)), 1)
        self.assertEqual(
            self.env["mail.message"].search_count([("model", "=", "billing.dunning.reminder")]), messages
        )
        self.assertEqual(self.env["account.move"].search_count([]), moves)

        # A later day without a new level changes nothing either.
        self._run(date(2025, 4, 2))
        self.assertEqual(len(self._reminders(self.b2b)), 1)

    def test_customers_locked_by_a_concurrent_run_are_left_to_it(self):
        first = self._invoice(self.b2b, 100.0, date(2025, 3, 1))
        second = self._invoice(self.b2c, 100.0, date(2025, 3, 1))
        third = self._invoice(self.b2c, 100.0, date(2025, 3, 2))
        run = self.env["billing.dunning.run"].create(
            {"date": date(2025, 3, 9), "company_id": self.company.id}
        )
        self.assertEqual(run._lock_candidates([self.b2b.id, self.b2c.id]), first | second | third)
        # A concurrent run holds one invoice of the B2C customer: the whole customer is left to it.
        Run = type(run)
        with patch.object(Run, "_lock_rows", autospec=True, return_value={first.id, third.id}):
            run.action_run()
        self.assertEqual(run.reminder_ids.partner_id, self.b2b)
        self.assertFalse((second | third).billing_dunning_level_id)

    def test_phone_and_letter_channels(self):
        self.level_1.channel = "phone"
        no_email = self._make_partner("No Mail", email=False)
        self._invoice(self.b2c, 100.0, date(2025, 3, 1))
        self._invoice(no_email, 100.0, date(2025, 1, 1))
        self._run(date(2025, 3, 9))
        by_phone = self._reminders(self.b2c)
        self.assertEqual(by_phone.state, "to_call")
        self.assertEqual(by_phone.activity_ids.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertFalse(by_phone.message_ids.filtered(lambda message: message.message_type == "comment"))
        # 67 days: L3 (a letter); a customer without e-mail at an e-mail level gets a letter too.
        letter = self._reminders(no_email)
        self.assertEqual((letter.level_id, letter.state), (self.level_3, "to_print"))
        # Inserted in one statement, the reminders carry what create would give them, and
        # going out changes their state without a tracking message.
        self.assertEqual(letter.channel, "letter")
        self.assertEqual((letter.company_id, letter.create_uid), (self.company, self.env.user))
        self.assertTrue(letter.create_date)
        self.assertNotEqual(letter.name, "/")
        self.assertNotEqual(letter.name, by_phone.name)
        self.assertFalse((letter | by_phone).message_ids.tracking_value_ids)
        self.assertEqual(letter.line_ids.currency_id, letter.line_ids.move_id.currency_id)
        self.assertEqual(letter.line_ids.company_id, self.company)
        by_phone.action_mark_sent()
        self.assertEqual(by_phone.state, "sent")
        self.assertFalse(by_phone.activity_ids)

    def test_thank_you_once_when_a_reminded_invoice_is_paid(self):
        invoice = self._invoice(self.b2c, 100.0, date(2025, 3, 1))
        self._run(date(2025, 3, 9))
        self._pay(invoice, 100.0, date(2025, 3, 10))
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self._run(date(2025, 3, 11))
        thanks = invoice.message_ids.filtered(lambda message: "thank you" in (message.subject or "").lower())
        self.assertEqual(len(thanks), 1)
        self.assertTrue(invoice.billing_dunning_thanked)
        self._run(date(2025, 3, 12))
        thanks = invoice.message_ids.filtered(lambda message: "thank you" in (message.subject or "").lower())
        self.assertEqual(len(thanks), 1)

    def test_scheduled_action_only_where_switched_on(self):
        self.assertFalse(self.company.billing_dunning_auto_run, "off unless switched on")
        self._invoice(self._make_partner("Not reminded yet"), 100.0, date(2025, 3, 1))
        Run = self.env["billing.dunning.run"]
        Run._cron_run_dunning()
        self.assertFalse(Run.search([("company_id", "=", self.company.id)]))

    def test_scheduled_action_resumes_in_batches(self):
        self.company.billing_dunning_auto_run = True
        customers = [self._make_partner(f"Batch {index}") for index in range(3)]
        for customer in customers:
            self._invoice(customer, 100.0, date(2025, 3, 1))
        Run = self.env["billing.dunning.run"]
        Run._cron_run_dunning(batch_size=2)
        run = Run.search([("company_id", "=", self.company.id)])
        self.assertEqual(run.state, "running")
        self.assertEqual(len(run.reminder_ids), 2)
        Run._cron_run_dunning(batch_size=2)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.reminder_ids.partner_id, self.env["res.partner"].concat(*customers))

    def test_reminders_of_another_company_are_refused(self):
        other_company = self.env["res.company"].create({"name": "Other Dunning Company"})
        other = self._make_partner("Other Company", company_id=other_company.id)
        with self.assertRaises(UserError):
            self.env["billing.dunning.reminder"]._insert_batch(
                [
                    {
                        "company_id": self.company.id,
                        "partner_id": other.id,
                        "date": date(2025, 3, 9),
                        "level_id": self.level_1.id,
                    }
                ]
            )
