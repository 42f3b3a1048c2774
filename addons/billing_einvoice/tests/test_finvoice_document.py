import dataclasses
import datetime
import tempfile

from lxml import etree

from odoo.tests import BaseCase, tagged

from ..finvoice import document, frame, references, schema
from .common import DATA_DIR, finvoice_xsd_dir, sample_invoice


def canonical(xml_bytes):
    """Canonical XML (C14N) of the document without indentation: equal trees give equal bytes."""
    root = etree.fromstring(xml_bytes, etree.XMLParser(remove_blank_text=True))
    return etree.tostring(root, method="c14n")


@tagged("post_install", "-at_install")
class TestFinvoiceReferences(BaseCase):
    def test_finnish_reference(self):
        # 123456, weights 7, 3, 1 from the right: 42+15+4+21+6+1 = 89, so the check digit is 1.
        self.assertEqual(references.make_finnish_reference("123456"), "1234561")
        self.assertEqual(references.make_finnish_reference("1"), "0013")
        self.assertTrue(references.is_valid_finnish_reference("12345 61"))
        self.assertFalse(references.is_valid_finnish_reference("1234562"))
        self.assertFalse(references.is_valid_finnish_reference("123"))  # shorter than 4 digits
        self.assertFalse(references.is_valid_finnish_reference("1" * 21))

    def test_scheme(self):
        self.assertEqual(references.reference_scheme(" 1234561 "), ("SPY", "1234561"))
        self.assertEqual(references.reference_scheme("rf18 5390 0754 7034"), ("ISO", "RF18539007547034"))
        self.assertEqual(references.reference_scheme("RF19 5390 0754 7034"), (None, ""))
        self.assertEqual(references.reference_scheme("INV/2026/00001"), (None, ""))


