"""pain.001 writer: SEPA credit transfer files (ISO 20022 CustomerCreditTransferInitiation).

Used to pay customers' credits back. The input is plain data (the dataclasses below); the output
is the UTF-8 XML file as bytes. pain.001.001.09 (EPC rulebooks since November 2023) is the
default; pain.001.001.03 is kept for banks that still want it.

The EPC rules the ISO schema cannot express are checked in Python first with the checker of
:mod:`.pain008` (character set, lengths, identifiers, IBAN check digits, amounts to the cent);
the document is then validated against the ISO XSD shipped in the ``sepaxml`` package before
it is returned.
"""

import dataclasses
import datetime
from decimal import Decimal

from lxml import etree

from . import pain008
from .charset import to_sepa_text
from .pain008 import (
    NAME_MAX_LENGTH,
    REMITTANCE_TEXT_MAX_LENGTH,
    Address,
    SepaDataError,
    SepaSchemaError,
)

PAIN001_001_09 = "pain.001.001.09"
PAIN001_001_03 = "pain.001.001.03"
SUPPORTED_VERSIONS = (PAIN001_001_09, PAIN001_001_03)

__all__ = [
    "PAIN001_001_03",
    "PAIN001_001_09",
    "SUPPORTED_VERSIONS",
    "Address",
    "CreditTransfer",
    "Message",
    "PaymentInfo",
    "SepaDataError",
    "SepaSchemaError",
    "build_pain001",
    "validate_pain001",
]


@dataclasses.dataclass(kw_only=True)
class CreditTransfer:
    """One payment to a creditor (``CdtTrfTxInf``): here, a customer paid back."""

    end_to_end_id: str
    amount: Decimal
    creditor_name: str
    creditor_iban: str
    instruction_id: str = ""
    currency: str = "EUR"
    creditor_bic: str = ""
    creditor_address: Address | None = None
    remittance_text: str = ""


@dataclasses.dataclass(kw_only=True)
class PaymentInfo:
    """One block (``PmtInf``): an execution date and the account the money leaves from."""

    pmt_inf_id: str
    execution_date: datetime.date
    debtor_name: str
    debtor_iban: str
    transactions: list[CreditTransfer]
    debtor_bic: str = ""
    debtor_address: Address | None = None
    batch_booking: bool = True


@dataclasses.dataclass(kw_only=True)
class Message:
    """A whole pain.001 file: the group header and its blocks."""

    msg_id: str
    creation_datetime: datetime.datetime
    initiating_party_name: str
    batches: list[PaymentInfo]


def _check_version(version):
    if version not in SUPPORTED_VERSIONS:
        raise ValueError(
            f"Unsupported pain.001 version {version!r}: use one of {', '.join(SUPPORTED_VERSIONS)}"
        )


