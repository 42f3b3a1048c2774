from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import freeze_time, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSepaOverview(AccountTestInvoicingCommon):
    """The "Getting paid" figures for direct debits against collection lines counted by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company_2 = cls.setup_other_company()["company"]
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.debtors = cls.env["res.partner"].create([{"name": "Week Debtor A"}, {"name": "Week Debtor B"}])
        cls.mandates = cls.env["billing.sepa.mandate"].create(
            [
                {
                    "partner_id": partner.id,
                    "partner_bank_id": cls.env["res.partner.bank"]
                    .create({"acc_number": iban, "partner_id": partner.id})
                    .id,
                    "signature_date": "2026-01-05",
                    "company_id": cls.company.id,
                }
                for partner, iban in zip(
                    cls.debtors, ["NL91ABNA0417164300", "NL69INGB0123456789"], strict=True
                )
            ]
        )
        cls.invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.debtors[0].id,
                "invoice_date": "2026-03-02",
                "invoice_line_ids": [Command.create({"name": "Line", "price_unit": 100, "tax_ids": []})],
            }
        )
        # Week of 2 March: collected, 100 + 50; week of 9 March: sent, 30; company 2: collected, 70.
        cls._batch(cls.company, "2026-03-03", "collected", [(cls.mandates[0], 100), (cls.mandates[1], 50)])
        cls._batch(cls.company, "2026-03-10", "sent", [(cls.mandates[0], 30)])
        # Company 2 collects from its own mandate for its own invoice (lines keep to one company).
        cls.mandate_2 = cls.env["billing.sepa.mandate"].create(
            {
                "partner_id": cls.debtors[1].id,
                "partner_bank_id": cls.mandates[1].partner_bank_id.id,
                "signature_date": "2026-01-05",
                "company_id": cls.company_2.id,
            }
        )
        cls.invoice_2 = (
            cls.env["account.move"]
            .with_company(cls.company_2)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.debtors[1].id,
                    "invoice_date": "2026-03-02",
                    "invoice_line_ids": [Command.create({"name": "Line", "price_unit": 70, "tax_ids": []})],
                }
            )
        )
        cls._batch(cls.company_2, "2026-03-04", "collected", [(cls.mandate_2, 70)], invoice=cls.invoice_2)

    @classmethod
    def _batch(cls, company, collection_date, state, amounts, invoice=None):
        journal = cls.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
        )
        return cls.env["billing.sepa.batch"].create(
            {
                "company_id": company.id,
                "journal_id": journal.id,
                "collection_date": collection_date,
                "state": state,
                "line_ids": [
                    Command.create(
                        {
                            "move_id": (invoice or cls.invoice).id,
                            "mandate_id": mandate.id,
                            "amount": amount,
                            "sequence_type": "RCUR",
                            "end_to_end_id": f"E2E-{collection_date}-{amount}",
                        }
                    )
                    for mandate, amount in amounts
                ],
            }
        )

    def test_collections_per_week(self):
        report = self.env["billing.sepa.collection.report"].with_context(allowed_company_ids=self.company.ids)
        weeks = report._read_group(
            [("company_id", "=", self.company.id), ("partner_id", "=", self.debtors[0].id)],
            ["collection_date:week"],
            ["amount:sum", "amount_collected:sum", "__count"],
        )
        # Every line is on the invoice of debtor A (the debtor is the invoice's customer).
        self.assertEqual(
            [(amount, collected, count) for _week, amount, collected, count in weeks],
            [
                (150.0, 150.0, 2),
                (30.0, 0.0, 1),
            ],
        )

    def test_company_rule(self):
        user = new_test_user(
            self.env,
            login="overview_sepa_reader",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[Command.set((self.company | self.company_2).ids)],
        )
        report = self.env["billing.sepa.collection.report"].with_user(user)
        only_first = report.with_context(allowed_company_ids=self.company.ids)
        both = report.with_context(allowed_company_ids=(self.company | self.company_2).ids)
        domain = [("partner_id", "in", self.debtors.ids)]
        self.assertEqual(only_first._read_group(domain, [], ["amount_collected:sum"])[0][0], 150.0)
        self.assertEqual(both._read_group(domain, [], ["amount_collected:sum"])[0][0], 220.0)

    def test_partner_smart_button(self):
        partner = self.debtors[0]
        self.assertEqual(partner.sepa_collection_count, 3)
        self.assertEqual(self.debtors[1].sepa_collection_count, 1)
        action = partner.action_view_sepa_collections()
        self.assertEqual(action["res_model"], "billing.sepa.collection.report")
        self.assertEqual(self.env["billing.sepa.collection.report"].search_count(action["domain"]), 3)

    def test_overview_card(self):
        """March 2026: the company collected 150 in two lines (the 30 sent is not collected yet);
        with the second company selected too, its 70 counts as well. No return yet."""
        card = self.env.ref("billing_sepa.billing_overview_card_direct_debit")
        with freeze_time("2026-03-20"):
            first = card.with_context(allowed_company_ids=self.company.ids)
            self.assertEqual((first.amount, first.count), (150.0, 2))
            self.assertEqual((first.second_amount, first.second_count), (0.0, 0))
            both = card.with_context(allowed_company_ids=(self.company | self.company_2).ids)
            self.assertEqual((both.amount, both.count), (220.0, 3))
            action = first.action_open()
            lines = self.env["billing.sepa.collection.report"].search(action["domain"])
            self.assertEqual(sorted(lines.mapped("amount")), [50.0, 100.0])
            self.assertEqual(first.action_open_second()["res_model"], "billing.sepa.return")
        card.invalidate_recordset()
        with freeze_time("2026-04-02"):
            self.assertEqual(card.with_context(allowed_company_ids=self.company.ids).count, 0)
