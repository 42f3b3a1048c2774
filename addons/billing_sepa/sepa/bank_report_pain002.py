"""pain.002 status reports (CstmrPmtStsRpt .03 / .10): the rejects of our pain.008, before settlement.

``GrpSts`` RJCT rejects the whole file (level ``file``, by OrgnlMsgId), ``PmtInfSts`` RJCT a
whole block (level ``block``, by OrgnlPmtInfId) and ``TxSts`` RJCT one transaction (level
``transaction``). The widest reject wins: inside a rejected file or block the narrower
rejects are not reported again. Every other status is not a reject and is skipped. See
``bank_reports`` for what an entry holds.
"""

import copy

from .bank_report_reader import BankReportEntry, is_success, parse_amount, parse_date, serialize


def _status_reason(reader, element):
    """Reason code, proprietary reason and additional information of a status element."""
    codes = reader.texts(element, "StsRsnInf/Rsn/Cd")
    proprietary = reader.texts(element, "StsRsnInf/Rsn/Prtry")
    info = " ".join(reader.texts(element, "StsRsnInf/AddtlInf"))
    return (codes[0] if codes else None), (proprietary[0] if proprietary else None), info


def pain002_entries(context, document):
    """The rejects of a pain.002 document, as ``BankReportEntry`` (file, blocks, transactions)."""
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
    amount, _currency = parse_amount(reader.find(element, "OrgnlCtrlSum"))
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
        reason_code=None if is_success(code) else code,
        reason_proprietary=proprietary,
        additional_info=info,
        bank_charge=None,
        key=context.key(position, pmtinf_id, original_message_id),
        raw_xml=serialize(raw),
    )


def _pain002_transaction(context, transaction, *, original_message_id, pmtinf_id, position, report_date):
    reader = context.reader
    code, proprietary, info = _status_reason(reader, transaction)
    if is_success(code):
        code = None
    end_to_end_id = reader.reference(transaction, "OrgnlEndToEndId")
    instruction_id = reader.reference(transaction, "OrgnlInstrId")
    amount, currency = parse_amount(reader.find(transaction, "OrgnlTxRef/Amt/InstdAmt"))
    charges = [parse_amount(found)[0] for found in reader.findall(transaction, "ChrgsInf/Amt")]
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
        raw_xml=serialize(transaction),
        original_collection_date=parse_date(
            collection_element, reader.text(transaction, "OrgnlTxRef/ReqdColltnDt")
        ),
        account_iban=reader.text(transaction, "OrgnlTxRef/CdtrAcct/Id/IBAN"),
        bank_reference=reader.text(transaction, "AcctSvcrRef"),
        debtor_name=reader.text(transaction, "OrgnlTxRef/Dbtr/Nm", "OrgnlTxRef/Dbtr/Pty/Nm"),
        debtor_iban=reader.text(transaction, "OrgnlTxRef/DbtrAcct/Id/IBAN"),
    )
