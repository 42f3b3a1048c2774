"""Transliteration of free text into the SEPA basic Latin character set.

EPC Customer-to-PSP implementation guidelines, section 1.4: unless the banks agree
otherwise, only ``a-z A-Z 0-9 / - ? : ( ) . , ' +`` and the space may be exchanged.
Text outside that set is converted along the lines of the EPC217-08 conversion table
and best practices: ``&`` becomes ``+``, German umlauts become two letters, other
accented Latin letters lose their accents, Greek and Cyrillic letters are
transliterated, and characters without a sensible replacement become a space.

Greek follows ELOT 743, with its diphthong rules for omicron-upsilon, alpha-upsilon,
epsilon-upsilon and eta-upsilon but without the mu-pi and nu-tau rules. Cyrillic follows the Bulgarian official transliteration, because
Bulgaria is the SEPA country that writes in Cyrillic, plus the extra letters of Russian,
Ukrainian, Serbian and Macedonian. The tables are built from Unicode character names
so that no look-alike letters hide in the source.
"""

import re
import unicodedata

SEPA_SPECIAL_CHARACTERS = "/-?:().,'+ "
_SEPA_TEXT_RE = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]*")
_WHITESPACE_RUN_RE = re.compile(r" {2,}")
_ALLOWED = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + SEPA_SPECIAL_CHARACTERS
)
# Unassigned, private-use, surrogate, control and format characters (zero-width space,
# soft hyphen, byte order mark...) carry no visible text: they are dropped, not spaced.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def _cased_pairs(script, names):
    """Map small and capital letters of ``script`` named in ``names`` to Latin text."""
    table = {}
    for name, latin in names.items():
        table[unicodedata.lookup(f"{script} SMALL LETTER {name}")] = latin
        table[unicodedata.lookup(f"{script} CAPITAL LETTER {name}")] = latin.upper()
    return table


# Letters whose NFKD decomposition would lose what they stand for: umlauts are written
# as two letters (DK convention, EPC alternative), and the Cyrillic short i, yo, yi...
# would otherwise decompose into a plain i or e plus a dropped accent.
_BEFORE_DECOMPOSITION = {
    **_cased_pairs("LATIN", {"A WITH DIAERESIS": "ae", "O WITH DIAERESIS": "oe", "U WITH DIAERESIS": "ue"}),
    "\N{LATIN SMALL LETTER SHARP S}": "ss",
    "\N{LATIN CAPITAL LETTER SHARP S}": "SS",
    **_cased_pairs(
        "CYRILLIC",
        {"SHORT I": "y", "IO": "yo", "YI": "yi", "SHORT U": "u", "GJE": "gj", "KJE": "kj"},
    ),
}

_GREEK_LETTERS = _cased_pairs(
    "GREEK",
    {
        "ALPHA": "a",
        "BETA": "v",
        "GAMMA": "g",
        "DELTA": "d",
        "EPSILON": "e",
        "ZETA": "z",
        "ETA": "i",
        "THETA": "th",
        "IOTA": "i",
        "KAPPA": "k",
        "LAMDA": "l",
        "MU": "m",
        "NU": "n",
        "XI": "x",
        "OMICRON": "o",
        "PI": "p",
        "RHO": "r",
        "SIGMA": "s",
        "TAU": "t",
        "UPSILON": "y",
        "PHI": "f",
        "CHI": "ch",
        "PSI": "ps",
        "OMEGA": "o",
    },
)
_GREEK_LETTERS["\N{GREEK SMALL LETTER FINAL SIGMA}"] = "s"

_CYRILLIC_LETTERS = _cased_pairs(
    "CYRILLIC",
    {
        "A": "a",
        "BE": "b",
        "VE": "v",
        "GHE": "g",
        "DE": "d",
        "IE": "e",
        "ZHE": "zh",
        "ZE": "z",
        "I": "i",
        "KA": "k",
        "EL": "l",
        "EM": "m",
        "EN": "n",
        "O": "o",
        "PE": "p",
        "ER": "r",
        "ES": "s",
        "TE": "t",
        "U": "u",
        "EF": "f",
        "HA": "h",
        "TSE": "ts",
        "CHE": "ch",
        "SHA": "sh",
        "SHCHA": "sht",
        "HARD SIGN": "a",
        # The soft sign is silent; the Bulgarian "yo" spelling is handled before the table.
        "SOFT SIGN": "",
        "YU": "yu",
        "YA": "ya",
        "YERU": "y",
        "E": "e",
        "UKRAINIAN IE": "ye",
        "BYELORUSSIAN-UKRAINIAN I": "i",
        "GHE WITH UPTURN": "g",
        "DJE": "dj",
        "JE": "j",
        "LJE": "lj",
        "NJE": "nj",
        "TSHE": "c",
        "DZHE": "dz",
        "DZE": "dz",
    },
)

