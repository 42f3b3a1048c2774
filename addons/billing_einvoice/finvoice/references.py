"""Payment references of Finnish invoices.

A national reference (viitenumero) is 4 to 20 digits whose last digit is a check digit
computed with the weights 7, 3, 1 from the right; its Finvoice scheme is ``SPY``. An
international creditor reference (ISO 11649) starts with ``RF`` and two mod-97 check
digits; its Finvoice scheme is ``ISO``.
"""

import re

from stdnum import iso11649

SCHEME_FINNISH = "SPY"
SCHEME_ISO = "ISO"

_FINNISH_RE = re.compile(r"[0-9]{4,20}")
_WEIGHTS = (7, 3, 1)


def compact(reference):
    """Return ``reference`` without spaces, upper-case (``RF18 1234 5`` → ``RF1812345``)."""
    return "".join((reference or "").split()).upper()


def finnish_check_digit(base):
    """Return the 7-3-1 check digit of the digits ``base`` (3 to 19 digits)."""
    if not re.fullmatch(r"[0-9]{3,19}", base):
        raise ValueError("a Finnish reference base is 3 to 19 digits")
    total = sum(_WEIGHTS[index % 3] * int(digit) for index, digit in enumerate(reversed(base)))
    return str(-total % 10)


def make_finnish_reference(base):
    """Return the Finnish reference for ``base``: the base followed by its check digit."""
    base = base.lstrip("0") or "0"
    base = base.zfill(3)
    return base + finnish_check_digit(base)


def is_valid_finnish_reference(reference):
    reference = compact(reference)
    if not _FINNISH_RE.fullmatch(reference):
        return False
    return finnish_check_digit(reference[:-1]) == reference[-1]


def is_valid_rf_reference(reference):
    reference = compact(reference)
    return reference.startswith("RF") and len(reference) <= 25 and iso11649.is_valid(reference)


def reference_scheme(reference):
    """Return ``("SPY" or "ISO", compact reference)``, or ``(None, "")`` when not structured."""
    value = compact(reference)
    if is_valid_rf_reference(value):
        return SCHEME_ISO, value
    if is_valid_finnish_reference(value):
        return SCHEME_FINNISH, value
    return None, ""
