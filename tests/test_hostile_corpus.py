"""Every case of the hostile-input corpus (hostile_corpus.py) against the running server.

Per case: the HTTP status or the XML-RPC fault, what was stored, and that nothing else changed
(the record counts of the suite's models before and after).
"""

import base64
import copy
import json
import os
import uuid
import xmlrpc.client

import psycopg2
import pytest
import requests
from hostile_corpus import CASES, DELETE
from test_webshop_xmlrpc import _payload, _setup_backend, _wire

# Besides every billing.* model: what an import or an upload may create.
COUNTED_MODELS = (
    "account.move",
    "account.move.line",
    "account.payment",
    "ir.attachment",
    "mail.message",
    "product.product",
    "res.partner",
    "sale.order",
    "sale.order.line",
)


def _signature_module():
    return _wire("webshop.signature")


class Corpus:
    """What the cases run against: a webshop backend with a known secret, users, demo records."""

    def __init__(self, odoo, tenants):
        self.odoo, self.tenants = odoo, tenants
        self.suffix = uuid.uuid4().hex[:8]
        self.backend_id, self.currency, _journal = _setup_backend(odoo, self.suffix)
        self.secret = f"whsec_{self.suffix}"
        self.order = _payload(self.suffix, self.currency)
        self.signature = _signature_module()
        backend = odoo("billing.webshop.backend", "read", [self.backend_id], ["pricelist_id"])[0]
        self.archived_id = odoo(
            "billing.webshop.backend",
            "create",
            {
                "name": f"Archived {self.suffix}",
                "webhook_secret": self.secret,
                "poll_enabled": False,
                "pricelist_id": backend["pricelist_id"][0],
            },
        )
        odoo("billing.webshop.backend", "write", [self.archived_id], {"active": False})
        self.no_secret_id = odoo(
            "billing.webshop.backend",
            "create",
            {
                "name": f"No secret {self.suffix}",
                "poll_enabled": False,
                "pricelist_id": backend["pricelist_id"][0],
            },
        )
        unknown = _payload(uuid.uuid4().hex[:8], self.currency)
        event = odoo("billing.webshop.backend", "import_order", [self.backend_id], unknown)
        # The demo data spreads the suite over several companies: any record not of company B.
        self.context = {"active_test": False, "allowed_company_ids": tenants.admin_company_ids}
        batch = self._any("billing.sepa.batch")
        self.refs = {
            "backend": self.backend_id,
            "event": event["event_id"],
            "company": tenants.company_a,
            "company_b": tenants.company_b,
            "mandate": self._any("billing.sepa.mandate")["id"],
            "batch": batch["id"],
            "sepa_company": batch["company_id"][0],
            "invoice": self._any("account.move", [("move_type", "=", "out_invoice")])["id"],
        }
        self.users = {
            "admin": odoo,
            "salesman": tenants.user("A", "sales_team.group_sale_salesman"),
            "invoicing": tenants.user("A", "account.group_account_invoice"),
            "accountant": tenants.user("A", "account.group_account_manager"),
            "sepa_invoicing": tenants.user(self.refs["sepa_company"], "account.group_account_invoice"),
            "b_manager": tenants.user(
                "B", "billing_webshop.group_billing_webshop_manager", "account.group_account_manager"
            ),
        }
        # The suite's stored models: those its access rules name (not the abstract importer).
        rules = odoo(
            "ir.model.access", "search_read", [("model_id.model", "=like", "billing.%")], ["model_id"]
        )
        models = odoo(
            "ir.model", "read", sorted({rule["model_id"][0] for rule in rules}), ["model", "transient"]
        )
        self.models = COUNTED_MODELS + tuple(model["model"] for model in models if not model["transient"])

    def _any(self, model, domain=()):
        """The oldest record of ``model`` outside company B."""
        [record] = self.odoo(
            model,
            "search_read",
            [("company_id", "!=", self.tenants.company_b), *domain],
            ["company_id"],
            limit=1,
            order="id",
            context=self.context,
        )
        return record

    def counts(self):
        """Records per counted model, every company and archived ones included.

        With BILLING_ODOO_PG (a libpq connection string of the server's database, which
        setup/test sets) one SQL query counts them all; over XML-RPC that takes a second a case.
        """
        dsn = os.environ.get("BILLING_ODOO_PG")
        if not dsn:
            return {
                model: self.odoo(model, "search_count", [], context=self.context) for model in self.models
            }
        query = " UNION ALL ".join(
            f"SELECT '{model}', count(*) FROM {model.replace('.', '_')}" for model in self.models
        )
        with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
            cursor.execute(query)
            return dict(cursor.fetchall())

    # -- inputs ---------------------------------------------------------------------------------

    def order_json(self, changes):
        order = copy.deepcopy(self.order)
        # A new shop order per case: an order already imported would only come back "unchanged".
        order["id"] = order["number"] = int(uuid.uuid4().int % 900_000_000 + 100_000)
        order["number"] = str(order["id"])
        for path, value in changes.items():
            *parents, last = path.split(".")
            node = order
            for part in parents:
                node = node[int(part)] if isinstance(node, list) else node[part]
            if value == DELETE:
                node.pop(last, None)
            elif isinstance(node, list):
                node[int(last)] = value
            else:
                node[last] = value
        return json.dumps(order)

    def body(self, spec):
        if "raw" in spec:
            return spec["raw"]
        if "nested" in spec:
            return b"[" * spec["nested"] + b"]" * spec["nested"]
        order = self.order_json(spec.get("order", {}))
        if "text" in spec:
            depth = spec.get("depth", 1)
            return (
                spec["text"]
                .format(
                    order=order,
                    order_tail=order[1:],
                    order_head=order[:-1],
                    nested="[" * depth + "]" * depth,
                )
                .encode()
            )
        return order.encode()

    def resolve(self, value):
        if isinstance(value, str) and value.startswith("@"):
            return self.refs[value[1:]]
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        return value

    # -- entry points ---------------------------------------------------------------------------

    def post_webhook(self, spec):
        body = self.body(spec["body"])
        backend = spec.get("backend", "shop")
        backend_id = {
            "shop": self.backend_id,
            "archived": self.archived_id,
            "no_secret": self.no_secret_id,
        }.get(backend, backend)
        headers = {"Content-Type": "application/json", "X-WC-Webhook-Topic": "order.updated"}
        if spec.get("form"):
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
        signature = spec.get("signature", "valid")
        if signature == "valid":
            headers["X-WC-Webhook-Signature"] = self.signature.compute_woocommerce_signature(
                self.secret, body
            )
        elif signature == "wrong":
            headers["X-WC-Webhook-Signature"] = self.signature.compute_woocommerce_signature("guess", body)
        elif signature == "empty_secret":
            headers["X-WC-Webhook-Signature"] = self.signature.compute_woocommerce_signature("", body)
        response = requests.request(
            spec.get("method", "POST"),
            f"{self.odoo.url}/billing_webshop/webhook/{backend_id}",
            data=body,
            headers=headers,
            timeout=60,
        )
        return response, body

    def upload_xml(self, xml):
        name = f"hostile-{uuid.uuid4().hex[:8]}.xml"
        attachment_id = self.odoo(
            "ir.attachment",
            "create",
            {"name": name, "datas": base64.b64encode(xml).decode(), "mimetype": "application/xml"},
        )
        [journal_id] = self.odoo(
            "account.journal",
            "search",
            [("type", "=", "purchase"), ("company_id", "=", self.tenants.company_a)],
            limit=1,
        )
        action = self.odoo(
            "account.journal",
            "create_document_from_attachment",
            [journal_id],
            [attachment_id],
            context={"default_move_type": "in_invoice"},
        )
        return action["res_id"]


