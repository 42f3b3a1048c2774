"""Company isolation over XML-RPC: a user of company B never reaches another company's records.

For every stored model of the suite, and the suite's fields on invoices and partners, users of a
new company B holding each group of the suite (addons/*/security) cannot search, read, count,
group, write or delete the records of the other companies, nor link a record of their own to
one of them (which would show its name and related fields through their own record).
"""

import datetime
import xmlrpc.client

import pytest
from conftest import SUITE_GROUPS


def _suite_models(odoo):
    """The suite's stored models: those its access rules name."""
    rules = odoo("ir.model.access", "search_read", [("model_id.model", "=like", "billing.%")], ["model_id"])
    models = odoo("ir.model", "read", sorted({rule["model_id"][0] for rule in rules}), ["model", "transient"])
    return sorted(model["model"] for model in models if not model["transient"])


# Models whose records only their own flows make (a bank report import, a refund of a customer's
# credit, an agency hand-over, a consumer order from a bank): when the database holds none of
# another company, they are left out here, and their addon tests check their company rules with
# two companies instead (billing_sepa TestSepaReturnCompanies, TestReferencePayments and
# TestSepaCreditTransfer, billing_dunning TestCollectionDossier, billing_einvoice
# TestConsumerOrders, TestSenderInfo and TestReceiverProposal).
NOT_MADE_HERE = {
    "billing.sepa.return",
    "billing.sepa.return.import",
    "billing.sepa.reference.payment",
    "billing.sepa.credit.transfer",
    "billing.sepa.credit.transfer.line",
    "billing.collection.agency",
    "billing.collection.dossier",
    "billing.collection.dossier.status",
    "billing.collection.callback",
    "billing.collection.settlement",
    "billing.einvoice.billing.subject",
    "billing.einvoice.sender.info.log",
    "billing.einvoice.consumer.order",
    "billing.einvoice.consumer.order.candidate",
    "billing.einvoice.agreement",
    "billing.einvoice.receiver.proposal",
    # read-only reports over the records above and below (database views: nothing to create)
    "billing.sepa.collection.report",
    "billing.dunning.reminder.report",
    "billing.einvoice.receivable.report",
}


@pytest.fixture(scope="module")
def foreign(odoo, tenants):
    """Up to five records per model of the companies other than B, and their suite fields."""
    context = {"active_test": False, "allowed_company_ids": tenants.admin_company_ids}
    not_b = [("company_id", "!=", tenants.company_b)]
    records = {}
    for model in _suite_models(odoo):
        if "company_id" not in odoo(model, "fields_get", ["company_id"]):
            continue  # shared by every company on purpose (statutory interest rates)
        records[model] = odoo(model, "search", not_b, limit=5, order="id", context=context)
    records["account.move"] = odoo(
        "account.move", "search", [*not_b, ("move_type", "=", "out_invoice")], limit=5, context=context
    )
    for model, ids in records.items():
        if not ids and model in NOT_MADE_HERE:
            continue  # see NOT_MADE_HERE
        if not ids:
            records[model] = [_make_record(odoo, model, records, context)]
    records = {model: ids for model, ids in records.items() if ids}
    partner_id = odoo(
        "res.partner", "create", {"name": f"Customer of A {tenants.suffix}", "company_id": tenants.company_a}
    )
    records["res.partner"] = [partner_id]
    empty = [model for model, ids in records.items() if not ids]
    assert not empty, f"no record of another company to test with: {empty}"
    return records


