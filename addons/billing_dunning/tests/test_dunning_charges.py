from datetime import date

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningCharges(DunningCommon):
    def _amounts(self, invoice):
        return {(charge.level_id, charge.kind): charge.amount for charge in self._charges(invoice)}

    def test_b2b_fee_interest_across_a_rate_change_and_compensation_once(self):
        invoice = self._invoice(self.b2b, 1000.0, date(2025, 6, 20))
        # 15 July: L1 (27 June) is skipped by age, L2 (11 July) reached, L3 (25 July) not yet.
        self._run(date(2025, 7, 15))
        self.assertEqual(invoice.billing_dunning_level_id, self.level_2)
        self.assertEqual(
            self._amounts(invoice),
            {
                (self.level_2, "fee"): 5.0,
                # 21-30 June: 1000.00 * (2.27 + 9) % * 10/365 = 3.0876712…
                # 1-15 July:  1000.00 * (1.27 + 9) % * 15/365 = 4.2205479…  → 7.3082191… → 7.31
                (self.level_2, "interest"): 7.31,
                (self.level_2, "compensation"): 40.0,
            },
        )
        interest = self._charges(invoice).filtered(lambda charge: charge.kind == "interest")
        self.assertEqual(
            (interest.interest_date_from, interest.interest_date_to), (date(2025, 6, 21), date(2025, 7, 15))
        )
        self.assertIn("11.27", interest.interest_detail)

        self._run(date(2025, 7, 25))
        self.assertEqual(invoice.billing_dunning_level_id, self.level_3)
        amounts = self._amounts(invoice)
        # 1 % of 1000.00 EUR = 10.00, inside [5, 25] USD = [2.50, 12.50] EUR.
        self.assertEqual(amounts[self.level_3, "fee"], 10.0)
        # Only the days since the last interest charge: 16-25 July, 1000.00 * 10.27 % * 10/365 = 2.8136986… → 2.81
        self.assertEqual(amounts[self.level_3, "interest"], 2.81)
        self.assertNotIn((self.level_3, "compensation"), amounts, "EUR 40 once per invoice")
        self.assertEqual(invoice.amount_residual, 1000.0, "the posted invoice is never edited")

    def test_b2c_has_the_lower_margin_and_no_compensation(self):
        invoice = self._invoice(self.b2c, 1000.0, date(2025, 6, 20))
        self._run(date(2025, 7, 15))
        self.assertEqual(
            self._amounts(invoice),
            {
                (self.level_2, "fee"): 5.0,
                # 1000.00 * 7.27 % * 10/365 = 1.9917808… + 1000.00 * 6.27 % * 15/365 = 2.5767123…
                # = 4.5684931… → 4.57
                (self.level_2, "interest"): 4.57,
            },
        )

    def test_no_profile_no_interest_and_no_compensation(self):
        customer = self._make_partner("No Profile")
        invoice = self._invoice(customer, 1000.0, date(2025, 6, 20))
        self._run(date(2025, 7, 15))
        self.assertEqual(self._amounts(invoice), {(self.level_2, "fee"): 5.0})

    def test_two_partial_payments_split_the_interest(self):
        invoice = self._invoice(self.b2b, 2000.0, date(2025, 5, 31))
        self._pay(invoice, 500.0, date(2025, 6, 20))
        self._pay(invoice, 700.0, date(2025, 7, 10))
        self._run(date(2025, 7, 31))
        self.assertEqual(invoice.billing_dunning_level_id, self.level_3)
        self.assertEqual(
            self._amounts(invoice),
            {
                # 1 % of the open 800.00
                (self.level_3, "fee"): 8.0,
                # 2000.00 * 11.27 % * 20/365 + 1500.00 * 11.27 % * 10/365
                # + 1500.00 * 10.27 % * 10/365 + 800.00 * 10.27 % * 21/365 = 25.9297534… → 25.93
                (self.level_3, "interest"): 25.93,
                (self.level_3, "compensation"): 40.0,
            },
        )

    def test_percentage_fee_limits_and_foreign_currency(self):
        large = self._invoice(self.b2c, 5000.0, date(2025, 1, 1))
        small = self._invoice(self._make_partner("Small"), 100.0, date(2025, 1, 1))
        dollars = self._invoice(self.b2b, 100.0, date(2025, 6, 20), currency=self.usd)
        self._run(date(2025, 7, 15))
        # Max 25 USD = 12.50 EUR; min 5 USD = 2.50 EUR.
        self.assertEqual(self._amounts(large)[self.level_3, "fee"], 12.5)
        self.assertEqual(self._amounts(small)[self.level_3, "fee"], 2.5)
        # A USD invoice: the USD fixed fee, and EUR 40 converted (1 EUR = 2 USD).
        self.assertEqual(self._amounts(dollars)[self.level_2, "fee"], 6.0)
        self.assertEqual(self._amounts(dollars)[self.level_2, "compensation"], 80.0)
        self.assertEqual(self._charges(dollars).charge_move_id.currency_id, self.usd)

    def test_charges_document_is_a_separate_out_of_scope_invoice(self):
        invoice = self._invoice(self.b2b, 1000.0, date(2025, 6, 20))
        self._run(date(2025, 7, 15))
        charges = self._charges(invoice)
        document = charges.charge_move_id
        self.assertEqual(len(document), 1)
        self.assertEqual(
            (document.move_type, document.state, document.debit_origin_id, document.currency_id),
            ("out_invoice", "posted", invoice, self.eur),
        )
        self.assertTrue(document.billing_dunning_is_charge)
        self.assertEqual(document.amount_total, 52.31)
        self.assertEqual(document.amount_tax, 0.0)
        self.assertEqual(document.invoice_date_due, date(2025, 7, 29))
        accounts = self.company._get_billing_dunning_charge_setup()
        tax = accounts["tax"]
        self.assertEqual(document.invoice_line_ids.tax_ids, tax)
        self.assertFalse(tax.repartition_line_ids.tag_ids, "outside the scope of VAT: no tax grid")
        self.assertEqual(
            {line.account_id for line in document.invoice_line_ids},
            {accounts["fee"], accounts["interest"], accounts["compensation"]},
        )
        self.assertEqual(set(document.invoice_line_ids.account_id.mapped("account_type")), {"income_other"})
        self.assertEqual(charges.charge_line_id, document.invoice_line_ids)
        # The charges document is never reminded itself (no interest on interest).
        self._run(date(2025, 9, 30))
        self.assertFalse(document.billing_dunning_level_id)

    def test_waiver_posts_a_reversal_with_reason_and_user(self):
        invoice = self._invoice(self.b2b, 1000.0, date(2025, 6, 20))
        self._run(date(2025, 7, 15))
        charges = self._charges(invoice)
        interest = charges.filtered(lambda charge: charge.kind == "interest")
        action = interest.action_waive()
        self.assertEqual(action["res_model"], "billing.dunning.charge.waive")
        wizard = (
            self.env["billing.dunning.charge.waive"]
            .with_context(**action["context"])
            .create({"reason": "Goodwill"})
        )
        self.assertEqual(wizard.charge_ids, interest)
        wizard.action_confirm()
        self.assertEqual(
            (interest.state, interest.waive_reason, interest.waive_user_id),
            ("waived", "Goodwill", self.env.user),
        )
        credit_note = interest.waive_move_id
        self.assertEqual(
            (
                credit_note.move_type,
                credit_note.state,
                credit_note.reversed_entry_id,
                credit_note.amount_total,
            ),
            ("out_refund", "posted", interest.charge_move_id, 7.31),
        )
        self.assertEqual(credit_note.invoice_line_ids.tax_ids, interest.charge_line_id.tax_ids)
        self.assertEqual(interest.charge_move_id.amount_residual, 45.0)
        with self.assertRaises(UserError):
            interest.action_waive("Twice")
        # Over RPC: the reason as an argument.
        fee = charges.filtered(lambda charge: charge.kind == "fee")
        self.assertTrue(fee.action_waive("Wrong address"))
        self.assertEqual(fee.state, "waived")

    def test_a_charge_is_posted_once_per_item_level_and_kind(self):
        invoice = self._invoice(self.b2b, 1000.0, date(2025, 6, 20))
        self._run(date(2025, 7, 15))
        fee = self._charges(invoice).filtered(lambda charge: charge.kind == "fee")
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            fee.copy()
        compensation = self._charges(invoice).filtered(lambda charge: charge.kind == "compensation")
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            compensation.copy({"level_id": self.level_3.id})

    def test_missing_reference_rate_stops_the_run(self):
        self._invoice(self.b2b, 1000.0, date(2023, 11, 1))
        with self.assertRaisesRegex(UserError, "German base rate"):
            self._run(date(2023, 11, 30))

    def test_rates_start_on_a_half_year(self):
        with self.assertRaises(ValidationError):
            self.env["billing.dunning.interest.rate"].create(
                {"rate_set": "de_base", "date_start": "2026-03-01", "rate": 1.0}
            )


