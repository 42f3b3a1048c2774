"""Secrets never leave: every credential of the suite is set, used, then looked for everywhere.

The shop's API key and secret and the webhook secrets (WooCommerce and Standard Webhooks), and
the e-invoice operator's API key (the suite has no collection-agency credentials yet). The flows
that use them run against local servers: a signed webhook, a product push and a poll against the
addon's WooCommerce emulator, Finvoice sends to the test operator, each also with a wrong
credential. Then no secret may be in the server log (BILLING_ODOO_SERVER_LOG, set by
setup/test), a chatter message or tracking value, an attachment, or what a user below the
manager groups reads over XML-RPC.
"""

import base64
import importlib.util
import json
import os
import pathlib
import uuid

import pytest
import requests
from test_einvoice_xmlrpc import finvoice_invoice
from test_hostile_corpus import _signature_module
from test_webshop_xmlrpc import _payload, _setup_backend, _woo_emulator

OPERATOR_SERVER = (
    pathlib.Path(__file__).resolve().parent.parent / "addons/billing_einvoice/tests/operator_server.py"
)


def _operator_server_class():
    spec = importlib.util.spec_from_file_location("billing_einvoice_operator_server", OPERATOR_SERVER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.OperatorServer


def _secret(kind):
    # Long and random: found only where it leaked, never by chance.
    return f"{kind}-{uuid.uuid4().hex}{uuid.uuid4().hex}"


def _readable(user, model, ids):
    """Everything ``user`` may read of these records, as one text."""
    fields = user(model, "fields_get", [], ["type"])
    return json.dumps(
        user(model, "read", ids, [name for name, field in fields.items() if field["type"] != "binary"])
    )


@pytest.fixture
def company_transport(odoo):
    """The Finvoice settings of the admin's company, put back after the test."""
    [user] = odoo("res.users", "read", [odoo.uid], ["company_id"])
    company_id = user["company_id"][0]
    fields = ["finvoice_transport", "finvoice_operator_api_url", "finvoice_operator_api_key"]
    [before] = odoo("res.company", "read", [company_id], fields)
    yield company_id
    odoo("res.company", "write", [company_id], {name: before[name] for name in fields})


def test_no_secret_leaves(odoo, tenants, company_transport):
    log_path = os.environ.get("BILLING_ODOO_SERVER_LOG")
    assert log_path, "BILLING_ODOO_SERVER_LOG must name the server's log file (setup/test sets it)"
    secrets = {kind: _secret(kind) for kind in ("ck", "cs", "whsec", "generic", "operator")}
    [last_attachment] = odoo("ir.attachment", "search", [], limit=1, order="id desc") or [0]
    [last_message] = odoo("mail.message", "search", [], limit=1, order="id desc") or [0]
    suffix = uuid.uuid4().hex[:8]
    backend_id, currency, _journal_id = _setup_backend(odoo, suffix)

    # The shop: a signed delivery, a poll and a product push with the shop's keys, then with wrong ones.
    with _woo_emulator()(secrets["ck"], secrets["cs"]) as woo:
        odoo(
            "billing.webshop.backend",
            "write",
            [backend_id],
            {
                "base_url": woo.base_url,
                "api_key": secrets["ck"],
                "api_secret": secrets["cs"],
                "webhook_secret": secrets["whsec"],
                "push_enabled": True,
            },
        )
        body = json.dumps(_payload(suffix, currency)).encode()
        signature = _signature_module().compute_woocommerce_signature(secrets["whsec"], body)
        response = requests.post(
            f"{odoo.url}/billing_webshop/webhook/{backend_id}",
            data=body,
            headers={"Content-Type": "application/json", "X-WC-Webhook-Signature": signature},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        odoo("billing.webshop.event", "action_process_now", [response.json()["event"]])
        woo.add_order(_payload(uuid.uuid4().hex[:8], currency))
        odoo("billing.webshop.backend", "action_sync_now", [backend_id])
        shop_product = woo._create_product({"name": "Klomp", "sku": f"SECRET-{suffix}", "manage_stock": True})
        product_id = odoo(
            "product.product", "create", {"name": f"Klomp {suffix}", "default_code": f"K-{suffix}"}
        )
        binding_id = odoo(
            "billing.webshop.product.binding",
            "create",
            {"backend_id": backend_id, "external_id": str(shop_product["id"]), "product_id": product_id},
        )
        odoo("billing.webshop.product.binding", "action_push_now", [binding_id])
        odoo("billing.webshop.backend", "write", [backend_id], {"api_secret": secrets["cs"][::-1]})
        odoo("product.product", "write", [product_id], {"list_price": 3.0})
        odoo("billing.webshop.product.binding", "action_push_now", [binding_id])
        [binding] = odoo("billing.webshop.product.binding", "read", [binding_id], ["push_state"])
        assert binding["push_state"] == "error"  # the wrong secret was refused
        odoo("billing.webshop.backend", "write", [backend_id], {"api_secret": secrets["cs"]})

    # A generic shop signs the Standard Webhooks way with a whsec_ secret.
    generic_id = odoo(
        "billing.webshop.backend",
        "create",
        {
            "name": f"Generic {suffix}",
            "shop_type": "generic",
            "webhook_secret": "whsec_" + base64.b64encode(secrets["generic"].encode()).decode(),
            "poll_enabled": False,
            "pricelist_id": odoo("billing.webshop.backend", "read", [backend_id], ["pricelist_id"])[0][
                "pricelist_id"
            ][0],
        },
    )
    requests.post(
        f"{odoo.url}/billing_webshop/webhook/{generic_id}",
        data=b"{}",
        headers={"webhook-id": "msg_1", "webhook-timestamp": "1", "webhook-signature": "v1,AAAA"},
        timeout=30,
    )

    # The operator: one Finvoice sent with the key, one refused for a wrong key.
    with _operator_server_class()() as operator:
        operator.API_KEY = secrets["operator"]
        odoo(
            "res.company",
            "write",
            [company_transport],
            {
                "finvoice_transport": "operator_api",
                "finvoice_operator_api_url": operator.url,
                "finvoice_operator_api_key": secrets["operator"],
            },
        )
        sent_id = finvoice_invoice(odoo)
        odoo("account.move", "action_post", [sent_id])
        odoo("account.move", "action_einvoice_send", [sent_id])
        [delivery] = odoo(
            "billing.einvoice.delivery",
            "search_read",
            [("move_id", "=", sent_id)],
            ["state", "error_message"],
        )
        assert delivery["state"] not in ("queued", "failed"), delivery["error_message"]
        odoo("billing.einvoice.delivery", "action_check_transport_status", [delivery["id"]])
        odoo(
            "res.company",
            "write",
            [company_transport],
            {"finvoice_operator_api_key": secrets["operator"][::-1]},
        )
        refused_id = finvoice_invoice(odoo)
        odoo("account.move", "action_post", [refused_id])
        odoo("account.move", "action_einvoice_send", [refused_id])

    leaks = []
    # The server log.
    log_text = pathlib.Path(log_path).read_text(encoding="utf-8", errors="replace")
    leaks += [f"server log: {kind}" for kind, secret in secrets.items() if secret in log_text]
    # Chatter messages and tracking values, then attachments made since the test began.
    for kind, secret in secrets.items():
        for variant in (secret, secret[::-1]):
            if odoo("mail.message", "search_count", [("id", ">", last_message), ("body", "ilike", variant)]):
                leaks.append(f"chatter message: {kind}")
            tracked = ["|", ("old_value_char", "ilike", variant), ("new_value_char", "ilike", variant)]
            if odoo("mail.tracking.value", "search_count", tracked):
                leaks.append(f"tracking value: {kind}")
    for attachment in odoo("ir.attachment", "search_read", [("id", ">", last_attachment)], ["name", "datas"]):
        content = base64.b64decode(attachment["datas"] or "").decode("utf-8", "replace")
        leaks += [
            f"attachment {attachment['name']}: {kind}"
            for kind, secret in secrets.items()
            if secret in content
        ]
    # What users below the manager groups read of the backends, events, bindings, deliveries, company.
    salesman = tenants.user("A", "sales_team.group_sale_salesman")
    accountant = tenants.user("A", "account.group_account_manager")
    events = odoo("billing.webshop.event", "search", [("backend_id", "in", [backend_id, generic_id])])
    deliveries = odoo("billing.einvoice.delivery", "search", [("move_id", "in", [sent_id, refused_id])])
    readable = (
        _readable(salesman, "billing.webshop.backend", [backend_id, generic_id])
        + _readable(salesman, "billing.webshop.event", events)
        + _readable(salesman, "billing.webshop.product.binding", [binding_id])
        + _readable(accountant, "billing.einvoice.delivery", deliveries)
        + _readable(accountant, "res.company", [company_transport])
    )
    leaks += [f"RPC read by a non-manager: {kind}" for kind, secret in secrets.items() if secret in readable]
    assert not leaks, leaks
