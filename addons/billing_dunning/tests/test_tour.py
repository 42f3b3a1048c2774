from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestDunningTour(HttpCase):
    """The guided tour "run dunning and open a reminder" clicked through in Chromium: the test
    owns the policy, the late customer and the overdue invoice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.ref("base.main_company")
        cls.policy = cls.env["billing.dunning.policy"].create(
            {
                "name": "Tour policy",
                "company_id": company.id,
                "level_ids": [
                    Command.create(
                        {
                            "sequence": 1,
                            "name": "Tour first reminder",
                            "delay_days": 7,
                            "fee_type": "fixed",
                            "fee_fixed_ids": [
                                Command.create({"currency_id": company.currency_id.id, "amount": 5.0})
                            ],
                        }
                    )
                ],
            }
        )
        company.billing_dunning_policy_id = cls.policy
        cls.partner = cls.env["res.partner"].create(
            {"name": "Tour Late Payer", "email": "late.payer@example.com", "is_company": True}
        )
        due = fields.Date.today() - timedelta(days=30)
        cls.invoice = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.partner.id,
                    "invoice_date": due - timedelta(days=14),
                    "invoice_date_due": due,
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create({"name": "Consulting", "price_unit": 250.0, "tax_ids": []})
                    ],
                }
            )
        )
        cls.invoice.action_post()

    def test_run_and_open_reminder(self):
        self.start_tour("/odoo", "billing_dunning_tour", login="admin", timeout=300)
        reminder = self.env["billing.dunning.reminder"].search([("partner_id", "=", self.partner.id)])
        self.assertEqual(len(reminder), 1)
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(reminder.run_id.state, "done")
        self.assertEqual(self.invoice.billing_dunning_level_id.name, "Tour first reminder")
        charge = self.env["billing.dunning.charge"].search([("move_id", "=", self.invoice.id)])
        self.assertEqual(charge.amount, 5.0)
