"""Run last, on its own: the Apps menu lists the four addons, then they uninstall cleanly.

setup/test runs this file after the other end-to-end tests, because uninstalling takes the
addons away from the database they use.
"""

ADDONS = ["billing_dunning", "billing_einvoice", "billing_sepa", "billing_webshop"]


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


def test_the_addons_uninstall_cleanly(odoo):
    ids = [
        module["id"]
        for module in odoo("ir.module.module", "search_read", [("name", "in", ADDONS)], fields=["id"])
    ]
    odoo("ir.module.module", "button_immediate_uninstall", ids)
    assert {module["state"] for module in _modules(odoo)} == {"uninstalled"}
    # Nothing of ours is left behind in the registry.
    leftovers = odoo("ir.model", "search", [("model", "=like", "billing.%")])
    assert leftovers == []
