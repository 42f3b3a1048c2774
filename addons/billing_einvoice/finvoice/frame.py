"""The SOAP/ebXML transmission frame that precedes each Finvoice message in a bank file.

Banks and operators route a Finvoice message by this frame (ebXML Message Service 2.0
header inside a SOAP 1.1 envelope): ``eb:From`` holds the sender's e-invoice address
(role ``Sender``) and its intermediator (role ``Intermediator``), ``eb:To`` the same for
the receiver, and ``eb:MessageData/eb:MessageId`` equals the Finvoice
``MessageIdentifier`` that the manifest references.
"""

import dataclasses
import datetime

from lxml import etree

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
EB_NS = "http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd"
XLINK_NS = "http://www.w3.org/1999/xlink"
FINVOICE_SCHEMA_LOCATION = "http://www.finanssiala.fi/finvoice/Finvoice3.0.xsd"
_NSMAP = {"SOAP-ENV": SOAP_NS, "eb": EB_NS, "xlink": XLINK_NS}


@dataclasses.dataclass(kw_only=True)
class Frame:
    message_identifier: str
    timestamp: datetime.datetime
    from_identifier: str
    from_intermediator: str
    to_identifier: str
    to_intermediator: str
    cpa_id: str = "yoursandmycpa"


def _eb(tag):
    return f"{{{EB_NS}}}{tag}"


def _party(header, tag, party_id, role):
    party = etree.SubElement(header, _eb(tag))
    etree.SubElement(party, _eb("PartyId")).text = party_id
    etree.SubElement(party, _eb("Role")).text = role


def build_soap_frame(frame, encoding="UTF-8"):
    """Return the SOAP envelope (with its XML declaration) for one Finvoice message."""
    for name in (
        "message_identifier",
        "from_identifier",
        "from_intermediator",
        "to_identifier",
        "to_intermediator",
    ):
        if not (getattr(frame, name) or "").strip():
            raise ValueError(f"the transmission frame needs {name}")
    envelope = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap=_NSMAP)
    header = etree.SubElement(
        etree.SubElement(envelope, f"{{{SOAP_NS}}}Header"),
        _eb("MessageHeader"),
        {f"{{{SOAP_NS}}}mustUnderstand": "1", _eb("version"): "2.0"},
    )
    _party(header, "From", frame.from_identifier, "Sender")
    _party(header, "From", frame.from_intermediator, "Intermediator")
    _party(header, "To", frame.to_identifier, "Receiver")
    _party(header, "To", frame.to_intermediator, "Intermediator")
    etree.SubElement(header, _eb("CPAId")).text = frame.cpa_id
    etree.SubElement(header, _eb("ConversationId"))
    etree.SubElement(header, _eb("Service")).text = "Routing"
    etree.SubElement(header, _eb("Action")).text = "ProcessInvoice"
    data = etree.SubElement(header, _eb("MessageData"))
    etree.SubElement(data, _eb("MessageId")).text = frame.message_identifier
    etree.SubElement(data, _eb("Timestamp")).text = frame.timestamp.replace(microsecond=0).isoformat()
    body = etree.SubElement(envelope, f"{{{SOAP_NS}}}Body")
    manifest = etree.SubElement(body, _eb("Manifest"), {_eb("id"): "Manifest", _eb("version"): "2.0"})
    reference = etree.SubElement(
        manifest,
        _eb("Reference"),
        {_eb("id"): "Finvoice", f"{{{XLINK_NS}}}href": frame.message_identifier},
    )
    etree.SubElement(
        reference, _eb("Schema"), {_eb("location"): FINVOICE_SCHEMA_LOCATION, _eb("version"): "3.0"}
    )
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>\n'.encode("ascii")
    return declaration + etree.tostring(envelope, encoding=encoding, pretty_print=True, xml_declaration=False)


def build_batch_file(messages):
    """Concatenate ``(frame bytes, finvoice bytes)`` pairs into one file for bank upload.

    Banks take one file holding, for each invoice, its SOAP frame followed by the
    Finvoice document; every part keeps its own XML declaration. All parts must share
    one encoding.
    """
    return b"".join(frame + finvoice for frame, finvoice in messages)
