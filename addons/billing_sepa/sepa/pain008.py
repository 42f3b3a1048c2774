"""pain.008 writer: SEPA direct debit collection files (ISO 20022 CustomerDirectDebitInitiation).

The input is plain data (the dataclasses below); the output is the UTF-8 XML file as
bytes. pain.008.001.08 (EPC rulebooks since March 2024) is the default; pain.008.001.02
is kept as a fallback for banks that still accept it.

The EPC rules that the ISO schema cannot express are checked here in Python first
(character set, EPC field lengths, identifiers, amounts, at most two address lines,
no unstructured address); the document is then validated against the official ISO
XSD shipped in the ``sepaxml`` package before it is returned.
"""

import dataclasses
import datetime
import functools
import importlib.resources
import re
import threading
from decimal import Decimal, InvalidOperation

from lxml import etree

from . import xml_reader
from .charset import to_sepa_text
from .identifiers import identifier_errors

PAIN008_001_08 = "pain.008.001.08"
PAIN008_001_02 = "pain.008.001.02"
SUPPORTED_VERSIONS = (PAIN008_001_08, PAIN008_001_02)
SCHEMES = ("CORE", "B2B")
SEQUENCE_TYPES = ("FRST", "RCUR", "OOFF", "FNAL")

# EPC implementation-guideline limits (ISO allows 140 characters for names).
NAME_MAX_LENGTH = 70
REMITTANCE_TEXT_MAX_LENGTH = 140
ADDRESS_LINE_MAX_LENGTH = 70
ADDRESS_LINES_MAX_COUNT = 2
STREET_NAME_MAX_LENGTH = 70
BUILDING_NUMBER_MAX_LENGTH = 16
POSTAL_CODE_MAX_LENGTH = 16
TOWN_NAME_MAX_LENGTH = 35
COUNTRY_SUBDIVISION_MAX_LENGTH = 35
# EPC SDD rulebook, AT-06: the amount of a collection is at most 999 999 999.99 EUR.
MAX_AMOUNT = Decimal("999999999.99")

_CENT = Decimal("0.01")
# A debtor whose bank sits outside the EEA must have a postal address (EU 27 plus
# Iceland, Liechtenstein and Norway, by IBAN country code; verify against the rulebook).
_EEA_COUNTRIES = frozenset(
    {
        *("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU"),
        *("IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"),
        *("IS", "LI", "NO"),
    }
)
_COUNTRY_RE = re.compile(r"[A-Z]{2}")
_IBAN_RE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}")
_BIC_RE = re.compile(r"[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")
# Creditor identifier: country, check digits, 3-character business code, national id.
_CREDITOR_IDENTIFIER_RE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{3}[A-Z0-9]{1,28}")
_CREDITOR_REFERENCE_RE = re.compile(r"RF[0-9]{2}[A-Z0-9]{1,21}")


class SepaDataError(ValueError):
    """The input data breaks a SEPA rule; the message names the transaction and field."""

    def __init__(self, message, *, field, end_to_end_id=None, payment_info_id=None):
        super().__init__(message)
        self.field = field
        self.end_to_end_id = end_to_end_id
        self.payment_info_id = payment_info_id


class SepaSchemaError(ValueError):
    """The generated document does not validate against the ISO XSD."""


@dataclasses.dataclass(kw_only=True)
class Address:
    """A postal address, written in the structured or hybrid form of pain.008.001.08.

    ``town_name`` and ``country`` (ISO 3166 alpha-2) are mandatory for the address to
    be sent at all; ``address_lines`` holds at most two lines for what does not fit
    the structured fields (e.g. Odoo's ``street`` and ``street2``).
    """

    street_name: str = ""
    building_number: str = ""
    postal_code: str = ""
    town_name: str = ""
    country_subdivision: str = ""
    country: str = ""
    address_lines: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(kw_only=True)
