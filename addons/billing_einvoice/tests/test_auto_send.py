import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .common import EinvoiceCommon

POSTED_AT = "2026-01-15 10:00:00"


@tagged("post_install", "-at_install")
class TestEinvoiceAutoSend(EinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.write(
            {"einvoice_auto_send": True, "einvoice_send_delay": 5, "einvoice_send_lead_days": 0}
        )
        cls.cron = cls.env.ref("billing_einvoice.ir_cron_einvoice_auto_send")

    def post_invoice(self, partner=None, invoice_date="2026-01-15", move_type="out_invoice", **values):
        with freeze_time(values.pop("posted_at", POSTED_AT)):
            return self.init_invoice(
                move_type,
                partner=partner or self.partner_email,
                invoice_date=fields.Date.from_string(invoice_date),
                amounts=[100.0],
                post=True,
                **values,
            )

    def run_cron(self, at, **kwargs):
        with freeze_time(at):
            self.env["account.move"]._cron_einvoice_auto_send(**kwargs)

    def invoice_mails(self, invoice):
        return invoice.message_ids.filtered(
            lambda message: message.message_type == "comment" and message.notification_ids
        )

    def test_cancel_window(self):
        invoice = self.post_invoice()
        self.assertEqual(invoice.einvoice_send_after, datetime.datetime(2026, 1, 15, 10, 5))
        self.assertFalse(invoice.is_move_sent)
        self.run_cron("2026-01-15 10:04:59")
        self.assertFalse(invoice.einvoice_delivery_ids, "still inside the cancel window")
        self.assertTrue(invoice.einvoice_send_after)
        self.run_cron("2026-01-15 10:05:00")
        self.assertRecordValues(invoice.einvoice_delivery_ids, [{"channel": "email", "state": "sent"}])
        self.assertFalse(invoice.einvoice_send_after)
        self.assertTrue(invoice.is_move_sent)
        self.assertEqual(invoice.einvoice_delivery_state, "sent")
        # One e-mail per invoice: a later run does not send it again.
        self.run_cron("2026-01-15 11:00:00")
        self.assertEqual(len(self.invoice_mails(invoice)), 1)
        self.assertEqual(len(invoice.einvoice_delivery_ids), 1)

    def test_cancel_window_is_a_company_setting(self):
        self.company.einvoice_send_delay = 30
        invoice = self.post_invoice()
        self.assertEqual(invoice.einvoice_send_after, datetime.datetime(2026, 1, 15, 10, 30))

    def test_future_dated_invoice_waits_for_its_date(self):
        self.company.einvoice_send_lead_days = 2
        invoice = self.post_invoice(invoice_date="2026-01-20")
        self.assertEqual(invoice.einvoice_send_after, datetime.datetime(2026, 1, 18))
        self.run_cron("2026-01-17 23:59:00")
        self.assertFalse(invoice.einvoice_delivery_ids)
        self.run_cron("2026-01-18 00:01:00")
        self.assertEqual(invoice.einvoice_delivery_ids.state, "sent")
        # The date is the company's: midnight in Helsinki is 22:00 UTC the day before.
        self.company.partner_id.tz = "Europe/Helsinki"
        self.company.einvoice_send_lead_days = 0
        other = self.post_invoice(invoice_date="2026-01-20")
        self.assertEqual(other.einvoice_send_after, datetime.datetime(2026, 1, 19, 22, 0))

    def test_reset_to_draft_cancels_the_automatic_send(self):
        invoice = self.post_invoice()
        with freeze_time("2026-01-15 10:02:00"):
            invoice.button_draft()
        self.assertFalse(invoice.einvoice_send_after)
        self.run_cron("2026-01-15 10:10:00")
        self.assertFalse(invoice.einvoice_delivery_ids)
        # Posting it again opens a new cancel window.
        with freeze_time("2026-01-15 10:20:00"):
            invoice.action_post()
        self.assertEqual(invoice.einvoice_send_after, datetime.datetime(2026, 1, 15, 10, 25))

    def test_sending_by_hand_cancels_the_automatic_send(self):
        invoice = self.post_invoice()
        with freeze_time("2026-01-15 10:01:00"):
            self.env["account.move.send"]._generate_and_send_invoices(invoice)
        self.assertFalse(invoice.einvoice_send_after)
        self.run_cron("2026-01-15 10:10:00")
        self.assertEqual(len(self.invoice_mails(invoice)), 1)
        self.assertEqual(len(invoice.einvoice_delivery_ids), 1)
        # So does Odoo's own background sending (the wizard's sending_data) and the button.
        other = self.post_invoice()
        other.sending_data = {
            "author_user_id": self.env.user.id,
            "author_partner_id": self.env.user.partner_id.id,
        }
        self.assertFalse(other.einvoice_send_after)
        third = self.post_invoice()
        third.action_einvoice_cancel_auto_send()
        self.assertFalse(third.einvoice_send_after)

    def test_credit_note_is_queued_and_sent(self):
        invoice = self.post_invoice()
        invoice.action_einvoice_cancel_auto_send()
        with freeze_time("2026-01-16 09:00:00"):
            credit_note = invoice._reverse_moves()
            credit_note.action_post()
        self.assertEqual(credit_note.einvoice_send_after, datetime.datetime(2026, 1, 16, 9, 5))
        self.run_cron("2026-01-16 09:06:00")
        self.assertEqual(credit_note.einvoice_delivery_ids.state, "sent")
        self.assertFalse(invoice.einvoice_delivery_ids)

    def test_finvoice_customer_is_queued_on_the_finvoice_channel(self):
        invoice = self.post_invoice(partner=self.partner_finvoice)
        self.run_cron("2026-01-15 10:06:00")
        self.assertRecordValues(
            invoice.einvoice_delivery_ids,
            [{"channel": "finvoice", "state": "queued", "error_message": False}],
        )
        # Waiting for the bank file is not "sent" (odoo/odoo#195327).
        self.assertFalse(invoice.is_move_sent)
        invoice.einvoice_delivery_ids.action_download_finvoice_batch()
        self.assertTrue(invoice.is_move_sent)

    def test_what_is_not_queued(self):
        self.partner_email.invoice_sending_method = "manual"
        self.assertFalse(self.post_invoice().einvoice_send_after, "download only")
        self.partner_email.invoice_sending_method = "email"
        self.company.einvoice_auto_send = False
        self.assertFalse(self.post_invoice().einvoice_send_after, "automatic sending off")
        self.company.einvoice_auto_send = True
        self.assertFalse(self.post_invoice(move_type="in_invoice").einvoice_send_after, "a vendor bill")

    def test_off_unless_switched_on(self):
        company = self.env["res.company"].create({"name": "Not sending yet"})
        self.assertFalse(company.einvoice_auto_send)
        # An invoice queued before the company switched automatic sending off stays unsent.
        invoice = self.post_invoice()
        self.company.einvoice_auto_send = False
        self.run_cron("2026-01-15 10:06:00")
        self.assertFalse(invoice.einvoice_delivery_ids)
        self.assertTrue(invoice.einvoice_send_after)
        self.company.einvoice_auto_send = True
        self.run_cron("2026-01-15 10:07:00")
        self.assertEqual(invoice.einvoice_delivery_ids.state, "sent")

    def test_batches_and_trigger(self):
        invoices = self.post_invoice() + self.post_invoice() + self.post_invoice()
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])
        self.run_cron("2026-01-15 10:06:00", batch_size=2)
        self.assertEqual(len(invoices.einvoice_delivery_ids), 2)
        new_triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]) - triggers
        self.assertEqual(len(new_triggers), 1, "more were due: the cron triggers itself again")
        self.run_cron("2026-01-15 10:06:30", batch_size=2)
        self.assertEqual(len(invoices.einvoice_delivery_ids), 3)
        self.assertEqual(
            len(self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]) - triggers),
            1,
            "nothing left: no new trigger",
        )
        self.assertEqual(set(invoices.mapped("is_move_sent")), {True})

    def test_batch_failure_falls_back_to_one_by_one(self):
        invoices = self.post_invoice() + self.post_invoice()
        broken = self.post_invoice()
        send_model = type(self.env["account.move.send"])
        generate_and_send = send_model._generate_and_send_invoices

        def fail_on_batches_and_the_broken_one(wizard, moves, **kwargs):
            # As Debian's wkhtmltopdf does on a batch: the PDF of several invoices is empty.
            if len(moves) > 1 or moves == broken:
                raise ValueError("Cannot read an empty file")
            return generate_and_send(wizard, moves, **kwargs)

        with (
            patch.object(send_model, "_generate_and_send_invoices", fail_on_batches_and_the_broken_one),
            self.assertLogs("odoo.addons.billing_einvoice.models.account_move", "WARNING"),
        ):
            self.run_cron("2026-01-15 10:06:00")
        self.assertEqual(set(invoices.mapped("is_move_sent")), {True})
        self.assertEqual(invoices.einvoice_delivery_ids.mapped("state"), ["sent", "sent"])
        self.assertFalse(broken.is_move_sent)
        self.assertIn("Cannot read an empty file", broken.message_ids[0].body)

    def test_cron_locks_with_skip_locked(self):
        invoice = self.post_invoice()
        queries = []
        real_execute = type(self.env.cr).execute

        def recording_execute(cursor, query, params=None, log_exceptions=True):
            queries.append(getattr(query, "code", str(query)))
            return real_execute(cursor, query, params, log_exceptions)

        with (
            freeze_time("2026-01-15 10:06:00"),
            patch.object(type(self.env.cr), "execute", recording_execute),
        ):
            self.env["account.move"]._cron_einvoice_auto_send()
        self.assertTrue(any("FOR UPDATE SKIP LOCKED" in query for query in queries))
        self.assertEqual(invoice.einvoice_delivery_ids.state, "sent")

    def test_company_mail_server(self):
        server = self.env["ir.mail_server"].create(
            {"name": "Invoices", "smtp_host": "smtp.invoices.example", "smtp_port": 25}
        )
        self.company.invoice_mail_server_id = server
        invoice = self.post_invoice()
        self.run_cron("2026-01-15 10:06:00")
        delivery = invoice.einvoice_delivery_ids
        self.assertEqual(delivery.mail_message_id.mail_server_id, server)

    def test_customer_without_email_is_not_sent(self):
        self.partner_email.email = False
        invoice = self.post_invoice()
        self.run_cron("2026-01-15 10:06:00")
        self.assertRecordValues(invoice.einvoice_delivery_ids, [{"channel": "email", "state": "failed"}])
        self.assertIn("no e-mail address", invoice.einvoice_delivery_ids.error_message)
        self.assertFalse(invoice.is_move_sent, "Odoo would call it sent (odoo/odoo#195327)")

    def test_bounce_makes_the_invoice_unsent(self):
        invoice = self.post_invoice()
        self.run_cron("2026-01-15 10:06:00")
        self.assertTrue(invoice.is_move_sent)
        invoice.einvoice_delivery_ids.mail_message_id.notification_ids.sudo().write(
            {"notification_status": "bounce", "failure_type": "mail_bounce"}
        )
        self.assertEqual(invoice.einvoice_delivery_state, "bounced")
        self.assertFalse(invoice.is_move_sent)

    def test_multi_company(self):
        company_2 = self.setup_other_company()["company"]
        company_2.write({"einvoice_auto_send": True, "einvoice_send_delay": 60})
        self.partner_email.with_company(company_2).invoice_sending_method = "email"
        invoice = self.post_invoice()
        invoice_2 = self.post_invoice(company=company_2)
        self.assertEqual(invoice_2.einvoice_send_after, datetime.datetime(2026, 1, 15, 11, 0))
        self.run_cron("2026-01-15 10:06:00")
        self.assertTrue(invoice.einvoice_delivery_ids)
        self.assertFalse(invoice_2.einvoice_delivery_ids)
        self.run_cron("2026-01-15 11:00:00")
        self.assertEqual(invoice_2.einvoice_delivery_ids.company_id, company_2)
        self.assertEqual(invoice_2.einvoice_delivery_ids.state, "sent")

    def test_pdf_attachment_toggle_per_template(self):
        template = self.env.ref("account.email_template_edi_invoice")
        invoice = self.post_invoice()
        self.run_cron("2026-01-15 10:06:00")
        pdf_name = invoice.invoice_pdf_report_id.name
        self.assertTrue(pdf_name)
        self.assertIn(pdf_name, invoice.einvoice_delivery_ids.mail_message_id.attachment_ids.mapped("name"))
        template.einvoice_attach_pdf = False
        other = self.post_invoice()
        self.run_cron("2026-01-15 10:06:00")
        message = other.einvoice_delivery_ids.mail_message_id
        self.assertTrue(message)
        self.assertNotIn(other.invoice_pdf_report_id.name, message.attachment_ids.mapped("name"))
        self.assertTrue(other.invoice_pdf_report_id, "the PDF is still kept on the invoice")
