"""SenderInfo (SI, invoicer notification, laskuttajailmoitus): writer and structural check.

One SI goes to every Finnish bank; it announces (ADD), changes (CHANGE, with the ``New…``
fields) or withdraws (DELETE) one billing subject of the invoicer. Element names and order
follow shared/domain/einvoice.md §2.2 (py-finvoice bindings and the FA SenderInfo XSL).

No SenderInfo XSD is available offline (it is not shipped by any package we can install),
so :func:`check_structure` is a structural check written with lxml: root, required blocks in
their order, required elements, code values and lengths. **Verify** against the FA XSD.
"""

import dataclasses
import datetime

from lxml import etree

from . import reader

ACTIONS = ("ADD", "CHANGE", "DELETE")
# SellerInvoiceIdentifierType values seen in samples (verify against the FA code list).
IDENTIFIER_REFERENCE = "02"
IDENTIFIER_CUSTOMER_NUMBER = "09"
LANGUAGES = ("FI", "SV", "EN")
TOP_LEVEL_ORDER = (
    "MessageDetails",
    "SellerPartyDetails",
    "SellerOrganisationUnitNumber",
    "InvoiceSenderInformationDetails",
    "SellerAccountDetails",
    "SellerInvoiceDetails",
)
REQUIRED_TOP_LEVEL = (
    "MessageDetails",
    "SellerPartyDetails",
    "InvoiceSenderInformationDetails",
    "SellerInvoiceDetails",
)


class SenderInfoError(ValueError):
    def __init__(self, message, *, field=""):
        super().__init__(message)
        self.field = field


@dataclasses.dataclass(kw_only=True)
class Account:
    iban: str
    bic: str
    new_iban: str = ""
    new_bic: str = ""


@dataclasses.dataclass(kw_only=True)
class IdentifierRequest:
    """What the consumer types in the netbank: ``type`` 02 (reference) or 09 (customer number)."""

    type: str
    texts: dict  # language code -> the label shown to the consumer
    min_length: int = 1
    max_length: int = 35


@dataclasses.dataclass(kw_only=True)
class SenderInfo:
    action: str
    message_identifier: str
    sender_info_identifier: str
    message_date: datetime.date
    seller_identifier: str  # Y-tunnus
    names: dict  # language code -> consumer-facing name
    bank_name: str = ""
    street: str = ""
    town: str = ""
    post_code: str = ""
    country_code: str = "FI"
    web_address: str = ""
    sender_address: str = ""
    sender_intermediator: str = ""
    new_sender_address: str = ""
    new_sender_intermediator: str = ""
    accounts: list = dataclasses.field(default_factory=list)
    direct_payment_identifier: str = ""
    payment_instruction_identifier: str = ""
    free_texts: dict = dataclasses.field(default_factory=dict)
    identifiers: list = dataclasses.field(default_factory=list)
    proposed_due_date_accepted: bool = False


def _sub(parent, tag, text=None, **attributes):
    element = etree.SubElement(parent, tag, {k: v for k, v in attributes.items() if v not in (None, "")})
    if text is not None:
        element.text = str(text)
    return element