class MandateAmendment:
    """What changed on the mandate since the last collection (``AmdmntInfDtls``).

    Fill only the values that changed. ``same_mandate_new_debtor_account`` writes
    ``OrgnlDbtrAcct/Id/Othr/Id`` = ``SMNDA`` (same mandate, new debtor account) when
    the old IBAN is not to be sent; it excludes ``original_debtor_iban``.
    """

    original_mandate_id: str = ""
    original_creditor_name: str = ""
    original_creditor_identifier: str = ""
    original_debtor_iban: str = ""
    same_mandate_new_debtor_account: bool = False


@dataclasses.dataclass(kw_only=True)
class DirectDebit:
    """One collection (``DrctDbtTxInf``).

    ``remittance_text`` (unstructured, cut to 140 characters) and
    ``creditor_reference`` (an ISO 11649 ``RF`` reference) exclude each other.
    """

    end_to_end_id: str
    amount: Decimal
    mandate_id: str
    mandate_signature_date: datetime.date | None
    debtor_name: str
    debtor_iban: str
    instruction_id: str = ""
    currency: str = "EUR"
    debtor_bic: str = ""
    debtor_address: Address | None = None
    amendment: MandateAmendment | None = None
    remittance_text: str = ""
    creditor_reference: str = ""


@dataclasses.dataclass(kw_only=True)
class PaymentInfo:
    """One batch (``PmtInf``): a collection date, scheme, sequence type and creditor account."""

    pmt_inf_id: str
    collection_date: datetime.date
    creditor_name: str
    creditor_iban: str
    creditor_identifier: str
    transactions: list[DirectDebit]
    scheme: str = "CORE"
    sequence_type: str = "RCUR"
    creditor_address: Address | None = None
    creditor_bic: str = ""
    batch_booking: bool = True


@dataclasses.dataclass(kw_only=True)
class Message:
    """A whole pain.008 file: the group header and its batches."""

    msg_id: str
    creation_datetime: datetime.datetime
    initiating_party_name: str
    batches: list[PaymentInfo]


@dataclasses.dataclass(kw_only=True)
class TransactionParts:
    """The transactions of one batch written apart, in parts (see :func:`build_transactions`).

    ``fragments`` are the parts in their order; ``count`` and ``control_sum`` are the
    batch's ``NbOfTxs`` and ``CtrlSum``, known to the caller without the transactions.
    """

    count: int
    control_sum: Decimal
    fragments: list[bytes]


def _format_amount(amount):
    return f"{amount.quantize(_CENT):f}"


def _mod97(text):
    """ISO 7064 MOD 97-10 remainder of ``text`` with letters counted as 10..35."""
    return int("".join(str(int(character, 36)) for character in text)) % 97


def _compact(value):
    return "".join((value or "").split()).upper()


