from datetime import timedelta

from odoo.tests import tagged

from .common import BillingRecurringCommon


@tagged("post_install", "-at_install")
class TestBillingRunHandover(BillingRecurringCommon):
    """The run posts its invoices; the other addons of the suite, when installed, take them on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.partner = cls._customer("Hand-over")
        cls.partner.email = "handover@example.com"
        cls.contract = cls._contract(
            cls.partner, cls._line(cls.hosting, 31.0, "2026-03-01"), currency_id=cls.eur.id
        )

    def _run_once(self):
        self._run("2026-03-10")
        [invoice] = self._invoices(self.partner)
        self.assertEqual(invoice.currency_id, self.eur)
        return invoice

    def test_direct_debit_customer_invoice_gets_its_mandate(self):
        if "billing.sepa.mandate" not in self.env:
            self.skipTest("billing_sepa is not installed")
        self.company.sepa_creditor_identifier = "DE98ZZZ09999999999"
        bank = self.env["res.partner.bank"].create(
            {"acc_number": "NL91ABNA0417164300", "partner_id": self.partner.id}
        )
        mandate = self.env["billing.sepa.mandate"].create(
            {
                "partner_id": self.partner.id,
                "partner_bank_id": bank.id,
                "signature_date": "2026-01-05",
                "company_id": self.company.id,
            }
        )
        mandate.action_activate()
        self.partner.with_company(self.company).billing_recurring_payment_method = "direct_debit"
        self.assertTrue(self.partner.with_company(self.company).sepa_direct_debit)
        invoice = self._run_once()
        self.assertEqual(invoice.sepa_mandate_id, mandate)
        self.assertTrue(invoice.sepa_collection_date)

    def test_invoice_joins_the_auto_send_queue(self):
        if "einvoice_auto_send" not in self.env["res.company"]._fields:
            self.skipTest("billing_einvoice is not installed")
        self.company.einvoice_auto_send = True
        invoice = self._run_once()
        self.assertTrue(invoice.einvoice_send_after)

    def test_late_invoice_is_picked_up_by_dunning(self):
        if "billing.dunning.run" not in self.env:
            self.skipTest("billing_dunning is not installed")
        invoice = self._run_once()
        dunning = self.env["billing.dunning.run"].create(
            {"company_id": self.company.id, "date": invoice.invoice_date_due + timedelta(days=30)}
        )
        self.assertIn(invoice, self.env["account.move"].search(dunning._get_candidate_domain()))
        self.assertEqual(
            self.partner.billing_recurring_dunning_policy,
            (self.partner.billing_dunning_policy_id or self.company.billing_dunning_policy_id).display_name
            or False,
        )
