from datetime import timedelta

from odoo import Command, fields
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestEinvoiceOverview(AccountTestInvoicingCommon):
    """The "Getting paid" figures for receivables and deliveries against invoices counted by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.by_mail, cls.by_finvoice = cls.env["res.partner"].create(
            [{"name": "Mail Customer"}, {"name": "Finvoice Customer"}]
        )
        cls.by_mail.with_company(cls.company).invoice_sending_method = "email"
        cls.by_finvoice.with_company(cls.company).write(
            {
                "invoice_sending_method": "finvoice",
                "einvoice_address": "003712345671",
                "einvoice_operator": "OKOYFIHH",
            }
        )
        cls.contact = cls.env["res.partner"].create({"name": "Mail Contact", "parent_id": cls.by_mail.id})
        cls.not_due = cls._invoice(cls.contact, 100.0, 10)
        cls.late_10 = cls._invoice(cls.by_mail, 40.0, -10)
        cls.late_100 = cls._invoice(cls.by_finvoice, 250.0, -100)
        cls.paid = cls._invoice(cls.by_finvoice, 30.0, -5)
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.paid.ids
        ).create({})._create_payments()

    @classmethod
    def _invoice(cls, partner, amount, due_in_days):
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "company_id": cls.company.id,
                "invoice_date": cls.today - timedelta(days=120),
                "invoice_date_due": cls.today + timedelta(days=due_in_days),
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create({"name": "Service", "price_unit": amount, "tax_ids": []})
                ],
            }
        )
        move.action_post()
        return move

    def test_open_receivables_by_age_and_channel(self):
        customers = self.by_mail | self.by_finvoice
        groups = self.env["billing.einvoice.receivable.report"]._read_group(
            [("partner_id", "in", customers.ids)],
            ["age_bucket", "channel"],
            ["amount_residual:sum", "move_id:recordset"],
        )
        self.assertEqual(
            {(age, channel): (amount, moves) for age, channel, amount, moves in groups},
            {
                ("0_not_due", "email"): (100.0, self.not_due),
                ("1_late_30", "email"): (40.0, self.late_10),
                ("4_late_over_90", "finvoice"): (250.0, self.late_100),
            },
            "the paid invoice is left out; a contact's invoice counts for its customer",
        )

    def test_buckets_in_their_order_and_no_channel_named(self):
        """Groups come in the order of the buckets (the graph keeps the stored values' order),
        and a customer without a sending method has a channel of its own, not an empty one."""
        nobody = self.env["res.partner"].create({"name": "No Channel Yet"})
        unset = self._invoice(nobody, 20.0, -45)
        report = self.env["billing.einvoice.receivable.report"]
        groups = report._read_group(
            [("partner_id", "in", (self.by_mail | self.by_finvoice | nobody).ids)],
            ["age_bucket"],
            ["__count"],
            order="age_bucket",
        )
        self.assertEqual(
            [age for age, _count in groups], ["0_not_due", "1_late_30", "2_late_60", "4_late_over_90"]
        )
        [row] = report.search([("move_id", "=", unset.id)])
        self.assertEqual((row.age_bucket, row.channel), ("2_late_60", "none"))
        labels = dict(report._fields["channel"]._description_selection(self.env))
        self.assertEqual(labels["none"], "Not Set")

    def test_deliveries_and_smart_button(self):
        Delivery = self.env["billing.einvoice.delivery"]
        Delivery.create(
            [
                {"move_id": self.not_due.id, "channel": "email", "state": "delivered"},
                {"move_id": self.late_10.id, "channel": "email", "state": "bounced"},
                {"move_id": self.late_100.id, "channel": "finvoice", "state": "failed"},
            ]
        )
        counts = dict(
            Delivery._read_group(
                [("move_id", "in", (self.not_due | self.late_10 | self.late_100).ids)], ["state"], ["__count"]
            )
        )
        self.assertEqual(counts, {"delivered": 1, "bounced": 1, "failed": 1})
        self.assertEqual(self.by_mail.einvoice_delivery_count, 2, "its contact's invoice included")
        self.assertEqual(self.contact.einvoice_delivery_count, 2)
        self.assertEqual(self.by_finvoice.einvoice_delivery_count, 1)
        action = self.contact.action_view_einvoice_deliveries()
        self.assertEqual(Delivery.search(action["domain"]).move_id, self.not_due | self.late_10)

    def test_overview_card(self):
        """The deliveries of the test company: one delivered, two failed or bounced."""
        Delivery = self.env["billing.einvoice.delivery"]
        Delivery.create(
            [
                {"move_id": self.not_due.id, "channel": "email", "state": "delivered"},
                {"move_id": self.late_10.id, "channel": "email", "state": "bounced"},
                {"move_id": self.late_100.id, "channel": "finvoice", "state": "failed"},
                {"move_id": self.late_100.id, "channel": "finvoice", "state": "queued"},
            ]
        )
        card = self.env.ref("billing_einvoice.billing_overview_card_einvoice_delivery").with_context(
            allowed_company_ids=self.company.ids
        )
        self.assertEqual((card.count, card.second_count), (1, 2))
        self.assertEqual(Delivery.search(card.action_open()["domain"]).move_id, self.not_due)
        self.assertEqual(
            Delivery.search(card.action_open_second()["domain"]).move_id, self.late_10 | self.late_100
        )
