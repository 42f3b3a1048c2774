import base64

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import freeze_time

from .common import SepaReturnsCommon, camt_file


@tagged("post_install", "-at_install")
class TestSepaReturnCompanies(SepaReturnsCommon):
    """Each company imports, books and sees its own returns."""

    def test_other_company_cannot_import_or_see(self):
        invoices, batch = self._booked_batch()
        data = camt_file(
            "camt.054.001.08", [(self._line(batch, invoices[0]).end_to_end_id, 10.0, "AM04", None)]
        )
        other = self.setup_other_company()["company"]
        self.env["account.journal"].search(
            [("company_id", "=", other.id), ("type", "=", "bank")], limit=1
        ).bank_account_id = self.env["res.partner.bank"].create(
            {"acc_number": "NL02ABNA0123456789", "partner_id": other.partner_id.id}
        )
        with self.assertRaises(UserError):
            self._import(data, company=other)
        record, _result = self._import(data)
        self.assertFalse(
            self.env["billing.sepa.return"]
            .with_company(other)
            .with_context(allowed_company_ids=other.ids)
            .search([("id", "in", record.return_ids.ids)])
        )

    def test_each_company_books_its_own_returns(self):
        invoices, batch = self._booked_batch()
        other = self.setup_other_company()["company"]
        other.sepa_creditor_identifier = "NL69ZZZ123456780000"
        journal = self.env["account.journal"].search(
            [("company_id", "=", other.id), ("type", "=", "bank")], limit=1
        )
        journal.bank_account_id = self.env["res.partner.bank"].create(
            {"acc_number": "NL02ABNA0123456789", "partner_id": other.partner_id.id}
        )
        debtor = self.debtors[1]
        debtor.with_company(other).sepa_direct_debit = True
        mandate = self.env["billing.sepa.mandate"].create(
            {
                "partner_id": debtor.id,
                "partner_bank_id": self.mandates[1].partner_bank_id.id,
                "signature_date": "2026-01-05",
                "company_id": other.id,
            }
        )
        mandate.action_activate()
        Move = self.env["account.move"].with_company(other)
        with freeze_time("2026-03-02"):
            foreign = Move.create(
                {
                    "move_type": "out_invoice",
                    "partner_id": debtor.id,
                    "invoice_date": "2026-03-02",
                    "currency_id": self.eur.id,
                    "invoice_line_ids": [Command.create({"name": "Other", "price_unit": 5.0, "tax_ids": []})],
                }
            )
            foreign.action_post()
        Batch = self.env["billing.sepa.batch"].with_company(other)
        with freeze_time("2026-03-18"):
            other_batch = Batch.browse(Batch.create_collection("2026-03-20", other.id, journal.id))
        other_batch.action_generate_file()
        other_batch.action_mark_sent()
        other_batch.action_mark_collected()
        # The other company's report names its own debit and one of this company's.
        data = camt_file(
            "camt.054.001.08",
            [
                (other_batch.line_ids.end_to_end_id, 5.0, "MS02", None),
                (self._line(batch, invoices[0]).end_to_end_id, 10.0, "MS02", None),
            ],
            iban="NL02ABNA0123456789",
        )
        record, result = self._import(data, company=other)
        self.assertEqual((result["booked_count"], result["review_count"]), (1, 1))
        self.assertEqual(record.company_id, other)
        self.assertEqual(foreign.payment_state, "not_paid")
        self.assertEqual(invoices[0].amount_residual, 0, "another company's report never reopens ours")
        self.assertEqual(record.move_ids.company_id, other)
        # A user of this company alone sees none of the other company's returns.
        user = new_test_user(
            self.env, "sepa_returns_mine", groups="account.group_account_manager", company_id=self.company.id
        )
        self.assertFalse(
            self.env["billing.sepa.return"].with_user(user).search([("import_id", "=", record.id)])
        )
        with self.assertRaises(AccessError):
            self.env["billing.sepa.return.import"].with_user(user).import_file(
                base64.b64encode(data).decode(), "camt.xml", other.id
            )
