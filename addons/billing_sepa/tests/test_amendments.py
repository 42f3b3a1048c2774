from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged
from odoo.tests.common import freeze_time


@tagged("post_install", "-at_install")
class TestMandateAmendments(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.sepa_creditor_identifier = "DE98ZZZ09999999999"
        cls.debtor = cls.env["res.partner"].create({"name": "Eva Schmidt"})
        cls.bank = cls.env["res.partner.bank"].create(
            {"acc_number": "DE89370400440532013000", "partner_id": cls.debtor.id}
        )
        cls.mandate = cls.env["billing.sepa.mandate"].create(
            {
                "name": "UMR-AMEND-1",
                "partner_id": cls.debtor.id,
                "partner_bank_id": cls.bank.id,
                "signature_date": "2025-01-10",
            }
        )
        cls.mandate.action_activate()

    def _mark_presented(self):
        self.mandate.sudo().last_collection_date = fields.Date.today()

    def test_no_amendment_before_first_collection(self):
        self.mandate.name = "UMR-AMEND-2"
        self.assertFalse(self.mandate.amendment_ids)

    def test_reference_change_recorded(self):
        self._mark_presented()
        self.mandate.name = "UMR-AMEND-2"
        self.assertRecordValues(
            self.mandate.amendment_ids,
            [
                {
                    "kind": "reference",
                    "original_value": "UMR-AMEND-1",
                    "new_value": "UMR-AMEND-2",
                    "state": "pending",
                }
            ],
        )
        self.assertEqual(self.mandate.pending_amendment_count, 1)

    def test_case_only_change_is_no_amendment(self):
        self._mark_presented()
        self.mandate.name = "umr-amend-1"
        self.assertFalse(self.mandate.amendment_ids)

    def test_new_account_recorded(self):
        self._mark_presented()
        new_bank = self.env["res.partner.bank"].create(
            {"acc_number": "NL91ABNA0417164300", "partner_id": self.debtor.id}
        )
        self.mandate.partner_bank_id = new_bank
        self.assertRecordValues(
            self.mandate.amendment_ids,
            [
                {
                    "kind": "debtor_account",
                    "original_value": "DE89370400440532013000",
                    "new_value": "NL91ABNA0417164300",
                }
            ],
        )

    def test_account_number_edited_in_place_over_any_write(self):
        # An import or RPC client may change the number of the account record itself.
        self._mark_presented()
        self.bank.write({"acc_number": "NL91 ABNA 0417 1643 00"})
        self.assertRecordValues(
            self.mandate.amendment_ids,
            [
                {
                    "kind": "debtor_account",
                    "original_value": "DE89370400440532013000",
                    "new_value": "NL91ABNA0417164300",
                }
            ],
        )

    def test_creditor_identifier_change_recorded(self):
        self._mark_presented()
        self.company.sepa_creditor_identifier = "NL69ZZZ123456780000"
        self.assertRecordValues(
            self.mandate.amendment_ids,
            [
                {
                    "kind": "creditor_identifier",
                    "original_value": "DE98ZZZ09999999999",
                    "new_value": "NL69ZZZ123456780000",
                }
            ],
        )


@tagged("post_install", "-at_install")
class TestMandateExpiry(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        debtor = cls.env["res.partner"].create({"name": "Piet Bakker"})
        bank = cls.env["res.partner.bank"].create(
            {"acc_number": "NL91ABNA0417164300", "partner_id": debtor.id}
        )
        mandate_vals = {"partner_id": debtor.id, "partner_bank_id": bank.id, "signature_date": "2022-03-01"}
        cls.used = cls.env["billing.sepa.mandate"].create(dict(mandate_vals, name="EXP-USED"))
        cls.unused = cls.env["billing.sepa.mandate"].create(dict(mandate_vals, name="EXP-UNUSED"))
        cls.oneoff = cls.env["billing.sepa.mandate"].create(
            dict(mandate_vals, name="EXP-ONEOFF", mandate_type="oneoff")
        )
        (cls.used | cls.unused | cls.oneoff).action_activate()
        cls.used.sudo().last_collection_date = "2023-02-15"

    def test_expiry_counts_from_last_collection_or_signature(self):
        self.assertEqual(self.used.expiry_date, fields.Date.to_date("2026-02-15"))
        self.assertEqual(self.unused.expiry_date, fields.Date.to_date("2025-03-01"))
        self.assertFalse(self.oneoff.expiry_date)

    def test_cron_warns_then_expires(self):
        with freeze_time("2025-02-10"):
            self.env["billing.sepa.mandate"]._cron_expire_mandates()
        self.assertEqual(self.unused.state, "active")
        self.assertTrue(self.unused.expiry_warned)
        self.assertEqual(len(self.unused.activity_ids), 1)
        self.assertFalse(self.used.expiry_warned)

        with freeze_time("2025-02-11"):  # a second run does not warn again
            self.env["billing.sepa.mandate"]._cron_expire_mandates()
        self.assertEqual(len(self.unused.activity_ids), 1)

        with freeze_time("2025-03-02"):
            self.env["billing.sepa.mandate"]._cron_expire_mandates()
        self.assertEqual(self.unused.state, "expired")
        self.assertEqual(self.used.state, "active")
        self.assertEqual(self.oneoff.state, "active")

        with freeze_time(fields.Date.to_date("2026-02-15") + relativedelta(days=1)):
            self.env["billing.sepa.mandate"]._cron_expire_mandates()
        self.assertEqual(self.used.state, "expired")
