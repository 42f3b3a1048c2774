"""Nothing reaches customers or moves money until a user switches it on.

Every behaviour of the suite that contacts customers or starts collecting money by itself has a
switch, off unless someone turns it on: in the company that existed before the install (Odoo's
own company 1), in a company created afterwards and in a new webshop. Only the demo companies
have theirs on, where the demo shows them. (setup/test checks an install without demo data the
same way, and the addon tests that each scheduled action leaves a company with its switch off
alone.)
"""

import uuid

# Per company: automatic e-invoice sending, weekly SEPA collections, return fees charged on
# returned direct debits, the daily dunning run, the hourly status poll of the collection agency,
# the daily billing run.
COMPANY_SWITCHES = [
    "einvoice_auto_send",
    "sepa_auto_collect",
    "sepa_return_fee_enabled",
    "billing_dunning_auto_run",
    "billing_collection_auto_sync",
    "billing_recurring_auto_run",
]
# Per webshop: pushing products, prices and stock to the shop, Odoo's order confirmation e-mail.
BACKEND_SWITCHES = ["push_enabled", "send_confirmation"]
# What each demo company shows.
DEMO_SWITCHES = {
    "billing_einvoice.company_fi_demo": {"einvoice_auto_send": True},
    "billing_sepa.company_isp_demo": {"sepa_auto_collect": True, "sepa_return_fee_enabled": True},
}


def _switches(odoo, company_ids):
    return {
        company["id"]: {name: company[name] for name in COMPANY_SWITCHES}
        for company in odoo("res.company", "read", company_ids, COMPANY_SWITCHES)
    }


def _xmlid(odoo, xmlid):
    module, name = xmlid.split(".")
    [record] = odoo(
        "ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)], fields=["res_id"]
    )
    return record["res_id"]


def test_the_company_that_existed_before_the_install_has_every_switch_off(odoo):
    company_id = _xmlid(odoo, "base.main_company")
    assert _switches(odoo, [company_id]) == {company_id: dict.fromkeys(COMPANY_SWITCHES, False)}
    # The demo webshop is company 1's (other tests add webshops of their own there).
    [backend] = odoo(
        "billing.webshop.backend",
        "read",
        [_xmlid(odoo, "billing_webshop.backend_woocommerce_demo")],
        ["company_id", *BACKEND_SWITCHES],
    )
    assert backend["company_id"][0] == company_id
    assert not any(backend[name] for name in BACKEND_SWITCHES), backend


def test_demo_companies_have_their_switches_on(odoo):
    for xmlid, expected in DEMO_SWITCHES.items():
        company_id = _xmlid(odoo, xmlid)
        switches = _switches(odoo, [company_id])[company_id]
        assert switches == {**dict.fromkeys(COMPANY_SWITCHES, False), **expected}, xmlid


def test_a_new_company_and_a_new_webshop_have_every_switch_off(odoo):
    suffix = uuid.uuid4().hex[:8]
    company_id = odoo("res.company", "create", {"name": f"Opt-in company {suffix}"})
    assert _switches(odoo, [company_id]) == {company_id: dict.fromkeys(COMPANY_SWITCHES, False)}
    [user] = odoo("res.users", "read", [odoo.uid], ["company_id"])
    [company] = odoo("res.company", "read", [user["company_id"][0]], ["currency_id"])
    pricelist_id = odoo(
        "product.pricelist", "create", {"name": f"Opt-in {suffix}", "currency_id": company["currency_id"][0]}
    )
    backend_id = odoo(
        "billing.webshop.backend",
        "create",
        {"name": f"Opt-in shop {suffix}", "pricelist_id": pricelist_id, "poll_enabled": False},
    )
    [backend] = odoo("billing.webshop.backend", "read", [backend_id], BACKEND_SWITCHES)
    assert not any(backend[name] for name in BACKEND_SWITCHES), backend
    odoo("billing.webshop.backend", "unlink", [backend_id])


def test_the_daily_dunning_run_leaves_companies_with_the_switch_off_alone(odoo):
    # No company of the demo has the daily run on, company 1 with its dunning policy included.
    [cron_id] = odoo(
        "ir.model.data",
        "search_read",
        [("module", "=", "billing_dunning"), ("name", "=", "ir_cron_billing_dunning_run")],
        fields=["res_id"],
    )
    runs_before = odoo("billing.dunning.run", "search_count", [])
    odoo("ir.cron", "method_direct_trigger", [cron_id["res_id"]])
    assert odoo("billing.dunning.run", "search_count", []) == runs_before


def test_no_dunning_policy_hands_items_to_a_collection_agency_by_itself(odoo):
    # The rule after the last level (propose or start a collection dossier) is off in every
    # policy, the demo's included, and in a new one.
    assert odoo("billing.dunning.policy", "search_count", [("collection_rule", "!=", "off")]) == 0
    policy_id = odoo("billing.dunning.policy", "create", {"name": f"Opt-in policy {uuid.uuid4().hex[:8]}"})
    [policy] = odoo("billing.dunning.policy", "read", [policy_id], ["collection_rule"])
    assert policy["collection_rule"] == "off"
    odoo("billing.dunning.policy", "unlink", [policy_id])
