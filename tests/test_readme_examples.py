"""The code examples of the README's XML-RPC API section run as written against the demo data.

Every ```python block of the section runs, top to bottom, in one namespace, as a reader would
paste them one after the other: the first block defines ``call`` and later blocks use it and the
ids earlier blocks created. One rewrite only: the first block's line
``url, db, login, password = "http://localhost:8069", "billing", "admin", "admin"`` is replaced by
the test server's URL and database (BILLING_ODOO_URL, BILLING_ODOO_DB) and the login the other
end-to-end tests use. Any exception fails the block's test; then what each example says it does
is checked on the records it created. The examples create their own customers and invoices and
compute their dates, so they run again and again in the shared end-to-end database.
"""

import base64
import os
import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"
CONNECTION_LINE = re.compile(r"^url, db, login, password = .*$", re.MULTILINE)


def _api_examples():
    """(subsection title, code) of each ```python block of the XML-RPC API section, in order."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("\n## XML-RPC API\n") :]
    section = section[: section.index("\n## ", 1)]
    examples, title = [], "XML-RPC API"
    for match in re.finditer(r"^### ([^\n]+)$|^```python\n(.*?)^```$", section, re.MULTILINE | re.DOTALL):
        if match.group(1):
            title = match.group(1).strip()
        else:
            examples.append((title, match.group(2)))
    return examples


EXAMPLES = _api_examples()


@pytest.fixture(scope="module")
def namespace():
    return {}


def _connect_to_test_server(code, odoo):
    login = os.environ.get("BILLING_ODOO_LOGIN", "admin")
    code, count = CONNECTION_LINE.subn(
        f"url, db, login, password = {odoo.url!r}, {odoo.db!r}, {login!r}, {odoo.password!r}", code
    )
    assert count == 1, "the first example no longer sets url, db, login, password on one line"
    return code


def test_the_section_has_an_example_per_addon():
    titles = [title for title, _code in EXAMPLES]
    assert titles[0] == "XML-RPC API"
    for addon in (
        "billing_sepa",
        "billing_dunning",
        "billing_einvoice",
        "billing_webshop",
        "billing_recurring",
    ):
        assert any(addon in title for title in titles), f"no example for {addon}"


@pytest.mark.parametrize(
    "index",
    range(len(EXAMPLES)),
    ids=[f"{i}-{title.split(' (')[0]}" for i, (title, _c) in enumerate(EXAMPLES)],
)
def test_readme_example_runs(odoo, namespace, index):
    title, code = EXAMPLES[index]
    if index == 0:
        code = _connect_to_test_server(code, odoo)
    elif "call" not in namespace:
        pytest.fail("the first example did not run, so this one cannot")
    exec(compile(code, f"README.md example {index} ({title})", "exec"), namespace)
    for addon, check in CHECKS.items():
        if addon in title or (addon == "generic" and index == 0):
            check(odoo, namespace)


def _check_generic(odoo, ns):
    [invoice] = odoo("account.move", "read", [ns["invoice_id"]], ["state", "partner_id", "amount_total"])
    assert invoice["state"] == "posted"
    assert invoice["partner_id"][0] == ns["partner_id"]
    assert invoice["amount_total"] >= 39.95


def _check_sepa(odoo, ns):
    ctx = ns["ctx"]
    [invoice] = odoo(
        "account.move", "read", [ns["invoice_id"]], ["sepa_mandate_id", "sepa_batch_id"], context=ctx
    )
    assert invoice["sepa_mandate_id"][0] == ns["mandate_id"]
    assert ns["batch_id"], "create_collection collected nothing"
    assert invoice["sepa_batch_id"][0] == ns["batch_id"]
    [batch] = odoo("billing.sepa.batch", "read", [ns["batch_id"]], ["state", "company_id"], context=ctx)
    assert batch["state"] == "generated"
    assert batch["company_id"][0] == ns["company_id"]
    [file] = ns["files"]
    content = base64.b64decode(file["content"]).decode()
    assert '<InstdAmt Ccy="EUR">42.50</InstdAmt>' in content
    [mandate] = odoo("billing.sepa.mandate", "read", [ns["mandate_id"]], ["name"], context=ctx)
    assert f"<MndtId>{mandate['name']}</MndtId>" in content


def _check_dunning(odoo, ns):
    [reminder] = [r for r in ns["reminders"] if r["partner_id"][0] == ns["customer_id"]]
    assert reminder["level_id"]
    assert {charge["kind"] for charge in ns["charges"]} >= {"fee", "interest", "compensation"}
    waived = odoo(
        "billing.dunning.charge",
        "read",
        [charge["id"] for charge in ns["charges"]],
        ["state", "waive_reason"],
    )
    assert {charge["state"] for charge in waived} == {"waived"}
    assert {charge["waive_reason"] for charge in waived} == {"Goodwill"}


def _check_einvoice(odoo, ns):
    [delivery] = ns["deliveries"]
    assert delivery["error_message"] is False, delivery["error_message"]
    assert (delivery["channel"], delivery["state"]) == ("finvoice", "queued")


def _check_webshop(odoo, ns):
    summary = ns["summary"]
    assert summary["state"] == "done", summary["error"]
    assert summary["result"].startswith("created, confirmed, invoiced")
    [invoice] = odoo(
        "account.move", "read", summary["invoice_ids"], ["amount_total", "state", "payment_state"]
    )
    assert invoice["amount_total"] == 30.25
    assert invoice["state"] == "posted"
    assert invoice["payment_state"] in ("paid", "in_payment")


def _check_recurring(odoo, ns):
    run = ns["run"]
    assert (run["state"], run["error_count"]) == ("done", 0), run["error_log"]
    [usage] = odoo("billing.recurring.usage", "read", ns["usage_ids"], ["partner_id", "quantity"])
    assert usage["quantity"] == 42
    for invoice in ns["invoices"]:
        assert invoice["billing_recurring_key"]


CHECKS = {
    "generic": _check_generic,
    "billing_sepa": _check_sepa,
    "billing_dunning": _check_dunning,
    "billing_einvoice": _check_einvoice,
    "billing_webshop": _check_webshop,
    "billing_recurring": _check_recurring,
}
