"""ReceiverProposal (RP, vastaanottoehdotus): writer and structural check.

The invoicer proposes e-invoicing to a consumer who gave their bank details (a new sale, a
customer-service call): the proposal travels through the invoicer's bank to the consumer's
netbank, and once the consumer approves it the invoicer receives an ordinary ReceiverInfo ADD
carrying the same ``SenderInfoIdentifier`` and the identifier proposed here. Element names and
order follow shared/domain/einvoice.md §2.4 and the SenderInfo of ``sender_info``; the root
element name and the message type code follow the SI and RI ones.

No ReceiverProposal XSD is available offline, so :func:`check_structure` is a structural lxml
check (root, blocks in order, required elements and lengths). **Verify** against the FA XSD.
"""

import dataclasses
import datetime

from lxml import etree

from . import reader
from .sender_info import (
    IDENTIFIER_CUSTOMER_NUMBER,
    IDENTIFIER_REFERENCE,
    LANGUAGES,
    _sub,  # the same element writer as the SenderInfo
)

MESSAGE_TYPE_CODE = "RECEIVERPROPOSAL"
TOP_LEVEL_ORDER = (
    "MessageDetails",
    "SellerPartyDetails",
    "SellerOrganisationUnitNumber",
    "InvoiceSenderInformationDetails",
    "SellerInvoiceDetails",
    "BuyerPartyDetails",
    "InvoiceRecipientDetails",
    "RPFreeText",
)
REQUIRED_TOP_LEVEL = (
    "MessageDetails",
    "SellerPartyDetails",
    "InvoiceSenderInformationDetails",
    "SellerInvoiceDetails",
    "BuyerPartyDetails",
    "InvoiceRecipientDetails",
)


class ReceiverProposalError(ValueError):
    def __init__(self, message, *, field=""):
        super().__init__(message)
        self.field = field


@dataclasses.dataclass(kw_only=True)
class ReceiverProposal:
    message_identifier: str
    sender_info_identifier: str
    message_date: datetime.date
    seller_identifier: str  # Y-tunnus
    names: dict  # language code -> consumer-facing name of the billing subject
    sender_address: str
    sender_intermediator: str
    payment_instruction_identifier: str  # billing subject code
    buyer_name: str
    street: str = ""
    town: str = ""
    post_code: str = ""
    country_code: str = "FI"
    # The consumer's account (IBAN) and their bank's BIC: where the netbank shows the proposal.
    recipient_address: str
    recipient_intermediator: str
    # What the consumer would otherwise type: 09 customer number or 02 reference number.
    seller_invoice_identifier: str
    seller_invoice_identifier_type: str = IDENTIFIER_CUSTOMER_NUMBER
    language_code: str = "FI"
    free_text: str = ""


def build_receiver_proposal(proposal, encoding="UTF-8"):
    """Return the RP document (bytes with XML declaration), checked by :func:`check_structure`."""
    root = etree.Element("FinvoiceReceiverProposal", Version="2.0")
    details = _sub(root, "MessageDetails")
    _sub(details, "MessageTypeCode", MESSAGE_TYPE_CODE)
    _sub(details, "MessageTypeText", "RECEIVER PROPOSAL")
    _sub(details, "MessageActionCode", "ADD")
    _sub(details, "MessageActionCodeIdentifier", proposal.message_identifier)
    _sub(details, "MessageDate", proposal.message_date.strftime("%Y%m%d"), Format="CCYYMMDD")
    _sub(details, "SenderInfoIdentifier", proposal.sender_info_identifier)

    seller = _sub(root, "SellerPartyDetails")
    _sub(seller, "SellerPartyIdentifier", proposal.seller_identifier)
    for language in LANGUAGES:
        if name := (proposal.names.get(language) or "").strip():
            names = _sub(seller, "SellerOrganisationNames", LanguageCode=language)
            _sub(names, "SellerOrganisationName", name[:70])

    sender = _sub(root, "InvoiceSenderInformationDetails")
    _sub(sender, "InvoiceSenderAddress", proposal.sender_address)
    _sub(sender, "InvoiceSenderIntermediatorAddress", proposal.sender_intermediator)

    invoice = _sub(root, "SellerInvoiceDetails")
    _sub(invoice, "PaymentInstructionIdentifier", proposal.payment_instruction_identifier)

    buyer = _sub(root, "BuyerPartyDetails")
    _sub(buyer, "BuyerOrganisationName", proposal.buyer_name[:70])
    if proposal.street or proposal.town:
        address = _sub(buyer, "BuyerPostalAddressDetails")
        _sub(address, "BuyerStreetName", proposal.street[:35])
        _sub(address, "BuyerTownName", proposal.town[:35])
        _sub(address, "BuyerPostCodeIdentifier", proposal.post_code)
        _sub(address, "CountryCode", proposal.country_code)

    recipient = _sub(root, "InvoiceRecipientDetails")
    _sub(recipient, "InvoiceRecipientAddress", proposal.recipient_address.replace(" ", ""))
    _sub(recipient, "InvoiceRecipientIntermediatorAddress", proposal.recipient_intermediator)
    _sub(
        recipient,
        "SellerInvoiceIdentifier",
        proposal.seller_invoice_identifier,
        SellerInvoiceIdentifierType=proposal.seller_invoice_identifier_type,
    )
    if proposal.language_code:
        _sub(recipient, "InvoiceRecipientLanguageCode", proposal.language_code)
    if proposal.free_text.strip():
        _sub(root, "RPFreeText", proposal.free_text.strip()[:420])

    xml = etree.tostring(root, encoding=encoding, xml_declaration=True, pretty_print=True)
    check_structure(xml)
    return xml


