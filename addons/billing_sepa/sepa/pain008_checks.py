"""The EPC rules of a SEPA message that the ISO schema cannot express, checked in Python
(character set, field lengths, identifiers, amounts, addresses) before the XML is written."""

import re
from decimal import Decimal, InvalidOperation

from .charset import to_sepa_text
from .identifiers import identifier_errors
from .pain008_data import (
    ADDRESS_LINE_MAX_LENGTH,
    ADDRESS_LINES_MAX_COUNT,
    BUILDING_NUMBER_MAX_LENGTH,
    COUNTRY_SUBDIVISION_MAX_LENGTH,
    MAX_AMOUNT,
    PAIN008_001_02,
    POSTAL_CODE_MAX_LENGTH,
    STREET_NAME_MAX_LENGTH,
    TOWN_NAME_MAX_LENGTH,
    SepaDataError,
)

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
