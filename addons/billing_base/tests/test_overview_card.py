from datetime import timedelta

from odoo import Command, fields
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.exceptions import UserError
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestOverviewCard(AccountTestInvoicingCommon):
    """The "Open Receivables" card against invoices counted by hand, in the companies of the
    switcher; its links open those invoices; the overview's kanban view loads."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.other_company = cls.setup_other_company()["company"]
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.customer = cls.env["res.partner"].create({"name": "Overview Customer"})
        cls.not_due = cls._invoice(cls.company, 100.0, 10)
        cls.late = cls._invoice(cls.company, 250.0, -10)
        cls.paid = cls._invoice(cls.company, 30.0, -5)
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.paid.ids
        ).create({})._create_payments()
        cls.other_late = cls._invoice(cls.other_company, 70.0, -3)
        cls.card = cls.env.ref("billing_base.billing_overview_card_receivable")

    @classmethod
    def _invoice(cls, company, amount, due_in_days):
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.customer.id,
                    "invoice_date": cls.today - timedelta(days=40),
                    "invoice_date_due": cls.today + timedelta(days=due_in_days),
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create({"name": "Service", "price_unit": amount, "tax_ids": []})
                    ],
                }
            )
        )
        move.action_post()
        return move

    def _card(self, *companies):
        return self.card.with_context(allowed_company_ids=[company.id for company in companies])

    def test_open_and_overdue_receivables_of_one_company(self):
        card = self._card(self.company)
        self.assertEqual(card.currency_id, self.company.currency_id)
        self.assertEqual((card.amount, card.count), (350.0, 2))
        self.assertEqual((card.second_amount, card.second_count), (250.0, 1))

    def test_companies_of_the_switcher_add_up(self):
        card = self._card(self.company, self.other_company)
        self.assertEqual((card.amount, card.count), (420.0, 3))
        self.assertEqual((card.second_amount, card.second_count), (320.0, 2))
        card = self._card(self.other_company)
        self.assertEqual((card.amount, card.count), (70.0, 1))

    def test_links_open_the_invoices_counted(self):
        card = self._card(self.company)
        action = card.action_open()
        self.assertEqual(action["res_model"], "account.move")
        moves = card.env["account.move"].search(action["domain"])
        self.assertEqual(moves, self.not_due | self.late)
        action = card.action_open_second()
        self.assertEqual(card.env["account.move"].search(action["domain"]), self.late)
        cards = self.env["billing.overview.card"].search([], limit=2)
        with self.assertRaisesRegex(UserError, "at a time"):
            cards.action_open()

    def test_overview_kanban_loads_for_a_billing_user(self):
        user = self.env["res.users"].create(
            {
                "name": "Billing Reader",
                "login": "billing_reader",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "groups_id": [Command.set([self.env.ref("account.group_account_invoice").id])],
            }
        )
        cards = self.env["billing.overview.card"].with_user(user)
        views = cards.get_views([(False, "kanban")])
        arch = views["views"]["kanban"]["arch"]
        self.assertIn('name="action_open"', arch)
        self.assertIn('name="action_open_second"', arch)
        records = cards.web_search_read(
            [],
            {
                "name": {},
                "amount": {},
                "count": {},
                "second_amount": {},
                "second_count": {},
                "currency_id": {},
            },
        )["records"]
        receivable = next(record for record in records if record["id"] == self.card.id)
        self.assertEqual((receivable["amount"], receivable["count"]), (350.0, 2))
        menu = self.env.ref("billing_base.billing_overview_card_menu")
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(user)._visible_menu_ids())