def build_sender_info(info, encoding="UTF-8"):
    """Return the SI document (bytes with XML declaration), checked by :func:`check_structure`."""
    if info.action not in ACTIONS:
        raise SenderInfoError(f"unknown action {info.action!r}: use ADD, CHANGE or DELETE", field="action")
    root = etree.Element("FinvoiceSenderInfo", Version="2.0")
    details = _sub(root, "MessageDetails")
    _sub(details, "MessageTypeCode", "SENDERINFO")
    _sub(details, "MessageTypeText", "INVOICER NOTIFICATION")
    _sub(details, "MessageActionCode", info.action)
    _sub(details, "MessageActionCodeIdentifier", info.message_identifier)
    _sub(details, "MessageDate", info.message_date.strftime("%Y%m%d"), Format="CCYYMMDD")
    _sub(details, "SenderInfoIdentifier", info.sender_info_identifier)

    seller = _sub(root, "SellerPartyDetails")
    _sub(seller, "SellerPartyIdentifier", info.seller_identifier)
    for language in LANGUAGES:
        if name := (info.names.get(language) or "").strip():
            names = _sub(seller, "SellerOrganisationNames", LanguageCode=language)
            _sub(names, "SellerOrganisationName", name[:70])
    if info.bank_name:
        _sub(seller, "SellerOrganisationBankName", info.bank_name[:35])
    if info.street or info.town:
        address = _sub(seller, "SellerPostalAddressDetails")
        _sub(address, "SellerStreetName", info.street[:35])
        _sub(address, "SellerTownName", info.town[:35])
        _sub(address, "SellerPostCodeIdentifier", info.post_code)
        _sub(address, "CountryCode", info.country_code)

    sender = _sub(root, "InvoiceSenderInformationDetails")
    if info.web_address:
        _sub(sender, "SellerWebaddressText", info.web_address)
    _sub(sender, "InvoiceSenderAddress", info.sender_address)
    _sub(sender, "InvoiceSenderIntermediatorAddress", info.sender_intermediator)
    if info.action == "CHANGE":
        if info.new_sender_address:
            _sub(sender, "NewInvoiceSenderAddress", info.new_sender_address)
        if info.new_sender_intermediator:
            _sub(sender, "NewInvoiceSenderIntermediatorAddress", info.new_sender_intermediator)

    for account in info.accounts:
        block = _sub(root, "SellerAccountDetails")
        _sub(block, "SellerAccountID", account.iban.replace(" ", ""), IdentificationSchemeName="IBAN")
        _sub(block, "SellerBic", account.bic, IdentificationSchemeName="BIC")
        if info.action == "CHANGE" and account.new_iban:
            _sub(
                block,
                "NewSellerAccountID",
                account.new_iban.replace(" ", ""),
                IdentificationSchemeName="IBAN",
            )
            _sub(block, "NewSellerBic", account.new_bic, IdentificationSchemeName="BIC")

    invoice = _sub(root, "SellerInvoiceDetails")
    if info.direct_payment_identifier:
        _sub(invoice, "SellerDirectPaymentIdentifier", info.direct_payment_identifier)
    _sub(invoice, "PaymentInstructionIdentifier", info.payment_instruction_identifier)
    for language in LANGUAGES:
        if text := (info.free_texts.get(language) or "").strip():
            _sub(invoice, "SellerInstructionFreeText", text[:420], LanguageCode=language)
    for request in info.identifiers:
        type_details = _sub(invoice, "SellerInvoiceTypeDetails")
        for language in LANGUAGES:
            if text := (request.texts.get(language) or "").strip():
                _sub(
                    type_details,
                    "SellerInvoiceIdentifierText",
                    text[:35],
                    LanguageCode=language,
                    SellerInvoiceIdentifierType=request.type,
                    SellerInvoiceIdentifierMinLength=str(request.min_length),
                    SellerInvoiceIdentifierMaxLength=str(request.max_length),
                    SellerInvoiceIdentifierHyphens="NO",
                    SellerInvoiceIdentifierSpaces="NO",
                )
    _sub(invoice, "ProposedDueDateAccepted", "YES" if info.proposed_due_date_accepted else "NO")
    _sub(invoice, "ProposedInvoicePeriodAccepted", "NO")

    xml = etree.tostring(root, encoding=encoding, xml_declaration=True, pretty_print=True)
    check_structure(xml)
    return xml


def _text(element, path):
    found = element.find(path)
    return (found.text or "").strip() if found is not None and found.text else ""