# Latin letters that NFKD leaves alone because they are letters of their own.
_LATIN_LETTERS = {
    **_cased_pairs(
        "LATIN",
        {
            "AE": "ae",
            "O WITH STROKE": "oe",
            "ETH": "d",
            "THORN": "th",
            "L WITH STROKE": "l",
            "D WITH STROKE": "d",
            "H WITH STROKE": "h",
            "T WITH STROKE": "t",
            "ENG": "ng",
        },
    ),
    "\N{LATIN SMALL LIGATURE OE}": "oe",
    "\N{LATIN CAPITAL LIGATURE OE}": "OE",
    "\N{LATIN SMALL LETTER DOTLESS I}": "i",
    "\N{LATIN SMALL LETTER KRA}": "k",
    "\N{LATIN SMALL LETTER F WITH HOOK}": "f",
}

# Punctuation and symbols with a meaningful replacement inside the SEPA set. Anything
# else outside the set becomes a space.
_PUNCTUATION = {
    "&": "+",
    "@": "(at)",
    "_": "-",
    "%": " pct",
    "\N{EURO SIGN}": "EUR",
    ";": ",",
    "!": ".",
    "\N{MIDDLE DOT}": ".",
    "\N{BULLET}": ".",
    "[": "(",
    "{": "(",
    "<": "(",
    "]": ")",
    "}": ")",
    ">": ")",
    "\\": "/",
    "|": "/",
    "\N{FRACTION SLASH}": "/",
    "\N{DIVISION SLASH}": "/",
    **dict.fromkeys(
        '"`\N{ACUTE ACCENT}\N{LEFT SINGLE QUOTATION MARK}\N{RIGHT SINGLE QUOTATION MARK}'
        "\N{SINGLE LOW-9 QUOTATION MARK}\N{SINGLE HIGH-REVERSED-9 QUOTATION MARK}"
        "\N{LEFT DOUBLE QUOTATION MARK}\N{RIGHT DOUBLE QUOTATION MARK}"
        "\N{DOUBLE LOW-9 QUOTATION MARK}\N{DOUBLE HIGH-REVERSED-9 QUOTATION MARK}"
        "\N{LEFT-POINTING DOUBLE ANGLE QUOTATION MARK}\N{RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK}"
        "\N{SINGLE LEFT-POINTING ANGLE QUOTATION MARK}\N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK}"
        "\N{PRIME}\N{DOUBLE PRIME}\N{MODIFIER LETTER APOSTROPHE}\N{MODIFIER LETTER TURNED COMMA}",
        "'",
    ),
    **dict.fromkeys(
        "\N{HYPHEN}\N{NON-BREAKING HYPHEN}\N{FIGURE DASH}\N{EN DASH}\N{EM DASH}"
        "\N{HORIZONTAL BAR}\N{MINUS SIGN}",
        "-",
    ),
}

_AFTER_DECOMPOSITION = {**_GREEK_LETTERS, **_CYRILLIC_LETTERS, **_LATIN_LETTERS, **_PUNCTUATION}

# ELOT 743 diphthongs. Omicron-upsilon is always "ou"; alpha-, epsilon- and eta-upsilon
# end in "f" before a voiceless consonant or at the end of a word, in "v" otherwise.
_GREEK_DIPHTHONG_RE = re.compile(
    "([\N{GREEK SMALL LETTER OMICRON}\N{GREEK SMALL LETTER ALPHA}"
    "\N{GREEK SMALL LETTER EPSILON}\N{GREEK SMALL LETTER ETA}])"
    "(\N{GREEK SMALL LETTER UPSILON})",
    re.IGNORECASE,
)
_GREEK_VOICELESS = frozenset(
    "\N{GREEK SMALL LETTER THETA}\N{GREEK SMALL LETTER KAPPA}\N{GREEK SMALL LETTER XI}"
    "\N{GREEK SMALL LETTER PI}\N{GREEK SMALL LETTER SIGMA}\N{GREEK SMALL LETTER FINAL SIGMA}"
    "\N{GREEK SMALL LETTER TAU}\N{GREEK SMALL LETTER PHI}\N{GREEK SMALL LETTER CHI}"
    "\N{GREEK SMALL LETTER PSI}"
)
_BULGARIAN_SOFT_SIGN_YO_RE = re.compile(
    "[\N{CYRILLIC SMALL LETTER SOFT SIGN}\N{CYRILLIC CAPITAL LETTER SOFT SIGN}]"
    "(?=[\N{CYRILLIC SMALL LETTER O}\N{CYRILLIC CAPITAL LETTER O}])"
)


