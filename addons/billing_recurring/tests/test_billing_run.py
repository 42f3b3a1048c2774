from datetime import date
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import freeze_time
from odoo.tools import SQL, file_open

from .common import BillingRecurringCommon

RUN_DATE = "2025-03-10"


@tagged("post_install", "-at_install")
class TestBillingRun(BillingRecurringCommon):
    def test_one_invoice_per_customer_or_per_contract(self):
        grouped = self._customer("Grouped")
        self._contract(grouped, self._line(self.hosting, 10.0, "2025-03-01"))
        self._contract(grouped, self._line(self.domain, 20.0, "2025-03-01", rule="yearly"))
        apart = self._customer("Apart", grouping="contract")
        self._contract(apart, self._line(self.hosting, 10.0, "2025-03-01"))
        self._contract(apart, self._line(self.domain, 20.0, "2025-03-01", rule="yearly"))

        run = self._run(RUN_DATE)

        [invoice] = self._invoices(grouped)
        self.assertEqual(invoice.amount_total, 30.0)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.invoice_date, date(2025, 3, 10))
        self.assertEqual(invoice.billing_recurring_run_id, run)
        self.assertEqual(sorted(self._invoices(apart).mapped("amount_total")), [10.0, 20.0])
        self.assertEqual(
            (run.state, run.invoice_count, run.customer_count, run.line_count), ("done", 3, 2, 4)
        )
        self.assertEqual(run.amount_total, 60.0)

    def test_prorated_on_start_and_end_dates(self):
        partner = self._customer("Prorated")
        contract = self._contract(
            partner,
            # 11 to 31 March: 21 of 31 days
            self._line(self.hosting, 31.0, "2025-03-11"),
            # 1 to 20 March: 20 of 31 days
            self._line(self.domain, 31.0, "2025-03-01", date_end="2025-03-20"),
        )
        self._run(RUN_DATE)
        [invoice] = self._invoices(partner)
        self.assertEqual(invoice.invoice_line_ids.mapped("price_subtotal"), [21.0, 20.0])
        self.assertIn("21 of 31 days", invoice.invoice_line_ids[0].name)
        self.assertEqual(
            contract.contract_line_ids.mapped("last_date_invoiced"), [date(2025, 3, 31), date(2025, 3, 20)]
        )
        self.assertEqual(invoice.invoice_line_ids.contract_line_id, contract.contract_line_ids)

    def test_price_change_takes_effect_on_its_date(self):
        partner = self._customer("Price change")
        contract = self._contract(partner, self._line(self.hosting, 31.0, "2025-03-01"))
        line = contract.contract_line_ids
        self.env["billing.recurring.price"].create(
            {"contract_line_id": line.id, "date": "2025-03-16", "price_unit": 62.0}
        )

        self._run(RUN_DATE)
        [march] = self._invoices(partner)
        # 1 to 15 March at 31.00 (15 of 31 days), 16 to 31 March at 62.00 (16 of 31 days)
        self.assertEqual(march.invoice_line_ids.mapped("price_subtotal"), [15.0, 32.0])
        self.assertEqual(line.price_unit, 62.0)

        self._run("2025-04-02")
        april = self._invoices(partner) - march
        self.assertEqual(april.invoice_line_ids.mapped("price_subtotal"), [62.0])

    def test_a_line_behind_catches_up_and_yearly_waits_for_its_month(self):
        partner = self._customer("Behind")
        contract = self._contract(
            partner,
            self._line(self.hosting, 10.0, "2025-01-01"),
            self._line(self.domain, 12.0, "2025-06-01", rule="yearly"),
        )
        self._run(RUN_DATE)
        [invoice] = self._invoices(partner)
        self.assertEqual(invoice.invoice_line_ids.mapped("price_subtotal"), [10.0, 10.0, 10.0])
        self.assertEqual(contract.contract_line_ids[0].recurring_next_date, date(2025, 4, 1))
        self._run("2025-06-03")
        june = self._invoices(partner) - invoice
        self.assertEqual(sorted(june.invoice_line_ids.mapped("price_subtotal")), [10.0, 10.0, 10.0, 12.0])

    def test_quarterly_customer_gets_one_invoice_per_quarter(self):
        partner = self._customer("Quarterly", interval="quarterly")
        self._contract(partner, self._line(self.hosting, 10.0, "2025-01-01"))
        self._run("2025-01-05")
        self._run("2025-02-05")
        [invoice] = self._invoices(partner)
        self.assertEqual(invoice.amount_total, 30.0)
        self.assertTrue(invoice.billing_recurring_key.endswith("/2025-Q1"))

    def test_running_twice_creates_nothing_new(self):
        partner = self._customer("Twice")
        self._contract(partner, self._line(self.hosting, 10.0, "2025-03-01"))
        self._run(RUN_DATE)
        # A contract line added after the run: its period is invoiced with the next period.
        self._contract(partner, self._line(self.domain, 5.0, "2025-03-01"))
        again = self._run(RUN_DATE)
        self.assertEqual((again.invoice_count, again.skipped_count, again.state), (0, 1, "done"))
        self.assertEqual(len(self._invoices(partner)), 1)
        self._run("2025-04-01")
        self.assertEqual(
            self._invoices(partner)[-1].invoice_line_ids.mapped("price_subtotal"), [10.0, 5.0, 5.0]
        )

    def test_a_run_stopped_midway_resumes_without_doubles(self):
        partners = [self._customer(f"Resume {n}") for n in range(3)]
        for partner in partners:
            self._contract(partner, self._line(self.hosting, 10.0, "2025-03-01"))
        run = self._run(RUN_DATE, limit=1)
        self.assertEqual((run.state, run.invoice_count), ("running", 1))
        # The customer that fails is logged, the others are invoiced.
        original = type(run)._prepare_invoice_vals

        def failing(self_run, plan, journal):
            if plan["partner"] == partners[2]:
                raise UserError(self_run.env._("no invoice address"))
            return original(self_run, plan, journal)

        with patch.object(type(run), "_prepare_invoice_vals", failing), freeze_time(RUN_DATE):
            run.action_run()
        self.assertEqual((run.invoice_count, run.error_count), (2, 1))
        self.assertIn("no invoice address", run.error_log)
        self.assertEqual(run.state, "running")
        self.assertFalse(self._invoices(partners[2]))
        with freeze_time(RUN_DATE):
            run.action_run()
        self.assertEqual((run.state, run.invoice_count, run.error_count), ("done", 3, 0))
        for partner in partners:
            self.assertEqual(len(self._invoices(partner)), 1, partner.name)

    def test_preview_lists_what_would_be_invoiced_and_writes_nothing(self):
        partner = self._customer("Preview")
        contract = self._contract(partner, self._line(self.hosting, 31.0, "2025-03-11"))
        run = self.env["billing.recurring.run"].create({"date": RUN_DATE})
        with freeze_time(RUN_DATE):
            action = run.action_preview()
        preview = self.env["billing.recurring.preview"].browse(action["res_id"])
        line = preview.line_ids.filtered(lambda line: line.partner_id == partner)
        self.assertEqual((line.amount, line.contract_id), (21.0, contract))
        self.assertFalse(self._invoices(partner))
        self.assertFalse(contract.contract_line_ids.last_date_invoiced)
        self.assertEqual(run.state, "draft")
        with freeze_time(RUN_DATE):
            preview.action_run()
        self.assertEqual(self._invoices(partner).amount_total, 21.0)

    def test_usage_imported_over_rpc_is_billed_in_the_next_run(self):
        partner = self._customer("Usage")
        contract = self._contract(partner, self._line(self.hosting, 10.0, "2025-03-01"))
        rows = [
            {
                "partner_id": partner.id,
                "product_id": self.traffic.id,
                "quantity": 42,
                "external_id": "t-1",
                "date": "2025-03-05",
            },
            {
                "partner_id": partner.id,
                "product_id": self.traffic.id,
                "quantity": 7,
                "external_id": "t-2",
                "date": "2025-04-05",
                "contract_id": contract.id,
            },
        ]
        usage = self.env["billing.recurring.usage"]
        ids = usage.import_usage(rows)
        self.assertEqual(usage.import_usage(rows), ids, "imported twice, kept once")
        self._run(RUN_DATE)
        [invoice] = self._invoices(partner)
        self.assertEqual(invoice.amount_total, 10.0 + 4.2)
        march, april = usage.browse(ids)
        self.assertEqual((march.state, march.move_id), ("billed", invoice))
        self.assertEqual(april.state, "pending")
        with self.assertRaises(UserError):
            usage.import_usage([{"partner_id": partner.id, "quantity": 1}])
        with self.assertRaises(UserError):
            march.unlink()

    def test_contract_cron_leaves_the_run_contracts_alone(self):
        partner = self._customer("Contract cron")
        ours = self._contract(partner, self._line(self.hosting, 10.0, "2025-03-01"))
        theirs = self._contract(partner, self._line(self.domain, 5.0, "2025-03-01"), billing_recurring=False)
        with freeze_time(RUN_DATE):
            self.env["contract.contract"].cron_recurring_create_invoice()
        self.assertFalse(ours._get_related_invoices())
        self.assertEqual(theirs._get_related_invoices().amount_total, 5.0)

    def test_scheduled_run_is_opt_in(self):
        partner = self._customer("Cron")
        self._contract(partner, self._line(self.hosting, 10.0, "2025-03-01"))
        self.assertFalse(self.company.billing_recurring_auto_run)
        Run = self.env["billing.recurring.run"]
        with freeze_time(RUN_DATE):
            Run._cron_billing_run()
        self.assertFalse(self._invoices(partner))
        self.company.billing_recurring_auto_run = True
        with freeze_time(RUN_DATE):
            Run._cron_billing_run(batch_size=1000)
            Run._cron_billing_run(batch_size=1000)
        self.assertEqual(len(self._invoices(partner)), 1)
        self.assertEqual(
            Run.search([("company_id", "=", self.company.id), ("date", "=", RUN_DATE)]).state, "done"
        )

    def test_neutralize_switches_the_daily_run_off(self):
        self.company.billing_recurring_auto_run = True
        self.env.flush_all()
        with file_open("billing_recurring/data/neutralize.sql") as neutralize:
            self.env.cr.execute(SQL(neutralize.read()))  # pylint: disable=sql-injection
        self.company.invalidate_recordset()
        self.assertFalse(self.company.billing_recurring_auto_run)

    def test_scheduled_run_goes_in_batches_from_where_it_stopped(self):
        partners = [self._customer(f"Batch {n}") for n in range(3)]
        for partner in partners:
            self._contract(partner, self._line(self.hosting, 10.0, "2025-03-01"))
        self.company.billing_recurring_auto_run = True
        Run = self.env["billing.recurring.run"]
        with freeze_time(RUN_DATE):
            Run._cron_billing_run(batch_size=2)
            run = Run.search([("company_id", "=", self.company.id), ("date", "=", RUN_DATE)])
            self.assertEqual((run.state, run.invoice_count), ("running", 2))
            self.assertEqual(run.partner_cursor, partners[1].id)
            Run._cron_billing_run(batch_size=2)
        self.assertEqual((run.state, run.invoice_count, run.customer_count), ("done", 3, 3))
        for partner in partners:
            self.assertEqual(len(self._invoices(partner)), 1, partner.name)

    def test_multi_company(self):
        other = self.setup_other_company(name="Recurring company 2")["company"]
        partner = self._customer("Two companies")
        self._contract(partner, self._line(self.hosting, 10.0, "2025-03-01"))
        self._contract(partner, self._line(self.domain, 7.0, "2025-03-01"), company=other)
        self._run(RUN_DATE)
        self.assertEqual(self._invoices(partner).mapped("amount_untaxed"), [10.0])
        other_run = self._run(RUN_DATE, company=other)
        invoices = self._invoices(partner)
        self.assertEqual(sorted(invoices.mapped("amount_untaxed")), [7.0, 10.0])
        self.assertEqual(
            invoices.filtered(lambda move: move.company_id == other).billing_recurring_run_id, other_run
        )
        user = new_test_user(
            self.env,
            login="recurring-company-1",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        Run = self.env["billing.recurring.run"].with_user(user)
        self.assertFalse(Run.search([("id", "=", other_run.id)]))
        with self.assertRaises(AccessError):
            other_run.with_user(user).read(["name"])
