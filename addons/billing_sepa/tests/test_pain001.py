import datetime
from decimal import Decimal

from lxml import etree

from odoo.tests import BaseCase, tagged

from ..sepa import pain001
from ..sepa.pain001 import Address, CreditTransfer, Message, PaymentInfo, SepaDataError, SepaSchemaError

DEBTOR_IBAN = "DE89370400440532013000"
CREDITOR_IBAN = "NL91ABNA0417164300"
SWISS_IBAN = "CH9300762011623852957"


def make_message(transactions, **values):
    return Message(
        msg_id="CT-2026-0001-1",
        creation_datetime=datetime.datetime(2026, 3, 18, 9, 30, 12, 345),
        initiating_party_name="Breedband Noord B.V.",
        batches=[
            PaymentInfo(
                pmt_inf_id="CT-2026-0001-TRF",
                execution_date=datetime.date(2026, 3, 20),
                debtor_name="Breedband Noord B.V.",
                debtor_iban=DEBTOR_IBAN,
                debtor_address=Address(postal_code="9711 KV", town_name="Groningen", country="NL"),
                transactions=transactions,
                **values,
            )
        ],
    )


def make_transfer(end_to_end_id="CT-1", amount="10.00", **values):
    return CreditTransfer(
        **{
            "end_to_end_id": end_to_end_id,
            "amount": Decimal(amount),
            "creditor_name": "Jan Jansen",
            "creditor_iban": CREDITOR_IBAN,
            "remittance_text": "Refund of your credit: RINV/2026/00001",
            **values,
        }
    )


@tagged("post_install", "-at_install")
class TestPain001(BaseCase):
    def _find(self, xml_bytes, version, path):
        namespace = {"p": f"urn:iso:std:iso:20022:tech:xsd:{version}"}
        return etree.fromstring(xml_bytes).xpath(path, namespaces=namespace)

    def test_control_sums_to_the_cent_in_both_versions(self):
        transfers = [
            make_transfer(f"CT-{index}", amount) for index, amount in enumerate(("0.01", "0.10", "999.99"), 1)
        ]
        for version in pain001.SUPPORTED_VERSIONS:
            with self.subTest(version=version):
                xml_bytes = pain001.build_pain001(make_message(transfers), version)
                pain001.validate_pain001(xml_bytes, version)
                self.assertEqual(self._find(xml_bytes, version, "//p:GrpHdr/p:CtrlSum/text()"), ["1000.10"])
                self.assertEqual(self._find(xml_bytes, version, "//p:PmtInf/p:CtrlSum/text()"), ["1000.10"])
                self.assertEqual(self._find(xml_bytes, version, "//p:GrpHdr/p:NbOfTxs/text()"), ["3"])
                self.assertEqual(self._find(xml_bytes, version, "//p:PmtMtd/text()"), ["TRF"])

    def test_version_specific_elements(self):
        transfers = [make_transfer(creditor_bic="ABNANL2A")]
        new = pain001.build_pain001(make_message(transfers), pain001.PAIN001_001_09)
        self.assertEqual(self._find(new, "pain.001.001.09", "//p:ReqdExctnDt/p:Dt/text()"), ["2026-03-20"])
        self.assertEqual(self._find(new, "pain.001.001.09", "//p:CdtrAgt//p:BICFI/text()"), ["ABNANL2A"])
        self.assertEqual(
            self._find(new, "pain.001.001.09", "//p:Dbtr/p:PstlAdr/p:TwnNm/text()"), ["Groningen"]
        )
        old = pain001.build_pain001(make_message(transfers), pain001.PAIN001_001_03)
        self.assertEqual(self._find(old, "pain.001.001.03", "//p:ReqdExctnDt/text()"), ["2026-03-20"])
        self.assertEqual(self._find(old, "pain.001.001.03", "//p:CdtrAgt//p:BIC/text()"), ["ABNANL2A"])
        self.assertFalse(self._find(old, "pain.001.001.03", "//p:PstlAdr"))

    def test_text_in_the_sepa_character_set(self):
        xml_bytes = pain001.build_pain001(make_message([make_transfer(creditor_name="Zoë Müller & Söhne")]))
        name = self._find(xml_bytes, "pain.001.001.09", "//p:Cdtr/p:Nm/text()")[0]
        self.assertNotIn("&", name)
        self.assertTrue(name.startswith("Zoe Mueller"))

    def test_bad_data_is_refused_without_leaking_the_iban(self):
        cases = {
            "float": make_transfer(amount="1"),
            "iban": make_transfer(creditor_iban="NL91ABNA0417164399"),
            "cents": make_transfer(amount="1.005"),
            "zero": make_transfer(amount="0"),
        }
        cases["float"].amount = 1.5
        for case, transfer in cases.items():
            with self.subTest(case=case), self.assertRaises(SepaDataError) as caught:
                pain001.build_pain001(make_message([transfer]))
            self.assertIn("EndToEndId 'CT-1'", str(caught.exception))
            self.assertNotIn("0417164399", str(caught.exception))

    def test_two_transactions_with_one_end_to_end_id(self):
        with self.assertRaisesRegex(SepaDataError, "used by two transactions"):
            pain001.build_pain001(make_message([make_transfer(), make_transfer()]))

    def test_address_outside_the_eea(self):
        swiss = make_transfer(
            creditor_iban=SWISS_IBAN, creditor_address=Address(town_name="Zürich", country="CH")
        )
        xml_bytes = pain001.build_pain001(make_message([swiss]))
        self.assertEqual(self._find(xml_bytes, "pain.001.001.09", "//p:Cdtr/p:PstlAdr/p:Ctry/text()"), ["CH"])
        with self.assertRaisesRegex(SepaDataError, "outside the EEA"):
            pain001.build_pain001(make_message([swiss]), pain001.PAIN001_001_03)
        with self.assertRaisesRegex(SepaDataError, "outside the EEA"):
            pain001.build_pain001(make_message([make_transfer(creditor_iban=SWISS_IBAN)]))

    def test_schema_errors_and_unknown_versions(self):
        with self.assertRaises(SepaSchemaError):
            pain001.validate_pain001(b"<Document/>")
        with self.assertRaises(SepaSchemaError):
            pain001.validate_pain001(b"<Document")
        with self.assertRaises(ValueError):
            pain001.build_pain001(make_message([make_transfer()]), "pain.001.001.02")
