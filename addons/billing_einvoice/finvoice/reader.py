"""The one hardened XML parse of billing_einvoice, for every document it reads.

Written the same way as billing_sepa's ``sepa/xml_reader.py``. :func:`parse_xml` reads what
comes from outside (RI files and their frames, SenderInfo); :func:`safe_parser` is the parser
behind it, which also reads the addon's own documents and the installed XSDs. A document is
refused, with an :class:`UnsafeXmlError`, when it is

- empty or bigger than ``max_size`` bytes (checked before anything is parsed);
- in UTF-16 (no bank or operator sends it, and it would hide a DOCTYPE from the byte check);
- carrying a DOCTYPE (internal or external DTD: entities, XXE, "billion laughs"), looked for in
  the bytes before parsing and in the parsed document;
- not well-formed XML, or truncated;
- holding a text or attribute value longer than ``max_text_length`` characters.

The parser resolves no entities, loads no DTD, never touches the network and keeps libxml2's
limits on huge trees.
"""

import re

from lxml import etree

MAX_BYTES = 10 * 1024 * 1024
# No field of a Finvoice, ReceiverInfo or SenderInfo message comes near this (the longest,
# free texts, are 512 characters); libxml2 enforces its own 10 MB limit only on some kinds of
# text node, so the tree is checked after parsing as well.
MAX_TEXT_LENGTH = 100_000
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
# One pass in libxml2 over every text and attribute value (string-length counts characters).
_LONG_VALUE = "boolean(//text()[string-length() > $limit] | //@*[string-length() > $limit])"


class UnsafeXmlError(ValueError):
    """The document was refused before or while parsing; the text says why.

    ``reason`` is a stable code for the caller (``empty``, ``too_large``, ``encoding``,
    ``doctype``, ``not_xml``, ``text_too_long``).
    """

    def __init__(self, message, *, reason="not_xml"):
        super().__init__(message)
        self.reason = reason


def safe_parser():
    """No entities, no DTD, no network, no huge trees. A new parser per call (not thread-safe)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
        remove_comments=True,
    )


def parse_xml(data, *, max_size=None, max_text_length=MAX_TEXT_LENGTH):
    """Return the root element of ``data`` (bytes), or raise :class:`UnsafeXmlError`.

    ``max_size`` defaults to :data:`MAX_BYTES` (read when called, so that it can be changed).
    """
    max_size = MAX_BYTES if max_size is None else max_size
    if not isinstance(data, bytes | bytearray | memoryview):
        raise UnsafeXmlError("the document must be given as bytes", reason="not_xml")
    data = bytes(data)
    if len(data) > max_size:
        raise UnsafeXmlError(
            f"the document is {len(data)} bytes, more than the limit of {max_size} bytes", reason="too_large"
        )
    if not data.strip():
        raise UnsafeXmlError("the document is empty", reason="empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnsafeXmlError("UTF-16 documents are not accepted: use UTF-8 or ISO-8859-15", reason="encoding")
    if _DOCTYPE.search(data):
        raise UnsafeXmlError(
            "the document has a DOCTYPE declaration, which is refused (entities are not allowed)",
            reason="doctype",
        )
    try:
        root = etree.fromstring(data, parser=safe_parser())
    except etree.XMLSyntaxError as error:
        raise UnsafeXmlError(f"the document is not well-formed XML: {error}", reason="not_xml") from error
    except (ValueError, LookupError) as error:
        # lxml refuses some encoding declarations itself before libxml2 sees the bytes.
        raise UnsafeXmlError(f"the document's encoding cannot be read: {error}", reason="encoding") from error
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnsafeXmlError("the document has a DOCTYPE declaration, which is refused", reason="doctype")
    if root.xpath(_LONG_VALUE, limit=max_text_length):
        raise UnsafeXmlError(
            f"the document holds a value longer than {max_text_length} characters", reason="text_too_long"
        )
    return root
