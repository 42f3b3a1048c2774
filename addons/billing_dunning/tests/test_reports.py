from datetime import date

from odoo.exceptions import UserError
from odoo.tests import Form, freeze_time, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningReports(DunningCommon):
    """Reminder letters, the merged letters of a run and the statement of account.

    In test mode Odoo renders PDF reports as HTML (no wkhtmltopdf call), so the content
    is checked on that HTML.
    """

    def _render(self, report_xmlid, records):
        return self.env["ir.actions.report"]._render_qweb_html(report_xmlid, records.ids)[0].decode()

    def test_reminder_letter_lists_items_levels_charges_and_totals(self):
        old = self._invoice(self.b2b, 100.0, date(2025, 3, 1))
        recent = self._invoice(self.b2b, 50.0, date(2025, 3, 20))
        self._run(date(2025, 3, 28))  # old: L2 (fee EUR 5, interest, EUR 40); recent: L1
        reminder = self._reminders(self.b2b)
        items = reminder._get_report_items()
        self.assertEqual([item["move"] for item in items], [old, recent])
        self.assertEqual([item["level"] for item in items], [self.level_2, self.level_1])
        self.assertEqual(items[0]["days_overdue"], 27)
        self.assertEqual(items[0]["fees"], 45.0, "the EUR 5 fee and the EUR 40 compensation")
        self.assertGreater(items[0]["interest"], 0.0)
        self.assertEqual((items[1]["fees"], items[1]["interest"]), (0.0, 0.0))
        [total] = reminder._get_report_totals(items)
        self.assertEqual(total["currency"], self.eur)
        self.assertAlmostEqual(total["total"], 150.0 + 45.0 + items[0]["interest"])

        html = self._render("billing_dunning.report_reminder", reminder)
        for text in (self.b2b.name, old.name, recent.name, self.level_2.name, "/my/invoices/", reminder.name):
            self.assertIn(text, html)
        self.assertIn("Total to pay", html)

    def test_reminder_email_carries_the_letter(self):
        self._invoice(self.b2b, 100.0, date(2025, 3, 1))
        self._run(date(2025, 3, 9))
        reminder = self._reminders(self.b2b)
        message = reminder.message_ids.filtered(lambda message: message.message_type == "comment")
        self.assertEqual(len(message.attachment_ids), 1)
        self.assertEqual(message.attachment_ids.name, f"Reminder {reminder.name.replace('/', '-')}.pdf")
        self.assertIn(reminder.name, message.attachment_ids.raw.decode())

    def test_level_report_overrides_the_standard_letter(self):
        custom = self.env.ref("billing_dunning.action_report_billing_dunning_reminder").copy(
            {"name": "Custom letter"}
        )
        self.level_1.report_id = custom
        self._invoice(self.b2b, 100.0, date(2025, 3, 1))
        self._run(date(2025, 3, 9))
        self.assertEqual(self._reminders(self.b2b)._get_report(), custom)

    def test_letters_of_a_run_merge_into_one_print(self):
        self.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        self.level_1.channel = "letter"
        first = self._make_partner("Anton Letter")
        second = self._make_partner("Berta Letter")
        no_mail = self._make_partner("Carl Nomail", email=False)
        self.level_2.channel = "email"
        for partner in (first, second, no_mail):
            self._invoice(partner, 100.0, date(2025, 3, 1))
        emailed = self._invoice(self.b2c, 100.0, date(2025, 2, 10))  # 27 days: L2, by e-mail
        run = self._run(date(2025, 3, 9))
        self.assertEqual(run.letter_count, 3)
        action = run.action_print_letters()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(action["report_name"], "billing_dunning.report_reminder")
        letters = self.env["billing.dunning.reminder"].browse(action["context"]["active_ids"])
        self.assertEqual(letters.partner_id, first | second | no_mail)
        self.assertNotIn(emailed.commercial_partner_id, letters.partner_id)
        html = self._render("billing_dunning.report_reminder", letters)
        for partner in (first, second, no_mail):
            self.assertIn(partner.name, html)

        letters.action_mark_sent()
        with self.assertRaises(UserError):
            run.action_print_letters()

    @freeze_time("2025-04-01")
    def test_statement_of_account(self):
        open_invoice = self._invoice(self.b2b, 100.0, date(2025, 3, 1))
        paid = self._invoice(self.b2b, 30.0, date(2025, 3, 5))
        self._pay(paid, 30.0, date(2025, 3, 6))
        partial = self._invoice(self.b2b, 80.0, date(2025, 3, 10))
        self._pay(partial, 20.0, date(2025, 3, 12))
        self._invoice(self.b2c, 70.0, date(2025, 3, 1))
        statement = self.b2b._get_billing_dunning_statement()
        self.assertEqual(statement["lines"].move_id, open_invoice | partial)
        self.assertEqual(statement["totals"], [{"currency": self.eur, "amount": 160.0}])
        html = self._render("billing_dunning.report_statement", self.b2b)
        self.assertIn(open_invoice.name, html)
        self.assertIn(partial.name, html)
        self.assertNotIn(paid.name, html)

    @freeze_time("2025-04-01")
    def test_send_statement_from_the_customer_form(self):
        invoice = self._invoice(self.b2b, 100.0, date(2025, 3, 1))
        action = self.b2b.action_billing_dunning_send_statement()
        self.assertEqual(action["res_model"], "mail.compose.message")
        composer = Form(self.env["mail.compose.message"].with_context(**action["context"])).save()
        composer.action_send_mail()
        message = self.b2b.message_ids.filtered(lambda message: message.message_type == "comment")[:1]
        self.assertIn("statement of account", message.subject)
        self.assertEqual(len(message.attachment_ids), 1)
        self.assertIn(invoice.name, message.attachment_ids.raw.decode())