@tagged("post_install", "-at_install")
class TestDunningMultiCompany(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2 = cls.setup_other_company(name="Dunning Company 2")["company"]
        cls.policy_2 = cls.policy.copy({"company_id": cls.company_2.id, "name": "Company 2 ladder"})
        cls.company_2.billing_dunning_policy_id = cls.policy_2

    def test_runs_and_rules_per_company(self):
        mine = self._invoice(self.b2c, 100.0, date(2025, 3, 1))
        theirs = self._invoice(
            self.b2c, 100.0, date(2025, 3, 1), currency=self.company_2.currency_id, company=self.company_2
        )
        self._run(date(2025, 3, 9))
        self.assertEqual(mine.billing_dunning_level_id, self.level_1)
        self.assertFalse(theirs.billing_dunning_level_id)
        self._run(date(2025, 3, 9), company=self.company_2)
        self.assertEqual(theirs.billing_dunning_level_id.policy_id, self.policy_2)
        self.assertEqual(len(self._reminders(self.b2c)), 2, "one per company on the same day")

        user = new_test_user(
            self.env,
            login="dunning_clerk",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        reminders = (
            self.env["billing.dunning.reminder"].with_user(user).search([("partner_id", "=", self.b2c.id)])
        )
        self.assertEqual(reminders.company_id, self.company)
        theirs_reminder = self._reminders(self.b2c).filtered(
            lambda reminder: reminder.company_id == self.company_2
        )
        with self.assertRaises(AccessError):
            theirs_reminder.with_user(user).read(["name"])

    def test_customer_override_policy_per_company(self):
        strict = self.env["billing.dunning.policy"].create(
            {
                "name": "Strict",
                "company_id": self.company.id,
                "level_ids": [(0, 0, {"name": "Immediately", "delay_days": 1})],
            }
        )
        self.b2c.with_company(self.company).billing_dunning_policy_id = strict
        invoice = self._invoice(self.b2c, 100.0, date(2025, 3, 1))
        self._run(date(2025, 3, 2))
        self.assertEqual(invoice.billing_dunning_level_id, strict.level_ids)
        self.assertFalse(self.b2c.with_company(self.company_2).billing_dunning_policy_id)
