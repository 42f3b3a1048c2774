"""The Apps menu lists the six addons with icon, summary, description and licence.

(setup/test checks the uninstall itself in a database of its own, without demo data: demo
data posts invoices, and posted accounting entries cannot be taken back by an uninstall.)
"""

ADDONS = [
    "billing_base",
    "billing_dunning",
    "billing_einvoice",
    "billing_recurring",
    "billing_sepa",
    "billing_webshop",
]


def _modules(odoo):
    return odoo(
        "ir.module.module",
        "search_read",
        [("name", "in", ADDONS)],
        fields=["name", "state", "icon", "summary", "description_html", "license", "application"],
        order="name",
    )


def test_apps_menu_lists_the_addons_with_icon_and_description(odoo):
    modules = _modules(odoo)
    assert [module["name"] for module in modules] == ADDONS
    for module in modules:
        assert module["state"] == "installed"
        assert module["icon"] == f"/{module['name']}/static/description/icon.png"
        assert module["summary"]
        assert "oe_container" in (module["description_html"] or ""), module["name"]
        assert module["license"] == "LGPL-3"