class _Pain001Writer(pain008._Pain008Writer):
    """The pain.008 writer's group header and element helpers, with credit-transfer blocks."""

    initiation_tag = "CstmrCdtTrfInitn"

    def __init__(self, version):  # pylint: disable=super-init-not-called
        _check_version(version)
        self.version = version
        self.namespace = f"urn:iso:std:iso:20022:tech:xsd:{version}"
        self.bic_tag = "BIC" if version == PAIN001_001_03 else "BICFI"

    def address(self, checker, field, address, required):
        if self.version == PAIN001_001_03:
            # As for pain.008.001.02: the old version cannot carry the EPC's hybrid address.
            if required:
                checker.fail(
                    field, f"is mandatory for a bank outside the EEA, which {self.version} cannot carry"
                )
            return None
        return checker.address(field, address, self.version, required)

    def write_batch(self, initiation, batch, seen_end_to_end_ids):
        checker = pain008._Checker(payment_info_id=batch.pmt_inf_id)
        pmt_inf_id = checker.identifier("PmtInfId", batch.pmt_inf_id)
        execution_date = batch.execution_date
        if isinstance(execution_date, datetime.datetime):
            execution_date = execution_date.date()
        if not isinstance(execution_date, datetime.date):
            checker.fail("ReqdExctnDt", "is missing")
        debtor_name = checker.text("Dbtr/Nm", batch.debtor_name, NAME_MAX_LENGTH)
        debtor_address = self.address(checker, "Dbtr/PstlAdr", batch.debtor_address, required=False)
        debtor_iban = checker.iban("DbtrAcct/Id/IBAN", batch.debtor_iban)
        debtor_bic = checker.bic(f"DbtrAgt/FinInstnId/{self.bic_tag}", batch.debtor_bic)
        if not batch.transactions:
            checker.fail("CdtTrfTxInf", "is missing: a block needs at least one transaction")

        payment_info = self.sub(initiation, "PmtInf")
        self.sub(payment_info, "PmtInfId", pmt_inf_id)
        self.sub(payment_info, "PmtMtd", "TRF")
        self.sub(payment_info, "BtchBookg", "true" if batch.batch_booking else "false")
        block_count = self.sub(payment_info, "NbOfTxs")
        block_sum = self.sub(payment_info, "CtrlSum")
        self.path(payment_info, "PmtTpInf/SvcLvl/Cd", "SEPA")
        if self.version == PAIN001_001_03:
            self.sub(payment_info, "ReqdExctnDt", execution_date.isoformat())
        else:
            self.path(payment_info, "ReqdExctnDt/Dt", execution_date.isoformat())
        self.write_party(payment_info, "Dbtr", debtor_name, debtor_address)
        self.path(payment_info, "DbtrAcct/Id/IBAN", debtor_iban)
        self.write_agent(payment_info, "DbtrAgt", debtor_bic)
        self.sub(payment_info, "ChrgBr", "SLEV")

        block_amount = Decimal(0)
        for transaction in batch.transactions:
            transaction_checker = pain008._Checker(
                end_to_end_id=transaction.end_to_end_id, payment_info_id=pmt_inf_id
            )
            if transaction.end_to_end_id in seen_end_to_end_ids:
                transaction_checker.fail("EndToEndId", "is used by two transactions of the message")
            seen_end_to_end_ids.add(transaction.end_to_end_id)
            block_amount += self.write_transaction(payment_info, transaction, transaction_checker)
        block_count.text = str(len(batch.transactions))
        block_sum.text = pain008._format_amount(block_amount)
        return len(batch.transactions), block_amount

    def write_transaction(self, payment_info, transaction, checker):
        end_to_end_id = checker.identifier("EndToEndId", transaction.end_to_end_id)
        instruction_id = checker.identifier("InstrId", transaction.instruction_id, required=False)
        amount = checker.amount("InstdAmt", transaction.amount)
        currency = checker.choice("InstdAmt/@Ccy", transaction.currency, ("EUR",))
        creditor_name = checker.text("Cdtr/Nm", transaction.creditor_name, NAME_MAX_LENGTH)
        creditor_iban = checker.iban("CdtrAcct/Id/IBAN", transaction.creditor_iban)
        creditor_bic = checker.bic(f"CdtrAgt/FinInstnId/{self.bic_tag}", transaction.creditor_bic)
        creditor_address = self.address(
            checker,
            "Cdtr/PstlAdr",
            transaction.creditor_address,
            required=creditor_iban[:2] not in pain008._EEA_COUNTRIES,
        )
        remittance_text = to_sepa_text(transaction.remittance_text, REMITTANCE_TEXT_MAX_LENGTH)

        transfer = self.sub(payment_info, "CdtTrfTxInf")
        payment_id = self.sub(transfer, "PmtId")
        if instruction_id:
            self.sub(payment_id, "InstrId", instruction_id)
        self.sub(payment_id, "EndToEndId", end_to_end_id)
        self.sub(self.sub(transfer, "Amt"), "InstdAmt", pain008._format_amount(amount), Ccy=currency)
        if creditor_bic:
            # IBAN-only is the rule inside SEPA: the creditor agent is optional, unlike the debtor's.
            self.path(transfer, f"CdtrAgt/FinInstnId/{self.bic_tag}", creditor_bic)
        self.write_party(transfer, "Cdtr", creditor_name, creditor_address)
        self.path(transfer, "CdtrAcct/Id/IBAN", creditor_iban)
        if remittance_text:
            self.path(transfer, "RmtInf/Ustrd", remittance_text)
        return amount


def build_pain001(message, version=PAIN001_001_09):
    """Return the pain.001 file for ``message`` as UTF-8 bytes, validated against the ISO XSD.

    Raises SepaDataError when the data breaks a SEPA rule (the message names the EndToEndId or
    PmtInfId and the field, never an IBAN), and SepaSchemaError if the document still fails the
    schema, which points at a bug in this writer.
    """
    root = _Pain001Writer(version).build_document(message)
    xml_bytes = b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(
        root, encoding="UTF-8", pretty_print=True
    )
    validate_pain001(xml_bytes, version)
    return xml_bytes


def validate_pain001(xml_bytes, version=PAIN001_001_09):
    """Validate a pain.001 document against the ISO XSD of ``version`` (from ``sepaxml``).

    Raises SepaSchemaError naming the line of each of the first errors, offending values left
    out because they may be IBANs or names.
    """
    _check_version(version)
    try:
        root = etree.fromstring(xml_bytes, pain008._safe_parser())
    except etree.XMLSyntaxError as error:
        raise SepaSchemaError(
            f"{version}: line {error.lineno}: not well-formed XML: {pain008._redacted(error.msg)}"
        ) from None
    if root.getroottree().docinfo.doctype:
        raise SepaSchemaError(f"{version}: a pain.001 document must not declare a DOCTYPE")
    schema, lock = pain008._schema(version)
    with lock:
        valid = schema.validate(root)
        errors = [(error.line, error.message) for error in schema.error_log]
    if valid:
        return
    limit = pain008._MAX_REPORTED_ERRORS
    problems = [f"line {line}: {pain008._redacted(text)}" for line, text in errors[:limit]]
    if len(errors) > limit:
        problems.append(f"and {len(errors) - limit} more errors")
    raise SepaSchemaError(f"The document does not match the {version} schema: " + "; ".join(problems))
