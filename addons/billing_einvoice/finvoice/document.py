"""Finvoice 3.0 writer: invoices (INV01), credit notes (INV02) and direct payments (INV09).

The input is plain data (the dataclasses below), with amounts as ``Decimal`` the way the
accounting stores them: positive on both invoices and credit notes. The writer negates
the amounts and quantities of a credit note, as Finvoice expects, and writes the payment
block (``EpiDetails``) on every document because the XSD requires it.

Rules the XSD cannot say clearly enough for a user (required values, lengths, the IBAN
and BIC of the payment block) are checked first and raise ``FinvoiceDataError`` naming
the Finvoice element; the caller then validates the bytes against the official XSD
(``schema.validate_finvoice``).
"""

import dataclasses
import datetime
import re
from decimal import Decimal

from lxml import etree

from . import references

INVOICE = "INV01"
CREDIT_NOTE = "INV02"
# Direct payment (suoramaksu): the payer's bank debits the invoice on its due date.
DIRECT_PAYMENT = "INV09"
ENCODINGS = ("UTF-8", "ISO-8859-15")

_CENT = Decimal("0.01")
_IBAN_RE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}")
_BIC_RE = re.compile(r"[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")
_LANGUAGE_RE = re.compile(r"[A-Z]{2}")


class FinvoiceDataError(ValueError):
    """The invoice data cannot make a Finvoice message; ``field`` names the Finvoice element."""

    def __init__(self, message, *, field):
        super().__init__(message)
        self.field = field


@dataclasses.dataclass(kw_only=True)
class PostalAddress:
    street_lines: list[str]
    town: str
    postcode: str
    country_code: str = ""
    country_name: str = ""


@dataclasses.dataclass(kw_only=True)
class Party:
    """Seller or buyer. ``identifier`` is the business id (Y-tunnus), ``vat`` the VAT number."""

    name: str
    identifier: str = ""
    vat: str = ""
    address: PostalAddress | None = None
    email: str = ""
    phone: str = ""
    # OVT / organisation unit number (e.g. 003712345678), written as ...OrganisationUnitNumber.
    unit_number: str = ""


@dataclasses.dataclass(kw_only=True)
class BankAccount:
    iban: str
    bic: str


@dataclasses.dataclass(kw_only=True)
class Routing:
    """E-invoice addresses and intermediators (operator code or bank BIC) of both ends."""

    from_identifier: str
    from_intermediator: str
    to_identifier: str
    to_intermediator: str


@dataclasses.dataclass(kw_only=True)
class InvoiceLine:
    """One invoice row; amounts exclude VAT unless named ``..._included``."""

    name: str
    quantity: Decimal
    unit_price: Decimal
    vat_percent: Decimal
    vat_amount: Decimal
    amount_excluded: Decimal
    amount_included: Decimal
    unit_code: str = ""
    article_identifier: str = ""
    discount_percent: Decimal | None = None
    # UNTDID 5305: S standard, Z zero-rated, E exempt, AE reverse charge, K intra-EU, G export.
    vat_code: str = "S"


@dataclasses.dataclass(kw_only=True)
class VatSummary:
    percent: Decimal
    base: Decimal
    amount: Decimal
    vat_code: str = "S"


@dataclasses.dataclass(kw_only=True)
class Invoice:
    """A Finvoice document. ``message_identifier`` is 2 to 48 characters, unique per sender."""

    message_identifier: str
    timestamp: datetime.datetime
    seller: Party
    seller_accounts: list[BankAccount]
    buyer: Party
    number: str
    date: datetime.date
    due_date: datetime.date
    currency: str
    total_excluded: Decimal
    total_vat: Decimal
    total_included: Decimal
    lines: list[InvoiceLine]
    vat_summaries: list[VatSummary]
    is_credit_note: bool = False
    routing: Routing | None = None
    language: str = ""
    payment_reference: str = ""
    # Billing subject code (laskutusaihe) of consumer e-invoices: EpiPaymentInstructionId.
    payment_instruction_id: str = ""
    original_invoice_number: str = ""
    original_invoice_date: datetime.date | None = None
    sellers_buyer_identifier: str = ""
    order_identifier: str = ""
    buyer_reference: str = ""
    payment_terms_text: str = ""
    overdue_fine_percent: Decimal | None = None
    free_texts: list[str] = dataclasses.field(default_factory=list)
    specification_identifier: str = ""
    # A direct payment (INV09) needs the billing subject code and the payment reference.
    is_direct_payment: bool = False


