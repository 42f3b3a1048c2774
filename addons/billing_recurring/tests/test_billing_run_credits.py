from odoo import Command
from odoo.tests import tagged

from .common import BillingRecurringCommon


@tagged("post_install", "-at_install")
class TestBillingRunCredits(BillingRecurringCommon):
    def _credit_note(self, partner, amount):
        refund = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": partner.id,
                "invoice_date": "2025-02-20",
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": self.hosting.id, "price_unit": amount, "tax_ids": [Command.clear()]}
                    )
                ],
            }
        )
        refund.action_post()
        return refund

    def _prepayment(self, partner, amount):
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": amount,
                "date": "2025-02-25",
                "journal_id": self.company_data["default_journal_bank"].id,
            }
        )
        payment.action_post()
        return payment

    def test_credit_note_and_prepayment_offset_to_the_cent(self):
        partner = self._customer("Credits")
        self._contract(partner, self._line(self.hosting, 31.0, "2025-03-01"))
        refund = self._credit_note(partner, 12.34)
        self._prepayment(partner, 5.01)
        self._run("2025-03-10")
        [invoice] = self._invoices(partner)
        self.assertEqual(invoice.amount_total, 31.0)
        self.assertAlmostEqual(invoice.amount_residual, 13.65, places=2)
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(refund.payment_state, "paid")
        self.assertTrue(invoice.invoice_payments_widget, "the credits are shown on the invoice")

    def test_credit_larger_than_the_invoice_stays_open_for_the_rest(self):
        partner = self._customer("Big credit")
        self._contract(partner, self._line(self.hosting, 31.0, "2025-03-01"))
        refund = self._credit_note(partner, 50.0)
        self._run("2025-03-10")
        [invoice] = self._invoices(partner)
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertIn(invoice.payment_state, ("paid", "reversed"))
        self.assertAlmostEqual(refund.amount_residual, 19.0, places=2)

    def test_switched_off_leaves_credits_alone(self):
        self.company.billing_recurring_offset_credits = False
        partner = self._customer("No offset")
        self._contract(partner, self._line(self.hosting, 31.0, "2025-03-01"))
        refund = self._credit_note(partner, 12.34)
        self._run("2025-03-10")
        self.assertEqual(self._invoices(partner).amount_residual, 31.0)
        self.assertEqual(refund.payment_state, "not_paid")
