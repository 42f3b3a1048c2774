from datetime import date

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import tagged
from odoo.tests.common import freeze_time


@tagged("post_install", "-at_install")
class TestInvoiceCollectionDate(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.debtor = cls.partner_a
        cls.debtor.with_company(cls.company).sepa_direct_debit = True
        bank = cls.env["res.partner.bank"].create(
            {"acc_number": "NL91ABNA0417164300", "partner_id": cls.debtor.id}
        )
        cls.mandate = cls.env["billing.sepa.mandate"].create(
            {
                "partner_id": cls.debtor.id,
                "partner_bank_id": bank.id,
                "signature_date": "2026-01-05",
                "company_id": cls.company.id,
            }
        )
        cls.mandate.action_activate()

    def _invoice(self, invoice_date, partner=None):
        return self.init_invoice(
            "out_invoice",
            partner=partner or self.debtor,
            invoice_date=invoice_date,
            amounts=[100.0],
            currency=self.eur,
            post=True,
        )

    @freeze_time("2026-03-30")
    def test_mandate_and_date_assigned_on_post(self):
        # Posted Mon 30 Mar, due the same day: 14 days of pre-notification give Mon 13 Apr.
        invoice = self._invoice("2026-03-30")
        self.assertEqual(invoice.sepa_mandate_id, self.mandate)
        self.assertEqual(invoice.sepa_collection_date, date(2026, 4, 13))

    @freeze_time("2026-03-20")
    def test_collection_date_skips_target2_holidays(self):
        # 20 Mar + 14 = Fri 3 Apr 2026, Good Friday; Easter Monday follows: Tue 7 Apr.
        invoice = self._invoice("2026-03-20")
        self.assertEqual(invoice.sepa_collection_date, date(2026, 4, 7))

    @freeze_time("2026-03-30")
    def test_agreed_shorter_prenotification_and_delay(self):
        self.debtor.with_company(self.company).sepa_prenotification_days = 2
        self.company.sepa_collection_delay_days = 5
        invoice = self._invoice("2026-03-30")
        self.assertEqual(invoice.sepa_collection_date, date(2026, 4, 7))  # 4 Apr Sat, 6 Apr Easter Mon

    def test_customer_without_direct_debit_untouched(self):
        invoice = self._invoice("2026-03-30", partner=self.partner_b)
        self.assertFalse(invoice.sepa_mandate_id)
        self.assertFalse(invoice.sepa_collection_date)

    def test_reset_to_draft_clears_collection(self):
        invoice = self._invoice("2026-03-30")
        invoice.button_draft()
        self.assertFalse(invoice.sepa_mandate_id)
        self.assertFalse(invoice.sepa_collection_date)

    @freeze_time("2026-03-30")
    def test_prenotification_on_invoice_pdf_and_mail(self):
        invoice = self._invoice("2026-03-30")
        text = invoice.sepa_prenotification_text
        self.assertIn(self.mandate.name, text)
        self.assertIn("NL91**********4300", text)
        self.assertIn("04/13/2026", text)
        html = self.env["ir.actions.report"]._render_qweb_html("account.report_invoice", invoice.ids)[0]
        self.assertIn(b"NL91**********4300", html)
        template = self.env.ref("account.email_template_edi_invoice")
        body = self.env["account.move.send"]._get_default_mail_body(invoice, template, "en_US")
        self.assertIn(self.mandate.name, body)

    def test_mandate_form_prints_scheme_text(self):
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("billing_sepa.report_sepa_mandate", self.mandate.ids)[0]
            .decode()
        )
        self.assertIn("SEPA Core Direct Debit Mandate", html)
        self.assertIn("refund", html)
        self.assertIn(self.mandate.name, html)
