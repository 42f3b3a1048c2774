"""Checks on SEPA identifiers (mandate references, message and end-to-end ids).

EPC Customer-to-PSP implementation guidelines, section 1.4: identifiers use the
SEPA character set, are at most 35 characters, and must neither start nor end with
a slash nor contain two consecutive slashes.
"""

import re

MAX_IDENTIFIER_LENGTH = 35
# Latin characters of the SEPA basic set: a-z A-Z 0-9 / - ? : ( ) . , ' + and space.
_SEPA_IDENTIFIER_RE = re.compile(r"^[A-Za-z0-9/\-?:().,'+ ]+$")


def identifier_errors(value):
    """Return the list of rule violations of a SEPA identifier (empty when valid).

    Each problem is a short English key so callers can translate their own message:
    ``empty``, ``too_long``, ``charset``, ``leading_or_trailing_slash``, ``double_slash``,
    ``surrounding_space``.
    """
    if not value:
        return ["empty"]
    errors = []
    if len(value) > MAX_IDENTIFIER_LENGTH:
        errors.append("too_long")
    if not _SEPA_IDENTIFIER_RE.match(value):
        errors.append("charset")
    if value.startswith("/") or value.endswith("/"):
        errors.append("leading_or_trailing_slash")
    if "//" in value:
        errors.append("double_slash")
    if value != value.strip():
        errors.append("surrounding_space")
    return errors