def _text(element, path):
    found = element.find(path) if element is not None else None
    return (found.text or "").strip() if found is not None and found.text else ""


def check_structure(xml):
    """Raise :class:`ReceiverProposalError` unless ``xml`` has the RP structure of the domain note."""
    root = reader.parse_xml(xml)
    if root.tag != "FinvoiceReceiverProposal":
        raise ReceiverProposalError(
            f"the root element is {root.tag}, not FinvoiceReceiverProposal", field="FinvoiceReceiverProposal"
        )
    tags = [child.tag for child in root]
    for tag in REQUIRED_TOP_LEVEL:
        if tag not in tags:
            raise ReceiverProposalError(f"{tag} is missing", field=tag)
    positions = [TOP_LEVEL_ORDER.index(tag) if tag in TOP_LEVEL_ORDER else -1 for tag in tags]
    if -1 in positions:
        unexpected = tags[positions.index(-1)]
        raise ReceiverProposalError(f"unexpected element {unexpected}", field=unexpected)
    if positions != sorted(positions):
        raise ReceiverProposalError(
            "the top-level elements are not in the order " + ", ".join(TOP_LEVEL_ORDER)
        )
    details = root.find("MessageDetails")
    if _text(details, "MessageTypeCode") != MESSAGE_TYPE_CODE:
        raise ReceiverProposalError(f"MessageTypeCode must be {MESSAGE_TYPE_CODE}", field="MessageTypeCode")
    for tag, low, high in (("MessageActionCodeIdentifier", 2, 48), ("SenderInfoIdentifier", 1, 35)):
        if not low <= len(_text(details, tag)) <= high:
            raise ReceiverProposalError(f"{tag} must have {low} to {high} characters", field=tag)
    if not _text(root, "SellerPartyDetails/SellerPartyIdentifier"):
        raise ReceiverProposalError(
            "SellerPartyIdentifier (business id) is missing", field="SellerPartyIdentifier"
        )
    for tag in ("InvoiceSenderAddress", "InvoiceSenderIntermediatorAddress"):
        if not _text(root, f"InvoiceSenderInformationDetails/{tag}"):
            raise ReceiverProposalError(f"{tag} is missing", field=tag)
    if not _text(root, "SellerInvoiceDetails/PaymentInstructionIdentifier"):
        raise ReceiverProposalError(
            "PaymentInstructionIdentifier (billing subject code) is missing",
            field="PaymentInstructionIdentifier",
        )
    if not 2 <= len(_text(root, "BuyerPartyDetails/BuyerOrganisationName")) <= 70:
        raise ReceiverProposalError(
            "BuyerOrganisationName (the consumer's name) must have 2 to 70 characters",
            field="BuyerOrganisationName",
        )
    recipient = root.find("InvoiceRecipientDetails")
    for tag in ("InvoiceRecipientAddress", "InvoiceRecipientIntermediatorAddress", "SellerInvoiceIdentifier"):
        if not 1 <= len(_text(recipient, tag)) <= 35:
            raise ReceiverProposalError(f"{tag} must have 1 to 35 characters", field=tag)
    identifier_type = recipient.find("SellerInvoiceIdentifier").get("SellerInvoiceIdentifierType")
    if identifier_type not in (IDENTIFIER_REFERENCE, IDENTIFIER_CUSTOMER_NUMBER):
        raise ReceiverProposalError(
            "SellerInvoiceIdentifierType must be 02 or 09", field="SellerInvoiceIdentifierType"
        )
    return True