def _neighbour_is_upper(text, index):
    """Whether the nearest cased neighbour of ``text[index]`` is a capital letter.

    A capital letter that becomes two Latin letters is written "Zh" inside a normal
    word and "ZH" inside a word in capitals, e.g. "ЖУКОВ" gives "ZHUKOV".
    """
    for neighbour in (text[index + 1 : index + 2], text[index - 1 : index] if index else ""):
        if neighbour and neighbour.lower() != neighbour.upper():
            return neighbour.isupper()
    return False


def _replace_characters(text, table):
    parts = []
    for index, character in enumerate(text):
        replacement = table.get(character)
        if replacement is None:
            parts.append(character)
        elif len(replacement) > 1 and character.isupper() and not _neighbour_is_upper(text, index):
            parts.append(replacement.capitalize())
        else:
            parts.append(replacement)
    return "".join(parts)


def _replace_greek_diphthong(match):
    vowel, upsilon = match.group(1), match.group(2)
    following = match.string[match.end() : match.end() + 1].lower()
    if vowel.lower() == "\N{GREEK SMALL LETTER OMICRON}":
        latin_vowel, latin_tail = "o", "u"
    else:
        latin_vowel = _GREEK_LETTERS[vowel.lower()]
        at_word_end = not following or not following.isalpha()
        latin_tail = "f" if at_word_end or following in _GREEK_VOICELESS else "v"
    return (latin_vowel.upper() if vowel.isupper() else latin_vowel) + (
        latin_tail.upper() if upsilon.isupper() else latin_tail
    )


def _replace_bulgarian_soft_sign(match):
    return "Y" if match.group(0).isupper() else "y"


def is_sepa_text(value):
    """Whether ``value`` only uses the SEPA basic Latin character set."""
    return _SEPA_TEXT_RE.fullmatch(value or "") is not None


def to_sepa_text(value, max_length=None):
    """Return ``value`` converted into the SEPA basic Latin character set.

    Runs of whitespace become one space, the result is stripped and then cut to
    ``max_length`` characters (and stripped again, so a cut never leaves a trailing
    space). ``None`` gives an empty string. The result can also be empty when the text
    only holds characters without a Latin equivalent (Chinese, emoji...): callers of
    mandatory fields must check for that.
    """
    if not value:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    if not is_sepa_text(text):
        text = _replace_characters(text, _BEFORE_DECOMPOSITION)
        text = "".join(
            character
            for character in unicodedata.normalize("NFKD", text)
            if not unicodedata.combining(character)
        )
        text = _GREEK_DIPHTHONG_RE.sub(_replace_greek_diphthong, text)
        text = _BULGARIAN_SOFT_SIGN_YO_RE.sub(_replace_bulgarian_soft_sign, text)
        text = _replace_characters(text, _AFTER_DECOMPOSITION)
        text = "".join(_keep_or_space(character) for character in text)
    text = _WHITESPACE_RUN_RE.sub(" ", text).strip()
    if max_length is not None and len(text) > max_length:
        text = text[:max_length].rstrip()
    return text


def _keep_or_space(character):
    if character in _ALLOWED:
        return character
    if character.isspace():
        return " "
    if unicodedata.category(character) in _INVISIBLE_CATEGORIES:
        return ""
    return " "


def to_sepa_identifier(value):
    """Return ``value`` as a candidate SEPA identifier (MsgId, EndToEndId, UMR...).

    The text is transliterated like :func:`to_sepa_text`, runs of slashes become one
    slash and slashes or spaces at either end are removed, so ``INV/2026/0001`` stays
    as it is and ``/ABC//1/`` becomes ``ABC/1``. The result is not cut to 35
    characters: cutting would silently merge distinct references, so callers validate
    it with :func:`..identifiers.identifier_errors` and report what is too long.
    """
    text = to_sepa_text(value)
    text = re.sub(r"/{2,}", "/", text)
    return text.strip("/ ")
