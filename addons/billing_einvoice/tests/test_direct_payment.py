import datetime

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tests.common import freeze_time

from .common import EinvoiceCommon
from .test_einvoice_sending import split_payload

SENT_ON = "2026-03-02"  # a Monday


@tagged("post_install", "-at_install")
class TestDirectPayment(EinvoiceCommon):
    """Invoices of customers with a direct-payment agreement go out as Finvoice INV09."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company_data["company"]
        cls.company_data["default_journal_sale"].invoice_reference_model = "euro"
        cls.subject = cls.env["billing.einvoice.billing.subject"].create(
            {
                "name": "Sähkö",
                "code": "SAHKO",
                "seller_party_identifier": "1234567-1",
                "einvoice_address": "FI2112345600000785",
                "einvoice_intermediator": "NDEAFIHH",
                "direct_payment_identifier": "SM-001",
            }
        )
        cls.consumer = cls.env["res.partner"].create(
            {
                "name": "Virtanen Ville",
                "street": "Kotikatu 1",
                "city": "Helsinki",
                "zip": "00100",
                "country_id": cls.env.ref("base.fi").id,
                "invoice_sending_method": "elasku",
                "einvoice_address": "FI1410093000123458",
                "einvoice_operator": "NDEAFIHH",
            }
        )
        cls.agreement = cls.env["billing.einvoice.agreement"].create(
            {
                "partner_id": cls.consumer.id,
                "company_id": company.id,
                "billing_subject_id": cls.subject.id,
                "recipient_address": "FI1410093000123458",
                "recipient_intermediator": "NDEAFIHH",
                "direct_payment": True,
            }
        )

    def _invoice(self, due, move_type="out_invoice", partner=None):
        invoice = self.init_invoice(
            move_type, partner=partner or self.consumer, amounts=[48.2], invoice_date=SENT_ON
        )
        invoice.invoice_date_due = due
        invoice.action_post()
        return invoice

    def _finvoice(self, invoice):
        with freeze_time(SENT_ON):
            _identifier, payload = self.env["billing.einvoice.finvoice.builder"]._build_finvoice_payload(
                invoice, "elasku", datetime.datetime(2026, 3, 2, 9, 0, 0)
            )
        return etree.fromstring(split_payload(payload)[1])

    def test_direct_payment_invoice_is_inv09_with_billing_subject_and_due_date(self):
        invoice = self._invoice("2026-03-20")
        # _build_finvoice_payload validates the document against the official Finvoice 3.0 XSD.
        finvoice = self._finvoice(invoice)
        self.assertEqual(finvoice.findtext("InvoiceDetails/InvoiceTypeCode"), "INV09")
        self.assertEqual(finvoice.findtext("InvoiceDetails/InvoiceTypeText"), "SUORAMAKSU")
        instruction = finvoice.find("EpiDetails/EpiPaymentInstructionDetails")
        self.assertEqual(instruction.findtext("EpiPaymentInstructionId"), "SAHKO")
        self.assertEqual(
            instruction.findtext("EpiRemittanceInfoIdentifier"), invoice.payment_reference.replace(" ", "")
        )
        self.assertEqual(instruction.findtext("EpiDateOptionDate"), "20260320")
        self.assertEqual(finvoice.findtext("InvoiceDetails/PaymentTermsDetails/InvoiceDueDate"), "20260320")
        self.assertEqual(
            finvoice.findtext("MessageTransmissionDetails/MessageReceiverDetails/ToIdentifier"),
            "FI1410093000123458",
        )

    def test_due_date_rules(self):
        with self.assertRaisesRegex(UserError, "2026-03-16 or later"):
            self._finvoice(self._invoice("2026-03-10"))
        with self.assertRaisesRegex(UserError, "weekend"):
            self._finvoice(self._invoice("2026-03-21"))

    def test_credit_notes_and_ended_agreements_are_not_direct_payments(self):
        refund = self._invoice("2026-03-20")._reverse_moves()
        refund.action_post()
        self.assertEqual(self._finvoice(refund).findtext("InvoiceDetails/InvoiceTypeCode"), "INV02")
        self.agreement.state = "ended"
        invoice = self._invoice("2026-03-03")
        self.assertEqual(self._finvoice(invoice).findtext("InvoiceDetails/InvoiceTypeCode"), "INV01")

    def test_direct_payment_extends_the_finvoice_builder(self):
        # The mapping is an AbstractModel extended by _inherit, as account.edi.xml.ubl_20 is:
        # direct payment is one such extension, reached through the builder, not the invoice.
        builder = self.env["billing.einvoice.finvoice.builder"]
        extensions = {cls.__module__.rpartition(".")[2] for cls in type(builder).__mro__}
        self.assertIn("billing_einvoice_finvoice_builder_direct_payment", extensions)
        invoice = self._invoice("2026-03-20")
        self.assertFalse(hasattr(invoice, "_get_finvoice_data"))
        data = builder._get_finvoice_data(invoice, "elasku", datetime.datetime(2026, 3, 2, 9, 0, 0))
        self.assertTrue(data.is_direct_payment)
        self.assertEqual(data.payment_instruction_id, "SAHKO")
