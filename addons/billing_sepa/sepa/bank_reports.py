"""Bank reports of rejected, returned and refunded SEPA direct debits, read as plain data.

``parse_bank_report(data, max_size=...)`` reads one file the bank sent back and returns a
``BankReport`` holding one ``BankReportEntry`` per R-transaction it reports:

- pain.002.001.03 / .10 (CstmrPmtStsRpt, the status report on our pain.008): rejects
  before settlement. ``GrpSts`` RJCT rejects the whole file (level ``file``, by
  OrgnlMsgId), ``PmtInfSts`` RJCT a whole block (level ``block``, by OrgnlPmtInfId) and
  ``TxSts`` RJCT one transaction (level ``transaction``). The widest reject wins: inside
  a rejected file or block the narrower rejects are not reported again. Every other
  status (ACCP, ACSC, ACTC, PART, PDNG, RCVD...) is not a reject and is skipped.
- camt.054.001.02 to .08 (BkToCstmrDbtCdtNtfctn) and camt.053.001.02 to .08
  (BkToCstmrStmt): returns and refunds after settlement, one entry per transaction
  (``TxDtls``) of a qualifying booked entry (see ``bank_report_camt._is_sdd_return``).

Which kind (``reject`` / ``return`` / ``refund``), per the domain note (sepa.md section 6):

- everything in a pain.002 is a ``reject`` (before settlement; not a first collection);
- in camt: ``/RTYP/RJCT`` in the additional information is a ``reject`` (a bank that
  reports its rejects in camt, as Tryton reads them); reason MD06 or ``/RTYP/RFND`` is a
  ``refund`` (the debtor's claim: 8 weeks, or 13 months when unauthorised, then usually
  MD01 with /RTYP/RFND); everything else is a ``return`` (debtor bank, after settlement).
  A reversal the creditor asked for (sub-family PRDD) is a ``return`` too: the money went
  back and the invoice is open again.

A success code ("0000", ACCP, ACSC...) is never taken for a reject or a return.

Amounts are ``Decimal`` as written in the file. ``amount`` is the debtor's part (the
original collection amount): ``AmtDtls/InstdAmt``, else ``AmtDtls/TxAmt``, else the
transaction amount, else the entry amount (only when the entry holds one transaction),
less the charges when the bank says they are included (``ChrgInclInd``). A file or block
reject carries the original control sum, without currency. ``bank_charge`` is the charge
the bank kept (positive); charges given only on an entry that holds several returns go to
the first one of them.

``date`` is the day of the event: the booking date of the camt entry (else its value
date), the creation day of a pain.002. ``original_collection_date`` is the day of the
collection itself (pain.002 ReqdColltnDt, camt RltdDts/IntrBkSttlmDt), for matching by
mandate, amount and date. References the bank wrote as NOTPROVIDED are None.

``key`` is stable for an entry across imports of the same file:
``<message type>:<message id>:<position>:<reference>``, the position being ``G`` (the
file), ``B<n>`` (block n), ``B<n>T<m>`` (pain.002 transaction) or ``A<n>E<m>T<k>``
(account statement or notification n, entry m, transaction k), the reference the
end-to-end id, else the instruction, block or message id. ``BankReport.digest`` is the
file's SHA-256. The same return reported by two different files (an intraday camt.054
and the day's camt.053) gets two keys: the caller must also refuse a second return of
one collection.

The same camt files carry the incoming payments by reference (credit transfers received,
``CRDT`` entries of domain PMNT / family RCDT, or with only a proprietary code):
``BankReport.credits`` holds one ``ReferencePayment`` per credited transaction, with its
reference, amount and booking date (see ``reference_payments``), keyed like the returns.

The formats are read in ``bank_report_pain002`` and ``bank_report_camt``, with what they
share in ``bank_report_reader``; this module detects the message and returns the report.
"""

import dataclasses
import datetime
import hashlib

from lxml import etree

from .bank_report_camt import camt_entries
from .bank_report_pain002 import pain002_entries
from .bank_report_reader import BankReportEntry, Reader, ReportContext, parse_datetime
from .reference_payments import ReferencePayment
from .xml_reader import BankFileError, parse_xml

__all__ = [
    "SUPPORTED_VERSIONS",
    "BankFileError",
    "BankReport",
    "BankReportEntry",
    "ReferencePayment",
    "parse_bank_report",
]

_NAMESPACE_PREFIX = "urn:iso:std:iso:20022:tech:xsd:"
SUPPORTED_VERSIONS = frozenset(
    {
        "pain.002.001.03",
        "pain.002.001.10",
        *(f"camt.054.001.{minor:02d}" for minor in range(2, 9)),
        *(f"camt.053.001.{minor:02d}" for minor in range(2, 9)),
    }
)
_ROOT_ELEMENTS = {
    "pain.002": "CstmrPmtStsRpt",
    "camt.054": "BkToCstmrDbtCdtNtfctn",
    "camt.053": "BkToCstmrStmt",
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class BankReport:
    message_type: str  # "pain.002" | "camt.054" | "camt.053"
    version: str  # e.g. "pain.002.001.03"
    message_id: str
    created: datetime.datetime | None
    account_ibans: frozenset
    entries: list
    # SHA-256 of the file's bytes (hex), to refuse a second import of the same file.
    digest: str = ""
    # Incoming payments by reference (camt credit entries), see ``reference_payments``.
    credits: list = dataclasses.field(default_factory=list)


def _detect(root):
    namespace = etree.QName(root).namespace or ""
    version = namespace.removeprefix(_NAMESPACE_PREFIX)
    if not namespace.startswith(_NAMESPACE_PREFIX) or version not in SUPPORTED_VERSIONS:
        raise BankFileError(
            "The file is not a bank report this module reads (namespace %(namespace)s).",
            reason="unknown_message",
            namespace=namespace[:100] or "none",
        )
    message_type = version[:8]
    reader = Reader(namespace)
    document = reader.find(root, _ROOT_ELEMENTS[message_type])
    if etree.QName(root).localname != "Document" or document is None:
        raise BankFileError(
            "The file is not a %(message_type)s message: its root element is missing.",
            reason="invalid",
            message_type=message_type,
        )
    return message_type, version, reader, document


def parse_bank_report(data, *, max_size):
    """Read a pain.002, camt.054 or camt.053 file; raise ``BankFileError`` if it is refused."""
    root = parse_xml(data, max_size=max_size)
    message_type, version, reader, document = _detect(root)
    message_id = reader.text(document, "GrpHdr/MsgId")
    if not message_id:
        raise BankFileError("The file has no message identification (GrpHdr/MsgId).")
    created_element = reader.find(document, "GrpHdr/CreDtTm")
    created = parse_datetime(created_element, reader.text(document, "GrpHdr/CreDtTm"))
    context = ReportContext(reader, message_type, message_id, created)
    if message_type == "pain.002":
        entries = pain002_entries(context, document)
    else:
        entries = camt_entries(context, document)
    return BankReport(
        message_type=message_type,
        version=version,
        message_id=message_id,
        created=created,
        account_ibans=frozenset(context.account_ibans),
        entries=entries,
        digest=hashlib.sha256(data).hexdigest(),
        credits=context.credits,
    )
