from odoo import Command
from odoo.tests import tagged

from .common import BillingRecurringCommon

RUN_DATE = "2025-03-10"


@tagged("post_install", "-at_install")
class TestBillingRunTaxes(BillingRecurringCommon):
    """The run creates its invoice lines with their untaxed amount already set, to spare the tax
    sync of ``account.move.create`` a write per line: taxed lines come out as Odoo computes them."""

    def test_taxed_lines_as_a_plain_invoice(self):
        country = self.company.account_fiscal_country_id or self.env.ref("base.be")
        tag = self.env["account.account.tag"].create(
            {"name": "Base grid", "applicability": "taxes", "country_id": country.id}
        )
        excluded = self.env["account.tax"].create(
            {"name": "VAT 19% excl.", "amount": 19.0, "type_tax_use": "sale", "country_id": country.id}
        )
        excluded.invoice_repartition_line_ids.filtered(
            lambda line: line.repartition_type == "base"
        ).tag_ids = tag
        included = self.env["account.tax"].create(
            {
                "name": "VAT 21% incl.",
                "amount": 21.0,
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
                "country_id": country.id,
            }
        )
        self.hosting.taxes_id = excluded
        self.domain.taxes_id = included
        partner = self._customer("Taxed")
        self._contract(
            partner,
            # 11 to 31 March, 21 of 31 days: a price with more decimals than the currency has
            self._line(self.hosting, 19.99, "2025-03-11", discount=12.5),
            self._line(self.domain, 12.34, "2025-03-01", rule="yearly", quantity=3.0),
        )
        self._run(RUN_DATE)
        [invoice] = self._invoices(partner)

        plain = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": RUN_DATE,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": line.product_id.id,
                            "name": line.name,
                            "quantity": line.quantity,
                            "price_unit": line.price_unit,
                            "discount": line.discount,
                        }
                    )
                    for line in invoice.invoice_line_ids
                ],
            }
        )
        plain.action_post()

        def figures(move):
            return [
                (
                    line.display_type,
                    line.account_id,
                    line.tax_ids,
                    line.tax_tag_ids,
                    line.tax_repartition_line_id,
                    line.balance,
                    line.amount_currency,
                    line.price_subtotal,
                    line.price_total,
                )
                for line in move.line_ids.sorted(lambda line: (line.display_type, line.balance))
            ]

        self.assertEqual(invoice.line_ids.filtered("tax_ids").tax_tag_ids, tag)
        self.assertEqual(figures(invoice), figures(plain))
        self.assertEqual(
            (invoice.amount_untaxed, invoice.amount_tax, invoice.amount_total),
            (plain.amount_untaxed, plain.amount_tax, plain.amount_total),
        )