def _make_record(odoo, model, records, context):
    """One record of ``model`` in the other companies, for the models no earlier test filled."""
    today = datetime.date.today().isoformat()
    if model == "billing.sepa.batch.skip":
        [line] = odoo(
            "billing.sepa.batch.line", "read", records["billing.sepa.batch.line"][:1], ["batch_id", "move_id"]
        )
        values = {"batch_id": line["batch_id"][0], "move_id": line["move_id"][0], "reason": "isolation test"}
        return odoo(model, "create", values, context=context)
    if model == "billing.sepa.batch.file.part":
        # A part of a file in progress (file 99: no generation of a test builds that many files).
        values = {
            "batch_id": records["billing.sepa.batch"][0],
            "file_index": 99,
            "sequence": 0,
            "payment_info_identifier": "ISOLATION-TEST",
            "transaction_count": 1,
            "fragment": "<DrctDbtTxInf/>",
        }
        return odoo(model, "create", values, context=context)
    if model == "billing.einvoice.delivery.attempt":
        values = {
            "delivery_id": records["billing.einvoice.delivery"][0],
            "state": "failed",
            "error_message": "isolation test",
        }
        return odoo(model, "create", values, context=context)
    # The dunning and e-invoice records of the company of the demo dunning policies.
    [level] = odoo("billing.dunning.level", "read", records["billing.dunning.level"][:1], ["company_id"])
    company_id = level["company_id"][0]
    # A draft invoice of a new customer: no dunning run or sending of the other tests sees it.
    partner_id = odoo("res.partner", "create", {"name": f"Isolation {model}", "company_id": company_id})
    invoice_id = odoo(
        "account.move",
        "create",
        {"move_type": "out_invoice", "partner_id": partner_id, "company_id": company_id},
        context=dict(context, allowed_company_ids=[company_id]),
    )
    [invoice] = odoo("account.move", "read", [invoice_id], ["partner_id", "currency_id"], context=context)
    if model == "billing.dunning.run":
        values = {"company_id": company_id}
    elif model == "billing.einvoice.delivery":
        values = {"move_id": invoice["id"], "channel": "post", "state": "sent"}
    elif model == "billing.dunning.reminder.line":
        values = {
            "reminder_id": records["billing.dunning.reminder"][0],
            "move_id": invoice["id"],
            "level_id": level["id"],
            "date": today,
            "due_date": today,
        }
    else:
        values = {
            "company_id": company_id,
            "partner_id": invoice["partner_id"][0],
            "date": today,
            "level_id": level["id"],
        }
        if model == "billing.dunning.charge":
            values.update(
                move_id=invoice["id"], kind="fee", currency_id=invoice["currency_id"][0], amount=1.0
            )
    return odoo(model, "create", values, context=context)


def _suite_fields(odoo, model):
    """The fields the suite adds to a core model (all fields on its own models)."""
    if model.startswith("billing."):
        return ["display_name"]
    fields = odoo(
        "ir.model.data",
        "search_read",
        [
            ("model", "=", "ir.model.fields"),
            ("module", "=like", "billing_%"),
            ("name", "=like", f"field_{model.replace('.', '_')}__%"),
        ],
        ["name"],
    )
    # "_" is a LIKE wildcard: field_account_move__% also finds the fields of account.move.line.
    prefix = f"field_{model.replace('.', '_')}__"
    return sorted(
        {field["name"].removeprefix(prefix) for field in fields if field["name"].startswith(prefix)}
    )


@pytest.fixture(scope="module")
def probes(odoo, foreign):
    """Per model: the fields read, and its stored many2ones to the models of ``foreign``."""
    probes = {}
    for model in foreign:
        fields = odoo(model, "fields_get", [], ["type", "relation", "store"])
        many2ones = [
            (name, field["relation"])
            for name, field in fields.items()
            if model.startswith("billing.")
            and field["type"] == "many2one"
            and field.get("store")
            and field["relation"] in foreign
        ]
        probes[model] = (_suite_fields(odoo, model), many2ones)
    return probes


def _count(user, model, domain):
    """How many records ``domain`` finds for ``user``; 0 when the user may not read ``model`` at all."""
    try:
        return user(model, "search_count", domain, context={"active_test": False})
    except xmlrpc.client.Fault as refused:
        assert refused.faultCode == 4, refused.faultString
        return 0


@pytest.mark.parametrize("group", SUITE_GROUPS)
def test_company_b_user_reaches_no_record_of_another_company(tenants, foreign, probes, group):
    user = tenants.user("B", group)
    for model, ids in foreign.items():
        fields, many2ones = probes[model]
        assert _count(user, model, [("id", "in", ids)]) == 0, model
        try:
            groups = user(model, "read_group", [("id", "in", ids)], ["id:count"], [])
        except xmlrpc.client.Fault as refused:
            assert refused.faultCode == 4, refused.faultString
        else:
            assert sum(group["__count"] for group in groups) == 0, model
        # account.move answers an empty write without looking: give it a value.
        values = {} if model.startswith("billing.") else {"ref": "written by company B"}
        for method, args in (("read", [ids, fields]), ("write", [ids, values]), ("unlink", [ids])):
            with pytest.raises(xmlrpc.client.Fault) as refused:
                user(model, method, *args)
            assert refused.value.faultCode in (3, 4), (model, method, refused.value.faultString)
        # Nor through a many2one of its own records: none of B's points at these.
        for name, relation in many2ones:
            assert _count(user, model, [(name, "in", foreign[relation])]) == 0, (model, name)


