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
  (``TxDtls``) of a qualifying booked entry (see ``_is_sdd_return``).

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
"""

import copy
import dataclasses
import datetime
import hashlib
import re
from decimal import Decimal

from lxml import etree

from .reference_payments import ReferencePayment, find_reference, normalize_reference
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
# The account statement or notification blocks that hold the entries.
_ACCOUNT_BLOCKS = {"camt.054": "Ntfctn", "camt.053": "Stmt"}

# ISO family codes of direct debits: IDDT (issued, the creditor's side) and RDDT
# (received); banks use both for the creditor's returns.
_DIRECT_DEBIT_FAMILIES = frozenset({"IDDT", "RDDT"})
# UPDD: reversal due to a return / unpaid direct debit; PRDD: reversal due to a payment
# reversal.
_RETURN_SUB_FAMILIES = frozenset({"UPDD", "PRDD"})
# Status and reason codes that mean success; some banks put "0000" in the reason of a
# booked collection (OCA/account-payment#519).
_SUCCESS_CODES = frozenset({"ACCP", "ACSC", "ACSP", "ACTC", "ACWC", "ACCC", "PDNG", "RCVD"})
_ZERO_CODE_RE = re.compile(r"0+")
_AMOUNT_RE = re.compile(r"[0-9]{1,18}(\.[0-9]{1,5})?")
# "NOTPROVIDED" is what the EPC guidelines write where a reference was not given.
_NOT_PROVIDED = "NOTPROVIDED"
_REJECT_MARK = "/RTYP/RJCT"
_REFUND_MARK = "/RTYP/RFND"
_REFUND_CODES = frozenset({"MD06"})


@dataclasses.dataclass(frozen=True, kw_only=True)
class BankReportEntry:
    """One reject, return or refund, at the level of a file, a block or a transaction."""

    kind: str  # "reject" | "return" | "refund"
    level: str  # "file" | "block" | "transaction"
    original_message_id: str | None
    original_pmtinf_id: str | None
    original_end_to_end_id: str | None
    original_instruction_id: str | None
    original_mandate_id: str | None
    amount: Decimal | None
    currency: str | None
    # The day of the reject or return: the booking date (camt), the report's day (pain.002).
    date: datetime.date | None
    reason_code: str | None
    reason_proprietary: str | None
    additional_info: str
    bank_charge: Decimal | None
    key: str
    raw_xml: str
    # The day the original collection was due or settled (pain.002 ReqdColltnDt, camt
    # RltdDts/IntrBkSttlmDt), for matching by mandate, amount and date.
    original_collection_date: datetime.date | None = None
    # The creditor account the entry was booked on (camt) or collected to (pain.002).
    account_iban: str | None = None
    bank_reference: str | None = None
    debtor_name: str | None = None
    debtor_iban: str | None = None


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


class _Reader:
    """Namespaced look-ups in one document; paths are written without prefixes."""

    def __init__(self, namespace):
        self.namespaces = {"d": namespace}
        self._paths = {}

    def _path(self, path):
        compiled = self._paths.get(path)
        if compiled is None:
            compiled = "/".join(part if part in (".", "..", "") else f"d:{part}" for part in path.split("/"))
            self._paths[path] = compiled
        return compiled

    def find(self, element, path):
        return element.find(self._path(path), self.namespaces)

    def findall(self, element, path):
        return element.findall(self._path(path), self.namespaces)

    def text(self, element, *paths):
        """The stripped text of the first of ``paths`` that is present and not empty."""
        for path in paths:
            found = element.find(self._path(path), self.namespaces)
            if found is not None and found.text and found.text.strip():
                return found.text.strip()
        return None

    def reference(self, element, *paths):
        value = self.text(element, *paths)
        return None if value is None or value.upper() == _NOT_PROVIDED else value

    def texts(self, element, path):
        return [
            found.text.strip()
            for found in element.findall(self._path(path), self.namespaces)
            if found.text and found.text.strip()
        ]


def _amount(element):
    if element is None:
        return None, None
    text = (element.text or "").strip()
    if not _AMOUNT_RE.fullmatch(text):
        raise BankFileError(
            "An amount in the file is not a valid amount (line %(line)s).",
            reason="invalid",
            line=element.sourceline,
        )
    return Decimal(text), element.get("Ccy")


def _date(element, text):
    if text is None:
        return None
    try:
        # xs:date may carry a time zone ("2026-11-27+01:00"): the day is the first part.
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        raise BankFileError(
            "A date in the file is not a valid date (line %(line)s).",
            reason="invalid",
            line=element.sourceline,
        ) from None


def _datetime(element, text):
    if text is None:
        return None
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        raise BankFileError(
            "A date and time in the file is not valid (line %(line)s).",
            reason="invalid",
            line=element.sourceline,
        ) from None


def _is_success(code):
    return code is not None and (code in _SUCCESS_CODES or bool(_ZERO_CODE_RE.fullmatch(code)))


def _serialize(element):
    return etree.tostring(element, encoding="unicode", with_tail=False)


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
    reader = _Reader(namespace)
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
    created = _datetime(created_element, reader.text(document, "GrpHdr/CreDtTm"))
    context = _Context(reader, message_type, message_id, created)
    if message_type == "pain.002":
        entries = _pain002_entries(context, document)
    else:
        entries = _camt_entries(context, document)
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


@dataclasses.dataclass
class _Context:
    reader: _Reader
    message_type: str
    message_id: str
    created: datetime.datetime | None
    account_ibans: set = dataclasses.field(default_factory=set)
    credits: list = dataclasses.field(default_factory=list)

    def key(self, position, *references):
        reference = next((ref for ref in references if ref), "")
        return f"{self.message_type}:{self.message_id}:{position}:{reference}"


# pain.002 ---------------------------------------------------------------------------


def _status_reason(reader, element):
    """Reason code, proprietary reason and additional information of a status element."""
    codes = reader.texts(element, "StsRsnInf/Rsn/Cd")
    proprietary = reader.texts(element, "StsRsnInf/Rsn/Prtry")
    info = " ".join(reader.texts(element, "StsRsnInf/AddtlInf"))
    return (codes[0] if codes else None), (proprietary[0] if proprietary else None), info


def _pain002_entries(context, document):
    reader = context.reader
    report_date = context.created.date() if context.created else None
    group = reader.find(document, "OrgnlGrpInfAndSts")
    original_message_id = reader.text(group, "OrgnlMsgId") if group is not None else None
    if group is not None and reader.text(group, "GrpSts") == "RJCT":
        return [
            _pain002_group_reject(
                context,
                group,
                level="file",
                position="G",
                original_message_id=original_message_id,
                pmtinf_id=None,
                report_date=report_date,
            )
        ]
    entries = []
    for block_index, block in enumerate(reader.findall(document, "OrgnlPmtInfAndSts"), 1):
        pmtinf_id = reader.text(block, "OrgnlPmtInfId")
        transactions = reader.findall(block, "TxInfAndSts")
        for transaction in transactions:
            iban = reader.text(transaction, "OrgnlTxRef/CdtrAcct/Id/IBAN")
            if iban:
                context.account_ibans.add(iban)
        if reader.text(block, "PmtInfSts") == "RJCT":
            entries.append(
                _pain002_group_reject(
                    context,
                    block,
                    level="block",
                    position=f"B{block_index}",
                    original_message_id=original_message_id,
                    pmtinf_id=pmtinf_id,
                    report_date=report_date,
                )
            )
            continue
        for tx_index, transaction in enumerate(transactions, 1):
            if reader.text(transaction, "TxSts") != "RJCT":
                continue
            entries.append(
                _pain002_transaction(
                    context,
                    transaction,
                    original_message_id=original_message_id,
                    pmtinf_id=pmtinf_id,
                    position=f"B{block_index}T{tx_index}",
                    report_date=report_date,
                )
            )
    return entries


def _pain002_group_reject(context, element, *, level, position, original_message_id, pmtinf_id, report_date):
    """The reject of a whole file (OrgnlGrpInfAndSts) or block (OrgnlPmtInfAndSts)."""
    reader = context.reader
    code, proprietary, info = _status_reason(reader, element)
    amount, _currency = _amount(reader.find(element, "OrgnlCtrlSum"))
    # The group's own part, without the transactions a block may list.
    raw = copy.deepcopy(element)
    for transaction in reader.findall(raw, "TxInfAndSts"):
        raw.remove(transaction)
    return BankReportEntry(
        kind="reject",
        level=level,
        original_message_id=original_message_id,
        original_pmtinf_id=pmtinf_id,
        original_end_to_end_id=None,
        original_instruction_id=None,
        original_mandate_id=None,
        amount=amount,
        currency=None,
        date=report_date,
        reason_code=None if _is_success(code) else code,
        reason_proprietary=proprietary,
        additional_info=info,
        bank_charge=None,
        key=context.key(position, pmtinf_id, original_message_id),
        raw_xml=_serialize(raw),
    )


def _pain002_transaction(context, transaction, *, original_message_id, pmtinf_id, position, report_date):
    reader = context.reader
    code, proprietary, info = _status_reason(reader, transaction)
    if _is_success(code):
        code = None
    end_to_end_id = reader.reference(transaction, "OrgnlEndToEndId")
    instruction_id = reader.reference(transaction, "OrgnlInstrId")
    amount, currency = _amount(reader.find(transaction, "OrgnlTxRef/Amt/InstdAmt"))
    charges = [_amount(found)[0] for found in reader.findall(transaction, "ChrgsInf/Amt")]
    collection_element = reader.find(transaction, "OrgnlTxRef/ReqdColltnDt")
    return BankReportEntry(
        kind="reject",
        level="transaction",
        original_message_id=original_message_id,
        original_pmtinf_id=pmtinf_id,
        original_end_to_end_id=end_to_end_id,
        original_instruction_id=instruction_id,
        original_mandate_id=reader.reference(
            transaction,
            "OrgnlTxRef/MndtRltdInf/MndtId",
            "OrgnlTxRef/MndtRltdInf/DrctDbtMndt/MndtId",
        ),
        amount=amount,
        currency=currency,
        date=report_date,
        reason_code=code,
        reason_proprietary=proprietary,
        additional_info=info,
        bank_charge=sum(charges) if charges else None,
        key=context.key(position, end_to_end_id, instruction_id),
        raw_xml=_serialize(transaction),
        original_collection_date=_date(
            collection_element, reader.text(transaction, "OrgnlTxRef/ReqdColltnDt")
        ),
        account_iban=reader.text(transaction, "OrgnlTxRef/CdtrAcct/Id/IBAN"),
        bank_reference=reader.text(transaction, "AcctSvcrRef"),
        debtor_name=reader.text(transaction, "OrgnlTxRef/Dbtr/Nm", "OrgnlTxRef/Dbtr/Pty/Nm"),
        debtor_iban=reader.text(transaction, "OrgnlTxRef/DbtrAcct/Id/IBAN"),
    )


# camt.053 / camt.054 ----------------------------------------------------------------


def _camt_entries(context, document):
    reader = context.reader
    entries = []
    for account_index, account_block in enumerate(
        reader.findall(document, _ACCOUNT_BLOCKS[context.message_type]), 1
    ):
        iban = reader.text(account_block, "Acct/Id/IBAN")
        if iban:
            context.account_ibans.add(iban)
        for entry_index, entry in enumerate(reader.findall(account_block, "Ntry"), 1):
            if _is_received_credit(reader, entry):
                context.credits.extend(
                    _camt_entry_credits(context, entry, iban, f"A{account_index}", entry_index)
                )
                continue
            if not _is_sdd_return(reader, entry):
                continue
            entries.extend(_camt_entry_returns(context, entry, iban, f"A{account_index}E{entry_index}"))
    return entries


def _is_sdd_return(reader, entry):
    """Whether a booked entry is the return, refund or reject of one of our direct debits.

    Other entries are not ours to read and are skipped: credits (the collection itself,
    incoming payments), entries not yet booked (PDNG/INFO: the bank reports them again
    once booked), debits of other kinds (transfers we sent, fees, direct debits *from*
    our account, which carry ESDD/BBDD without a return reason), and any entry whose
    bank transaction code names another domain or family, even with a return reason
    (a returned credit transfer is not a direct debit).
    """
    if reader.text(entry, "CdtDbtInd") != "DBIT":
        return False
    status = reader.text(entry, "Sts/Cd", "Sts")
    if status not in (None, "BOOK"):
        return False
    has_return_reason = bool(reader.findall(entry, "NtryDtls/TxDtls/RtrInf"))
    domain = reader.text(entry, "BkTxCd/Domn/Cd")
    if domain is None:
        # Only a proprietary code (e.g. German GVC "NDDT+109"): trust the return reason.
        return has_return_reason
    if domain != "PMNT" or reader.text(entry, "BkTxCd/Domn/Fmly/Cd") not in _DIRECT_DEBIT_FAMILIES:
        return False
    reversal = reader.text(entry, "RvslInd") in ("true", "1")
    sub_family = reader.text(entry, "BkTxCd/Domn/Fmly/SubFmlyCd")
    return sub_family in _RETURN_SUB_FAMILIES or reversal or has_return_reason


def _charges(reader, element):
    """(charge amount, whether the bank says it is included in the amount) or (None, False)."""
    charges = reader.find(element, "Chrgs")
    if charges is None:
        return None, False
    included = reader.text(charges, "Rcrd/ChrgInclInd") in ("true", "1")
    total, _currency = _amount(reader.find(charges, "TtlChrgsAndTaxAmt"))
    if total is None:
        # camt.05x.001.02 repeats Chrgs/Amt; later versions repeat Chrgs/Rcrd/Amt.
        amounts = [
            _amount(found)[0]
            for path in ("Chrgs/Amt", "Chrgs/Rcrd/Amt")
            for found in reader.findall(element, path)
        ]
        total = sum(amounts) if amounts else None
    return total, included


def _camt_entry_returns(context, entry, iban, position):
    reader = context.reader
    transactions = reader.findall(entry, "NtryDtls/TxDtls")
    booked = _booking_date(context, entry)
    entry_charge, entry_charge_included = _charges(reader, entry)
    has_return_reason = any(reader.find(tx, "RtrInf") is not None for tx in transactions)
    header = _entry_header(entry)
    results = []
    for tx_index, transaction in enumerate(transactions or [None], 1):
        scope = transaction if transaction is not None else entry
        # A batch entry mixing returns with other transactions: only those with a return
        # reason are returns.
        mixed = transaction is not None and has_return_reason and len(transactions) > 1
        if mixed and reader.find(transaction, "RtrInf") is None:
            continue
        code = reader.text(scope, "RtrInf/Rsn/Cd")
        if _is_success(code):
            # Never read a success code as a return (OCA/account-payment#519).
            continue
        proprietary = reader.text(scope, "RtrInf/Rsn/Prtry")
        info_parts = reader.texts(scope, "RtrInf/AddtlInf")
        marks = " ".join([*info_parts, *reader.texts(scope, "AddtlTxInf")])
        charge, charge_included = None, False
        if transaction is not None:
            charge, charge_included = _charges(reader, transaction)
        if charge is None and not results and entry_charge is not None:
            charge, charge_included = entry_charge, entry_charge_included
        amount, currency, instructed = _camt_amount(reader, scope, entry, len(transactions) <= 1)
        if amount is not None and charge and charge_included and not instructed:
            amount -= charge
        end_to_end_id = reader.reference(scope, "Refs/EndToEndId")
        instruction_id = reader.reference(scope, "Refs/InstrId")
        settled_element = reader.find(scope, "RltdDts/IntrBkSttlmDt")
        results.append(
            BankReportEntry(
                kind=_camt_kind(code, marks),
                level="transaction",
                original_message_id=reader.reference(scope, "Refs/MsgId"),
                original_pmtinf_id=reader.reference(scope, "Refs/PmtInfId"),
                original_end_to_end_id=end_to_end_id,
                original_instruction_id=instruction_id,
                original_mandate_id=reader.reference(scope, "Refs/MndtId"),
                amount=amount,
                currency=currency,
                date=booked,
                reason_code=code,
                reason_proprietary=proprietary,
                additional_info=" ".join(info_parts),
                bank_charge=charge,
                key=context.key(f"{position}T{tx_index}", end_to_end_id, instruction_id),
                raw_xml=_entry_xml(entry, header, transaction),
                original_collection_date=_date(settled_element, reader.text(scope, "RltdDts/IntrBkSttlmDt")),
                account_iban=iban,
                bank_reference=reader.text(scope, "Refs/AcctSvcrRef") or reader.text(entry, "AcctSvcrRef"),
                debtor_name=reader.text(scope, "RltdPties/Dbtr/Nm", "RltdPties/Dbtr/Pty/Nm"),
                debtor_iban=reader.text(scope, "RltdPties/DbtrAcct/Id/IBAN"),
            )
        )
    return results


def _booking_date(context, entry):
    """The booking date of a camt entry, else its value date, else the file's creation day."""
    reader = context.reader
    date_element = reader.find(entry, "BookgDt")
    if date_element is None:
        date_element = reader.find(entry, "ValDt")
    booked = None
    if date_element is not None:
        booked = _date(date_element, reader.text(date_element, "Dt", "DtTm"))
    if booked is None and context.created:
        booked = context.created.date()
    return booked


