"""A written pain.008 checked against the official ISO XSD (shipped in ``sepaxml``), parsed
without entities or network access; errors are reported without personal data."""

import functools
import importlib.resources
import re
import threading

from lxml import etree

from . import xml_reader
from .pain008_data import PAIN008_001_08, SUPPORTED_VERSIONS, SepaSchemaError


@functools.cache
def _schema(version):
    schema_file = importlib.resources.files("sepaxml") / "schemas" / f"{version}.xsd"
    schema_document = etree.fromstring(schema_file.read_bytes(), _safe_parser())
    # A compiled schema keeps its error log on the instance: validations that share it
    # must not interleave (lxml releases the GIL while validating).
    return etree.XMLSchema(schema_document), threading.Lock()


def _safe_parser():
    # The addon's one hardened parser (sepa/xml_reader.py): no entities, DTD, network or huge trees.
    return xml_reader.safe_parser()


# libxml2 quotes offending values in its messages ("The value 'DE89...' is not
# accepted..."): they may be IBANs or names, so they never reach the exception text.
_QUOTED_VALUE_RES = (
    (re.compile(r"The value '[^']*'"), "The value"),
    (re.compile(r"(': )'[^']*'( is not a valid value)"), r"\1the value\2"),
)
_NAMESPACE_RE = re.compile(r"\{urn:[^}]*\}")
_MAX_REPORTED_ERRORS = 5


def _redacted(message):
    message = _NAMESPACE_RE.sub("", message)
    for pattern, replacement in _QUOTED_VALUE_RES:
        message = pattern.sub(replacement, message)
    return message


def _end_to_end_ids_by_transaction_lines(root, namespace):
    """Return ``(first line, last line, EndToEndId)`` for each transaction of the document."""
    spans = []
    for transaction in root.iter(f"{{{namespace}}}DrctDbtTxInf"):
        end_to_end_id = transaction.findtext(f"{{{namespace}}}PmtId/{{{namespace}}}EndToEndId")
        last_line = max(element.sourceline or 0 for element in transaction.iter())
        spans.append((transaction.sourceline, last_line, end_to_end_id))
    return spans


def validate_pain008(xml_bytes, version=PAIN008_001_08):
    """Validate a pain.008 document against the official ISO XSD of ``version``.

    Raises SepaSchemaError naming the line of each of the first errors and, where the
    error lies inside a transaction, its EndToEndId. Offending values are left out of
    the message because they may be IBANs or names.
    """
    if version not in SUPPORTED_VERSIONS:
        raise ValueError(
            f"Unsupported pain.008 version {version!r}: use one of {', '.join(SUPPORTED_VERSIONS)}"
        )
    try:
        root = etree.fromstring(xml_bytes, _safe_parser())
    except etree.XMLSyntaxError as error:
        raise SepaSchemaError(
            f"{version}: line {error.lineno}: not well-formed XML: {_redacted(error.msg)}"
        ) from None
    if root.getroottree().docinfo.doctype:
        # pain.008 has no DTD; a DOCTYPE can only smuggle in entities, which stay unresolved.
        raise SepaSchemaError(f"{version}: a pain.008 document must not declare a DOCTYPE")
    schema, lock = _schema(version)
    with lock:
        valid = schema.validate(root)
        errors = [(error.line, error.message) for error in schema.error_log]
    if valid:
        return
    namespace = f"urn:iso:std:iso:20022:tech:xsd:{version}"
    spans = (
        _end_to_end_ids_by_transaction_lines(root, namespace)
        if root.tag.startswith(f"{{{namespace}}}")
        else []
    )
    problems = []
    for line, text in errors[:_MAX_REPORTED_ERRORS]:
        end_to_end_ids = {e2e for first, last, e2e in spans if first <= line <= last}
        # On a one-line document every transaction shares the line: name none of them.
        where = f" (EndToEndId {next(iter(end_to_end_ids))!r})" if len(end_to_end_ids) == 1 else ""
        problems.append(f"line {line}{where}: {_redacted(text)}")
    if len(errors) > _MAX_REPORTED_ERRORS:
        problems.append(f"and {len(errors) - _MAX_REPORTED_ERRORS} more errors")
    raise SepaSchemaError(f"The document does not match the {version} schema: " + "; ".join(problems))
