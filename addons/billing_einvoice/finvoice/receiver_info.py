"""ReceiverInfo (RI, e-invoice order or termination from a consumer's bank): file splitting and parser.

An RI file is a sequence of SOAP/ebXML envelope + message pairs (domain note §2.6), each part
with its own XML declaration and encoding (ISO-8859-15 or UTF-8). :func:`split_file` cuts it
into messages before any XML parsing; :func:`parse_message` reads one message through the
addon's hardened reader. Element names: shared/domain/einvoice.md §2.3 (**verify** against the FA XSD).
"""

import dataclasses
import hashlib
import itertools
import re

from . import frame as soap_frame
from . import reader

ACTIONS = ("ADD", "CHANGE", "DELETE")
_DECLARATION = re.compile(rb"<\?xml[^>]*\?>")
_ENVELOPE_END = re.compile(rb"</[A-Za-z0-9_.-]+:Envelope\s*>")
_ENVELOPE_START = re.compile(rb"<[A-Za-z0-9_.-]+:Envelope[\s>]")


class ReceiverInfoError(ValueError):
    """The message cannot be read as a ReceiverInfo; the text says why."""


@dataclasses.dataclass(kw_only=True)
class Part:
    """One message of a file: its frame (bytes or b"") and the message bytes."""

    frame: bytes
    message: bytes

    @property
    def digest(self):
        return hashlib.sha256(self.message).hexdigest()


@dataclasses.dataclass(kw_only=True)
class ReceiverInfo:
    action: str
    message_identifier: str
    sender_info_identifier: str
    seller_identifier: str = ""
    payment_instruction_identifier: str = ""
    timestamp: str = ""
    buyer_identifier: str = ""
    buyer_name: str = ""
    street: str = ""
    town: str = ""
    post_code: str = ""
    country_code: str = ""
    recipient_address: str = ""
    recipient_intermediator: str = ""
    seller_invoice_identifier: str = ""
    seller_invoice_identifier_type: str = ""
    language_code: str = ""
    proposed_due_date: str = ""
    direct_payment: bool = False


def split_file(data):
    """Return the :class:`Part` list of an RI file (bytes): frames paired with their messages.

    A file without frames holds one bare message per XML declaration.
    """
    if not isinstance(data, bytes):
        raise ReceiverInfoError("the file must be given as bytes")
    chunks = []
    starts = [match.start() for match in _DECLARATION.finditer(data)]
    if not starts or data[: starts[0]].strip():
        starts.insert(0, 0)
    bounds = [*starts, len(data)]
    for begin, end in itertools.pairwise(bounds):
        chunk = data[begin:end]
        # An envelope directly followed by its message, without a declaration between them.
        if (match := _ENVELOPE_END.search(chunk)) and chunk[match.end() :].strip():
            chunks += [chunk[: match.end()], chunk[match.end() :]]
        elif chunk.strip():
            chunks.append(chunk)
    parts = []
    pending_frame = b""
    for chunk in chunks:
        body = _DECLARATION.sub(b"", chunk, count=1).lstrip()
        if _ENVELOPE_START.match(body):
            if pending_frame:
                raise ReceiverInfoError("the file has a transmission frame without its message")
            pending_frame = chunk
            continue
        parts.append(Part(frame=pending_frame, message=chunk.strip()))
        pending_frame = b""
    if pending_frame:
        raise ReceiverInfoError("the file ends with a transmission frame without its message (truncated?)")
    if not parts:
        raise ReceiverInfoError("the file holds no message")
    return parts


def _local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _find(element, *path):
    for name in path:
        if element is None:
            return None
        element = next((child for child in element if _local(child.tag) == name), None)
    return element


def _text(element, *path):
    found = _find(element, *path)
    return (found.text or "").strip() if found is not None else ""


def frame_message_id(frame_bytes):
    """The eb:MessageId of a frame, or "" (the frame is read by the same hardened reader)."""
    if not frame_bytes:
        return ""
    root = reader.parse_xml(frame_bytes)
    found = root.find(f".//{{{soap_frame.EB_NS}}}MessageData/{{{soap_frame.EB_NS}}}MessageId")
    return (found.text or "").strip() if found is not None else ""


def parse_message(part):
    """Return the :class:`ReceiverInfo` of one :class:`Part`, or raise :class:`ReceiverInfoError`."""
    try:
        frame_id = frame_message_id(part.frame)
        root = reader.parse_xml(part.message)
    except reader.UnsafeXmlError as error:
        raise ReceiverInfoError(str(error)) from error
    details = _find(root, "MessageDetails")
    type_code = _text(details, "MessageTypeCode")
    if _local(root.tag) not in ("FinvoiceReceiverInfo", "ReceiverInfo") and type_code != "RECEIVERINFO":
        raise ReceiverInfoError(f"the message is a {_local(root.tag)}, not a ReceiverInfo")
    if details is None:
        raise ReceiverInfoError("MessageDetails is missing")
    action = _text(details, "MessageActionCode").upper()
    if action not in ACTIONS:
        raise ReceiverInfoError(f"MessageActionCode {action or '(empty)'} is not ADD, CHANGE or DELETE")
    sender_info_identifier = _text(details, "SenderInfoIdentifier")
    if not sender_info_identifier:
        raise ReceiverInfoError("SenderInfoIdentifier is missing: the order names no billing subject")
    message_identifier = (
        _text(details, "MessageIdentifier") or _text(details, "MessageActionCodeIdentifier") or frame_id
    )
    buyer = _find(root, "BuyerPartyDetails")
    address = _find(buyer, "BuyerPostalAddressDetails")
    recipient = _find(root, "InvoiceRecipientDetails")
    identifier = _find(recipient, "SellerInvoiceIdentifier")
    info = ReceiverInfo(
        action=action,
        message_identifier=message_identifier,
        sender_info_identifier=sender_info_identifier,
        seller_identifier=_text(root, "SellerPartyDetails", "SellerPartyIdentifier"),
        payment_instruction_identifier=_text(root, "SellerInvoiceDetails", "PaymentInstructionIdentifier"),
        timestamp=_text(root, "ReceiverInfoTimeStamp"),
        buyer_identifier=_text(buyer, "BuyerPartyIdentifier"),
        buyer_name=_text(buyer, "BuyerOrganisationName"),
        street=_text(address, "BuyerStreetName"),
        town=_text(address, "BuyerTownName"),
        post_code=_text(address, "BuyerPostCodeIdentifier"),
        country_code=_text(address, "CountryCode"),
        recipient_address=_text(recipient, "InvoiceRecipientAddress"),
        recipient_intermediator=_text(recipient, "InvoiceRecipientIntermediatorAddress"),
        seller_invoice_identifier=(identifier.text or "").strip() if identifier is not None else "",
        seller_invoice_identifier_type=(identifier.get("SellerInvoiceIdentifierType") or "")
        if identifier is not None
        else "",
        language_code=_text(recipient, "InvoiceRecipientLanguageCode"),
        proposed_due_date=_text(root, "ProposedDueDate"),
        direct_payment=bool(_text(root, "SellerInvoiceDetails", "SellerDirectPaymentIdentifier")),
    )
    if action in ("ADD", "CHANGE") and not (info.recipient_address and info.recipient_intermediator):
        raise ReceiverInfoError(
            "an ADD or CHANGE needs InvoiceRecipientAddress and InvoiceRecipientIntermediatorAddress"
        )
    return info
