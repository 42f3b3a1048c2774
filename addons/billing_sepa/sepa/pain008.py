"""pain.008 writer: SEPA direct debit collection files (ISO 20022 CustomerDirectDebitInitiation).

The input is plain data (the dataclasses of pain008_data.py); the output is the UTF-8 XML
file as bytes. pain.008.001.08 (EPC rulebooks since March 2024) is the default; pain.008.001.02
is kept as a fallback for banks that still accept it.

The EPC rules that the ISO schema cannot express are checked in Python first
(pain008_checks.py: character set, EPC field lengths, identifiers, amounts, at most two
address lines, no unstructured address); the document is then validated against the
official ISO XSD shipped in the ``sepaxml`` package before it is returned (pain008_schema.py).
"""

import datetime
from decimal import Decimal

from lxml import etree

from .charset import to_sepa_text
from .pain008_checks import _EEA_COUNTRIES, _Checker, _format_amount

# The whole pain.008 API stays importable from here (pain001.py reuses the checker, the
# writer and the schema helpers).
from .pain008_data import (  # noqa: F401
    NAME_MAX_LENGTH,
    PAIN008_001_02,
    PAIN008_001_08,
    REMITTANCE_TEXT_MAX_LENGTH,
    SCHEMES,
    SEQUENCE_TYPES,
    SUPPORTED_VERSIONS,
    Address,
    DirectDebit,
    MandateAmendment,
    Message,
    PaymentInfo,
    SepaDataError,
    SepaSchemaError,
    TransactionParts,
)
from .pain008_schema import (  # noqa: F401
    _MAX_REPORTED_ERRORS,
    _redacted,
    _safe_parser,
    _schema,
    validate_pain008,
)


