"""A CRM hands an unpaid invoice to a collection agency over XML-RPC and follows the dossier.

The agency is billing_dunning's reference agency (addons/billing_dunning/tests/agency_server.py,
plain Python) started here on a free 127.0.0.1 port: Odoo hands the dossier over to it, the
agency pushes a signed status callback to the server under test and settles a payment, which
Odoo books when the CRM asks for the status.
"""

import base64
import importlib.util
import pathlib
import uuid

import pytest

AGENCY_SERVER = (
    pathlib.Path(__file__).resolve().parent.parent / "addons/billing_dunning/tests/agency_server.py"
)
API_KEY = f"crm-agency-{uuid.uuid4().hex}"
SECRET = f"crm-secret-{uuid.uuid4().hex}"


def _agency_server_class():
    spec = importlib.util.spec_from_file_location("billing_dunning_agency_server", AGENCY_SERVER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.AgencyServer


@pytest.fixture
def agency(odoo):
    """The reference agency running, and its record in the admin's company."""
    server = _agency_server_class()(API_KEY).start()
    [user] = odoo("res.users", "read", [odoo.uid], ["company_id"])
    suffix = uuid.uuid4().hex[:8]
    partner_id = odoo("res.partner", "create", {"name": f"Agency {suffix}", "is_company": True})
    agency_id = odoo(
        "billing.collection.agency",
        "create",
        {
            "name": f"CRM agency {suffix}",
            "company_id": user["company_id"][0],
            "partner_id": partner_id,
            "api_url": server.url,
            "api_key": API_KEY,
            "callback_secret": SECRET,
            "timeout": 5.0,
            "commission_rate_b2b": 15.0,
            "terms_file": base64.b64encode(b"%PDF-1.4 terms").decode(),
            "terms_filename": "terms.pdf",
        },
    )
    yield server, agency_id
    server.stop()
    odoo("billing.collection.agency", "write", [agency_id], {"active": False})


def test_crm_starts_a_dossier_and_reads_its_status(odoo, tenants, agency):
    server, agency_id = agency
    customer_id = odoo(
        "res.partner",
        "create",
        {
            "name": f"Late Payer {uuid.uuid4().hex[:8]} GmbH",
            "is_company": True,
            "email": "ap@late-payer.example",
            "billing_dunning_profile": "b2b_de",
        },
    )
    invoice_id = odoo(
        "account.move",
        "create",
        {
            "move_type": "out_invoice",
            "partner_id": customer_id,
            "invoice_date": "2025-01-01",
            "invoice_date_due": "2025-01-31",
            "invoice_payment_term_id": False,
            "invoice_line_ids": [
                (0, 0, {"name": "Consulting", "quantity": 1, "price_unit": 1000.0, "tax_ids": []})
            ],
        },
    )
    odoo("account.move", "action_post", [invoice_id])
    [invoice] = odoo("account.move", "read", [invoice_id], ["billing_collection_scenario", "currency_id"])
    assert invoice["billing_collection_scenario"] == "b2b"

    # Start: the confirmation dialog's create and confirm, as the Start Dossier button does.
    wizard_id = odoo(
        "billing.collection.start", "create", {"move_ids": [(6, 0, [invoice_id])], "agency_id": agency_id}
    )
    action = odoo("billing.collection.start", "action_confirm", [wizard_id])
    dossier_id = action["res_id"]
    fields = ["state", "dossier_number", "amount_principal", "amount_total", "last_error", "status_ids"]
    [dossier] = odoo("billing.collection.dossier", "read", [dossier_id], fields)
    assert dossier["state"] == "submitted", dossier["last_error"]
    assert dossier["amount_principal"] == 1000.0
    number = dossier["dossier_number"]
    assert server.dossiers[number]["payload"]["amounts"]["total"] == dossier["amount_total"]
    [invoice] = odoo("account.move", "read", [invoice_id], ["billing_collection_live"])
    assert invoice["billing_collection_live"]

    # The agency pushes a signed status to Odoo.
    server.dossiers[number]["callback_url"] = f"{odoo.url}/billing_dunning/collection/callback/{agency_id}"
    assert server.push(number, "notice_sent", SECRET, note="formal notice posted") == 200
    [dossier] = odoo("billing.collection.dossier", "read", [dossier_id], ["state"])
    assert dossier["state"] == "notice_sent"

    # The agency settles a payment; the CRM asks for the status and reads the money.
    server.settle(number, 600.0, costs_recovered=40.0, commission=84.0)
    assert odoo("billing.collection.dossier", "action_refresh_status", [dossier_id]) is True
    [dossier] = odoo(
        "billing.collection.dossier",
        "read",
        [dossier_id],
        ["state", "amount_collected", "amount_commission", "status_ids"],
    )
    assert (dossier["state"], dossier["amount_collected"], dossier["amount_commission"]) == (
        "partially_paid",
        560.0,
        84.0,
    )
    history = odoo(
        "billing.collection.dossier.status",
        "search_read",
        [("dossier_id", "=", dossier_id)],
        ["state", "source"],
        order="id",
    )
    assert [(row["state"], row["source"]) for row in history] == [
        ("draft", "odoo"),
        ("submitted", "odoo"),
        ("notice_sent", "callback"),
        ("partially_paid", "poll"),
    ]
    [settlement] = odoo(
        "billing.collection.settlement",
        "search_read",
        [("dossier_id", "=", dossier_id)],
        ["amount_paid", "amount_collected", "move_id", "bill_id", "amount_remitted"],
    )
    assert settlement["amount_paid"] == 600.0 and settlement["move_id"] and settlement["bill_id"]
    [invoice] = odoo("account.move", "read", [invoice_id], ["payment_state", "amount_residual"])
    assert (invoice["payment_state"], invoice["amount_residual"]) == ("partial", 440.0)

    # An invoicing user of the CRM reads the dossier, never the agency's credentials.
    clerk = tenants.user("A", "account.group_account_invoice")
    [seen] = clerk("billing.collection.dossier", "read", [dossier_id], ["state", "dossier_number"])
    assert seen["state"] == "partially_paid"
    agency_fields = clerk("billing.collection.agency", "fields_get", [], ["type"])
    assert "api_key" not in agency_fields and "callback_secret" not in agency_fields


def test_demo_has_an_agency_a_live_dossier_and_a_written_off_one(odoo):
    [data] = odoo(
        "ir.model.data",
        "search_read",
        [("module", "=", "billing_dunning"), ("name", "=", "agency_demo")],
        ["res_id"],
    )
    [demo_agency] = odoo(
        "billing.collection.agency", "read", [data["res_id"]], ["api_url", "terms_filename", "partner_id"]
    )
    assert demo_agency["api_url"].startswith("http://127.0.0.1:")
    assert demo_agency["terms_filename"] and demo_agency["partner_id"]
    dossiers = odoo(
        "billing.collection.dossier",
        "search_read",
        [("agency_id", "=", data["res_id"]), ("dossier_number", "like", "AG-DEMO-")],
        [
            "dossier_number",
            "state",
            "amount_collected",
            "fee_bill_id",
            "certificate_attachment_id",
            "writeoff_move_id",
        ],
        order="dossier_number",
    )
    live, lost = dossiers
    assert (live["state"], live["amount_collected"]) == ("payment_plan", 300.0)
    assert lost["state"] == "uncollectible"
    assert lost["fee_bill_id"] and lost["certificate_attachment_id"] and lost["writeoff_move_id"]
    [entry] = odoo("account.move", "read", [lost["writeoff_move_id"][0]], ["state", "line_ids"])
    assert entry["state"] == "posted" and len(entry["line_ids"]) >= 3, "receivable, VAT correction, bad debt"
