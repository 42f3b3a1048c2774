from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestSepaMandate(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.debtor = cls.env["res.partner"].create({"name": "Jan Jansen"})
        cls.bank = cls.env["res.partner.bank"].create(
            {"acc_number": "NL91ABNA0417164300", "partner_id": cls.debtor.id}
        )

    def _create_mandate(self, **vals):
        return self.env["billing.sepa.mandate"].create(
            {"partner_id": self.debtor.id, "partner_bank_id": self.bank.id, **vals}
        )

    def test_reference_from_sequence(self):
        mandate = self._create_mandate()
        self.assertTrue(mandate.name.startswith("MD-"))
        self.assertNotEqual(mandate.name, self._create_mandate().name)

    def test_reference_rules(self):
        with self.assertRaises(ValidationError):
            self._create_mandate(name="AB//CD")
        with self.assertRaises(ValidationError):
            self._create_mandate(name="x" * 36)

    def test_reference_unique_per_company_ignoring_case(self):
        self._create_mandate(name="UMR-1")
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self._create_mandate(name="umr-1")
            self.env.flush_all()
        other_company = self.env["res.company"].create({"name": "Other creditor"})
        other = self._create_mandate(name="umr-1", company_id=other_company.id)
        self.assertEqual(other.reference_key, "UMR-1")

    def test_invalid_iban_refused(self):
        bad_bank = self.env["res.partner.bank"].create(
            {"acc_number": "NL00ABNA0417164300", "partner_id": self.debtor.id}
        )
        with self.assertRaises(ValidationError):
            self._create_mandate(partner_bank_id=bad_bank.id)

    def test_activation_needs_signature_date(self):
        mandate = self._create_mandate()
        with self.assertRaises(UserError):
            mandate.action_activate()
        mandate.signature_date = fields.Date.context_today(mandate)
        mandate.action_activate()
        self.assertEqual(mandate.state, "active")

    def test_signature_not_in_future(self):
        # The constraint counts in the user's time zone, which can already be a day ahead of UTC.
        tomorrow = fields.Date.context_today(self.env["billing.sepa.mandate"]) + timedelta(days=1)
        with self.assertRaises(ValidationError):
            self._create_mandate(signature_date=tomorrow)

    def test_creditor_identifier_validated(self):
        self.company.sepa_creditor_identifier = "de98 zzz0 9999 9999 99"
        self.assertEqual(self.company.sepa_creditor_identifier, "DE98ZZZ09999999999")
        with self.assertRaises(ValidationError):
            self.company.sepa_creditor_identifier = "DE99ZZZ09999999999"
