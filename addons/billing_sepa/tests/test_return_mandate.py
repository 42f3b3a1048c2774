from datetime import date

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import SepaBatchCommon, SepaReturnsCommon, camt_file, pain002_file


@tagged("post_install", "-at_install")
class TestSepaReturnMandate(SepaBatchCommon):
    """What a return does to the mandate, and who hears about it."""

    _booked_batch = SepaReturnsCommon._booked_batch
    _import = SepaReturnsCommon._import
    _line = SepaReturnsCommon._line

    def _camt(self, batch, invoices_and_codes, message_id="CAMT-1"):
        return camt_file(
            "camt.054.001.08",
            [
                (self._line(batch, invoice).end_to_end_id, invoice.amount_total, code, None)
                for invoice, code in invoices_and_codes
            ],
            message_id=message_id,
        )

    def _next_collection(self, amounts):
        invoices = self._post_invoices(amounts, invoice_date="2026-03-26")
        return invoices, self._create_collection(collection_date="2026-04-14", today="2026-03-26")

    def test_suspended_mandate_is_skipped_until_reactivated_closed_never_again(self):
        invoices, batch = self._booked_batch()
        self._import(self._camt(batch, [(invoices[0], "AC06"), (invoices[1], "AC04")]))
        suspended, closed = self.mandates[0], self.mandates[1]
        self.assertEqual((suspended.state, closed.state), ("suspended", "closed"))
        new_invoices, new_batch = self._next_collection(
            [(self.debtors[0], 1.0), (self.debtors[1], 2.0), (self.debtors[2], 3.0)]
        )
        self.assertEqual(new_invoices[0].sepa_mandate_id, suspended, "waits for the mandate")
        self.assertFalse(new_invoices[1].sepa_mandate_id, "a closed mandate collects nothing more")
        # The next collection skips the suspended mandate's invoice, and says why.
        self.assertEqual(new_batch.line_ids.move_id, new_invoices[2])
        self.assertRecordValues(new_batch.skip_ids, [{"move_id": new_invoices[0].id}])
        self.assertIn("Suspended", new_batch.skip_ids.reason)
        new_batch.action_cancel()
        # Reactivated (the account works again): its invoice is collected next time.
        suspended.action_reactivate()
        self.assertEqual(suspended.state, "active")
        with self.assertRaises(UserError):
            closed.action_reactivate()
        batch = self._create_collection(collection_date="2026-04-14", today="2026-03-26")
        self.assertEqual(batch.line_ids.move_id, new_invoices[0] | new_invoices[2])
        self.assertFalse(batch.skip_ids)

    def test_reason_decides_between_suspend_and_close(self):
        invoices, batch = self._booked_batch()
        self.env.ref("billing_sepa.billing_sepa_return_reason_ac04").close_mandate = False
        self.env.ref("billing_sepa.billing_sepa_return_reason_ac06").close_mandate = True
        self._import(self._camt(batch, [(invoices[0], "AC06"), (invoices[1], "AC04")]))
        self.assertEqual(self.mandates[:2].mapped("state"), ["closed", "suspended"])

    def test_reject_is_undone_return_counts(self):
        """A reject (pain.002) undoes the collection; a return (camt) leaves it counted."""
        self.bank_journal.sepa_use_first_sequence = True
        self.mandates[2].mandate_type = "oneoff"
        # The debtor's account of mandate 0 changed after an earlier collection: an amendment.
        self.mandates[0].sudo().write({"last_collection_date": "2026-01-20"})
        self.mandates[0].partner_bank_id = self.env["res.partner.bank"].create(
            {"acc_number": "DE02120300000000202051", "partner_id": self.debtors[0].id}
        )
        invoices, batch = self._booked_batch()
        self.assertEqual(batch.line_ids.sorted("id").mapped("sequence_type"), ["FRST", "FRST", "OOFF"])
        amendment = self.mandates[0].amendment_ids
        self.assertEqual(amendment.presented_date, date(2026, 3, 20))
        self.assertEqual(self.mandates[2].state, "closed", "a one-off mandate is spent when sent")
        self.assertEqual(set(self.mandates.mapped("last_collection_date")), {date(2026, 3, 20)})

        self._import(
            pain002_file(
                "pain.002.001.03",
                batch,
                [
                    (self._line(batch, invoices[0]).end_to_end_id, 10.0, "MS03"),
                    (self._line(batch, invoices[2]).end_to_end_id, 0.01, "MS03"),
                ],
            )
        )
        # No first collection happened: FRST again, the amendment goes out again, the one-off
        # mandate is unused; the 36 months still count from the collection presented.
        self.assertFalse(self.mandates[0].sequence_settled)
        self.assertEqual(amendment.state, "pending")
        self.assertEqual(self.mandates[2].state, "active")
        self.assertEqual(self.mandates[0].last_collection_date, date(2026, 3, 20))
        # A return after settlement: the collection happened, the mandate stays settled.
        self._import(self._camt(batch, [(invoices[1], "MS03")]))
        self.assertTrue(self.mandates[1].sequence_settled)
        self.assertEqual(self.mandates[1].last_collection_date, date(2026, 3, 20))

        next_batch = self._create_collection(collection_date="2026-04-14", today="2026-03-26")
        sequences = {line.move_id: line.sequence_type for line in next_batch.line_ids}
        self.assertEqual(sequences, {invoices[0]: "FRST", invoices[1]: "RCUR", invoices[2]: "OOFF"})
        next_batch.action_generate_file()
        self.assertIn(b"AmdmntInd>true<", next_batch.file_attachment_ids.raw)

    def test_activity_and_one_message_per_return(self):
        user = new_test_user(self.env, "sepa_responsible", groups="account.group_account_invoice")
        invoices, batch = self._booked_batch()
        invoices.invoice_user_id = user
        before = {invoice: len(invoice.message_ids) for invoice in invoices}
        mandate_before = {mandate: len(mandate.message_ids) for mandate in self.mandates}
        self._import(self._camt(batch, [(invoices[0], "FOCR"), (invoices[1], "MD01"), (invoices[2], "BE05")]))
        # Returned after our cancellation request: nothing for a person to do.
        self.assertFalse(invoices[0].activity_ids)
        for invoice in invoices[1:]:
            self.assertEqual(invoice.activity_ids.user_id, user, "the invoice's responsible")
        self.assertIn("MD01", invoices[1].activity_ids.summary)
        for invoice, mandate, words in zip(
            invoices,
            self.mandates,
            ["Returned after a cancellation request", "No valid mandate", "Creditor identifier"],
            strict=True,
        ):
            for record, count in ((invoice, before[invoice]), (mandate, mandate_before[mandate])):
                new = record.message_ids[: len(record.message_ids) - count]
                posted = new.filtered(lambda message: "of the direct debit" in str(message.body))
                self.assertEqual(len(posted), 1, record.display_name)
                self.assertIn(words, str(posted.body))
