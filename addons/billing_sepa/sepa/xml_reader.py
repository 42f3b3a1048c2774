"""The one hardened XML parse for every file billing_sepa reads from outside (bank reports).

A file is refused, with a ``BankFileError``, when it is

- empty or bigger than ``max_size`` bytes (checked before anything is parsed);
- not well-formed XML, truncated, or not in the encoding its XML declaration names;
- carrying a DOCTYPE (internal or external DTD: entities, XXE, "billion laughs");
- holding a text or attribute value longer than ``max_text_length`` characters.

The lxml parser resolves no entities, loads no DTD, never touches the network and keeps
libxml2's limits on huge trees. The messages are short English sentences that never
quote the file (bank files hold IBANs and names); ``reason`` and ``params`` let the
caller show its own translated text instead.
"""

from lxml import etree

# No field of a pain.002, camt.053 or camt.054 message is anywhere near this long (the
# longest, AddtlNtryInf, is 500 characters); libxml2 enforces its own 10 MB limit only on
# some kinds of text node, so the tree is checked after parsing as well.
MAX_TEXT_LENGTH = 100_000


class BankFileError(ValueError):
    """A file from the bank cannot be read; nothing of it may be imported.

    ``reason`` is a stable code for the caller (``empty``, ``too_large``, ``not_xml``,
    ``encoding``, ``doctype``, ``text_too_long``, ``unknown_message``, ``invalid``),
    ``params`` the values in the English message.
    """

    def __init__(self, message, *, reason="invalid", **params):
        super().__init__(message % params if params else message)
        self.reason = reason
        self.params = params


def safe_parser():
    """The lxml parser of every XML billing_sepa parses: bank files, and its own XSDs and files.

    A new parser per call: lxml parsers are not safe to share between threads.
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
    )


def _syntax_error(error):
    # libxml2's own message quotes tag names, entity names and bytes of the file: keep only
    # the kind of failure and where it happened.
    line = error.position[0] if error.position else error.lineno
    text = error.msg or ""
    # A NUL character is what UTF-16 bytes look like when read in an 8-bit encoding.
    mismatch = ("encoding", "not proper", "labelled", "input conversion failed", "char 0x0 ")
    if any(marker in text.lower() for marker in mismatch):
        return BankFileError(
            "The file is not in the encoding its XML declaration names (line %(line)s).",
            reason="encoding",
            line=line,
        )
    if "loop" in text or "Entity" in text or "entity" in text:
        return BankFileError("The file uses XML entities, which bank files never need.", reason="doctype")
    if "too big" in text or "too long" in text or "huge" in text:
        return BankFileError(
            "The file holds a value that is too long for a bank file.", reason="text_too_long"
        )
    return BankFileError("The file is not well-formed XML (line %(line)s).", reason="not_xml", line=line)


# One pass in libxml2 over every text and attribute value (string-length counts characters).
_LONG_VALUE = "boolean(//text()[string-length() > $limit] | //@*[string-length() > $limit])"


def _check_values(root, max_text_length):
    # Compiled per call: a shared XPath object is not meant for several threads at once.
    if root.xpath(_LONG_VALUE, limit=max_text_length):
        raise BankFileError(
            "The file holds a value longer than %(limit)s characters.",
            reason="text_too_long",
            limit=max_text_length,
        )


def parse_xml(data, *, max_size, max_text_length=MAX_TEXT_LENGTH):
    """Parse ``data`` (bytes) and return the root element; raise ``BankFileError`` if refused.

    The encoding comes from the byte order mark or the XML declaration (UTF-8 without
    either); a file whose bytes do not match it is refused.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("parse_xml() takes the file's bytes")
    size = len(data)
    if not size:
        raise BankFileError("The file is empty.", reason="empty")
    if size > max_size:
        raise BankFileError(
            "The file is %(size)s bytes, more than the limit of %(limit)s bytes.",
            reason="too_large",
            size=size,
            limit=max_size,
        )
    try:
        root = etree.fromstring(bytes(data), safe_parser())
    except etree.XMLSyntaxError as error:
        raise _syntax_error(error) from None
    except (ValueError, LookupError):
        # lxml refuses some encoding declarations itself before libxml2 sees the bytes.
        raise BankFileError(
            "The file is not in the encoding its XML declaration names (line %(line)s).",
            reason="encoding",
            line=1,
        ) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise BankFileError("The file declares a DOCTYPE, which bank files never have.", reason="doctype")
    _check_values(root, max_text_length)
    return root