@pytest.fixture(scope="module")
def company_b_setup(odoo, tenants):
    """A webshop backend, a dunning policy of company B and a partner of no company, made by the admin."""
    context = {"allowed_company_ids": [tenants.company_b]}
    [company] = odoo("res.company", "read", [tenants.company_b], ["currency_id"])
    pricelist_id = odoo(
        "product.pricelist",
        "create",
        {
            "name": f"B {tenants.suffix}",
            "currency_id": company["currency_id"][0],
            "company_id": tenants.company_b,
        },
    )
    backend_id = odoo(
        "billing.webshop.backend",
        "create",
        {
            "name": f"Shop B {tenants.suffix}",
            "company_id": tenants.company_b,
            "pricelist_id": pricelist_id,
            "poll_enabled": False,
        },
        context=context,
    )
    policy_id = odoo(
        "billing.dunning.policy",
        "create",
        {
            "name": f"Policy B {tenants.suffix}",
            "company_id": tenants.company_b,
            "level_ids": [
                (
                    0,
                    0,
                    {
                        "name": "First",
                        "delay_days": 10,
                        "delay_from": "due_date",
                        "channel": "email",
                        "fee_type": "none",
                    },
                )
            ],
        },
        context=context,
    )
    [policy] = odoo("billing.dunning.policy", "read", [policy_id], ["level_ids"], context=context)
    return {
        "backend": backend_id,
        "level": policy["level_ids"][0],
        "currency": company["currency_id"][0],
        "shared_partner": odoo("res.partner", "create", {"name": f"Customer of all {tenants.suffix}"}),
    }


def _links(tenants, foreign, own):
    """Records of B pointing at records of other companies: (model, values)."""
    today = datetime.date.today().isoformat()
    other_invoice = foreign["account.move"][0]
    shared_partner = own["shared_partner"]
    return [
        (
            "billing.webshop.event",
            {
                "backend_id": own["backend"],
                "delivery_key": f"link-{tenants.suffix}",
                "source": "manual",
                "order_binding_id": foreign["billing.webshop.order.binding"][0],
            },
        ),
        (
            "billing.webshop.partner.binding",
            {"backend_id": own["backend"], "external_id": "1", "partner_id": foreign["res.partner"][0]},
        ),
        (
            "billing.webshop.order.binding",
            {
                "backend_id": own["backend"],
                "external_id": "1",
                "payment_ids": [(6, 0, tenants.odoo("account.payment", "search", [], limit=1))],
            },
        ),
        (
            "billing.dunning.charge",
            {
                "move_id": other_invoice,
                "level_id": own["level"],
                "kind": "fee",
                "company_id": tenants.company_b,
                "partner_id": shared_partner,
                "date": today,
                "currency_id": own["currency"],
                "amount": 1.0,
            },
        ),
        (
            "billing.dunning.reminder",
            {
                "company_id": tenants.company_b,
                "partner_id": shared_partner,
                "date": today,
                "level_id": own["level"],
                "other_move_ids": [(6, 0, [other_invoice])],
            },
        ),
    ]


def test_company_b_manager_cannot_link_its_records_to_another_company(
    odoo, tenants, foreign, company_b_setup
):
    manager = tenants.user(
        "B", "billing_webshop.group_billing_webshop_manager", "account.group_account_manager"
    )
    for model, values in _links(tenants, foreign, company_b_setup):
        with pytest.raises(xmlrpc.client.Fault) as refused:
            record_id = manager(model, "create", values)
            # Had it been accepted: what the record would show of the other company's.
            pytest.fail(
                f"{model} of company B linked to another company's record: {manager(model, 'read', [record_id])}"
            )
        assert refused.value.faultCode in (2, 3, 4), (model, refused.value.faultString)


def test_company_b_reminder_line_cannot_point_at_another_company_invoice(
    odoo, tenants, foreign, company_b_setup
):
    manager = tenants.user(
        "B", "billing_webshop.group_billing_webshop_manager", "account.group_account_manager"
    )
    today = datetime.date.today().isoformat()
    shared_partner = company_b_setup["shared_partner"]
    reminder_id = manager(
        "billing.dunning.reminder",
        "create",
        {
            "company_id": tenants.company_b,
            "partner_id": shared_partner,
            "date": today,
            "level_id": company_b_setup["level"],
        },
    )
    with pytest.raises(xmlrpc.client.Fault) as refused:
        manager(
            "billing.dunning.reminder.line",
            "create",
            {
                "reminder_id": reminder_id,
                "move_id": foreign["account.move"][0],
                "level_id": company_b_setup["level"],
                "date": today,
                "due_date": today,
            },
        )
    assert refused.value.faultCode in (2, 3, 4), refused.value.faultString
