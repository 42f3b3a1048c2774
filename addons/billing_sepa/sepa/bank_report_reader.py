"""What the pain.002 and camt readers of ``bank_reports`` share, as plain data.

``BankReportEntry`` is the reject, return or refund they report; ``Reader`` looks up
namespaced paths in one document; ``ReportContext`` carries the message being read (its
type, id, accounts and credits) and makes the entries' keys; ``parse_amount``,
``parse_date`` and ``parse_datetime`` read values or refuse the file with a
``BankFileError``.
"""

import dataclasses
import datetime
import re
from decimal import Decimal

from lxml import etree

from .xml_reader import BankFileError

# Status and reason codes that mean success; some banks put "0000" in the reason of a
# booked collection (OCA/account-payment#519).
_SUCCESS_CODES = frozenset({"ACCP", "ACSC", "ACSP", "ACTC", "ACWC", "ACCC", "PDNG", "RCVD"})
_ZERO_CODE_RE = re.compile(r"0+")
_AMOUNT_RE = re.compile(r"[0-9]{1,18}(\.[0-9]{1,5})?")
# "NOTPROVIDED" is what the EPC guidelines write where a reference was not given.
_NOT_PROVIDED = "NOTPROVIDED"


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


class Reader:
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


def parse_amount(element):
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


def parse_date(element, text):
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


def parse_datetime(element, text):
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


def is_success(code):
    return code is not None and (code in _SUCCESS_CODES or bool(_ZERO_CODE_RE.fullmatch(code)))


def serialize(element):
    return etree.tostring(element, encoding="unicode", with_tail=False)


@dataclasses.dataclass
class ReportContext:
    reader: Reader
    message_type: str
    message_id: str
    created: datetime.datetime | None
    account_ibans: set = dataclasses.field(default_factory=set)
    credits: list = dataclasses.field(default_factory=list)

    def key(self, position, *references):
        reference = next((ref for ref in references if ref), "")
        return f"{self.message_type}:{self.message_id}:{position}:{reference}"
