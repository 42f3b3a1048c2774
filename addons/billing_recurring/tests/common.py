from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests.common import freeze_time


class BillingRecurringCommon(AccountTestInvoicingCommon):
    """A company whose customers have monthly and yearly contract lines without taxes, so that
    amounts are exact to the cent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.hosting = cls._service("Hosting")
        cls.domain = cls._service("Domain")
        cls.traffic = cls._service("Traffic", 0.10)

    @classmethod
    def _service(cls, name, price=0.0):
        return cls.env["product.product"].create(
            {"name": name, "type": "service", "list_price": price, "taxes_id": [Command.clear()]}
        )

    @classmethod
    def _customer(cls, name, grouping="customer", interval="monthly"):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "billing_recurring_grouping": grouping,
                "billing_recurring_interval": interval,
            }
        )

    @classmethod
    def _contract(cls, partner, *lines, company=None, **values):
        company = company or cls.company
        return (
            cls.env["contract.contract"]
            .with_company(company)
            .create(
                {
                    "name": f"Contract {partner.name}",
                    "partner_id": partner.id,
                    "contract_type": "sale",
                    "line_recurrence": True,
                    "company_id": company.id,
                    "contract_line_ids": [Command.create(line) for line in lines],
                    **values,
                }
            )
        )

    @classmethod
    def _line(cls, product, price, start, rule="monthlylastday", **values):
        return {
            "product_id": product.id,
            "name": product.name,
            "quantity": 1.0,
            "price_unit": price,
            "recurring_rule_type": rule,
            "recurring_interval": 1,
            "date_start": start,
            **values,
        }

    def _run(self, date, company=None, limit=None):
        company = company or self.company
        run = (
            self.env["billing.recurring.run"]
            .with_company(company)
            .create({"company_id": company.id, "date": date})
        )
        with freeze_time(date):
            if limit:
                run._process(limit=limit)
            else:
                run.action_run()
        return run

    def _invoices(self, partner):
        return self.env["account.move"].search(
            [("partner_id", "child_of", partner.id), ("move_type", "=", "out_invoice")], order="id"
        )