class _Pain008Writer:
    # The message's root element; the pain.001 writer reuses this one with its own.
    initiation_tag = "CstmrDrctDbtInitn"

    def __init__(self, version):
        if version not in SUPPORTED_VERSIONS:
            raise ValueError(
                f"Unsupported pain.008 version {version!r}: use one of {', '.join(SUPPORTED_VERSIONS)}"
            )
        self.version = version
        self.namespace = f"urn:iso:std:iso:20022:tech:xsd:{version}"
        self.bic_tag = "BIC" if version == PAIN008_001_02 else "BICFI"

    def sub(self, parent, tag, text=None, **attributes):
        element = etree.SubElement(parent, f"{{{self.namespace}}}{tag}", attributes)
        if text is not None:
            element.text = text
        return element

    def path(self, parent, tags, text=None):
        """Append the chain of elements ``A/B/C`` under ``parent`` and return the last one."""
        *ancestors, last = tags.split("/")
        for tag in ancestors:
            parent = self.sub(parent, tag)
        return self.sub(parent, last, text)

    def build_document(self, message, parts=None):
        """The document's tree; with ``parts`` (one TransactionParts per batch) the batches get
        their headers only, with the totals of their parts, and no transactions."""
        checker = _Checker()
        msg_id = checker.identifier("MsgId", message.msg_id)
        initiating_party_name = checker.text("InitgPty/Nm", message.initiating_party_name, NAME_MAX_LENGTH)
        if not message.batches:
            checker.fail("PmtInf", "is missing: a message needs at least one batch")
        creation = message.creation_datetime.replace(microsecond=0).isoformat()

        root = etree.Element(f"{{{self.namespace}}}Document", nsmap={None: self.namespace})
        initiation = self.sub(root, self.initiation_tag)
        header = self.sub(initiation, "GrpHdr")
        self.sub(header, "MsgId", msg_id)
        self.sub(header, "CreDtTm", creation)
        header_count = self.sub(header, "NbOfTxs")
        header_sum = self.sub(header, "CtrlSum")
        self.path(header, "InitgPty/Nm", initiating_party_name)

        total_count, total_amount = 0, Decimal(0)
        seen_batch_ids, seen_end_to_end_ids = set(), set()
        for index, batch in enumerate(message.batches):
            if batch.pmt_inf_id in seen_batch_ids:
                checker.fail("PmtInfId", f"{batch.pmt_inf_id!r} is used by two batches")
            seen_batch_ids.add(batch.pmt_inf_id)
            if parts is None:
                count, amount = self.write_batch(initiation, batch, seen_end_to_end_ids)
            else:
                count, amount = self.write_batch_header_of_parts(initiation, batch, parts[index])
            total_count += count
            total_amount += amount
        header_count.text = str(total_count)
        header_sum.text = _format_amount(total_amount)
        return root

    def write_batch(self, initiation, batch, seen_end_to_end_ids):
        payment_info, batch_count, batch_sum, pmt_inf_id, collection_date = self.write_batch_header(
            initiation, batch, has_transactions=bool(batch.transactions)
        )
        batch_amount = self.write_transactions(
            payment_info, pmt_inf_id, collection_date, batch.transactions, seen_end_to_end_ids
        )
        batch_count.text = str(len(batch.transactions))
        batch_sum.text = _format_amount(batch_amount)
        return len(batch.transactions), batch_amount

    def write_batch_header_of_parts(self, initiation, batch, parts):
        """A batch whose transactions were written apart (:func:`build_transactions`): its header
        with their count and sum, the transactions left out."""
        _payment_info, batch_count, batch_sum, _pmt_inf_id, _date = self.write_batch_header(
            initiation, batch, has_transactions=parts.count > 0
        )
        batch_count.text = str(parts.count)
        batch_sum.text = _format_amount(parts.control_sum)
        return parts.count, parts.control_sum

    def collection_date(self, checker, collection_date):
        if isinstance(collection_date, datetime.datetime):
            collection_date = collection_date.date()
        if not isinstance(collection_date, datetime.date):
            checker.fail("ReqdColltnDt", "is missing")
        return collection_date

    def write_batch_header(self, initiation, batch, has_transactions):
        """Check and write the ``PmtInf`` element up to its transactions.

        :return: the element, its ``NbOfTxs`` and ``CtrlSum`` elements (left empty), the
            checked PmtInfId and collection date
        """
        checker = _Checker(payment_info_id=batch.pmt_inf_id)
        pmt_inf_id = checker.identifier("PmtInfId", batch.pmt_inf_id)
        scheme = checker.choice("LclInstrm/Cd", batch.scheme, SCHEMES)
        sequence_type = checker.choice("SeqTp", batch.sequence_type, SEQUENCE_TYPES)
        collection_date = self.collection_date(checker, batch.collection_date)
        creditor_name = checker.text("Cdtr/Nm", batch.creditor_name, NAME_MAX_LENGTH)
        creditor_address = checker.address(
            "Cdtr/PstlAdr", batch.creditor_address, self.version, required=False
        )
        creditor_iban = checker.iban("CdtrAcct/Id/IBAN", batch.creditor_iban)
        creditor_bic = checker.bic(f"CdtrAgt/FinInstnId/{self.bic_tag}", batch.creditor_bic)
        creditor_identifier = checker.creditor_identifier("CdtrSchmeId", batch.creditor_identifier)
        if not has_transactions:
            checker.fail("DrctDbtTxInf", "is missing: a batch needs at least one transaction")

        payment_info = self.sub(initiation, "PmtInf")
        self.sub(payment_info, "PmtInfId", pmt_inf_id)
        self.sub(payment_info, "PmtMtd", "DD")
        self.sub(payment_info, "BtchBookg", "true" if batch.batch_booking else "false")
        batch_count = self.sub(payment_info, "NbOfTxs")
        batch_sum = self.sub(payment_info, "CtrlSum")
        payment_type = self.sub(payment_info, "PmtTpInf")
        self.path(payment_type, "SvcLvl/Cd", "SEPA")
        self.path(payment_type, "LclInstrm/Cd", scheme)
        self.sub(payment_type, "SeqTp", sequence_type)
        self.sub(payment_info, "ReqdColltnDt", collection_date.isoformat())
        self.write_party(payment_info, "Cdtr", creditor_name, creditor_address)
        self.path(payment_info, "CdtrAcct/Id/IBAN", creditor_iban)
        self.write_agent(payment_info, "CdtrAgt", creditor_bic)
        self.sub(payment_info, "ChrgBr", "SLEV")
        self.write_scheme_identifier(payment_info, "CdtrSchmeId", creditor_identifier)
        return payment_info, batch_count, batch_sum, pmt_inf_id, collection_date

    def write_transactions(
        self, payment_info, pmt_inf_id, collection_date, transactions, seen_end_to_end_ids
    ):
        """Append a ``DrctDbtTxInf`` per transaction to ``payment_info``; return their sum."""
        amount = Decimal(0)
        for transaction in transactions:
            transaction_checker = _Checker(
                end_to_end_id=transaction.end_to_end_id, payment_info_id=pmt_inf_id
            )
            if transaction.end_to_end_id in seen_end_to_end_ids:
                transaction_checker.fail("EndToEndId", "is used by two transactions of the message")
            seen_end_to_end_ids.add(transaction.end_to_end_id)
            amount += self.write_transaction(payment_info, transaction, collection_date, transaction_checker)
        return amount

    def write_transaction(self, payment_info, transaction, collection_date, checker):
        end_to_end_id = checker.identifier("EndToEndId", transaction.end_to_end_id)
        instruction_id = checker.identifier("InstrId", transaction.instruction_id, required=False)
        amount = checker.amount("InstdAmt", transaction.amount)
        currency = checker.choice("InstdAmt/@Ccy", transaction.currency, ("EUR",))
        mandate_id = checker.identifier("MndtId", transaction.mandate_id)
        signature_date = transaction.mandate_signature_date
        if isinstance(signature_date, datetime.datetime):
            signature_date = signature_date.date()
        if not isinstance(signature_date, datetime.date):
            checker.fail("DtOfSgntr", "(mandate signature date) is missing")
        if signature_date > collection_date:
            checker.fail("DtOfSgntr", f"{signature_date} is after the collection date {collection_date}")
        debtor_name = checker.text("Dbtr/Nm", transaction.debtor_name, NAME_MAX_LENGTH)
        debtor_iban = checker.iban("DbtrAcct/Id/IBAN", transaction.debtor_iban)
        debtor_bic = checker.bic(f"DbtrAgt/FinInstnId/{self.bic_tag}", transaction.debtor_bic)
        debtor_address = checker.address(
            "Dbtr/PstlAdr",
            transaction.debtor_address,
            self.version,
            required=debtor_iban[:2] not in _EEA_COUNTRIES,
        )
        if transaction.remittance_text and transaction.creditor_reference:
            checker.fail(
                "RmtInf", "takes either a remittance text (Ustrd) or a creditor reference (Strd), not both"
            )
        remittance_text = to_sepa_text(transaction.remittance_text, REMITTANCE_TEXT_MAX_LENGTH)
        creditor_reference = (
            checker.creditor_reference("RmtInf/Strd/CdtrRefInf/Ref", transaction.creditor_reference)
            if transaction.creditor_reference
            else ""
        )

        debit = self.sub(payment_info, "DrctDbtTxInf")
        payment_id = self.sub(debit, "PmtId")
        if instruction_id:
            self.sub(payment_id, "InstrId", instruction_id)
        self.sub(payment_id, "EndToEndId", end_to_end_id)
        self.sub(debit, "InstdAmt", _format_amount(amount), Ccy=currency)
        mandate = self.path(debit, "DrctDbtTx/MndtRltdInf")
        self.sub(mandate, "MndtId", mandate_id)
        self.sub(mandate, "DtOfSgntr", signature_date.isoformat())
        self.sub(mandate, "AmdmntInd", "true" if transaction.amendment else "false")
        if transaction.amendment:
            self.write_amendment(mandate, transaction.amendment, checker)
        self.write_agent(debit, "DbtrAgt", debtor_bic)
        self.write_party(debit, "Dbtr", debtor_name, debtor_address)
        self.path(debit, "DbtrAcct/Id/IBAN", debtor_iban)
        if remittance_text:
            self.path(debit, "RmtInf/Ustrd", remittance_text)
        elif creditor_reference:
            reference = self.path(debit, "RmtInf/Strd/CdtrRefInf")
            reference_type = self.sub(reference, "Tp")
            self.path(reference_type, "CdOrPrtry/Cd", "SCOR")
            self.sub(reference_type, "Issr", "ISO")
            self.sub(reference, "Ref", creditor_reference)
        return amount

    def write_amendment(self, mandate, amendment, checker):
        original_mandate_id = checker.identifier(
            "AmdmntInfDtls/OrgnlMndtId", amendment.original_mandate_id, required=False
        )
        original_creditor_name = to_sepa_text(amendment.original_creditor_name, NAME_MAX_LENGTH)
        original_creditor_identifier = (
            checker.creditor_identifier(
                "AmdmntInfDtls/OrgnlCdtrSchmeId/Id", amendment.original_creditor_identifier
            )
            if amendment.original_creditor_identifier
            else ""
        )
        original_debtor_iban = (
            checker.iban("AmdmntInfDtls/OrgnlDbtrAcct/Id/IBAN", amendment.original_debtor_iban)
            if amendment.original_debtor_iban
            else ""
        )
        if original_debtor_iban and amendment.same_mandate_new_debtor_account:
            checker.fail("AmdmntInfDtls/OrgnlDbtrAcct", "takes either the original IBAN or SMNDA, not both")
        if not (
            original_mandate_id
            or original_creditor_name
            or original_creditor_identifier
            or original_debtor_iban
            or amendment.same_mandate_new_debtor_account
        ):
            checker.fail("AmdmntInfDtls", "is empty: an amendment must say what changed")

        details = self.sub(mandate, "AmdmntInfDtls")
        if original_mandate_id:
            self.sub(details, "OrgnlMndtId", original_mandate_id)
        if original_creditor_name or original_creditor_identifier:
            original_creditor = self.sub(details, "OrgnlCdtrSchmeId")
            if original_creditor_name:
                self.sub(original_creditor, "Nm", original_creditor_name)
            if original_creditor_identifier:
                self.write_scheme_identifier_content(original_creditor, original_creditor_identifier)
        if original_debtor_iban:
            self.path(details, "OrgnlDbtrAcct/Id/IBAN", original_debtor_iban)
        elif amendment.same_mandate_new_debtor_account:
            self.path(details, "OrgnlDbtrAcct/Id/Othr/Id", "SMNDA")

    def write_party(self, parent, tag, name, address_fields):
        party = self.sub(parent, tag)
        self.sub(party, "Nm", name)
        if address_fields:
            address = self.sub(party, "PstlAdr")
            for field_tag, value in address_fields:
                if value:
                    self.sub(address, field_tag, value)

    def write_agent(self, parent, tag, bic):
        institution = self.path(parent, f"{tag}/FinInstnId")
        if bic:
            self.sub(institution, self.bic_tag, bic)
        else:
            # IBAN-only: the agent element is mandatory in the XSD, the BIC is not.
            self.path(institution, "Othr/Id", "NOTPROVIDED")

    def write_scheme_identifier(self, parent, tag, creditor_identifier):
        self.write_scheme_identifier_content(self.sub(parent, tag), creditor_identifier)

    def write_scheme_identifier_content(self, party, creditor_identifier):
        other = self.path(party, "Id/PrvtId/Othr")
        self.sub(other, "Id", creditor_identifier)
        self.path(other, "SchmeNm/Prtry", "SEPA")


