from datetime import date
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tests.common import freeze_time
from odoo.tools import mute_logger

from .common import SepaBatchCommon, SepaReturnsCommon, camt_file, pain002_file


@tagged("post_install", "-at_install")
class TestSepaReturnFee(SepaBatchCommon):
    """The return fee: a customer invoice of its own, without VAT, once per return, waivable."""

    _booked_batch = SepaReturnsCommon._booked_batch
    _import = SepaReturnsCommon._import
    _line = SepaReturnsCommon._line

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fee_account = cls.company_data["default_account_revenue"].copy({"code": "841000"})
        cls.fee_product = cls.env["product.product"].create(
            {
                "name": "Return fee",
                "type": "service",
                "taxes_id": [Command.set(cls.company_data["default_tax_sale"].ids)],
            }
        )
        cls.company.write(
            {
                "sepa_return_fee_enabled": True,
                "sepa_return_fee_amount": 7.5,
                "sepa_return_fee_product_id": cls.fee_product.id,
                "sepa_return_fee_account_id": cls.fee_account.id,
            }
        )

    def _fees(self, invoices):
        return self.env["account.move"].search([("sepa_fee_invoice_id", "in", invoices.ids)])

    def _returns_file(self, batch, invoices_and_codes, message_id="CAMT-1"):
        return camt_file(
            "camt.054.001.08",
            [
                (self._line(batch, invoice).end_to_end_id, invoice.amount_total, code, None)
                for invoice, code in invoices_and_codes
            ],
            message_id=message_id,
        )

    def test_fee_charged_once_per_return_without_vat(self):
        invoices, batch = self._booked_batch()
        creates = []
        Move = type(self.env["account.move"])
        original_create = Move.create

        def counting_create(model, vals_list):
            if isinstance(vals_list, list) and any(vals.get("sepa_fee_return_id") for vals in vals_list):
                creates.append(len(vals_list))
            return original_create(model, vals_list)

        data = self._returns_file(
            batch, [(invoices[0], "AM04"), (invoices[1], "AC04"), (invoices[2], "FF01")]
        )
        with patch.object(Move, "create", counting_create):
            record, _result = self._import(data)
        self.assertEqual(creates, [2], "one create for every fee of the file")
        fees = self._fees(invoices)
        self.assertEqual(fees.sepa_fee_invoice_id, invoices[:2], "FF01 is our own error: no fee")
        for fee in fees:
            ret = record.return_ids.filtered(lambda r, fee=fee: r.invoice_id == fee.sepa_fee_invoice_id)
            self.assertRecordValues(
                fee,
                [
                    {
                        "move_type": "out_invoice",
                        "state": "posted",
                        "partner_id": ret.invoice_id.partner_id.id,
                        "amount_untaxed": 7.5,
                        "amount_tax": 0.0,
                        "amount_total": 7.5,
                        "invoice_origin": ret.invoice_id.name,
                        "sepa_fee_return_id": ret.id,
                        "invoice_date_due": date(2026, 3, 26),
                    }
                ],
            )
            self.assertFalse(fee.invoice_line_ids.tax_ids, "out of VAT scope, whatever the product says")
            self.assertEqual(fee.invoice_line_ids.account_id, self.fee_account)
            self.assertEqual(fee.invoice_line_ids.product_id, self.fee_product)
            self.assertEqual((ret.fee_move_id, ret.fee_state), (fee, "charged"))
            self.assertEqual(ret.invoice_id.sepa_return_fee_count, 1)
        # The same file again, and the same entries in another file: no second fee.
        self._import(data, name="again.xml")
        self._import(
            self._returns_file(batch, [(invoices[0], "AM04"), (invoices[1], "AC04")], message_id="CAMT-053"),
            name="statement.xml",
        )
        self.assertEqual(self._fees(invoices), fees)
        # Processing the booked returns once more charges nothing more either.
        self.assertFalse(record.return_ids._charge_fees())
        # And the database holds one fee per return whatever the code does.
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": invoices[0].partner_id.id,
                    "sepa_fee_return_id": fees[0].sepa_fee_return_id.id,
                }
            )
            self.env.flush_all()

    def test_fee_switches(self):
        invoices, batch = self._booked_batch()
        self.env.ref("billing_sepa.billing_sepa_return_reason_am04").charge_fee = False
        self.company.sepa_return_fee_enabled = False
        record, _result = self._import(
            self._returns_file(batch, [(invoices[0], "AM04"), (invoices[1], "AC04")])
        )
        self.assertFalse(self._fees(invoices), "off in the company: no fee")
        self.assertEqual(set(record.return_ids.mapped("fee_state")), {"none"})
        # A refund (MD06) never charges one, a reason switched off neither.
        self.company.sepa_return_fee_enabled = True
        self.env.ref("billing_sepa.billing_sepa_return_reason_md06").charge_fee = True
        self.mandates.write({"state": "active"})
        more = self._post_invoices([(self.debtors[0], 5.0), (self.debtors[2], 6.0), (self.debtors[1], 7.0)])
        batch = self._create_collection(collection_date="2026-03-30", today="2026-03-26")
        batch.action_generate_file()
        batch.action_mark_sent()
        batch.action_mark_collected()
        self._import(
            self._returns_file(
                batch, [(more[0], "MD06"), (more[1], "AM04"), (more[2], "MS02")], message_id="X"
            )
        )
        self.assertEqual(self._fees(more).sepa_fee_invoice_id, more[2])

    def test_reject_charges_a_fee_too(self):
        invoices, batch = self._booked_batch()
        self._import(
            pain002_file(
                "pain.002.001.03", batch, [(self._line(batch, invoices[1]).end_to_end_id, 20.5, "AM04")]
            )
        )
        self.assertEqual(self._fees(invoices).sepa_fee_invoice_id, invoices[1])

    def test_fee_is_collected_with_the_represented_invoice(self):
        invoices, batch = self._booked_batch()
        self._import(self._returns_file(batch, [(invoices[0], "AM04")]))
        fee = self._fees(invoices)
        self.assertEqual(fee.sepa_mandate_id, self.mandates[0], "collected by direct debit like the invoice")
        new_batch = self._create_collection(collection_date="2026-04-14", today="2026-03-26")
        self.assertEqual(new_batch.line_ids.move_id, invoices[0] | fee)

    def test_waive_fee(self):
        invoices, batch = self._booked_batch()
        record, _result = self._import(self._returns_file(batch, [(invoices[1], "AC04")]))
        ret = record.return_ids
        fee = ret.fee_move_id
        action = ret.action_waive_fee()
        self.assertEqual(action["res_model"], "billing.sepa.return.fee.waive")
        wizard = (
            self.env[action["res_model"]]
            .with_context(**action["context"])
            .create({"reason": "Goodwill: first return in five years"})
        )
        self.assertEqual(wizard.return_ids, ret)
        with freeze_time("2026-03-27"):
            wizard.action_waive()
        self.assertEqual(fee.payment_state, "reversed")
        self.assertEqual(ret.fee_state, "waived")
        self.assertEqual(ret.fee_waive_reason, "Goodwill: first return in five years")
        credit_note = self.env["account.move"].search([("reversed_entry_id", "=", fee.id)])
        self.assertEqual((credit_note.move_type, credit_note.state), ("out_refund", "posted"))
        self.assertFalse(credit_note.sepa_fee_return_id)
        self.assertTrue(any("Goodwill" in body for body in fee.message_ids.mapped("body")))
        with self.assertRaises(UserError):
            ret.action_waive_fee("twice")

    def test_paid_fee_is_not_waived(self):
        invoices, batch = self._booked_batch()
        record, _result = self._import(self._returns_file(batch, [(invoices[1], "AC04")]))
        fee = record.return_ids.fee_move_id
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=fee.ids
        ).create({"payment_date": "2026-03-27"})._create_payments()
        with self.assertRaisesRegex(UserError, "paid already"):
            record.return_ids.action_waive_fee("too late")

    def test_reopened_invoice_and_fee_reach_the_dunning_run(self):
        """billing_dunning, when installed, reminds both without knowing about returns."""
        if "billing.dunning.run" not in self.env:
            self.skipTest("billing_dunning is not installed")
        policy = self.env["billing.dunning.policy"].create(
            {
                "name": "Returns ladder",
                "company_id": self.company.id,
                "level_ids": [Command.create({"sequence": 1, "name": "First", "delay_days": 7})],
            }
        )
        self.company.billing_dunning_policy_id = policy
        invoices, batch = self._booked_batch()
        record, _result = self._import(self._returns_file(batch, [(invoices[1], "AC04")]))
        fee = record.return_ids.fee_move_id
        self.assertEqual(invoices[1].invoice_date_due, date(2026, 3, 2), "the original due date")
        self.assertEqual(fee.invoice_date_due, date(2026, 3, 26))
        run = self.env["billing.dunning.run"].create({"date": "2026-04-03", "company_id": self.company.id})
        run.action_run()
        reminded = run.reminder_ids.line_ids.move_id
        self.assertIn(invoices[1], reminded)
        self.assertIn(fee, reminded)
        self.assertFalse(reminded & (invoices - invoices[1]), "the paid invoices are not reminded")
