"""camt.054 notifications and camt.053 statements: returns and refunds, and payments by reference.

A booked debit entry that returns one of our direct debits (see ``_is_sdd_return``) gives one
``BankReportEntry`` per transaction; a booked credit transfer received gives one
``ReferencePayment`` per transaction, kept in the context's ``credits``. See
``bank_reports`` for what an entry holds and which kind it is.
"""

import copy

from lxml import etree

from .bank_report_reader import BankReportEntry, is_success, parse_amount, parse_date, serialize
from .reference_payments import ReferencePayment, find_reference, normalize_reference

# The account statement or notification blocks that hold the entries.
_ACCOUNT_BLOCKS = {"camt.054": "Ntfctn", "camt.053": "Stmt"}

# ISO family codes of direct debits: IDDT (issued, the creditor's side) and RDDT
# (received); banks use both for the creditor's returns.
_DIRECT_DEBIT_FAMILIES = frozenset({"IDDT", "RDDT"})
# UPDD: reversal due to a return / unpaid direct debit; PRDD: reversal due to a payment
# reversal.
_RETURN_SUB_FAMILIES = frozenset({"UPDD", "PRDD"})
_REJECT_MARK = "/RTYP/RJCT"
_REFUND_MARK = "/RTYP/RFND"
_REFUND_CODES = frozenset({"MD06"})


def camt_entries(context, document):
    """The returns of a camt.053 or camt.054 document; its credits go to ``context.credits``."""
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
    total, _currency = parse_amount(reader.find(charges, "TtlChrgsAndTaxAmt"))
    if total is None:
        # camt.05x.001.02 repeats Chrgs/Amt; later versions repeat Chrgs/Rcrd/Amt.
        amounts = [
            parse_amount(found)[0]
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
        if is_success(code):
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
                original_collection_date=parse_date(
                    settled_element, reader.text(scope, "RltdDts/IntrBkSttlmDt")
                ),
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
        booked = parse_date(date_element, reader.text(date_element, "Dt", "DtTm"))
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
                return *parse_amount(found), path == _AMOUNT_PATHS[0]
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
        return serialize(entry)
    shell = etree.Element(entry.tag, nsmap=entry.nsmap)
    for child in header:
        shell.append(copy.deepcopy(child))
    details = etree.SubElement(shell, transaction.getparent().tag)
    details.append(copy.deepcopy(transaction))
    return serialize(shell)


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
