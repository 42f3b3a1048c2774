import dataclasses
import datetime
from decimal import Decimal

from lxml import etree

from odoo.tests import BaseCase, tagged

from ..sepa import pain008
from ..sepa.pain008 import (
    Address,
    DirectDebit,
    MandateAmendment,
    Message,
    PaymentInfo,
    SepaDataError,
    SepaSchemaError,
)

CREDITOR_IBAN = "DE89370400440532013000"
CREDITOR_IDENTIFIER = "DE98ZZZ09999999999"
DEBTOR_IBAN = "NL91ABNA0417164300"
SWISS_IBAN = "CH9300762011623852957"


def make_debit(end_to_end_id="E2E-1", amount="10.00", **values):
    return DirectDebit(
        **{
            "end_to_end_id": end_to_end_id,
            "amount": Decimal(amount),
            "mandate_id": f"MD-{end_to_end_id}",
            "mandate_signature_date": datetime.date(2025, 6, 1),
            "debtor_name": "Jan Jansen",
            "debtor_iban": DEBTOR_IBAN,
            "remittance_text": f"Invoice {end_to_end_id}",
            **values,
        }
    )


def make_batch(transactions, pmt_inf_id="PMT-1", **values):
    return PaymentInfo(
        **{
            "pmt_inf_id": pmt_inf_id,
            "collection_date": datetime.date(2026, 11, 24),
            "creditor_name": "Müller & Söhne GmbH",
            "creditor_address": Address(
                street_name="Hauptstraße",
                building_number="1",
                postal_code="10115",
                town_name="Berlin",
                country="DE",
            ),
            "creditor_iban": CREDITOR_IBAN,
            "creditor_bic": "COBADEFFXXX",
            "creditor_identifier": CREDITOR_IDENTIFIER,
            "transactions": transactions,
            **values,
        }
    )


def make_message(batches):
    return Message(
        msg_id="MSG-2026-0001",
        creation_datetime=datetime.datetime(2026, 11, 20, 9, 30, 15),
        initiating_party_name="Müller & Söhne GmbH",
        batches=batches,
    )