# An XML declaration in double quotes: the form every bank parser expects.
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# How the pretty-printed document closes a batch (PmtInf sits two levels under the root).
_PAYMENT_INFO_END = b"    </PmtInf>\n"
_PAYMENT_INFO_START = b"    <PmtInf>\n"


def _serialize(root):
    return etree.tostring(root, encoding="UTF-8", pretty_print=True)


def build_pain008(message, version=PAIN008_001_08):
    """Return the pain.008 file for ``message`` as UTF-8 bytes, validated against the ISO XSD.

    Raises SepaDataError when the data breaks a SEPA rule (the message names the
    EndToEndId or PmtInfId and the field), and SepaSchemaError if the document still
    fails the schema, which points at a bug in this writer.
    """
    xml_bytes = _DECLARATION + _serialize(_Pain008Writer(version).build_document(message))
    validate_pain008(xml_bytes, version)
    return xml_bytes


def build_transactions(batch, version=PAIN008_001_08, seen_end_to_end_ids=None):
    """Return the ``DrctDbtTxInf`` elements of ``batch.transactions`` as a fragment of bytes.

    The fragment is what :func:`build_pain008` writes for these transactions inside their
    ``PmtInf``, byte for byte (same indentation), so that :func:`assemble_pain008` can put a
    file together from fragments built one part at a time. Each transaction gets the checks
    of the whole-file writer; an EndToEndId already in ``seen_end_to_end_ids`` (the earlier
    parts of the file) is refused, and the set is extended with this part's.
    """
    writer = _Pain008Writer(version)
    checker = _Checker(payment_info_id=batch.pmt_inf_id)
    collection_date = writer.collection_date(checker, batch.collection_date)
    if not batch.transactions:
        return b""
    root = etree.Element(f"{{{writer.namespace}}}Document", nsmap={None: writer.namespace})
    payment_info = writer.sub(writer.sub(root, writer.initiation_tag), "PmtInf")
    writer.write_transactions(
        payment_info,
        batch.pmt_inf_id,
        collection_date,
        batch.transactions,
        set() if seen_end_to_end_ids is None else seen_end_to_end_ids,
    )
    xml_bytes = _serialize(root)
    start = xml_bytes.index(_PAYMENT_INFO_START) + len(_PAYMENT_INFO_START)
    return xml_bytes[start : xml_bytes.rindex(_PAYMENT_INFO_END)]


def assemble_pain008(message, parts, version=PAIN008_001_08):
    """Return the pain.008 file of ``message`` whose transactions were built in parts.

    ``message.batches`` give the batches' headers (their ``transactions`` are not read);
    ``parts`` holds one :class:`TransactionParts` per batch, in the same order. The result is
    the file :func:`build_pain008` returns for the same message with the transactions,
    validated against the ISO XSD the same way; the same errors are raised.
    """
    if len(parts) != len(message.batches):
        raise ValueError(f"{len(message.batches)} batches but transactions for {len(parts)}")
    root = _Pain008Writer(version).build_document(message, parts)
    # Text never holds a raw "<": each closing tag of a batch is one of the batches'.
    head, *tails = _serialize(root).split(_PAYMENT_INFO_END)
    pieces = [_DECLARATION, head]
    for batch_parts, tail in zip(parts, tails, strict=True):
        pieces.extend(batch_parts.fragments)
        pieces.extend((_PAYMENT_INFO_END, tail))
    xml_bytes = b"".join(pieces)
    validate_pain008(xml_bytes, version)
    return xml_bytes
