"""Incoming payments by reference (viitemaksut), as read from camt.054 / camt.053 credit entries.

Plain data only: :class:`ReferencePayment` is one credited transaction, ``bank_reports``
fills it while it reads the same file for returns (one parser for the bank's files).
:func:`find_reference` takes the payer's reference from the structured remittance
information (``RmtInf/Strd/CdtrRefInf/Ref``: an RF creditor reference, ISO 11649, or a
Finnish national reference with its 7-3-1 check digit), else from the unstructured text
(``RmtInf/Ustrd``) when it holds a valid reference. :func:`normalize_reference` gives the
form references are compared in: no spaces, upper case, no leading zeros (Finnish banks pad
national references to 20 digits).
"""

import dataclasses
import datetime
import re
from decimal import Decimal

from stdnum import iso11649

_SPACES_RE = re.compile(r"\s+")
_FINNISH_RE = re.compile(r"[0-9]{4,20}")
_RF_RE = re.compile(r"RF[0-9]{2}[0-9A-Z]{1,21}")
# Words a payer may write before the reference in the free text.
_LABEL_RE = re.compile(r"^(VIITE|VIITENUMERO|REF|REFERENS|REFERENCE|RF-VIITE)[:.]?", re.IGNORECASE)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReferencePayment:
    """One credited transaction of a camt entry: a payment received, with its reference."""

    key: str
    # The reference as the bank gave it, and its normalised form ("" when none was found).
    reference: str
    normalized_reference: str
    # "structured" (CdtrRefInf), "unstructured" (found in Ustrd) or "" (none).
    reference_source: str
    amount: Decimal | None
    currency: str | None
    date: datetime.date | None
    # The account notification or statement block the entry is in (A1, A2, ...).
    block: str
    account_iban: str | None
    bank_reference: str | None
    end_to_end_id: str | None
    debtor_name: str | None
    debtor_iban: str | None
    raw_xml: str


def normalize_reference(reference):
    """``"RF18 5390 0754 7034"`` → ``"RF18539007547034"``, ``"00000 12345 6"`` → ``"123456"``."""
    compact = _SPACES_RE.sub("", reference or "").upper()
    return compact.lstrip("0") if compact.isdigit() else compact


def is_finnish_reference(reference):
    """A Finnish national reference: 4 to 20 digits, the last one the 7-3-1 check digit."""
    if not _FINNISH_RE.fullmatch(reference or ""):
        return False
    digits = reference.lstrip("0")
    if len(digits) < 4:
        return False
    body, check = digits[:-1], digits[-1]
    total = sum((7, 3, 1)[index % 3] * int(digit) for index, digit in enumerate(reversed(body)))
    return str((10 - total % 10) % 10) == check


def is_rf_reference(reference):
    return bool(_RF_RE.fullmatch(reference or "")) and iso11649.is_valid(reference)


def is_valid_reference(reference):
    normalized = normalize_reference(reference)
    return is_rf_reference(normalized) or is_finnish_reference(normalized)


def find_reference(structured, unstructured):
    """``(reference, source)`` from the structured references, else from the free texts.

    ``structured`` and ``unstructured`` are lists of texts. A structured reference is taken as
    the bank gave it, valid or not (a wrong one goes to review, never away); in free text only
    a valid reference counts: the whole text (after a label such as "Viite:"), else one word.
    """
    for text in structured:
        if normalize_reference(text):
            return text.strip(), "structured"
    for text in unstructured:
        candidate = _LABEL_RE.sub("", text.strip()).strip()
        if candidate and is_valid_reference(candidate):
            return candidate, "unstructured"
        for word in text.split():
            if is_valid_reference(word):
                return word, "unstructured"
    return "", ""