def _entry_header(entry):
    """The entry's own elements (comments too), without the details of every transaction."""
    return [
        child
        for child in entry
        if not isinstance(child.tag, str) or etree.QName(child).localname != "NtryDtls"
    ]


_AMOUNT_PATHS = ("AmtDtls/InstdAmt/Amt", "AmtDtls/TxAmt/Amt", "Amt")


def _camt_amount(reader, scope, entry, single):
    """(amount, currency, whether it is the instructed amount) of one return."""
    # The entry's own amount stands for the transaction only when it holds one.
    for element in (scope, entry) if single else (scope,):
        for path in _AMOUNT_PATHS:
            found = reader.find(element, path)
            if found is not None:
                return *_amount(found), path == _AMOUNT_PATHS[0]
    return None, None, False


def _camt_kind(code, marks):
    if _REJECT_MARK in marks:
        return "reject"
    if code in _REFUND_CODES or _REFUND_MARK in marks:
        return "refund"
    return "return"


def _entry_xml(entry, header, transaction):
    """The entry with only this transaction in its details: the review list's raw entry."""
    if transaction is None:
        return _serialize(entry)
    shell = etree.Element(entry.tag, nsmap=entry.nsmap)
    for child in header:
        shell.append(copy.deepcopy(child))
    details = etree.SubElement(shell, transaction.getparent().tag)
    details.append(copy.deepcopy(transaction))
    return _serialize(shell)


