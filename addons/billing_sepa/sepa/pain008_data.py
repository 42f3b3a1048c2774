"""pain.008 input: the plain data a collection file is written from, its limits and errors."""

import dataclasses
import datetime
from decimal import Decimal

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
