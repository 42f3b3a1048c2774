from datetime import timedelta

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class DunningCommon(AccountTestInvoicingCommon):
    """A company in USD with EUR at 0.5 (1 EUR = 2 USD) and a ladder:

    pre-due (-3 days) · L1 +7 days, free · L2 14 days after L1, fixed fee EUR 5 / USD 6,
    interest, compensation · L3 +35 days, letter, 1 % fee (min 5, max 25 USD), interest,
    compensation.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.usd = cls.company.currency_id
        cls.eur = cls.setup_other_currency("EUR", rates=[("2020-01-01", 0.5)])
        cls.policy = cls.env["billing.dunning.policy"].create(
            {
                "name": "Test ladder",
                "company_id": cls.company.id,
                "level_ids": [
                    Command.create({"sequence": 1, "name": "Before due", "delay_days": -3}),
                    Command.create({"sequence": 2, "name": "L1", "delay_days": 7}),
                    Command.create(
                        {
                            "sequence": 3,
                            "name": "L2",
                            "delay_days": 14,
                            "delay_from": "previous",
                            "fee_type": "fixed",
                            "fee_fixed_ids": [
                                Command.create({"currency_id": cls.eur.id, "amount": 5.0}),
                                Command.create({"currency_id": cls.usd.id, "amount": 6.0}),
                            ],
                            "apply_interest": True,
                            "apply_compensation": True,
                        }
                    ),
                    Command.create(
                        {
                            "sequence": 4,
                            "name": "L3",
                            "delay_days": 35,
                            "channel": "letter",
                            "fee_type": "percent",
                            "fee_percent": 1.0,
                            "fee_min": 5.0,
                            "fee_max": 25.0,
                            "apply_interest": True,
                            "apply_compensation": True,
                        }
                    ),
                ],
            }
        )
        cls.pre_due, cls.level_1, cls.level_2, cls.level_3 = cls.policy._get_levels()
        cls.company.billing_dunning_policy_id = cls.policy
        cls.b2b = cls._make_partner("Müller GmbH", "b2b_de")
        cls.b2c = cls._make_partner("Anna Schmidt", "b2c_de")

    @classmethod
    def _make_partner(cls, name, profile="none", **vals):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "email": f"{name.split()[0].lower()}@example.com",
                "billing_dunning_profile": profile,
                **vals,
            }
        )

    @classmethod
    def _invoice(cls, partner, amount, due, currency=None, invoice_date=None, company=None, post=True):
        company = company or cls.company
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "currency_id": (currency or cls.eur).id,
                    "invoice_date": invoice_date or due - timedelta(days=14),
                    "invoice_date_due": due,
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Service", "quantity": 1, "price_unit": amount, "tax_ids": []}
                        )
                    ],
                }
            )
        )
        if post:
            move.action_post()
        return move

    def _pay(self, invoice, amount, day):
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount, "payment_date": day, "currency_id": invoice.currency_id.id})
            ._create_payments()
        )

    def _run(self, day, company=None):
        run = self.env["billing.dunning.run"].create(
            {"date": day, "company_id": (company or self.company).id}
        )
        run.action_run()
        return run

    def _reminders(self, partner):
        return self.env["billing.dunning.reminder"].search(
            [("partner_id", "=", partner.id)], order="date, id"
        )

    def _charges(self, invoice):
        return self.env["billing.dunning.charge"].search([("move_id", "=", invoice.id)], order="id")