# Incoming payments by reference ---------------------------------------------------------

# Received credit transfers; the collections of our own direct debits (IDDT) are booked
# by the batches, not here.
_RECEIVED_CREDIT_FAMILIES = frozenset({"RCDT"})


def _is_received_credit(reader, entry):
    """Whether a booked entry credits a payment received (a credit transfer, not a reversal)."""
    if reader.text(entry, "CdtDbtInd") != "CRDT" or reader.text(entry, "RvslInd") in ("true", "1"):
        return False
    if reader.text(entry, "Sts/Cd", "Sts") not in (None, "BOOK"):
        return False
    domain = reader.text(entry, "BkTxCd/Domn/Cd")
    if domain is None:
        return True
    return domain == "PMNT" and reader.text(entry, "BkTxCd/Domn/Fmly/Cd") in _RECEIVED_CREDIT_FAMILIES


def _camt_entry_credits(context, entry, iban, block, entry_index):
    reader = context.reader
    transactions = reader.findall(entry, "NtryDtls/TxDtls")
    booked = _booking_date(context, entry)
    header = _entry_header(entry)
    results = []
    for tx_index, transaction in enumerate(transactions or [None], 1):
        scope = transaction if transaction is not None else entry
        reference, source = find_reference(
            reader.texts(scope, "RmtInf/Strd/CdtrRefInf/Ref"), reader.texts(scope, "RmtInf/Ustrd")
        )
        amount, currency, _instructed = _camt_amount(reader, scope, entry, len(transactions) <= 1)
        end_to_end_id = reader.reference(scope, "Refs/EndToEndId")
        bank_reference = reader.text(scope, "Refs/AcctSvcrRef") or reader.text(entry, "AcctSvcrRef")
        results.append(
            ReferencePayment(
                key=context.key(
                    f"{block}E{entry_index}T{tx_index}", bank_reference, end_to_end_id, reference
                ),
                reference=reference,
                normalized_reference=normalize_reference(reference),
                reference_source=source,
                amount=amount,
                currency=currency,
                date=booked,
                block=block,
                account_iban=iban,
                bank_reference=bank_reference,
                end_to_end_id=end_to_end_id,
                debtor_name=reader.text(scope, "RltdPties/Dbtr/Nm", "RltdPties/Dbtr/Pty/Nm"),
                debtor_iban=reader.text(scope, "RltdPties/DbtrAcct/Id/IBAN"),
                raw_xml=_entry_xml(entry, header, transaction),
            )
        )
    return results
