from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestSepaTour(HttpCase):
    """The guided tour "create a mandate and collect" clicked through in Chromium, on a customer
    and a draft invoice of the test's own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.ref("base.main_company")
        company.sepa_creditor_identifier = "DE98ZZZ09999999999"
        eur = cls.env.ref("base.EUR")
        eur.active = True
        journal = cls.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
        )
        # The account collected to: the demo's may be no IBAN (the file would be refused).
        journal.bank_account_id = cls.env["res.partner.bank"].create(
            {"acc_number": "DE89370400440532013000", "partner_id": company.partner_id.id}
        )
        cls.partner = cls.env["res.partner"].create({"name": "Tour Debtor", "city": "Utrecht"})
        cls.partner.with_company(company).sepa_direct_debit = True
        cls.env["res.partner.bank"].create({"acc_number": "NL91ABNA0417164300", "partner_id": cls.partner.id})
        cls.invoice = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.partner.id,
                    "currency_id": eur.id,
                    "invoice_line_ids": [Command.create({"name": "Fibre 500 Mbit/s", "price_unit": 42.5})],
                }
            )
        )

    def test_mandate_and_collection(self):
        self.start_tour("/odoo", "billing_sepa_tour", login="admin", timeout=300)
        mandate = self.env["billing.sepa.mandate"].search([("partner_id", "=", self.partner.id)])
        self.assertEqual(mandate.name, "TOUR-MANDATE-1")
        self.assertEqual(mandate.state, "active")
        self.assertEqual(self.invoice.state, "posted")
        self.assertEqual(self.invoice.sepa_mandate_id, mandate)
        batch = self.invoice.sepa_batch_id
        self.assertEqual(batch.state, "generated")
        self.assertEqual(batch.amount_total, self.invoice.amount_total)