class _Checker:
    """Turns plain input into checked SEPA values, raising SepaDataError on the way.

    Each instance knows where it is (batch, transaction) so every error names them.
    """

    def __init__(self, *, end_to_end_id=None, payment_info_id=None):
        self.end_to_end_id = end_to_end_id
        self.payment_info_id = payment_info_id

    def fail(self, field, problem):
        if self.end_to_end_id:
            where = f"EndToEndId {self.end_to_end_id!r}"
        elif self.payment_info_id:
            where = f"PmtInfId {self.payment_info_id!r}"
        else:
            where = "GrpHdr"
        raise SepaDataError(
            f"{where}: {field} {problem}",
            field=field,
            end_to_end_id=self.end_to_end_id,
            payment_info_id=self.payment_info_id,
        )

    def identifier(self, field, value, required=True):
        if not value and not required:
            return ""
        errors = identifier_errors(value)
        if errors:
            self.fail(field, f"is not a valid SEPA identifier ({', '.join(errors)}): {value!r}")
        return value

    def text(self, field, value, max_length):
        text = to_sepa_text(value, max_length)
        if not text:
            self.fail(field, "is empty once written in the SEPA character set")
        return text

    def iban(self, field, value):
        iban = _compact(value)
        # The IBAN goes into error messages only as its country code: it is personal data.
        if not _IBAN_RE.fullmatch(iban) or _mod97(iban[4:] + iban[:4]) != 1:
            self.fail(field, f"is not a valid IBAN (country {iban[:2]!r})")
        return iban

    def bic(self, field, value):
        bic = _compact(value)
        if bic and not _BIC_RE.fullmatch(bic):
            self.fail(field, f"is not a valid BIC: {bic!r}")
        return bic

    def creditor_identifier(self, field, value):
        identifier = self.identifier(field, _compact(value))
        # The check digits ignore the business code (characters 5 to 7).
        if not _CREDITOR_IDENTIFIER_RE.fullmatch(identifier) or _mod97(identifier[7:] + identifier[:4]) != 1:
            self.fail(field, f"is not a valid SEPA creditor identifier: {identifier!r}")
        return identifier

    def creditor_reference(self, field, value):
        reference = _compact(value)
        if not _CREDITOR_REFERENCE_RE.fullmatch(reference) or _mod97(reference[4:] + reference[:4]) != 1:
            self.fail(field, f"is not a valid ISO 11649 creditor reference: {reference!r}")
        return reference

    def amount(self, field, value):
        if isinstance(value, float):
            self.fail(field, "must be a Decimal, not a float (floats are not exact to the cent)")
        try:
            amount = Decimal(value)
        except (InvalidOperation, TypeError, ValueError):
            self.fail(field, f"is not a number: {value!r}")
        if not amount.is_finite() or amount <= 0:
            self.fail(field, f"must be greater than zero, got {value}")
        if amount > MAX_AMOUNT:
            self.fail(field, f"exceeds the SEPA maximum of {MAX_AMOUNT}: {value}")
        if amount != amount.quantize(_CENT):
            self.fail(field, f"has more than 2 decimals: {value}")
        return amount

    def choice(self, field, value, allowed):
        if value not in allowed:
            self.fail(field, f"must be one of {', '.join(allowed)}, got {value!r}")
        return value

    def address(self, field, address, version, required):
        """Return the checked address fields, or None when no address is to be sent.

        An address without town or country, or with a town longer than 35 characters
        (never cut silently), is left out where it is optional and refused where it is
        mandatory. pain.008.001.02 cannot carry a compliant address: it gets none.
        """
        if version == PAIN008_001_02:
            if required:
                self.fail(
                    field, "is mandatory for a bank outside the EEA, which pain.008.001.02 cannot carry"
                )
            return None
        if address is None:
            if required:
                self.fail(field, "is mandatory for a bank outside the EEA")
            return None
        town_name = to_sepa_text(address.town_name)
        country = _compact(address.country)
        if country and not _COUNTRY_RE.fullmatch(country):
            self.fail(f"{field}/Ctry", f"is not an ISO 3166 alpha-2 country code: {country!r}")
        if not town_name or not country or len(town_name) > TOWN_NAME_MAX_LENGTH:
            if required:
                self.fail(
                    field,
                    f"needs a town (at most {TOWN_NAME_MAX_LENGTH} characters) and a country "
                    "for a bank outside the EEA",
                )
            return None
        address_lines = [
            line
            for line in (to_sepa_text(line, ADDRESS_LINE_MAX_LENGTH) for line in address.address_lines or ())
            if line
        ]
        if len(address_lines) > ADDRESS_LINES_MAX_COUNT:
            self.fail(
                f"{field}/AdrLine",
                f"has {len(address_lines)} lines, at most {ADDRESS_LINES_MAX_COUNT} allowed",
            )
        return [
            ("StrtNm", to_sepa_text(address.street_name, STREET_NAME_MAX_LENGTH)),
            ("BldgNb", to_sepa_text(address.building_number, BUILDING_NUMBER_MAX_LENGTH)),
            ("PstCd", to_sepa_text(address.postal_code, POSTAL_CODE_MAX_LENGTH)),
            ("TwnNm", town_name),
            ("CtrySubDvsn", to_sepa_text(address.country_subdivision, COUNTRY_SUBDIVISION_MAX_LENGTH)),
            ("Ctry", country),
            *(("AdrLine", line) for line in address_lines),
        ]


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