@tagged("post_install", "-at_install")
class TestPain008(BaseCase):
    def build(self, transactions=None, version=pain008.PAIN008_001_08, **batch_values):
        message = make_message([make_batch(transactions or [make_debit()], **batch_values)])
        return self.parse(pain008.build_pain008(message, version), version)

    def parse(self, xml_bytes, version=pain008.PAIN008_001_08):
        self.namespaces = {"p": f"urn:iso:std:iso:20022:tech:xsd:{version}"}
        return etree.fromstring(xml_bytes)

    def xpath(self, node, path):
        return node.xpath(path, namespaces=self.namespaces)

    def texts(self, node, path):
        return [element.text for element in self.xpath(node, path)]

    def assertDataError(self, end_to_end_id, field, transactions, version=pain008.PAIN008_001_08):
        message = make_message([make_batch(transactions)])
        with self.assertRaises(SepaDataError) as caught:
            pain008.build_pain008(message, version)
        self.assertIn(end_to_end_id, str(caught.exception))
        self.assertIn(field, str(caught.exception))
        self.assertEqual(caught.exception.end_to_end_id, end_to_end_id)
        self.assertEqual(caught.exception.field, field)
        return caught.exception

    def test_both_versions_validate(self):
        for version in pain008.SUPPORTED_VERSIONS:
            message = make_message([make_batch([make_debit(), make_debit("E2E-2", debtor_bic="ABNANL2A")])])
            xml_bytes = pain008.build_pain008(message, version)
            self.assertTrue(xml_bytes.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), version)
            pain008.validate_pain008(xml_bytes, version)
            root = self.parse(xml_bytes, version)
            self.assertEqual(root.tag, f"{{urn:iso:std:iso:20022:tech:xsd:{version}}}Document")
            payment_info = self.xpath(root, "//p:PmtInf")[0]
            self.assertEqual(self.texts(payment_info, "p:PmtMtd"), ["DD"])
            self.assertEqual(self.texts(payment_info, "p:PmtTpInf/p:SvcLvl/p:Cd"), ["SEPA"])
            self.assertEqual(self.texts(payment_info, "p:PmtTpInf/p:LclInstrm/p:Cd"), ["CORE"])
            self.assertEqual(self.texts(payment_info, "p:PmtTpInf/p:SeqTp"), ["RCUR"])
            self.assertEqual(self.texts(payment_info, "p:ChrgBr"), ["SLEV"])
            self.assertEqual(
                self.texts(payment_info, "p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id"), [CREDITOR_IDENTIFIER]
            )
            self.assertEqual(
                self.texts(payment_info, "p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:SchmeNm/p:Prtry"), ["SEPA"]
            )
            bic_tag = "BIC" if version == pain008.PAIN008_001_02 else "BICFI"
            self.assertEqual(self.texts(root, f"//p:CdtrAgt/p:FinInstnId/p:{bic_tag}"), ["COBADEFFXXX"])
            self.assertEqual(self.texts(root, f"//p:DbtrAgt/p:FinInstnId/p:{bic_tag}"), ["ABNANL2A"])

    def test_b2b_first_collection(self):
        root = self.build(scheme="B2B", sequence_type="FRST")
        self.assertEqual(self.texts(root, "//p:PmtTpInf/p:LclInstrm/p:Cd"), ["B2B"])
        self.assertEqual(self.texts(root, "//p:PmtTpInf/p:SeqTp"), ["FRST"])

    def test_control_sums_to_the_cent(self):
        awkward = ["0.01", "33.33", "999999.99", "0.10", "100.07", "12345.67", "0.99", "7"]
        amounts = [Decimal(awkward[index % len(awkward)]) for index in range(1000)]
        transactions = [make_debit(f"E2E-{index}", amount) for index, amount in enumerate(amounts)]
        root = self.build(transactions)
        expected = sum(amounts, Decimal(0))
        for path in ("p:CstmrDrctDbtInitn/p:GrpHdr", "p:CstmrDrctDbtInitn/p:PmtInf"):
            self.assertEqual(self.texts(root, f"{path}/p:NbOfTxs"), ["1000"])
            [control_sum] = self.texts(root, f"{path}/p:CtrlSum")
            self.assertEqual(Decimal(control_sum), expected)
            self.assertEqual(control_sum, f"{expected:.2f}")
        written = [Decimal(text) for text in self.texts(root, "//p:DrctDbtTxInf/p:InstdAmt")]
        self.assertEqual(sum(written, Decimal(0)), expected)
        self.assertEqual(self.texts(root, "//p:DrctDbtTxInf[1]/p:InstdAmt"), ["0.01"])
        self.assertEqual(self.xpath(root, "//p:DrctDbtTxInf[8]/p:InstdAmt/@Ccy"), ["EUR"])
        self.assertEqual(self.texts(root, "//p:DrctDbtTxInf[8]/p:InstdAmt"), ["7.00"])

    def test_counts_with_two_payment_infos(self):
        first = make_batch([make_debit("A-1", "1.10"), make_debit("A-2", "2.20")], pmt_inf_id="PMT-A")
        second = make_batch(
            [make_debit("B-1", "3.30"), make_debit("B-2", "4.40"), make_debit("B-3", "0.01")],
            pmt_inf_id="PMT-B",
            sequence_type="FRST",
            collection_date=datetime.date(2026, 11, 25),
        )
        root = self.parse(pain008.build_pain008(make_message([first, second])))
        self.assertEqual(self.texts(root, "//p:GrpHdr/p:NbOfTxs"), ["5"])
        self.assertEqual(self.texts(root, "//p:GrpHdr/p:CtrlSum"), ["11.01"])
        self.assertEqual(self.texts(root, "//p:PmtInf/p:PmtInfId"), ["PMT-A", "PMT-B"])
        self.assertEqual(self.texts(root, "//p:PmtInf/p:NbOfTxs"), ["2", "3"])
        self.assertEqual(self.texts(root, "//p:PmtInf/p:CtrlSum"), ["3.30", "7.71"])
        self.assertEqual(self.texts(root, "//p:PmtInf/p:ReqdColltnDt"), ["2026-11-24", "2026-11-25"])

    def test_hybrid_address(self):
        address = Address(
            postal_code="1012 AB",
            town_name="Amsterdam",
            country="nl",
            address_lines=["Damrak 1 & 2", "", "Verdieping 3"],
        )
        root = self.build([make_debit(debtor_address=address)])
        [postal_address] = self.xpath(root, "//p:Dbtr/p:PstlAdr")
        self.assertEqual(
            [(etree.QName(child).localname, child.text) for child in postal_address],
            [
                ("PstCd", "1012 AB"),
                ("TwnNm", "Amsterdam"),
                ("Ctry", "NL"),
                ("AdrLine", "Damrak 1 + 2"),
                ("AdrLine", "Verdieping 3"),
            ],
        )

    def test_structured_address_is_converted_and_cut(self):
        address = Address(
            street_name="Ökonomierat-Müller-Straße " * 5,
            building_number="12a",
            postal_code="80331",
            town_name="München",
            country_subdivision="Bayern",
            country="DE",
        )
        root = self.build([make_debit(debtor_address=address)])
        [street] = self.texts(root, "//p:Dbtr/p:PstlAdr/p:StrtNm")
        self.assertLessEqual(len(street), 70)
        self.assertTrue(street.startswith("Oekonomierat-Mueller-Strasse"))
        self.assertEqual(self.texts(root, "//p:Dbtr/p:PstlAdr/p:TwnNm"), ["Muenchen"])
        self.assertEqual(self.texts(root, "//p:Dbtr/p:PstlAdr/p:CtrySubDvsn"), ["Bayern"])
        self.assertEqual(self.texts(root, "//p:Cdtr/p:PstlAdr/p:StrtNm"), ["Hauptstrasse"])

    def test_more_than_two_address_lines_is_refused(self):
        address = Address(town_name="Amsterdam", country="NL", address_lines=["one", "two", "three"])
        self.assertDataError("E2E-1", "Dbtr/PstlAdr/AdrLine", [make_debit(debtor_address=address)])

    def test_incomplete_address_is_left_out(self):
        for address in (
            Address(street_name="Damrak", building_number="1", country="NL"),  # no town
            Address(street_name="Damrak", town_name="Amsterdam"),  # no country
            Address(town_name="A" * 36, country="NL"),  # a town is never cut silently
        ):
            root = self.build([make_debit(debtor_address=address)])
            self.assertEqual(self.xpath(root, "//p:Dbtr/p:PstlAdr"), [], address)
            self.assertEqual(self.texts(root, "//p:Dbtr/p:Nm"), ["Jan Jansen"])

    def test_debtor_outside_the_eea_needs_an_address(self):
        address = Address(street_name="Bahnhofstrasse", building_number="1", town_name="Zürich", country="CH")
        root = self.build([make_debit(debtor_iban=SWISS_IBAN, debtor_address=address)])
        self.assertEqual(self.texts(root, "//p:Dbtr/p:PstlAdr/p:TwnNm"), ["Zuerich"])
        self.assertDataError("E2E-1", "Dbtr/PstlAdr", [make_debit(debtor_iban=SWISS_IBAN)])
        self.assertDataError(
            "E2E-1",
            "Dbtr/PstlAdr",
            [make_debit(debtor_iban=SWISS_IBAN, debtor_address=address)],
            version=pain008.PAIN008_001_02,
        )

    def test_version_02_never_writes_an_address(self):
        address = Address(
            street_name="Damrak",
            building_number="1",
            postal_code="1012 AB",
            town_name="Amsterdam",
            country="NL",
            address_lines=["Floor 3"],
        )
        root = self.build([make_debit(debtor_address=address)], version=pain008.PAIN008_001_02)
        self.assertEqual(self.xpath(root, "//p:PstlAdr"), [])
        for tag in ("StrtNm", "BldgNb", "PstCd", "TwnNm", "Ctry", "AdrLine"):
            self.assertEqual(self.xpath(root, f"//p:{tag}"), [], tag)

    def test_amendment(self):
        changed_everything = MandateAmendment(
            original_mandate_id="OLD-UMR-1",
            original_creditor_name="Müller Alt GmbH",
            original_creditor_identifier=CREDITOR_IDENTIFIER,
            original_debtor_iban="DE89 3704 0044 0532 0130 00",
        )
        new_account_only = MandateAmendment(same_mandate_new_debtor_account=True)
        for version in pain008.SUPPORTED_VERSIONS:
            root = self.build(
                [
                    make_debit("E2E-1", amendment=changed_everything),
                    make_debit("E2E-2", amendment=new_account_only),
                    make_debit("E2E-3"),
                ],
                version=version,
            )
            mandates = self.xpath(root, "//p:DrctDbtTxInf/p:DrctDbtTx/p:MndtRltdInf")
            self.assertEqual(
                [self.texts(mandate, "p:AmdmntInd") for mandate in mandates], [["true"], ["true"], ["false"]]
            )
            [details] = self.xpath(mandates[0], "p:AmdmntInfDtls")
            self.assertEqual(self.texts(details, "p:OrgnlMndtId"), ["OLD-UMR-1"])
            self.assertEqual(self.texts(details, "p:OrgnlCdtrSchmeId/p:Nm"), ["Mueller Alt GmbH"])
            self.assertEqual(
                self.texts(details, "p:OrgnlCdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id"), [CREDITOR_IDENTIFIER]
            )
            self.assertEqual(
                self.texts(details, "p:OrgnlCdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:SchmeNm/p:Prtry"), ["SEPA"]
            )
            self.assertEqual(self.texts(details, "p:OrgnlDbtrAcct/p:Id/p:IBAN"), [CREDITOR_IBAN])
            [details] = self.xpath(mandates[1], "p:AmdmntInfDtls")
            self.assertEqual([etree.QName(child).localname for child in details], ["OrgnlDbtrAcct"])
            self.assertEqual(self.texts(details, "p:OrgnlDbtrAcct/p:Id/p:Othr/p:Id"), ["SMNDA"])
            self.assertEqual(self.xpath(mandates[2], "p:AmdmntInfDtls"), [])

    def test_empty_or_contradictory_amendment_is_refused(self):
        self.assertDataError("E2E-1", "AmdmntInfDtls", [make_debit(amendment=MandateAmendment())])
        both = MandateAmendment(original_debtor_iban=CREDITOR_IBAN, same_mandate_new_debtor_account=True)
        self.assertDataError("E2E-1", "AmdmntInfDtls/OrgnlDbtrAcct", [make_debit(amendment=both)])

    def test_debtor_without_bic(self):
        for version in pain008.SUPPORTED_VERSIONS:
            root = self.build([make_debit(debtor_bic="")], version=version, creditor_bic="")
            self.assertEqual(self.texts(root, "//p:DbtrAgt/p:FinInstnId/p:Othr/p:Id"), ["NOTPROVIDED"])
            self.assertEqual(self.texts(root, "//p:CdtrAgt/p:FinInstnId/p:Othr/p:Id"), ["NOTPROVIDED"])
            self.assertEqual(self.xpath(root, "//p:BICFI | //p:BIC"), [])

    def test_free_text_is_converted_and_limited(self):
        root = self.build(
            [
                make_debit(
                    debtor_name="Иван Петров & Söhne " * 10,
                    remittance_text="Rechnung Nr. 1 für Müller_GmbH; " * 10,
                )
            ]
        )
        [debtor_name] = self.texts(root, "//p:Dbtr/p:Nm")
        [remittance_text] = self.texts(root, "//p:RmtInf/p:Ustrd")
        self.assertTrue(debtor_name.startswith("Ivan Petrov + Soehne"))
        self.assertLessEqual(len(debtor_name), 70)
        self.assertTrue(remittance_text.startswith("Rechnung Nr. 1 fuer Mueller-GmbH, "))
        self.assertLessEqual(len(remittance_text), 140)
        self.assertEqual(self.texts(root, "//p:Cdtr/p:Nm"), ["Mueller + Soehne GmbH"])
        self.assertEqual(self.texts(root, "//p:InitgPty/p:Nm"), ["Mueller + Soehne GmbH"])

    def test_creditor_reference(self):
        root = self.build([make_debit(remittance_text="", creditor_reference="RF18 5390 0754 7034")])
        [reference] = self.xpath(root, "//p:RmtInf/p:Strd/p:CdtrRefInf")
        self.assertEqual(self.texts(reference, "p:Tp/p:CdOrPrtry/p:Cd"), ["SCOR"])
        self.assertEqual(self.texts(reference, "p:Ref"), ["RF18539007547034"])
        self.assertEqual(self.xpath(root, "//p:Ustrd"), [])
        self.assertDataError(
            "E2E-1",
            "RmtInf/Strd/CdtrRefInf/Ref",
            [make_debit(remittance_text="", creditor_reference="RF19539007547034")],
        )
        self.assertDataError("E2E-1", "RmtInf", [make_debit(creditor_reference="RF18539007547034")])

    def test_invalid_amounts_are_refused(self):
        for amount in ("0", "0.00", "-5.00", "1.001", "0.005", "1000000000.00", "NaN"):
            self.assertDataError("E2E-9", "InstdAmt", [make_debit(), make_debit("E2E-9", amount)])
        float_debit = dataclasses.replace(make_debit("E2E-9"), amount=10.1)
        self.assertDataError("E2E-9", "InstdAmt", [float_debit])
        # Trailing zeros are not extra decimals.
        root = self.build([make_debit(amount="12.300")])
        self.assertEqual(self.texts(root, "//p:InstdAmt"), ["12.30"])

    def test_invalid_identifiers_are_refused(self):
        self.assertDataError("E2E//1", "EndToEndId", [make_debit("E2E//1")])
        self.assertDataError("E2E-1", "MndtId", [make_debit(mandate_id="/UMR-1")])
        self.assertDataError("E2E-1", "MndtId", [make_debit(mandate_id="U" * 36)])
        self.assertDataError("E2E-1", "InstrId", [make_debit(instruction_id="INSTR_1")])
        self.assertDataError("E2E-1", "DbtrAcct/Id/IBAN", [make_debit(debtor_iban="NL00ABNA0417164300")])
        self.assertDataError("E2E-1", "DbtrAgt/FinInstnId/BICFI", [make_debit(debtor_bic="ABN")])
        error = self.assertDataError(
            "E2E-2", "EndToEndId", [make_debit("E2E-2"), make_debit("E2E-2", mandate_id="MD-other")]
        )
        self.assertIn("two transactions", str(error))
        # The IBAN itself is personal data: only its country appears in the message.
        self.assertNotIn(
            "0417164300",
            str(
                self.assertDataError(
                    "E2E-1", "DbtrAcct/Id/IBAN", [make_debit(debtor_iban="NL00ABNA0417164300")]
                )
            ),
        )

    def test_invalid_batch_data_is_refused(self):
        cases = {
            "CdtrSchmeId": {"creditor_identifier": "DE99ZZZ09999999999"},
            "PmtInfId": {"pmt_inf_id": "PMT//1"},
            "SeqTp": {"sequence_type": "RPRE"},
            "LclInstrm/Cd": {"scheme": "COR1"},
        }
        for field, values in cases.items():
            message = make_message([make_batch([make_debit()], **values)])
            with self.assertRaises(SepaDataError) as caught:
                pain008.build_pain008(message)
            self.assertEqual(caught.exception.field, field)

    def test_mandate_signature_date(self):
        self.assertDataError("E2E-1", "DtOfSgntr", [make_debit(mandate_signature_date=None)])
        self.assertDataError(
            "E2E-1", "DtOfSgntr", [make_debit(mandate_signature_date=datetime.date(2026, 12, 1))]
        )

    def test_name_without_latin_equivalent_is_refused(self):
        self.assertDataError("E2E-1", "Dbtr/Nm", [make_debit(debtor_name="\N{CJK UNIFIED IDEOGRAPH-674E}")])

    def test_broken_document_fails_the_schema(self):
        xml_bytes = pain008.build_pain008(
            make_message([make_batch([make_debit("E2E-1"), make_debit("E2E-2")])])
        )
        root = self.parse(xml_bytes)
        [amount] = self.xpath(root, "//p:DrctDbtTxInf[p:PmtId/p:EndToEndId='E2E-2']/p:InstdAmt")
        amount.text = "12,50"
        [iban] = self.xpath(root, "//p:DrctDbtTxInf[p:PmtId/p:EndToEndId='E2E-2']/p:DbtrAcct/p:Id/p:IBAN")
        iban.text = "nl91abna0417164300"
        broken = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        with self.assertRaises(SepaSchemaError) as caught:
            pain008.validate_pain008(broken, pain008.PAIN008_001_08)
        message = str(caught.exception)
        self.assertIn("line ", message)
        self.assertIn("'E2E-2'", message)
        self.assertNotIn("'E2E-1'", message)
        self.assertIn("InstdAmt", message)
        self.assertNotIn("nl91abna", message)

        # A missing mandatory element and a document of the other version.
        [creditor_account] = self.xpath(root, "//p:CdtrAcct")
        creditor_account.getparent().remove(creditor_account)
        with self.assertRaises(SepaSchemaError):
            pain008.validate_pain008(etree.tostring(root), pain008.PAIN008_001_08)
        with self.assertRaises(SepaSchemaError):
            pain008.validate_pain008(xml_bytes, pain008.PAIN008_001_02)
        with self.assertRaises(SepaSchemaError):
            pain008.validate_pain008(xml_bytes[:-30], pain008.PAIN008_001_08)

    def test_entities_are_not_resolved(self):
        xml_bytes = pain008.build_pain008(make_message([make_batch([make_debit()])]))
        hostile = xml_bytes.replace(
            b"<Document",
            b'<!DOCTYPE Document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n<Document',
            1,
        ).replace(b"<Ustrd>Invoice E2E-1</Ustrd>", b"<Ustrd>&secret;</Ustrd>")
        with self.assertRaises(SepaSchemaError) as caught:
            pain008.validate_pain008(hostile, pain008.PAIN008_001_08)
        self.assertNotIn("root:", str(caught.exception))

    def _in_parts(self, message, size, version=pain008.PAIN008_001_08):
        """The file of ``message`` assembled from its transactions built ``size`` at a time."""
        parts, seen = [], set()
        for batch in message.batches:
            transactions = batch.transactions
            fragments = [
                pain008.build_transactions(
                    dataclasses.replace(batch, transactions=transactions[start : start + size]),
                    version,
                    seen,
                )
                for start in range(0, len(transactions), size)
            ]
            parts.append(
                pain008.TransactionParts(
                    count=len(transactions),
                    control_sum=sum((debit.amount for debit in transactions), Decimal(0)),
                    fragments=fragments,
                )
            )
        headers = dataclasses.replace(
            message, batches=[dataclasses.replace(batch, transactions=[]) for batch in message.batches]
        )
        return pain008.assemble_pain008(headers, parts, version)

    def test_file_assembled_from_parts_is_the_same_file(self):
        amendment = MandateAmendment(original_mandate_id="OLD-1", same_mandate_new_debtor_account=True)
        first = make_batch(
            [
                make_debit(f"A-{index}", f"{index}.{index:02d}", debtor_bic="ABNANL2A" if index % 2 else "")
                for index in range(1, 8)
            ],
            pmt_inf_id="PMT-A",
        )
        second = make_batch(
            [make_debit("B-1", "0.01", amendment=amendment), make_debit("B-2", "999.99", remittance_text="")],
            pmt_inf_id="PMT-B",
            sequence_type="FRST",
        )
        for version in pain008.SUPPORTED_VERSIONS:
            message = make_message([first, second])
            at_once = pain008.build_pain008(message, version)
            for size in (1, 3, 7, 100):
                with self.subTest(version=version, size=size):
                    self.assertEqual(self._in_parts(message, size, version), at_once)

    def test_parts_check_their_transactions_as_the_whole_file(self):
        debits = [make_debit(f"E2E-{index}") for index in range(1, 6)]
        batch = make_batch([*debits, make_debit("E2E-6", debtor_iban="NL00ABNA0417164300")])
        with self.assertRaisesRegex(SepaDataError, "EndToEndId 'E2E-6': DbtrAcct/Id/IBAN"):
            self._in_parts(make_message([batch]), 3)
        # An EndToEndId of an earlier part is refused in a later one.
        batch = make_batch([*debits, make_debit("E2E-2")])
        with self.assertRaisesRegex(SepaDataError, "used by two transactions"):
            self._in_parts(make_message([batch]), 3)
        # The headers get the checks of the whole file too, and a count of nothing is refused.
        with self.assertRaisesRegex(SepaDataError, "a batch needs at least one transaction"):
            pain008.assemble_pain008(
                make_message([make_batch([])]),
                [pain008.TransactionParts(count=0, control_sum=0, fragments=[])],
            )

    def test_parts_take_their_totals_from_the_caller(self):
        message = make_message([make_batch([make_debit("E2E-1"), make_debit("E2E-2")])])
        fragment = pain008.build_transactions(message.batches[0])
        headers = make_message([make_batch([])])
        # The schema cannot see a wrong control sum; the caller computes it from the same lines.
        xml_bytes = pain008.assemble_pain008(
            headers, [pain008.TransactionParts(count=2, control_sum=Decimal("20.00"), fragments=[fragment])]
        )
        self.assertEqual(xml_bytes, pain008.build_pain008(message))
        with self.assertRaisesRegex(SepaSchemaError, "does not match"):
            pain008.assemble_pain008(
                headers, [pain008.TransactionParts(count=2, control_sum=Decimal(20), fragments=[b"<x/>\n"])]
            )
