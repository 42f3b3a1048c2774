import base64
import json
import time
from datetime import date, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from ..collection.signature import sign
from .test_collection_dossier import SECRET, CollectionCommon, ReferenceAgencyMixin

CERTIFICATE = b"%PDF-1.4 certificate of uncollectibility"


class CollectionMoneyCommon(CollectionCommon):
    """Company in USD, invoices in EUR at 1 EUR = 2 USD; the agency bills with 15 % VAT."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.purchase_tax = cls.company_data["default_tax_purchase"]
        cls.sale_tax = cls.company_data["default_tax_sale"]
        cls.company.billing_collection_purchase_tax_id = cls.purchase_tax

    def _taxed_invoice(self, partner, net, due):
        move = self._document("out_invoice", partner, [(net, self.sale_tax)], due)
        move.action_post()
        return move

    def _document(self, move_type, partner, lines, due):
        """A draft EUR invoice or credit note of ``lines``: (net amount, taxes) each."""
        return self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "currency_id": self.eur.id,
                "invoice_date": due - timedelta(days=14),
                "invoice_date_due": due,
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Service",
                            "quantity": 1,
                            "price_unit": net,
                            "tax_ids": [Command.set(taxes.ids)],
                        }
                    )
                    for net, taxes in lines
                ],
            }
        )

    @staticmethod
    def _event(number, status, event_id, **extra):
        return {
            "event_id": event_id,
            "dossier_number": number,
            "status": status,
            "date": "2025-03-01T10:00:00",
            "note": "",
            **extra,
        }

    @staticmethod
    def _settlement(settlement_id, paid, **amounts):
        return {
            "settlement_id": settlement_id,
            "date": "2025-03-01",
            "currency": "EUR",
            "paid_amount": paid,
            **amounts,
        }

    @staticmethod
    def _lines(move):
        """{(account code, partner name): (amount_currency, balance)} of ``move``, summed."""
        result = {}
        for line in move.line_ids:
            key = (line.account_id.code, line.partner_id.name)
            amount_currency, balance = result.get(key, (0.0, 0.0))
            result[key] = (round(amount_currency + line.amount_currency, 2), round(balance + line.balance, 2))
        return result


@tagged("post_install", "-at_install")
class TestCollectionSettlement(CollectionMoneyCommon):
    def test_payments_with_commission_are_booked_and_reconciled(self):
        invoice = self._invoice(self.b2b, 1000.0, date(2025, 1, 10))
        dossier = self._dossier(invoice, "AG-1")
        # The debtor paid 600, 40 of them the agency's own costs: 560 are ours.
        self.assertTrue(
            dossier._apply_agency_event(
                self._event(
                    "AG-1",
                    "partially_paid",
                    "e1",
                    settlement=self._settlement(
                        "S1", 600.0, costs_recovered=40.0, commission=84.0, costs=10.0
                    ),
                ),
                "callback",
            )
        )
        settlement = dossier.settlement_ids
        self.assertRecordValues(
            settlement,
            [
                {
                    "name": "S1",
                    "amount_paid": 600.0,
                    "amount_costs_recovered": 40.0,
                    "amount_collected": 560.0,
                    "amount_applied": 560.0,
                    "amount_excess": 0.0,
                    "amount_commission": 84.0,
                    "amount_costs": 10.0,
                    "amount_tax": 14.1,
                    "amount_remitted": 451.9,  # 560 - (94 + 15 % VAT)
                }
            ],
        )
        setup = self.company._get_billing_collection_setup(self.agency)
        receivable = invoice.line_ids.filtered(lambda line: line.display_type == "payment_term").account_id
        self.assertEqual(
            self._lines(settlement.move_id),
            {
                (setup["clearing"].code, "Collect & Co"): (560.0, 1120.0),
                (receivable.code, "Müller GmbH"): (-560.0, -1120.0),
            },
        )
        self.assertEqual(settlement.move_id.state, "posted")
        self.assertEqual((invoice.payment_state, invoice.amount_residual), ("partial", 440.0))
        bill = settlement.bill_id
        self.assertEqual(
            (bill.move_type, bill.state, bill.partner_id), ("in_invoice", "posted", self.agency.partner_id)
        )
        self.assertRecordValues(
            bill.invoice_line_ids.sorted("id"),
            [
                {
                    "account_id": setup["commission"].id,
                    "price_subtotal": 84.0,
                    "tax_ids": self.purchase_tax.ids,
                },
                {"account_id": setup["costs"].id, "price_subtotal": 10.0, "tax_ids": self.purchase_tax.ids},
            ],
        )
        self.assertEqual((bill.amount_untaxed, bill.amount_tax, bill.amount_total), (94.0, 14.1, 108.1))
        self.assertEqual(dossier.state, "partially_paid")
        self.assertEqual(
            (dossier.amount_collected, dossier.amount_commission, dossier.amount_open), (560.0, 84.0, 440.0)
        )

        # The rest, commission left to the agency's rate (15 % for a business debtor).
        dossier._apply_agency_event(
            self._event("AG-1", "partially_paid", "e2", settlement=self._settlement("S2", 440.0)), "poll"
        )
        second = dossier.settlement_ids - settlement
        self.assertEqual(
            (second.amount_commission, second.amount_tax, second.amount_remitted), (66.0, 9.9, 364.1)
        )
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(dossier.state, "paid", "paid follows the money, whatever the agency's status")
        self.assertEqual(dossier.status_ids.sorted("id")[-1:].source, "odoo")
        # The receivable line of the second entry takes exactly what was open: no exchange difference.
        self.assertFalse(invoice.line_ids.matched_credit_ids.exchange_move_id)

    def test_charges_first_and_the_rest_as_income(self):
        invoice = self._invoice(self.b2b, 1000.0, date(2025, 6, 20))
        self._run(date(2025, 7, 15))  # fee 5, interest 7.31, compensation 40 charged
        charge_documents = self._charges(invoice).charge_move_id
        self.assertEqual(sum(charge_documents.mapped("amount_residual")), 52.31)
        dossier = self._dossier(invoice, "AG-2")
        dossier._apply_agency_event(
            self._event("AG-2", "paid", "e1", settlement=self._settlement("S1", 1060.0, commission=0.0)),
            "callback",
        )
        settlement = dossier.settlement_ids
        self.assertEqual((settlement.amount_applied, settlement.amount_excess), (1052.31, 7.69))
        self.assertFalse(settlement.bill_id, "no commission, no costs: no bill")
        self.assertEqual(settlement.amount_remitted, 1060.0)
        self.assertEqual(set(charge_documents.mapped("payment_state")), {"paid"})
        self.assertEqual(invoice.payment_state, "paid")
        income = self.company._get_billing_dunning_charge_setup()["interest"]
        self.assertEqual(
            settlement.move_id.line_ids.filtered(lambda line: line.account_id == income).amount_currency,
            -7.69,
        )
        self.assertEqual(dossier.state, "paid")

    def test_a_settlement_is_booked_once_and_bad_ones_not_at_all(self):
        invoice = self._invoice(self.b2b, 1000.0, date(2025, 1, 10))
        dossier = self._dossier(invoice, "AG-3")
        event = self._event(
            "AG-3", "partially_paid", "e1", settlement=self._settlement("S1", 100.0, commission=15.0)
        )
        self.assertTrue(dossier._apply_agency_event(event, "callback"))
        self.assertFalse(dossier._apply_agency_event(event, "poll"), "same event: nothing again")
        for bad, reason in (
            (self._settlement("S1", 100.0), "booked before"),
            (self._settlement("S9", 100.0) | {"currency": "USD"}, "in USD"),
            (self._settlement("S9", -5.0), "negative"),
            (self._settlement("S9", "100"), "not a number"),
            (self._settlement("S9", 10.0, costs_recovered=20.0), "more than"),
            ({"paid_amount": 10.0}, "no settlement_id"),
        ):
            with self.subTest(reason), self.assertRaisesRegex(ValueError, reason):
                dossier._apply_agency_event(
                    self._event("AG-3", "payment_plan", f"bad-{reason}", settlement=bad), "callback"
                )
        self.assertEqual(len(dossier.settlement_ids), 1)
        self.assertEqual(dossier.state, "partially_paid", "a refused settlement leaves the status too")
        self.assertEqual(invoice.amount_residual, 900.0)

    def test_uncollectible_posts_the_flat_fee_and_keeps_the_certificate(self):
        invoice = self._invoice(self.b2c, 100.0, date(2025, 1, 10))
        dossier = self._dossier(invoice, "AG-4")
        dossier._apply_agency_event(
            self._event(
                "AG-4",
                "uncollectible",
                "e1",
                certificate={
                    "filename": "cert.pdf",
                    "content_base64": base64.b64encode(CERTIFICATE).decode(),
                },
            ),
            "callback",
        )
        bill = dossier.fee_bill_id
        self.assertEqual(
            (bill.state, bill.partner_id, bill.currency_id), ("posted", self.agency.partner_id, self.eur)
        )
        self.assertEqual((bill.amount_untaxed, bill.amount_tax, bill.amount_total), (40.0, 6.0, 46.0))
        self.assertEqual(
            bill.invoice_line_ids.account_id, self.company._get_billing_collection_setup()["costs"]
        )
        self.assertEqual(dossier.certificate_attachment_id.raw, CERTIFICATE)
        self.assertEqual(dossier.certificate_attachment_id.name, "cert.pdf")
        # Bankrupt after uncollectible: no second fee.
        dossier._apply_agency_event(self._event("AG-4", "bankrupt", "e2"), "poll")
        self.assertEqual(dossier.state, "bankrupt")
        self.assertEqual(
            self.env["account.move"].search_count(
                [("invoice_origin", "=", dossier.name), ("move_type", "=", "in_invoice")]
            ),
            1,
        )

    def test_writeoff_with_vat_relief_to_the_cent(self):
        invoice = self._taxed_invoice(self.b2b, 100.0, date(2025, 1, 10))  # 100 + 15 % = 115 EUR
        dossier = self._dossier(invoice, "AG-5")
        with self.assertRaisesRegex(UserError, "Only a dossier the agency reports uncollectible"):
            dossier.action_writeoff()
        dossier._apply_agency_event(
            self._event(
                "AG-5", "partially_paid", "e1", settlement=self._settlement("S1", 46.0, commission=0.0)
            ),
            "poll",
        )
        self.assertEqual(invoice.amount_residual, 69.0)
        dossier._apply_agency_event(self._event("AG-5", "uncollectible", "e2"), "poll")
        action = dossier.action_writeoff()
        self.assertEqual(action["res_model"], "billing.collection.writeoff")
        wizard = self.env["billing.collection.writeoff"].with_context(**action["context"]).create({})
        # 69 unpaid of 115: 60 % of the 15 VAT is corrected, the net 60 is the bad debt.
        self.assertEqual((wizard.amount_open, wizard.amount_vat, wizard.amount_net), (69.0, 9.0, 60.0))
        entry = self.env["account.move"].browse(wizard.action_confirm()["res_id"])
        self.assertEqual(dossier.writeoff_move_id, entry)
        receivable = invoice.line_ids.filtered(lambda line: line.display_type == "payment_term").account_id
        vat_account = invoice.line_ids.filtered("tax_line_id").account_id
        bad_debt = self.company.billing_collection_bad_debt_account_id
        self.assertEqual(
            self._lines(entry),
            {
                (receivable.code, "Müller GmbH"): (-69.0, -138.0),
                (vat_account.code, "Müller GmbH"): (9.0, 18.0),
                (bad_debt.code, "Müller GmbH"): (60.0, 120.0),
            },
        )
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(entry.journal_id.type, "general")
        with self.assertRaisesRegex(UserError, "written off already"):
            dossier.action_writeoff()

    def test_writeoff_on_the_configured_accounts_and_without_vat_relief(self):
        relief = self.env["account.account"].create(
            {"name": "VAT correction bad debts", "code": "4799", "account_type": "liability_current"}
        )
        self.company.billing_collection_vat_relief_account_id = relief
        invoice = self._taxed_invoice(self.b2b, 200.0, date(2025, 1, 10))  # 230 EUR
        dossier = self._dossier(invoice, "AG-6")
        dossier._apply_agency_event(self._event("AG-6", "bankrupt", "e1"), "poll")
        wizard = self.env["billing.collection.writeoff"].create({"dossier_id": dossier.id})
        self.assertEqual(wizard.vat_account_id, relief)
        self.assertEqual((wizard.amount_vat, wizard.amount_net), (30.0, 200.0))
        wizard.vat_relief = False
        self.assertEqual((wizard.amount_vat, wizard.amount_net), (0.0, 230.0))
        wizard.vat_relief = True
        entry = self.env["account.move"].browse(wizard.action_confirm()["res_id"])
        self.assertEqual(entry.line_ids.filtered(lambda line: line.account_id == relief).balance, 60.0)

    def test_writeoff_lands_on_the_tax_grids_of_a_credit_note(self):
        """The VAT return shows the bad-debt relief as it shows a credit note of the unpaid part:
        the same grids, the same signs, split over two VAT rates."""
        tags = {
            name: self.env["account.account.tag"].create(
                {"name": name, "applicability": "taxes", "country_id": self.company.country_id.id}
            )
            for name in (
                "base 15",
                "vat 15",
                "refund base 15",
                "refund vat 15",
                "refund base 6",
                "refund vat 6",
            )
        }
        reduced_tax = self.sale_tax.copy({"name": "Sale 6 %", "amount": 6.0})
        for tax, rate in ((self.sale_tax, "15"), (reduced_tax, "6")):
            refund_lines = tax.refund_repartition_line_ids
            refund_lines.filtered(lambda rep: rep.repartition_type == "base").tag_ids = tags[
                f"refund base {rate}"
            ]
            refund_lines.filtered(lambda rep: rep.repartition_type == "tax").tag_ids = tags[
                f"refund vat {rate}"
            ]
        invoice_lines = self.sale_tax.invoice_repartition_line_ids
        invoice_lines.filtered(lambda rep: rep.repartition_type == "base").tag_ids = tags["base 15"]
        invoice_lines.filtered(lambda rep: rep.repartition_type == "tax").tag_ids = tags["vat 15"]

        # 100 + 15 % and 50 + 6 %: 168 EUR, of which 42 are collected, so three quarters stay unpaid.
        invoice = self._document(
            "out_invoice", self.b2b, [(100.0, self.sale_tax), (50.0, reduced_tax)], date(2025, 1, 10)
        )
        invoice.action_post()
        dossier = self._dossier(invoice, "AG-8")
        dossier._apply_agency_event(
            self._event(
                "AG-8", "partially_paid", "e1", settlement=self._settlement("S1", 42.0, commission=0.0)
            ),
            "poll",
        )
        dossier._apply_agency_event(self._event("AG-8", "uncollectible", "e2"), "poll")
        wizard = self.env["billing.collection.writeoff"].create({"dossier_id": dossier.id})
        self.assertEqual((wizard.amount_open, wizard.amount_vat, wizard.amount_net), (126.0, 13.5, 112.5))
        entry = self.env["account.move"].browse(wizard.action_confirm()["res_id"])
        credit_note = self._document(
            "out_refund", self.b2c, [(75.0, self.sale_tax), (37.5, reduced_tax)], date(2025, 1, 10)
        )

        def grids(move):
            result = {}
            for line in move.line_ids.filtered("tax_tag_ids"):
                for tag in line.tax_tag_ids:
                    sign = -1 if line.tax_tag_invert else 1
                    result[tag.name] = round(result.get(tag.name, 0.0) + sign * line.amount_currency, 2)
            return result

        expected = {
            "refund base 15": 75.0,
            "refund vat 15": 11.25,
            "refund base 6": 37.5,
            "refund vat 6": 2.25,
        }
        self.assertEqual(grids(entry), expected)
        self.assertEqual(grids(credit_note), expected, "the write-off reads as a credit note would")
        self.assertEqual(invoice.payment_state, "paid")

    def test_invoicing_user_reads_the_money_but_does_not_write_off(self):
        invoice = self._invoice(self.b2b, 100.0, date(2025, 1, 10))
        dossier = self._dossier(invoice, "AG-7")
        dossier._apply_agency_event(
            self._event("AG-7", "partially_paid", "e1", settlement=self._settlement("S1", 50.0)), "poll"
        )
        dossier._apply_agency_event(self._event("AG-7", "uncollectible", "e2"), "poll")
        user = new_test_user(self.env, login="collector_money", groups="account.group_account_invoice")
        as_user = dossier.with_user(user)
        self.assertEqual(as_user.settlement_ids.amount_collected, 50.0)
        with self.assertRaises(AccessError):
            as_user.settlement_ids.write({"amount_collected": 1.0})
        with self.assertRaises(AccessError):
            self.env["billing.collection.writeoff"].with_user(user).create({"dossier_id": dossier.id})
        with self.assertRaises(AccessError):
            self.agency.with_user(user).read(["api_key"])

    def test_settlements_stay_in_their_company(self):
        company_2 = self.setup_other_company(name="Collection Money Co 2")["company"]
        agency_2 = self._make_agency(company_2)
        invoice_2 = self._invoice(
            self.b2b, 100.0, date(2025, 1, 10), company=company_2, currency=company_2.currency_id
        )
        dossier_2 = self._start(invoice_2)
        dossier_2.write({"dossier_number": "AG-1"})
        dossier_2._add_status("submitted")
        dossier_2._apply_agency_event(
            self._event(
                "AG-1",
                "paid",
                "e1",
                settlement=self._settlement("S1", 100.0) | {"currency": company_2.currency_id.name},
            ),
            "callback",
        )
        settlement = dossier_2.settlement_ids
        self.assertEqual((settlement.company_id, settlement.move_id.company_id), (company_2, company_2))
        self.assertEqual(settlement.bill_id.partner_id, agency_2.partner_id)
        self.assertEqual(invoice_2.payment_state, "paid")
        user = new_test_user(
            self.env,
            login="collector_money_1",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        self.assertFalse(
            self.env["billing.collection.settlement"].with_user(user).search([("id", "=", settlement.id)])
        )


@tagged("post_install", "-at_install")
class TestCollectionRule(CollectionMoneyCommon):
    def _past_last_level(self, partner=None):
        invoice = self._invoice(partner or self.b2b, 100.0, date(2025, 1, 10))
        self._run(date(2025, 3, 1))  # old enough to enter at the last level
        self.assertEqual(invoice.billing_dunning_level_id, self.level_3)
        return invoice

    def test_off_by_default_then_propose_then_start(self):
        invoice = self._past_last_level()
        Policy = self.env["billing.dunning.policy"]
        self.assertEqual(self.policy.collection_rule, "off")
        Policy._cron_collection_rule()
        self.assertFalse(invoice.activity_ids)
        self.assertFalse(invoice.billing_collection_dossier_ids)

        self.policy.collection_rule = "propose"
        Policy._cron_collection_rule()
        Policy._cron_collection_rule()
        self.assertEqual(len(invoice.activity_ids), 1, "proposed once")
        self.assertFalse(invoice.billing_collection_dossier_ids)

        self.policy.collection_rule = "start"
        blocked = self._past_last_level(self._make_partner("Blocked GmbH", "b2b_de"))
        blocked.billing_dunning_block_reason = "dispute"
        Policy._cron_collection_rule()
        dossier = invoice.billing_collection_dossier_ids
        self.assertEqual(dossier.agency_id, self.agency)
        self.assertEqual(dossier.state, "draft", "nothing listens at the test agency: kept to submit again")
        self.assertTrue(dossier.last_error)
        self.assertFalse(blocked.billing_collection_dossier_ids, "a disputed item is only proposed")
        self.assertEqual(len(blocked.activity_ids), 1)

    def test_waits_the_days_after_the_last_reminder(self):
        invoice = self._invoice(self.b2b, 100.0, date.today() - timedelta(days=120))
        self._run(fields.Date.context_today(self.env.user))
        self.assertEqual(invoice.billing_dunning_level_id, self.level_3)
        self.policy.collection_rule = "propose"
        self.env["billing.dunning.policy"]._cron_collection_rule()
        self.assertFalse(invoice.activity_ids, "the last reminder went out today: 14 days to wait")
        self.policy.collection_delay_days = 0
        self.env["billing.dunning.policy"]._cron_collection_rule()
        self.assertEqual(len(invoice.activity_ids), 1)


@tagged("post_install", "-at_install")
class TestCollectionMoneyFromTheAgency(ReferenceAgencyMixin, CollectionMoneyCommon, HttpCase):
    """Settlements and certificates by signed callback and by polling the reference agency."""

    def _submitted(self, partner, amount=1000.0):
        invoice = self._invoice(partner, amount, date(2025, 1, 10))
        dossier = self._start(invoice)
        self.assertIs(dossier.action_submit(), True)
        return invoice, dossier

    def _push(self, event):
        body = json.dumps(event).encode()
        timestamp = int(time.time())
        self.env.flush_all()
        response = self.url_open(
            f"/billing_dunning/collection/callback/{self.agency.id}",
            data=body,
            headers={
                "X-Agency-Timestamp": str(timestamp),
                "X-Agency-Signature": sign(SECRET, timestamp, body),
            },
        )
        self.env.invalidate_all()
        return response.status_code, response.json()["status"]

    def test_settlements_and_certificate_by_polling(self):
        invoice, dossier = self._submitted(self.b2c)
        number = dossier.dossier_number
        self.server.settle(number, 600.0, costs_recovered=40.0, costs=10.0)  # commission: 20 % of 560
        self.assertIs(dossier.action_refresh_status(), True)
        self.assertEqual(dossier.state, "partially_paid")
        self.assertEqual((dossier.amount_collected, dossier.amount_commission), (560.0, 112.0))
        self.assertEqual(invoice.amount_residual, 440.0)
        dossier.action_refresh_status()
        self.assertEqual(len(dossier.settlement_ids), 1, "polled again: booked once")
        self.server.certify(number, inline=False, content=CERTIFICATE)
        dossier.action_refresh_status()
        self.assertEqual(dossier.state, "uncollectible")
        self.assertEqual(dossier.certificate_attachment_id.raw, CERTIFICATE, "fetched from the agency's URL")
        self.assertEqual(dossier.fee_bill_id.amount_untaxed, 40.0)
        self.assertEqual(
            [request[1] for request in self.server.requests if request[0] == "GET"][-1],
            f"/v1/dossiers/{number}/certificate",
        )

    def test_a_certificate_the_agency_could_not_give_is_fetched_later(self):
        _invoice, dossier = self._submitted(self.b2b, 100.0)
        event = self.server.certify(dossier.dossier_number, inline=False, content=CERTIFICATE)
        self.server.fail_next = [(503, {})] * 3
        self.assertTrue(dossier._apply_agency_event(event, "poll"))
        self.assertEqual(dossier.state, "uncollectible")
        self.assertFalse(dossier.certificate_attachment_id)
        self.assertEqual(dossier.certificate_url, event["certificate"]["url"])
        self.assertIn("503", dossier.last_error)
        self.assertIs(dossier.action_fetch_certificate(), True)
        self.assertEqual(dossier.certificate_attachment_id.raw, CERTIFICATE)
        self.assertFalse(dossier.certificate_url or dossier.last_error)

    def test_certificate_url_elsewhere_is_not_fetched(self):
        _invoice, dossier = self._submitted(self.b2b, 100.0)
        event = self.server.set_status(
            dossier.dossier_number,
            "uncollectible",
            certificate={"filename": "c.pdf", "url": "http://169.254.169.254/latest/meta-data"},
        )
        dossier._apply_agency_event(event, "poll")
        self.assertEqual(dossier.state, "uncollectible")
        self.assertFalse(dossier.certificate_attachment_id)
        self.assertIn("not under the agency", dossier.last_error)
        self.assertTrue(dossier.fee_bill_id, "the fee is billed all the same")

    def test_settlement_and_certificate_by_callback(self):
        invoice, dossier = self._submitted(self.b2b)
        number = dossier.dossier_number
        event = self.server.settle(number, 500.0, commission=75.0)
        self.assertEqual(self._push(event), (200, "applied"))
        self.assertEqual((dossier.state, dossier.amount_collected), ("partially_paid", 500.0))
        self.assertEqual(invoice.amount_residual, 500.0)
        self.assertEqual(self._push(event), (200, "duplicate"))
        self.assertEqual(len(dossier.settlement_ids), 1)
        # A settlement Odoo cannot book is kept, with its status not applied.
        bad = self.server.settle(number, 100.0) | {"event_id": "bad"}
        bad["settlement"]["currency"] = "JPY"
        self.assertEqual(self._push(bad), (202, "stored"))
        self.assertEqual(dossier.state, "partially_paid")
        self.assertEqual(len(dossier.settlement_ids), 1)
        self.assertIn("JPY", self.env["billing.collection.callback"].search([], limit=1).reason)
        event = self.server.settle(number, 500.0, commission=75.0, status="paid")
        self.assertEqual(self._push(event), (200, "applied"))
        self.assertEqual((dossier.state, invoice.payment_state), ("paid", "paid"))
        event = self.server.certify(number, status="bankrupt", content=CERTIFICATE)
        self.assertEqual(self._push(event), (200, "applied"))
        self.assertEqual(dossier.certificate_attachment_id.raw, CERTIFICATE)
