import datetime
import pathlib
from decimal import Decimal

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..finvoice import document, schema

DATA_DIR = pathlib.Path(__file__).parent / "data"


def finvoice_xsd_dir():
    """The folder with Finvoice3.0.xsd inside the installed odoo-addon-account-edi-finvoice.

    Tests fail (they never skip) when the package is missing: it is in setup/requirements.txt.
    """
    return str(schema.packaged_schema_dir())


def sample_invoice(is_credit_note=False, **values):
    """A two-row Finnish invoice (or its credit note) with 25.5 % VAT, as plain data."""
    return document.Invoice(
        **{
            "message_identifier": "FINV-2026-00002" if is_credit_note else "FINV-2026-00001",
            "timestamp": datetime.datetime(
                2026, 1, 15, 10, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
            ),
            "routing": document.Routing(
                from_identifier="003712345671",
                from_intermediator="OKOYFIHH",
                to_identifier="003776543212",
                to_intermediator="003723327487",
            ),
            "seller": document.Party(
                name="Laskuttaja Oy",
                identifier="1234567-1",
                vat="FI12345671",
                address=document.PostalAddress(
                    street_lines=["Mannerheimintie 1"], town="Helsinki", postcode="00100", country_code="FI"
                ),
                email="laskutus@laskuttaja.example",
                phone="+358 9 123 4567",
            ),
            "seller_accounts": [document.BankAccount(iban="FI2112345600000785", bic="NDEAFIHH")],
            "buyer": document.Party(
                name="Asiakas Oy",
                identifier="7654321-2",
                vat="FI76543212",
                address=document.PostalAddress(
                    street_lines=["Hämeenkatu 5"], town="Tampere", postcode="33100", country_code="FI"
                ),
                unit_number="003776543212",
            ),
            "number": "RINV/2026/00001" if is_credit_note else "INV/2026/00001",
            "date": datetime.date(2026, 1, 15),
            "due_date": datetime.date(2026, 2, 14),
            "currency": "EUR",
            "total_excluded": Decimal("150.00"),
            "total_vat": Decimal("38.25"),
            "total_included": Decimal("188.25"),
            "lines": [
                document.InvoiceLine(
                    name="Ylläpito tammikuu",
                    article_identifier="MAINT",
                    quantity=Decimal("1"),
                    unit_code="C62",
                    unit_price=Decimal("100"),
                    vat_percent=Decimal("25.5"),
                    vat_amount=Decimal("25.50"),
                    amount_excluded=Decimal("100"),
                    amount_included=Decimal("125.50"),
                ),
                document.InvoiceLine(
                    name="Tuntityö",
                    quantity=Decimal("2.5"),
                    unit_code="HUR",
                    unit_price=Decimal("20"),
                    vat_percent=Decimal("25.5"),
                    vat_amount=Decimal("12.75"),
                    amount_excluded=Decimal("50"),
                    amount_included=Decimal("62.75"),
                ),
            ],
            "vat_summaries": [
                document.VatSummary(percent=Decimal("25.5"), base=Decimal("150"), amount=Decimal("38.25"))
            ],
            "is_credit_note": is_credit_note,
            "language": "FI",
            # 1234561: the 7-3-1 check digit of 123456 is 1. The credit note uses an RF reference.
            "payment_reference": "RF18 5390 0754 7034" if is_credit_note else "1234561",
            "original_invoice_number": "INV/2026/00001" if is_credit_note else "",
            "original_invoice_date": datetime.date(2026, 1, 15) if is_credit_note else None,
            "sellers_buyer_identifier": "C-42",
            "payment_terms_text": "14 päivää netto",
            "overdue_fine_percent": Decimal("11.5"),
            **values,
        }
    )


class EinvoiceCommon(AccountTestInvoicingCommon):
    """A Finnish company with its own e-invoice address and a bank account, a Finvoice customer
    and an e-mail customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        finland = cls.env.ref("base.fi")
        company = cls.company_data["company"]
        company.write(
            {
                "einvoice_address": "003712345671",
                "einvoice_operator": "OKOYFIHH",
                "company_registry": "1234567-1",
                "street": "Mannerheimintie 1",
                "city": "Helsinki",
                "zip": "00100",
                "country_id": finland.id,
            }
        )
        cls.bank = cls.env["res.bank"].create({"name": "Nordea", "bic": "NDEAFIHH"})
        cls.company_account = cls.env["res.partner.bank"].create(
            {
                "acc_number": "FI21 1234 5600 0007 85",
                "partner_id": company.partner_id.id,
                "bank_id": cls.bank.id,
                "allow_out_payment": True,
            }
        )
        cls.partner_finvoice = cls.env["res.partner"].create(
            {
                "name": "Asiakas Oy",
                "is_company": True,
                "company_registry": "7654321-2",
                "street": "Hämeenkatu 5",
                "city": "Tampere",
                "zip": "33100",
                "country_id": finland.id,
                "invoice_sending_method": "finvoice",
                "einvoice_address": "003776543212",
                "einvoice_operator": "003723327487",
            }
        )
        cls.partner_email = cls.env["res.partner"].create(
            {"name": "Jan Jansen", "email": "jan@example.com", "invoice_sending_method": "email"}
        )