@pytest.fixture(scope="module")
def corpus(odoo, tenants):
    return Corpus(odoo, tenants)


def _case_param(case):
    marks = [pytest.mark.xfail(strict=False, reason=case["xfail"])] if case.get("xfail") else []
    return pytest.param(case, id=case["id"], marks=marks)


def _raw_kept(odoo, event_id, body):
    """The raw body is kept with the event: as an attachment or a base64 or text field."""
    attachments = odoo(
        "ir.attachment",
        "search_read",
        [("res_model", "=", "billing.webshop.event"), ("res_id", "=", event_id)],
        ["datas"],
    )
    if any(base64.b64decode(attachment["datas"] or "") == body for attachment in attachments):
        return True
    [event] = odoo("billing.webshop.event", "read", [event_id])
    for value in event.values():
        if not isinstance(value, str) or not value:
            continue
        if value.encode("utf-8", "surrogateescape") == body:
            return True
        try:
            if base64.b64decode(value, validate=True) == body:
                return True
        except ValueError:
            continue
    return False


@pytest.mark.parametrize("case", [_case_param(case) for case in CASES])
def test_hostile_input(corpus, case):
    odoo, expect, spec = corpus.odoo, case["expect"], case["input"]
    before = corpus.counts()
    event_ids_before = set(odoo("billing.webshop.event", "search", [], context=corpus.context))

    if case["entry"] == "webhook":
        response, body = corpus.post_webhook(spec)
        assert response.status_code == expect["status"], response.text[:500]
    elif case["entry"] == "xml_upload":
        bill_id = corpus.upload_xml(spec["xml"])
        [bill] = odoo(
            "account.move", "read", [bill_id], ["state", "move_type", "ref", "narration", "partner_id"]
        )
        assert (bill["state"], bill["move_type"]) == ("draft", "in_invoice")
        if expect.get("not_in_bill"):
            assert expect["not_in_bill"] not in json.dumps(bill)
            messages = odoo(
                "mail.message",
                "search_read",
                [("model", "=", "account.move"), ("res_id", "=", bill_id)],
                ["body"],
            )
            assert expect["not_in_bill"] not in json.dumps(messages)
    else:
        user = corpus.users[spec.get("user", "admin")]
        call = (spec["model"], spec["method"], *corpus.resolve(spec.get("args", [])))
        if "fault" in expect:
            with pytest.raises(xmlrpc.client.Fault) as fault:
                user(*call, **corpus.resolve(spec.get("kwargs", {})))
            assert expect["fault"] in fault.value.faultString, fault.value.faultString
            # A clear answer, not a crash: the server names the error, never a traceback only.
            assert "Traceback" not in fault.value.faultString.splitlines()[0]
        else:
            assert user(*call, **corpus.resolve(spec.get("kwargs", {}))) == expect["result"]

    new_events = sorted(
        set(odoo("billing.webshop.event", "search", [], context=corpus.context)) - event_ids_before
    )
    if expect.get("process") and new_events:
        odoo("billing.webshop.event", "action_process_now", new_events)
    if "event" in expect:
        [event] = odoo("billing.webshop.event", "read", new_events, ["state", "error"])
        assert event["state"] == expect["event"]["state"], event["error"]
        assert expect["event"].get("error", "") in (event["error"] or ""), event["error"]
    if expect.get("raw_kept"):
        assert _raw_kept(odoo, new_events[0], body)

    after = corpus.counts()
    changed = {model: after[model] - before[model] for model in after if after[model] != before[model]}
    expected = dict(expect.get("stored", {}))
    if case["entry"] == "xml_upload":
        # The bill's creation is logged on its chatter; any number of messages is fine there.
        changed.pop("mail.message", None)
        changed.pop("account.move.line", None)
    assert changed == expected