@tagged("post_install", "-at_install")
class TestFinvoiceDocument(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The XSD of the installed package (odoo-addon-account-edi-finvoice); fails when missing.
        cls.xsd_dir = finvoice_xsd_dir()

    def build_valid(self, invoice, encoding="UTF-8"):
        xml_bytes = document.build_finvoice(invoice, encoding)
        schema.validate_finvoice(xml_bytes, self.xsd_dir)
        return xml_bytes

    def assertDataError(self, field, invoice):
        with self.assertRaises(document.FinvoiceDataError) as caught:
            document.build_finvoice(invoice)
        self.assertEqual(caught.exception.field, field)
        self.assertIn(field, str(caught.exception))

    def test_golden_invoice(self):
        xml_bytes = self.build_valid(sample_invoice())
        expected = (DATA_DIR / "finvoice_invoice.xml").read_bytes()
        self.assertEqual(canonical(xml_bytes), canonical(expected))

    def test_golden_credit_note(self):
        xml_bytes = self.build_valid(sample_invoice(is_credit_note=True))
        expected = (DATA_DIR / "finvoice_credit_note.xml").read_bytes()
        self.assertEqual(canonical(xml_bytes), canonical(expected))
        root = etree.fromstring(xml_bytes)
        self.assertEqual(root.findtext("InvoiceDetails/InvoiceTypeCode"), "INV02")
        # The payment block is mandatory on credit notes too, with the account and the RF reference.
        self.assertEqual(
            root.findtext("EpiDetails/EpiPartyDetails/EpiBeneficiaryPartyDetails/EpiAccountID"),
            "FI2112345600000785",
        )
        remittance = root.find("EpiDetails/EpiPaymentInstructionDetails/EpiRemittanceInfoIdentifier")
        self.assertEqual(
            (remittance.text, remittance.get("IdentificationSchemeName")), ("RF18539007547034", "ISO")
        )
        self.assertEqual(root.findtext("InvoiceDetails/InvoiceTotalVatIncludedAmount"), "-188,25")
        self.assertEqual(root.findtext("InvoiceRow/InvoicedQuantity"), "-1")

    def test_iso_8859_15(self):
        xml_bytes = self.build_valid(sample_invoice(), "ISO-8859-15")
        self.assertTrue(xml_bytes.startswith(b'<?xml version="1.0" encoding="ISO-8859-15"?>'))
        self.assertIn("Ylläpito".encode("iso-8859-15"), xml_bytes)
        self.assertEqual(canonical(xml_bytes), canonical((DATA_DIR / "finvoice_invoice.xml").read_bytes()))
        # A character outside Latin-9 survives as a character reference.
        invoice = sample_invoice()
        invoice.lines[0].name = "Palvelu → tammikuu"
        xml_bytes = self.build_valid(invoice, "ISO-8859-15")
        self.assertIn(b"&#8594;", xml_bytes)
        self.assertEqual(etree.fromstring(xml_bytes).findtext("InvoiceRow/ArticleName"), "Palvelu → tammikuu")

    def test_without_routing_and_optional_parts(self):
        invoice = sample_invoice(routing=None, language="", payment_reference="", overdue_fine_percent=None)
        invoice.buyer = document.Party(name="Matti Meikäläinen")
        root = etree.fromstring(self.build_valid(invoice))
        self.assertIsNone(root.find("MessageTransmissionDetails"))
        self.assertIsNone(root.find("EpiDetails/EpiPaymentInstructionDetails/EpiRemittanceInfoIdentifier"))
        self.assertEqual(root.findtext("BuyerPartyDetails/BuyerOrganisationName"), "Matti Meikäläinen")

    def test_consumer_billing_subject(self):
        root = etree.fromstring(self.build_valid(sample_invoice(payment_instruction_id="LASKUTUS1")))
        self.assertEqual(
            root.findtext("EpiDetails/EpiPaymentInstructionDetails/EpiPaymentInstructionId"), "LASKUTUS1"
        )

    def test_data_errors_name_the_field(self):
        self.assertDataError("MessageIdentifier", sample_invoice(message_identifier="7"))
        self.assertDataError("InvoiceNumber", sample_invoice(number="INV/2026/000000000001"))
        self.assertDataError("SellerAccountID", sample_invoice(seller_accounts=[]))
        self.assertDataError(
            "SellerBic",
            sample_invoice(seller_accounts=[document.BankAccount(iban="FI2112345600000785", bic="")]),
        )
        self.assertDataError("EpiRemittanceInfoIdentifier", sample_invoice(payment_reference="1234562"))
        self.assertDataError(
            "ToIdentifier",
            sample_invoice(routing=dataclasses.replace(sample_invoice().routing, to_identifier="")),
        )
        self.assertDataError("BuyerOrganisationName", sample_invoice(buyer=document.Party(name="")))
        self.assertDataError("InvoiceRow", sample_invoice(lines=[]))
        with self.assertRaises(ValueError):
            document.build_finvoice(sample_invoice(), "latin-1")

    def test_schema_errors_name_the_field(self):
        root = etree.fromstring(document.build_finvoice(sample_invoice()))
        root.find("InvoiceDetails/InvoiceTypeCode").text = "XYZ01"
        with self.assertRaises(schema.FinvoiceSchemaError) as caught:
            schema.validate_finvoice(etree.tostring(root), self.xsd_dir)
        self.assertEqual(caught.exception.field, "InvoiceTypeCode")
        self.assertNotIn("XYZ01", str(caught.exception))  # values are left out of messages
        epi = root.find("EpiDetails")
        root.remove(epi)
        with self.assertRaises(schema.FinvoiceSchemaError):
            schema.validate_finvoice(etree.tostring(root), self.xsd_dir)
        with self.assertRaises(schema.FinvoiceSchemaError):
            schema.validate_finvoice(b"<Finvoice", self.xsd_dir)

    def test_entities_are_not_resolved(self):
        xml_bytes = document.build_finvoice(sample_invoice())
        hostile = xml_bytes.replace(
            b"<Finvoice",
            b'<!DOCTYPE Finvoice [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n<Finvoice',
            1,
        ).replace(b"<ArticleName>Tuntity", b"<ArticleName>&secret;Tuntity")
        with self.assertRaises(schema.FinvoiceSchemaError) as caught:
            schema.validate_finvoice(hostile, self.xsd_dir)
        self.assertNotIn("root:", str(caught.exception))

    def test_missing_schema(self):
        with self.assertRaises(schema.FinvoiceSchemaMissing):
            schema.validate_finvoice(document.build_finvoice(sample_invoice()), "")
        with tempfile.TemporaryDirectory() as empty, self.assertRaises(schema.FinvoiceSchemaMissing):
            schema.validate_finvoice(document.build_finvoice(sample_invoice()), empty)

    def test_soap_frame_and_batch(self):
        invoice = sample_invoice()
        values = {
            "message_identifier": invoice.message_identifier,
            "timestamp": invoice.timestamp,
            "from_identifier": "003712345671",
            "from_intermediator": "OKOYFIHH",
            "to_identifier": "003776543212",
            "to_intermediator": "003723327487",
        }
        frame_bytes = frame.build_soap_frame(frame.Frame(**values))
        envelope = etree.fromstring(frame_bytes)
        namespaces = {"eb": frame.EB_NS, "s": frame.SOAP_NS, "xlink": frame.XLINK_NS}
        header = envelope.find("s:Header/eb:MessageHeader", namespaces)
        parties = [
            (party.getparent().tag.split("}")[1], party.text, party.getnext().text)
            for party in header.iterfind("*/eb:PartyId", namespaces)
        ]
        self.assertEqual(
            parties,
            [
                ("From", "003712345671", "Sender"),
                ("From", "OKOYFIHH", "Intermediator"),
                ("To", "003776543212", "Receiver"),
                ("To", "003723327487", "Intermediator"),
            ],
        )
        self.assertEqual(
            header.findtext("eb:MessageData/eb:MessageId", namespaces=namespaces), "FINV-2026-00001"
        )
        self.assertEqual(header.findtext("eb:Action", namespaces=namespaces), "ProcessInvoice")
        reference = envelope.find("s:Body/eb:Manifest/eb:Reference", namespaces)
        self.assertEqual(reference.get(f"{{{frame.XLINK_NS}}}href"), "FINV-2026-00001")
        with self.assertRaises(ValueError):
            frame.build_soap_frame(frame.Frame(**{**values, "to_intermediator": ""}))

        second = sample_invoice(message_identifier="FINV-2026-00003")
        batch = frame.build_batch_file(
            [
                (frame_bytes, document.build_finvoice(invoice)),
                (
                    frame.build_soap_frame(
                        frame.Frame(**{**values, "message_identifier": second.message_identifier})
                    ),
                    document.build_finvoice(second),
                ),
            ]
        )
        self.assertEqual(batch.count(b"<?xml "), 4)
        self.assertEqual(batch.count(b"<Finvoice "), 2)
        self.assertEqual(batch.count(b"<SOAP-ENV:Envelope "), 2)

    def test_amount_formats(self):
        self.assertEqual(document.format_amount(document.Decimal("-1234.5")), "-1234,50")
        self.assertEqual(document.format_unit_price(document.Decimal("0.12345")), "0,12345")
        self.assertEqual(document.format_unit_price(document.Decimal("0.1234567")), "0,12346")
        self.assertEqual(document.format_unit_price(document.Decimal("12.5")), "12,50")
        self.assertEqual(document.format_decimal(document.Decimal("25.50")), "25,5")
        self.assertEqual(document.format_decimal(document.Decimal("2.000")), "2")
        self.assertEqual(document.format_date(datetime.date(2026, 2, 1)), "20260201")
