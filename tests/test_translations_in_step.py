"""Every translation of the suite is in step with its template (issue 17, item 5).

For each `addons/<addon>/i18n/<lang>.po`: the same entries as `<addon>.pot` (none missing, none
stale), each translated, not fuzzy, keeping the msgid's %-placeholders, {name} placeholders and
markup tags. Plain files only: no server needed.
"""

import re
from pathlib import Path

import polib
import pytest

ADDONS = Path(__file__).resolve().parent.parent / "addons"
# Python %-format directives (%s, %d, %(name)s, %%, ...), as billing_sepa's own test reads them.
FORMAT_DIRECTIVE = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")
BRACE_PLACEHOLDER = re.compile(r"\{[a-zA-Z_][a-zA-Z0-9_]*\}")
MARKUP_TAG = re.compile(r"</?[a-zA-Z][^>]*>")

PO_FILES = sorted(ADDONS.glob("billing_*/i18n/*.po"))


def test_every_addon_has_a_template():
    for addon in sorted(path for path in ADDONS.glob("billing_*") if (path / "__manifest__.py").exists()):
        assert (addon / "i18n" / f"{addon.name}.pot").exists(), f"{addon.name} has no translation template"


@pytest.mark.parametrize("po_path", PO_FILES, ids=[f"{p.parent.parent.name}-{p.stem}" for p in PO_FILES])
def test_po_in_step_with_its_template(po_path):
    addon = po_path.parent.parent.name
    template = polib.pofile(str(po_path.parent / f"{addon}.pot"))
    po = polib.pofile(str(po_path))
    assert po.metadata.get("Language") == po_path.stem
    expected = {(entry.msgctxt, entry.msgid) for entry in template}
    found = {(entry.msgctxt, entry.msgid) for entry in po if not entry.obsolete}
    missing, stale = expected - found, found - expected
    assert not missing, f"{len(missing)} terms of the template missing, e.g. {sorted(missing)[:3]}"
    assert not stale, f"{len(stale)} stale terms not in the template, e.g. {sorted(stale)[:3]}"
    problems = []
    for entry in po:
        if entry.obsolete:
            continue
        if not entry.msgstr:
            problems.append(f"untranslated: {entry.msgid[:60]!r}")
        elif "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid[:60]!r}")
        elif sorted(FORMAT_DIRECTIVE.findall(entry.msgstr)) != sorted(FORMAT_DIRECTIVE.findall(entry.msgid)):
            problems.append(f"%-placeholders differ: {entry.msgid[:60]!r}")
        elif sorted(BRACE_PLACEHOLDER.findall(entry.msgstr)) != sorted(
            BRACE_PLACEHOLDER.findall(entry.msgid)
        ):
            problems.append(f"{{}}-placeholders differ: {entry.msgid[:60]!r}")
        elif MARKUP_TAG.findall(entry.msgstr) != MARKUP_TAG.findall(entry.msgid):
            problems.append(f"markup differs: {entry.msgid[:60]!r}")
    assert not problems, f"{len(problems)} problems, first: {problems[:5]}"