def check_structure(xml):
    """Raise :class:`SenderInfoError` unless ``xml`` has the SI structure of the domain note.

    A structural lxml check, not an XSD validation: no SenderInfo XSD is available offline.
    """
    root = reader.parse_xml(xml)
    if root.tag != "FinvoiceSenderInfo":
        raise SenderInfoError(
            f"the root element is {root.tag}, not FinvoiceSenderInfo", field="FinvoiceSenderInfo"
        )
    tags = [child.tag for child in root]
    for tag in REQUIRED_TOP_LEVEL:
        if tag not in tags:
            raise SenderInfoError(f"{tag} is missing", field=tag)
    positions = [TOP_LEVEL_ORDER.index(tag) if tag in TOP_LEVEL_ORDER else -1 for tag in tags]
    if -1 in positions:
        raise SenderInfoError(
            f"unexpected element {tags[positions.index(-1)]}", field=tags[positions.index(-1)]
        )
    if positions != sorted(positions):
        raise SenderInfoError("the top-level elements are not in the order " + ", ".join(TOP_LEVEL_ORDER))
    details = root.find("MessageDetails")
    if _text(details, "MessageTypeCode") != "SENDERINFO":
        raise SenderInfoError("MessageTypeCode must be SENDERINFO", field="MessageTypeCode")
    action = _text(details, "MessageActionCode")
    if action not in ACTIONS:
        raise SenderInfoError("MessageActionCode must be ADD, CHANGE or DELETE", field="MessageActionCode")
    for tag, low, high in (("MessageActionCodeIdentifier", 2, 48), ("SenderInfoIdentifier", 1, 35)):
        if not low <= len(_text(details, tag)) <= high:
            raise SenderInfoError(f"{tag} must have {low} to {high} characters", field=tag)
    seller = root.find("SellerPartyDetails")
    if not _text(seller, "SellerPartyIdentifier"):
        raise SenderInfoError("SellerPartyIdentifier (business id) is missing", field="SellerPartyIdentifier")
    if seller.find("SellerOrganisationNames/SellerOrganisationName") is None:
        raise SenderInfoError("the invoicer needs a name for the consumers", field="SellerOrganisationName")
    sender = root.find("InvoiceSenderInformationDetails")
    for tag in ("InvoiceSenderAddress", "InvoiceSenderIntermediatorAddress"):
        if not _text(sender, tag):
            raise SenderInfoError(f"{tag} is missing", field=tag)
    if action == "CHANGE" and not (
        _text(sender, "NewInvoiceSenderAddress")
        or _text(sender, "NewInvoiceSenderIntermediatorAddress")
        or root.find("SellerAccountDetails/NewSellerAccountID") is not None
    ):
        raise SenderInfoError("a CHANGE needs at least one New… value", field="NewInvoiceSenderAddress")
    accounts = root.findall("SellerAccountDetails")
    if action != "DELETE" and not accounts:
        raise SenderInfoError(
            "list every account that receives payments (SellerAccountDetails)", field="SellerAccountDetails"
        )
    for account in accounts:
        if not (_text(account, "SellerAccountID") and _text(account, "SellerBic")):
            raise SenderInfoError(
                "SellerAccountDetails needs both SellerAccountID and SellerBic", field="SellerAccountID"
            )
    invoice = root.find("SellerInvoiceDetails")
    if not _text(invoice, "PaymentInstructionIdentifier"):
        raise SenderInfoError(
            "PaymentInstructionIdentifier (billing subject code) is missing",
            field="PaymentInstructionIdentifier",
        )
    types = {
        element.get("SellerInvoiceIdentifierType")
        for element in invoice.findall("SellerInvoiceTypeDetails/SellerInvoiceIdentifierText")
    }
    if action != "DELETE" and not types:
        raise SenderInfoError(
            "say which identifier the consumer types (SellerInvoiceTypeDetails)",
            field="SellerInvoiceTypeDetails",
        )
    if types - {IDENTIFIER_REFERENCE, IDENTIFIER_CUSTOMER_NUMBER}:
        raise SenderInfoError(
            "SellerInvoiceIdentifierType must be 02 or 09", field="SellerInvoiceIdentifierType"
        )
    if _text(invoice, "ProposedDueDateAccepted") not in ("YES", "NO"):
        raise SenderInfoError("ProposedDueDateAccepted must be YES or NO", field="ProposedDueDateAccepted")
    return True
