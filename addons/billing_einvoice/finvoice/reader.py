"""The one reader of the addon for XML that comes from outside (RI files, bank files).

Every XML document the addon reads goes through :func:`parse_xml`: a size limit checked
before parsing, a DOCTYPE refused (no entity can be declared, so none can be expanded or
fetched), entities, DTD loading and the network off, no huge trees.
"""

import re

from lxml import etree

MAX_BYTES = 10 * 1024 * 1024
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


class UnsafeXmlError(ValueError):
    """The document was refused before or while parsing; the text says why."""


def safe_parser():
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )


def parse_xml(data, *, max_bytes=MAX_BYTES):
    """Return the root element of ``data`` (bytes), or raise :class:`UnsafeXmlError`."""
    if not isinstance(data, bytes):
        raise UnsafeXmlError("the document must be given as bytes")
    if len(data) > max_bytes:
        raise UnsafeXmlError(f"the document is {len(data)} bytes, more than the limit of {max_bytes} bytes")
    if not data.strip():
        raise UnsafeXmlError("the document is empty")
    # UTF-16 documents would hide the DOCTYPE from a byte search: refuse them, no bank sends them.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnsafeXmlError("UTF-16 documents are not accepted: use UTF-8 or ISO-8859-15")
    if _DOCTYPE.search(data):
        raise UnsafeXmlError(
            "the document has a DOCTYPE declaration, which is refused (entities are not allowed)"
        )
    try:
        root = etree.fromstring(data, parser=safe_parser())
    except etree.XMLSyntaxError as error:
        raise UnsafeXmlError(f"the document is not well-formed XML: {error}") from error
    if root.getroottree().docinfo.doctype:
        raise UnsafeXmlError("the document has a DOCTYPE declaration, which is refused")
    return root