def format_amount(amount):
    """``Decimal("-1234.5")`` → ``"-1234,50"`` (two decimals, decimal comma)."""
    return f"{Decimal(amount).quantize(_CENT):f}".replace(".", ",")


def format_unit_price(amount):
    """Two to five decimals with a decimal comma: ``12.5`` → ``12,50``, ``0.12345`` → ``0,12345``."""
    value = Decimal(amount)
    text = f"{value.quantize(_CENT):f}" if value == value.quantize(_CENT) else f"{value.normalize():f}"
    if "." in text and len(text.split(".")[1]) > 5:
        text = f"{value.quantize(Decimal('0.00001')):f}"
    return text.replace(".", ",")


def format_decimal(value):
    """A quantity or percentage without useless zeros: ``25.50`` → ``25,5``, ``2.000`` → ``2``."""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")


def format_date(value):
    return value.strftime("%Y%m%d")


class _Writer:
    def __init__(self, invoice):
        self.invoice = invoice
        # Credit notes carry negative amounts and quantities in Finvoice.
        self.sign = -1 if invoice.is_credit_note else 1

    # ---- helpers -------------------------------------------------------------------------

    @staticmethod
    def fail(field, problem):
        raise FinvoiceDataError(f"{field}: {problem}", field=field)

    def text(self, field, value, maximum, minimum=1, required=True):
        value = " ".join((value or "").split())
        if not value:
            if required:
                self.fail(field, "is required")
            return ""
        if len(value) < minimum:
            self.fail(field, f"must be at least {minimum} characters")
        if len(value) > maximum:
            self.fail(field, f"is longer than {maximum} characters ({len(value)})")
        return value

    @staticmethod
    def cut(value, maximum):
        """Free text may be shortened: its meaning survives, the document stays valid."""
        return " ".join((value or "").split())[:maximum]

    @staticmethod
    def sub(parent, tag, text=None, **attributes):
        element = etree.SubElement(parent, tag, attributes)
        if text is not None:
            element.text = text
        return element

    def amount(self, parent, tag, value, signed=True):
        value = value * self.sign if signed else value
        return self.sub(parent, tag, format_amount(value), AmountCurrencyIdentifier=self.invoice.currency)

    def date(self, parent, tag, value):
        return self.sub(parent, tag, format_date(value), Format="CCYYMMDD")

    # ---- document ------------------------------------------------------------------------

    def build(self):
        invoice = self.invoice
        self.text("MessageIdentifier", invoice.message_identifier, 48, minimum=2)
        if not re.fullmatch(r"[A-Z]{3}", invoice.currency or ""):
            self.fail("AmountCurrencyIdentifier", "must be an ISO 4217 currency code")
        if not invoice.lines:
            self.fail("InvoiceRow", "an invoice needs at least one row")
        root = etree.Element("Finvoice", Version="3.0")
        if invoice.routing:
            self.write_transmission(root)
        self.write_seller(root)
        if invoice.language:
            if not _LANGUAGE_RE.fullmatch(invoice.language):
                self.fail("InvoiceRecipientLanguageCode", "must be two upper-case letters (FI, SV, EN)")
            self.sub(root, "InvoiceRecipientLanguageCode", invoice.language)
        self.write_buyer(root)
        self.write_details(root)
        for line in invoice.lines:
            self.write_row(root, line)
        self.write_epi(root)
        return root

    def write_transmission(self, root):
        routing = self.invoice.routing
        details = self.sub(root, "MessageTransmissionDetails")
        sender = self.sub(details, "MessageSenderDetails")
        self.sub(sender, "FromIdentifier", self.text("FromIdentifier", routing.from_identifier, 35, 2))
        self.sub(
            sender, "FromIntermediator", self.text("FromIntermediator", routing.from_intermediator, 35, 2)
        )
        receiver = self.sub(details, "MessageReceiverDetails")
        self.sub(receiver, "ToIdentifier", self.text("ToIdentifier", routing.to_identifier, 35, 2))
        self.sub(receiver, "ToIntermediator", self.text("ToIntermediator", routing.to_intermediator, 35, 2))
        message = self.sub(details, "MessageDetails")
        self.sub(message, "MessageIdentifier", self.invoice.message_identifier)
        self.sub(message, "MessageTimeStamp", self.invoice.timestamp.replace(microsecond=0).isoformat())
        if self.invoice.specification_identifier:
            self.sub(message, "SpecificationIdentifier", self.invoice.specification_identifier)

    def write_address(self, parent, tag, prefix, address):
        element = self.sub(parent, tag)
        streets = [line for line in address.street_lines if (line or "").strip()][:3]
        if not streets:
            self.fail(f"{prefix}StreetName", "is required in a postal address")
        for street in streets:
            self.sub(element, f"{prefix}StreetName", self.text(f"{prefix}StreetName", street, 35, 2))
        self.sub(element, f"{prefix}TownName", self.text(f"{prefix}TownName", address.town, 35, 2))
        self.sub(
            element,
            f"{prefix}PostCodeIdentifier",
            self.text(f"{prefix}PostCodeIdentifier", address.postcode, 35, 2),
        )
        if address.country_code:
            self.sub(element, "CountryCode", address.country_code.upper())
        if address.country_name:
            self.sub(element, "CountryName", self.cut(address.country_name, 35))
        return element

    def write_seller(self, root):
        seller = self.invoice.seller
        party = self.sub(root, "SellerPartyDetails")
        if seller.identifier:
            self.sub(
                party,
                "SellerPartyIdentifier",
                self.text("SellerPartyIdentifier", seller.identifier, 35),
            )
        self.sub(party, "SellerOrganisationName", self.text("SellerOrganisationName", seller.name, 70, 2))
        if seller.vat:
            self.sub(
                party, "SellerOrganisationTaxCode", self.text("SellerOrganisationTaxCode", seller.vat, 35)
            )
        if seller.address:
            self.write_address(party, "SellerPostalAddressDetails", "Seller", seller.address)
        if seller.unit_number:
            self.sub(
                root,
                "SellerOrganisationUnitNumber",
                self.text("SellerOrganisationUnitNumber", seller.unit_number, 35),
            )
        if seller.phone or seller.email:
            communication = self.sub(root, "SellerCommunicationDetails")
            if seller.phone:
                self.sub(communication, "SellerPhoneNumberIdentifier", self.cut(seller.phone, 35))
            if seller.email:
                self.sub(communication, "SellerEmailaddressIdentifier", self.cut(seller.email, 70))
        if not self.invoice.seller_accounts:
            self.fail("SellerAccountID", "the seller needs a bank account (IBAN and BIC) to be paid")
        information = self.sub(root, "SellerInformationDetails")
        for account in self.invoice.seller_accounts:
            iban, bic = self.iban("SellerAccountID", account.iban), self.bic("SellerBic", account.bic)
            details = self.sub(information, "SellerAccountDetails")
            self.sub(details, "SellerAccountID", iban, IdentificationSchemeName="IBAN")
            self.sub(details, "SellerBic", bic, IdentificationSchemeName="BIC")

    def iban(self, field, value):
        value = references.compact(value)
        if not _IBAN_RE.fullmatch(value) or len(value) > 34:
            self.fail(field, "is not an IBAN")
        return value

    def bic(self, field, value):
        value = references.compact(value)
        if not value:
            self.fail(field, "is required (the BIC of the bank of the account)")
        if not _BIC_RE.fullmatch(value):
            self.fail(field, "is not a BIC (8 or 11 characters)")
        return value

    def write_buyer(self, root):
        buyer = self.invoice.buyer
        party = self.sub(root, "BuyerPartyDetails")
        if buyer.identifier:
            self.sub(party, "BuyerPartyIdentifier", self.text("BuyerPartyIdentifier", buyer.identifier, 35))
        # Required for consumers too: the person's name.
        self.sub(party, "BuyerOrganisationName", self.text("BuyerOrganisationName", buyer.name, 70, 2))
        if buyer.vat:
            self.sub(party, "BuyerOrganisationTaxCode", self.text("BuyerOrganisationTaxCode", buyer.vat, 35))
        if buyer.address:
            self.write_address(party, "BuyerPostalAddressDetails", "Buyer", buyer.address)
        if buyer.unit_number:
            self.sub(
                root,
                "BuyerOrganisationUnitNumber",
                self.text("BuyerOrganisationUnitNumber", buyer.unit_number, 35),
            )
        if buyer.phone or buyer.email:
            communication = self.sub(root, "BuyerCommunicationDetails")
            if buyer.phone:
                self.sub(communication, "BuyerPhoneNumberIdentifier", self.cut(buyer.phone, 35))
            if buyer.email:
                self.sub(communication, "BuyerEmailaddressIdentifier", self.cut(buyer.email, 70))

    def write_details(self, root):
        invoice = self.invoice
        details = self.sub(root, "InvoiceDetails")
        if invoice.is_direct_payment:
            if invoice.is_credit_note:
                self.fail("InvoiceTypeCode", "a credit note cannot be a direct payment")
            self.text("EpiPaymentInstructionId", invoice.payment_instruction_id, 35)
            self.text("EpiRemittanceInfoIdentifier", invoice.payment_reference, 35)
            self.sub(details, "InvoiceTypeCode", DIRECT_PAYMENT)
            self.sub(details, "InvoiceTypeCodeUN", "380")
            self.sub(details, "InvoiceTypeText", "SUORAMAKSU")
        elif invoice.is_credit_note:
            self.sub(details, "InvoiceTypeCode", CREDIT_NOTE)
            self.sub(details, "InvoiceTypeCodeUN", "381")
            self.sub(details, "InvoiceTypeText", "HYVITYSLASKU")
        else:
            self.sub(details, "InvoiceTypeCode", INVOICE)
            self.sub(details, "InvoiceTypeCodeUN", "380")
            self.sub(details, "InvoiceTypeText", "LASKU")
        self.sub(details, "OriginCode", "Original")
        self.sub(details, "InvoiceNumber", self.text("InvoiceNumber", invoice.number, 20))
        self.date(details, "InvoiceDate", invoice.date)
        if invoice.original_invoice_number:
            self.sub(
                details,
                "OriginalInvoiceNumber",
                self.text("OriginalInvoiceNumber", invoice.original_invoice_number, 20),
            )
            if invoice.original_invoice_date:
                self.date(details, "OriginalInvoiceDate", invoice.original_invoice_date)
        if invoice.sellers_buyer_identifier:
            self.sub(
                details,
                "SellersBuyerIdentifier",
                self.text("SellersBuyerIdentifier", invoice.sellers_buyer_identifier, 35),
            )
        if invoice.order_identifier:
            self.sub(details, "OrderIdentifier", self.cut(invoice.order_identifier, 70))
        if invoice.buyer_reference:
            self.sub(details, "BuyerReferenceIdentifier", self.cut(invoice.buyer_reference, 70))
        self.amount(details, "InvoiceTotalVatExcludedAmount", invoice.total_excluded)
        self.amount(details, "InvoiceTotalVatAmount", invoice.total_vat)
        self.amount(details, "InvoiceTotalVatIncludedAmount", invoice.total_included)
        for summary in invoice.vat_summaries:
            vat = self.sub(details, "VatSpecificationDetails")
            self.amount(vat, "VatBaseAmount", summary.base)
            self.sub(vat, "VatRatePercent", format_decimal(summary.percent))
            self.sub(vat, "VatCode", summary.vat_code)
            self.amount(vat, "VatRateAmount", summary.amount)
        for free_text in invoice.free_texts:
            if free_text and free_text.strip():
                self.sub(details, "InvoiceFreeText", self.cut(free_text, 512))
        terms = self.sub(details, "PaymentTermsDetails")
        if invoice.payment_terms_text:
            self.sub(terms, "PaymentTermsFreeText", self.cut(invoice.payment_terms_text, 70))
        self.date(terms, "InvoiceDueDate", invoice.due_date)
        if invoice.overdue_fine_percent is not None:
            fine = self.sub(terms, "PaymentOverDueFineDetails")
            self.sub(fine, "PaymentOverDueFinePercent", format_decimal(invoice.overdue_fine_percent))

    def write_row(self, root, line):
        row = self.sub(root, "InvoiceRow")
        if line.article_identifier:
            self.sub(row, "ArticleIdentifier", self.cut(line.article_identifier, 70))
        self.sub(row, "ArticleName", self.cut(line.name, 100) or "-")
        attributes = {"QuantityUnitCodeUN": line.unit_code} if line.unit_code else {}
        self.sub(row, "InvoicedQuantity", format_decimal(line.quantity * self.sign), **attributes)
        self.sub(
            row,
            "UnitPriceAmount",
            format_unit_price(line.unit_price),
            AmountCurrencyIdentifier=self.invoice.currency,
        )
        if line.discount_percent:
            self.sub(row, "RowDiscountPercent", format_decimal(line.discount_percent))
        self.sub(row, "RowVatRatePercent", format_decimal(line.vat_percent))
        self.sub(row, "RowVatCode", line.vat_code)
        self.amount(row, "RowVatAmount", line.vat_amount)
        self.amount(row, "RowVatExcludedAmount", line.amount_excluded)
        self.amount(row, "RowAmount", line.amount_included)

    def write_epi(self, root):
        invoice = self.invoice
        epi = self.sub(root, "EpiDetails")
        identification = self.sub(epi, "EpiIdentificationDetails")
        self.date(identification, "EpiDate", invoice.date)
        # EpiReference is an NMTOKEN ("/" is not allowed): the invoice number goes elsewhere.
        self.sub(identification, "EpiReference", "")
        account = invoice.seller_accounts[0]
        parties = self.sub(epi, "EpiPartyDetails")
        bank = self.sub(parties, "EpiBfiPartyDetails")
        self.sub(
            bank,
            "EpiBfiIdentifier",
            self.bic("EpiBfiIdentifier", account.bic),
            IdentificationSchemeName="BIC",
        )
        beneficiary = self.sub(parties, "EpiBeneficiaryPartyDetails")
        beneficiary_name = self.cut(invoice.seller.name, 35)
        if len(beneficiary_name) >= 2:
            self.sub(beneficiary, "EpiNameAddressDetails", beneficiary_name)
        self.sub(
            beneficiary,
            "EpiAccountID",
            self.iban("EpiAccountID", account.iban),
            IdentificationSchemeName="IBAN",
        )
        instruction = self.sub(epi, "EpiPaymentInstructionDetails")
        if invoice.payment_instruction_id:
            self.sub(
                instruction,
                "EpiPaymentInstructionId",
                self.text("EpiPaymentInstructionId", invoice.payment_instruction_id, 35),
            )
        if invoice.payment_reference:
            scheme, reference = references.reference_scheme(invoice.payment_reference)
            if not scheme:
                self.fail(
                    "EpiRemittanceInfoIdentifier",
                    "is neither a Finnish reference number nor an RF creditor reference",
                )
            self.sub(instruction, "EpiRemittanceInfoIdentifier", reference, IdentificationSchemeName=scheme)
        self.sub(
            instruction,
            "EpiInstructedAmount",
            format_amount(invoice.total_included * self.sign),
            AmountCurrencyIdentifier=invoice.currency,
        )
        self.sub(instruction, "EpiCharge", "SHA", ChargeOption="SHA")
        self.date(instruction, "EpiDateOptionDate", invoice.due_date)


def build_finvoice(invoice, encoding="UTF-8"):
    """Return the Finvoice 3.0 document for ``invoice`` as bytes in ``encoding``.

    ``encoding`` is ``UTF-8`` or ``ISO-8859-15`` (some operators still require the latter;
    characters outside it are written as character references). Raises FinvoiceDataError
    naming the Finvoice element when the data cannot make a valid message.
    """
    if encoding not in ENCODINGS:
        raise ValueError(f"Unsupported encoding {encoding!r}: use one of {', '.join(ENCODINGS)}")
    root = _Writer(invoice).build()
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>\n'.encode("ascii")
    return declaration + etree.tostring(root, encoding=encoding, pretty_print=True, xml_declaration=False)
