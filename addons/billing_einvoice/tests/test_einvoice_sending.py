import os
from unittest.mock import patch

from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..finvoice import schema
from ..models.res_company import XSD_DIR_ENVIRONMENT_VARIABLE, XSD_DIR_PARAMETER
from .common import EinvoiceCommon, finvoice_xsd_dir


def split_payload(payload):
    """Return (SOAP frame, Finvoice document) of one stored transmission."""
    second = payload.index(b"<?xml", 1)
    return payload[:second], payload[second:]


@tagged("post_install", "-at_install")
class TestEinvoiceSending(EinvoiceCommon):
    def send(self, moves, **settings):
        return self.env["account.move.send"]._generate_and_send_invoices(moves, **settings)

    def finvoice_of(self, delivery):
        frame, finvoice = split_payload(delivery.payload_attachment_id.raw)
        schema.validate_finvoice(finvoice, finvoice_xsd_dir())
        return etree.fromstring(frame), etree.fromstring(finvoice)

    def test_channel_selection(self):
        sender = self.env["account.move.send"]
        invoice = self.init_invoice("out_invoice", partner=self.partner_finvoice, amounts=[100.0], post=True)
        self.assertEqual(sender._get_default_sending_method(invoice), "finvoice")
        self.assertTrue(sender._is_applicable_to_move("finvoice", invoice))
        invoice.einvoice_sending_method = "email"
        self.assertEqual(sender._get_default_sending_method(invoice), "email")
        other = self.init_invoice("out_invoice", partner=self.partner_email, amounts=[100.0], post=True)
        self.assertEqual(sender._get_default_sending_method(other), "email")
        self.assertFalse(sender._is_applicable_to_move("elasku", other), "no e-invoice address")
        # The selection of the override follows the customer's, extensions included.
        self.assertIn(
            "elasku", dict(invoice._fields["einvoice_sending_method"]._description_selection(self.env))
        )

    def test_send_finvoice_invoice(self):
        invoice = self.init_invoice(
            "out_invoice", partner=self.partner_finvoice, amounts=[100.0, 50.0], post=True
        )
        self.send(invoice)
        delivery = invoice.einvoice_delivery_ids
        self.assertRecordValues(
            delivery, [{"channel": "finvoice", "state": "queued", "error_message": False}]
        )
        self.assertEqual(invoice.einvoice_delivery_state, "queued")
        frame, finvoice = self.finvoice_of(delivery)
        self.assertEqual(
            finvoice.findtext("MessageTransmissionDetails/MessageDetails/MessageIdentifier"),
            delivery.external_id,
        )
        self.assertTrue(2 <= len(delivery.external_id) <= 48)
        self.assertEqual(
            finvoice.findtext("MessageTransmissionDetails/MessageReceiverDetails/ToIdentifier"),
            "003776543212",
        )
        self.assertEqual(
            finvoice.findtext("MessageTransmissionDetails/MessageSenderDetails/FromIntermediator"), "OKOYFIHH"
        )
        self.assertEqual(finvoice.findtext("InvoiceDetails/InvoiceTypeCode"), "INV01")
        self.assertEqual(finvoice.findtext("InvoiceDetails/InvoiceNumber"), invoice.name)
        self.assertEqual(finvoice.findtext("SellerPartyDetails/SellerPartyIdentifier"), "1234567-1")
        self.assertEqual(finvoice.findtext("BuyerPartyDetails/BuyerPartyIdentifier"), "7654321-2")
        self.assertEqual(
            finvoice.findtext("SellerInformationDetails/SellerAccountDetails/SellerAccountID"),
            "FI2112345600000785",
        )
        self.assertEqual(len(finvoice.findall("InvoiceRow")), 2)
        total = finvoice.findtext("EpiDetails/EpiPaymentInstructionDetails/EpiInstructedAmount")
        self.assertEqual(total, f"{invoice.amount_total:.2f}".replace(".", ","))
        namespaces = {"eb": "http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd"}
        self.assertEqual(
            frame.findtext(".//eb:MessageData/eb:MessageId", namespaces=namespaces), delivery.external_id
        )

    def test_send_credit_note_and_rf_reference(self):
        self.company_data["default_journal_sale"].invoice_reference_model = "euro"
        invoice = self.init_invoice("out_invoice", partner=self.partner_finvoice, amounts=[100.0], post=True)
        self.assertTrue(invoice.payment_reference.startswith("RF"))
        credit_note = invoice._reverse_moves()
        credit_note.action_post()
        self.send(credit_note)
        _frame, finvoice = self.finvoice_of(credit_note.einvoice_delivery_ids)
        self.assertEqual(finvoice.findtext("InvoiceDetails/InvoiceTypeCode"), "INV02")
        self.assertEqual(finvoice.findtext("InvoiceDetails/OriginalInvoiceNumber"), invoice.name)
        self.assertTrue(finvoice.findtext("InvoiceDetails/InvoiceTotalVatIncludedAmount").startswith("-"))
        # The payment block is there on a credit note too.
        self.assertEqual(
            finvoice.findtext("EpiDetails/EpiPartyDetails/EpiBfiPartyDetails/EpiBfiIdentifier"), "NDEAFIHH"
        )
        # The invoice's RF reference travels with the ISO scheme.
        invoice_copy = self.init_invoice(
            "out_invoice", partner=self.partner_finvoice, amounts=[10.0], post=True
        )
        self.send(invoice_copy)
        _frame, finvoice = self.finvoice_of(invoice_copy.einvoice_delivery_ids)
        remittance = finvoice.find("EpiDetails/EpiPaymentInstructionDetails/EpiRemittanceInfoIdentifier")
        self.assertEqual(remittance.get("IdentificationSchemeName"), "ISO")
        self.assertEqual(remittance.text, invoice_copy.payment_reference.replace(" ", ""))

    def test_elasku_carries_billing_subject(self):
        self.env.company.finvoice_payment_instruction_id = "KAUKOLAMPO"
        self.env.company.finvoice_encoding = "ISO-8859-15"
        invoice = self.init_invoice("out_invoice", partner=self.partner_finvoice, amounts=[100.0], post=True)
        invoice.einvoice_sending_method = "elasku"
        self.send(invoice)
        delivery = invoice.einvoice_delivery_ids
        self.assertEqual(delivery.channel, "elasku")
        self.assertTrue(
            delivery.payload_attachment_id.raw.startswith(b'<?xml version="1.0" encoding="ISO-8859-15"?>')
        )
        _frame, finvoice = self.finvoice_of(delivery)
        self.assertEqual(
            finvoice.findtext("EpiDetails/EpiPaymentInstructionDetails/EpiPaymentInstructionId"), "KAUKOLAMPO"
        )

    def test_broken_invoice_is_stopped(self):
        account_without_bic = self.env["res.partner.bank"].create(
            {"acc_number": "FI4950009420028730", "partner_id": self.env.company.partner_id.id}
        )
        invoice = self.init_invoice("out_invoice", partner=self.partner_finvoice, amounts=[100.0], post=True)
        invoice.partner_bank_id = account_without_bic
        with self.assertRaisesRegex(UserError, "SellerBic"):
            self.send(invoice)
        self.assertFalse(invoice.einvoice_delivery_ids)
        # Without raising (automatic sending), the invoice stays queued with the error.
        self.send(invoice, allow_raising=False)
        delivery = invoice.einvoice_delivery_ids
        self.assertEqual(delivery.state, "queued")
        self.assertIn("SellerBic", delivery.error_message)
        self.assertFalse(delivery.payload_attachment_id)
        self.assertIn("SellerBic", invoice.message_ids[0].body)

    def test_action_send_records_errors_instead_of_raising(self):
        good = self.init_invoice("out_invoice", partner=self.partner_finvoice, amounts=[100.0], post=True)
        broken = self.init_invoice("out_invoice", partner=self.partner_finvoice, amounts=[100.0], post=True)
        broken.partner_bank_id = self.env["res.partner.bank"].create(
            {"acc_number": "FI4950009420028730", "partner_id": self.env.company.partner_id.id}
        )
        (good + broken).action_einvoice_send()
        self.assertRecordValues(
            (good + broken).einvoice_delivery_ids.sorted("move_id"),
            [
                {"move_id": good.id, "state": "queued", "error_message": False},
                {
                    "move_id": broken.id,
                    "state": "queued",
                    "error_message": broken.einvoice_delivery_ids.error_message,
                },
            ],
        )
        self.assertIn("SellerBic", broken.einvoice_delivery_ids.error_message)
        draft = self.init_invoice("out_invoice", partner=self.partner_finvoice, amounts=[100.0])
        with self.assertRaises(UserError):
            draft.action_einvoice_send()

    def test_missing_customer_address_is_stopped(self):
        self.partner_finvoice.einvoice_operator = False
        invoice = self.init_invoice("out_invoice", partner=self.partner_finvoice, amounts=[100.0], post=True)
        with self.assertRaisesRegex(UserError, "no e-invoice address"):
            self.send(invoice, sending_methods=["finvoice"])

    def without_schema_override(self):
        """A context without BILLING_FINVOICE_XSD_DIR; the system parameter is not set either."""
        self.assertFalse(self.env["ir.config_parameter"].sudo().get_param(XSD_DIR_PARAMETER))
        environment = {key: value for key, value in os.environ.items() if key != XSD_DIR_ENVIRONMENT_VARIABLE}
        return patch.dict(os.environ, environment, clear=True)

    def test_schema_comes_from_the_installed_package(self):
        # As after an install from the Apps menu: no environment variable, no system parameter.
        invoice = self.init_invoice("out_invoice", partner=self.partner_finvoice, amounts=[100.0], post=True)
        with self.without_schema_override():
            self.assertFalse(self.env["res.config.settings"].create({}).finvoice_schema_problem)
            self.send(invoice)
        delivery = invoice.einvoice_delivery_ids
        self.assertRecordValues(
            delivery, [{"channel": "finvoice", "state": "queued", "error_message": False}]
        )
        self.assertTrue(delivery.external_id)
        _frame, finvoice = self.finvoice_of(delivery)
        self.assertEqual(finvoice.findtext("InvoiceDetails/InvoiceNumber"), invoice.name)
        self.assertIn("site-packages/odoo/addons/account_edi_finvoice/static/schema", finvoice_xsd_dir())

    def test_missing_schema_is_a_clear_error(self):
        invoice = self.init_invoice("out_invoice", partner=self.partner_finvoice, amounts=[100.0], post=True)
        with (
            self.without_schema_override(),
            patch.object(schema, "SCHEMA_DISTRIBUTION", "odoo-addon-not-installed-finvoice"),
        ):
            problem = self.env["res.config.settings"].create({}).finvoice_schema_problem
            with self.assertRaises(UserError) as caught:
                self.send(invoice)
        self.assertIn(problem, str(caught.exception))
        self.assertIn("the Python package odoo-addon-not-installed-finvoice is not installed", problem)
        self.assertIn("pip install odoo-addon-not-installed-finvoice==18.0.*", problem)
        self.assertFalse(invoice.einvoice_delivery_ids.filtered(lambda delivery: delivery.state == "sent"))

    def test_wrong_schema_override_is_a_clear_error(self):
        invoice = self.init_invoice("out_invoice", partner=self.partner_finvoice, amounts=[100.0], post=True)
        with self.without_schema_override():
            self.env["ir.config_parameter"].sudo().set_param(XSD_DIR_PARAMETER, "/nonexistent/finvoice")
            with self.assertRaisesRegex(UserError, XSD_DIR_PARAMETER.replace(".", r"\.")):
                self.send(invoice)
            self.env["ir.config_parameter"].sudo().set_param(XSD_DIR_PARAMETER, False)
        with (
            patch.dict(os.environ, {XSD_DIR_ENVIRONMENT_VARIABLE: "/nonexistent/finvoice"}),
            self.assertRaisesRegex(UserError, f"environment variable {XSD_DIR_ENVIRONMENT_VARIABLE}"),
        ):
            self.send(invoice)
        # An override that holds the XSD is used.
        with patch.dict(os.environ, {XSD_DIR_ENVIRONMENT_VARIABLE: finvoice_xsd_dir()}):
            self.send(invoice)
        self.assertTrue(
            invoice.einvoice_delivery_ids.filtered(
                lambda delivery: delivery.channel == "finvoice" and not delivery.error_message
            )
        )

    def test_batch_file(self):
        invoices = self.init_invoice("out_invoice", partner=self.partner_finvoice, amounts=[100.0], post=True)
        invoices += self.init_invoice(
            "out_invoice", partner=self.partner_finvoice, amounts=[200.0], post=True
        )
        for invoice in invoices:
            self.send(invoice)
        deliveries = invoices.einvoice_delivery_ids
        action = deliveries.action_download_finvoice_batch()
        self.assertEqual(action["type"], "ir.actions.act_url")
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        self.assertEqual(attachment.raw.count(b"<Finvoice "), 2)
        self.assertEqual(attachment.raw.count(b"Envelope "), 2)
        self.assertEqual(set(deliveries.mapped("state")), {"sent"})
        self.assertEqual(set(invoices.mapped("einvoice_delivery_state")), {"sent"})
        with self.assertRaises(UserError):
            deliveries.action_download_finvoice_batch()

    def test_cancel_and_retry(self):
        invoice = self.init_invoice("out_invoice", partner=self.partner_finvoice, amounts=[100.0], post=True)
        self.send(invoice)
        first = invoice.einvoice_delivery_ids
        first.action_cancel()
        self.assertEqual(invoice.einvoice_delivery_state, "cancelled")
        with self.assertRaises(UserError):
            first.action_cancel()
        with self.assertRaises(UserError):
            first.action_retry()
        first.state = "failed"
        first.action_retry()
        second = invoice.einvoice_delivery_ids - first
        self.assertRecordValues(second, [{"channel": "finvoice", "state": "queued"}])
        self.assertNotEqual(second.external_id, False)
        self.assertEqual(invoice.einvoice_delivery_state, "queued")

    def test_email_delivery_follows_the_mail(self):
        invoice = self.init_invoice("out_invoice", partner=self.partner_email, amounts=[100.0], post=True)
        self.send(invoice, sending_methods=["email"])
        delivery = invoice.einvoice_delivery_ids
        self.assertEqual(delivery.channel, "email")
        self.assertTrue(delivery.mail_message_id)
        notification = delivery.mail_message_id.notification_ids.filtered(
            lambda notif: notif.res_partner_id == self.partner_email
        )
        # Odoo sends the e-mail in the same transaction during tests.
        self.assertEqual(notification.notification_status, "sent")
        self.assertEqual(delivery.state, "sent")
        self.assertTrue(delivery.sent_date)

        # What Odoo's bounce handling (mail.thread._routing_handle_bounce) writes, as superuser.
        notification.sudo().write({"notification_status": "bounce", "failure_type": "mail_bounce"})
        self.assertEqual(delivery.state, "bounced")
        self.assertEqual(invoice.einvoice_delivery_state, "bounced")
        self.assertIn("bounced", invoice.message_ids[0].body)
        activity = invoice.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertEqual(activity.user_id, invoice.invoice_user_id)
        # A second bounce notification does not stack activities.
        notification.sudo().write({"failure_reason": "550 again", "notification_status": "bounce"})
        self.assertEqual(len(invoice.activity_ids), 1)

    def test_email_sent_by_the_mail_queue_is_sent(self):
        # The mail queue (mail.mail._send) marks the notifications "exception" while it sends,
        # then "sent": the delivery ends sent, without the interim error.
        invoice = self.init_invoice("out_invoice", partner=self.partner_email, amounts=[100.0], post=True)
        self.send(invoice, sending_methods=["email"])
        delivery = invoice.einvoice_delivery_ids
        notifications = delivery.mail_message_id.notification_ids.sudo()
        notifications.write({"notification_status": "ready"})
        delivery.state = "queued"
        notifications.write({"notification_status": "exception", "failure_type": "unknown"})
        self.assertEqual(delivery.state, "failed")
        notifications.write({"notification_status": "sent", "failure_type": False})
        self.assertEqual(delivery.state, "sent")
        self.assertFalse(delivery.error_message)

    def test_email_exception_fails_the_delivery(self):
        invoice = self.init_invoice("out_invoice", partner=self.partner_email, amounts=[100.0], post=True)
        self.send(invoice, sending_methods=["email"])
        delivery = invoice.einvoice_delivery_ids
        delivery.mail_message_id.notification_ids.sudo().write(
            {
                "notification_status": "exception",
                "failure_type": "mail_smtp",
                "failure_reason": "550 no such user",
            }
        )
        self.assertEqual(delivery.state, "failed")
        self.assertIn("550 no such user", delivery.error_message)

    def test_multi_company(self):
        company_2 = self.setup_other_company()["company"]
        invoice_2 = self.init_invoice("out_invoice", amounts=[100.0], post=True, company=company_2)
        delivery_2 = self.env["billing.einvoice.delivery"].create(
            {"move_id": invoice_2.id, "channel": "email"}
        )
        self.assertEqual(delivery_2.company_id, company_2)
        user = new_test_user(
            self.env,
            login="einvoice_clerk",
            groups="account.group_account_invoice",
            company_id=self.env.company.id,
            company_ids=[self.env.company.id],
        )
        deliveries = self.env["billing.einvoice.delivery"].with_user(user).search([])
        self.assertNotIn(delivery_2, deliveries)
        with self.assertRaises(AccessError):
            delivery_2.with_user(user).read(["state"])
