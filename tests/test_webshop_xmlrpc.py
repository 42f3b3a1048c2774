"""A webshop order comes in over XML-RPC and becomes a confirmed, invoiced and paid sales order."""

import json
import pathlib
import uuid

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "addons/billing_webshop/tests/fixtures"


def _setup_backend(odoo, suffix):
    [user] = odoo("res.users", "read", [odoo.uid], ["company_id"])
    company_id = user["company_id"][0]
    [company] = odoo("res.company", "read", [company_id], ["currency_id"])
    currency = company["currency_id"][1]
    taxes = {
        rate: odoo(
            "account.tax",
            "create",
            {
                "name": f"Webshop {rate:g}% {suffix}",
                "amount": rate,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": company_id,
                "price_include_override": "tax_excluded",
            },
        )
        for rate in (21.0, 9.0)
    }
    [journal_id] = odoo(
        "account.journal", "search", [("type", "=", "bank"), ("company_id", "=", company_id)], limit=1
    )
    pricelist_id = odoo(
        "product.pricelist",
        "create",
        {"name": f"Webshop {suffix}", "currency_id": company["currency_id"][0], "company_id": company_id},
    )
    for sku, name in (("MUG-DB", "Koffiemok Delfts Blauw"), ("STRP-8", "Stroopwafels 8 stuks")):
        odoo(
            "product.product",
            "create",
            {"name": name, "default_code": f"{sku}-{suffix}", "type": "consu", "invoice_policy": "order"},
        )
    backend_id = odoo(
        "billing.webshop.backend",
        "create",
        {
            "name": f"RPC shop {suffix}",
            "company_id": company_id,
            "base_url": "http://127.0.0.1:9",
            "webhook_secret": f"whsec_{suffix}",
            "pricelist_id": pricelist_id,
            "poll_enabled": False,
            "tax_map_ids": [
                (0, 0, {"external_rate_id": "1", "rate": 21.0, "tax_id": taxes[21.0]}),
                (0, 0, {"external_rate_id": "2", "rate": 9.0, "tax_id": taxes[9.0]}),
            ],
            "payment_method_ids": [(0, 0, {"code": "mollie_wc_gateway_ideal", "journal_id": journal_id})],
        },
    )
    return backend_id, currency, journal_id


def _payload(suffix, currency):
    payload = json.loads((FIXTURES / "woo_order_tax_excluded.json").read_text(encoding="utf-8"))
    order_id = int(suffix, 16) % 900_000_000 + 100_000
    payload.update(id=order_id, number=str(order_id), currency=currency, customer_id=order_id)
    payload["billing"]["email"] = f"inkoop-{suffix}@bakkerenzn.example"
    payload["meta_data"] = []
    for line in payload["line_items"]:
        line["sku"] = f"{line['sku']}-{suffix}"
        line["product_id"] += order_id
        line["variation_id"] = 0
    return payload


def test_shop_order_imported_over_xmlrpc(odoo):
    suffix = uuid.uuid4().hex[:8]
    backend_id, currency, journal_id = _setup_backend(odoo, suffix)
    payload = _payload(suffix, currency)

    summary = odoo("billing.webshop.backend", "import_order", [backend_id], payload)
    assert summary["state"] == "done", summary["error"]
    assert summary["sale_order_id"]

    [order] = odoo(
        "sale.order",
        "read",
        [summary["sale_order_id"]],
        ["state", "amount_total", "client_order_ref", "partner_id", "invoice_ids"],
    )
    assert order["state"] == "sale"
    assert order["amount_total"] == 52.43
    assert order["client_order_ref"] == payload["number"]
    assert order["invoice_ids"] == summary["invoice_ids"]

    [invoice] = odoo(
        "account.move",
        "read",
        summary["invoice_ids"],
        ["state", "amount_total", "amount_tax", "payment_state"],
    )
    assert invoice["state"] == "posted"
    assert (invoice["amount_total"], invoice["amount_tax"]) == (52.43, 7.63)
    assert invoice["payment_state"] in ("in_payment", "paid")
    [binding] = odoo(
        "billing.webshop.order.binding", "search_read", [("sale_order_id", "=", order["id"])], ["payment_ids"]
    )
    payments = odoo("account.payment", "read", binding["payment_ids"], ["journal_id", "amount"])
    assert [(payment["journal_id"][0], payment["amount"]) for payment in payments] == [(journal_id, 52.43)]

    # The same order saved again in the shop: nothing new.
    payload["date_modified_gmt"] = "2025-02-15T08:00:00"
    replay = odoo("billing.webshop.backend", "import_order", [backend_id], payload)
    assert (replay["state"], replay["result"], replay["sale_order_id"]) == ("done", "unchanged", order["id"])

    # An order with an unknown SKU is kept in the error queue, naming the SKU.
    unknown = _payload(uuid.uuid4().hex[:8], currency)
    failed = odoo("billing.webshop.backend", "import_order", [backend_id], unknown)
    assert failed["state"] == "error"
    assert unknown["line_items"][0]["sku"] in failed["error"]
    [event] = odoo("billing.webshop.event", "read", [failed["event_id"]], ["state", "payload"])
    assert event["state"] == "error"
    assert json.loads(event["payload"])["id"] == unknown["id"]


def _wire(module):
    """A plain-Python module of the addon (``webshop.signature``, ``tests.woo_emulator``), loaded
    without Odoo: the addon and its tests folder become bare packages whose ``__init__`` is not run.
    """
    import importlib  # noqa: PLC0415
    import sys  # noqa: PLC0415
    import types  # noqa: PLC0415

    root = "billing_webshop_wire"
    if root not in sys.modules:
        addon_dir = FIXTURES.parent.parent
        for name, path in ((root, addon_dir), (f"{root}.tests", addon_dir / "tests")):
            package = types.ModuleType(name)
            package.__path__ = [str(path)]
            sys.modules[name] = package
    return importlib.import_module(f"{root}.{module}")


def _woo_emulator():
    """The addon's local WooCommerce emulator (tests/woo_emulator.py, plain Python)."""
    return _wire("tests.woo_emulator").WooEmulator


def test_products_pushed_and_stale_stock_refused_over_xmlrpc(odoo):
    suffix = uuid.uuid4().hex[:8]
    backend_id, _currency, _journal_id = _setup_backend(odoo, suffix)
    with _woo_emulator()("ck_rpc", "cs_rpc") as woo:
        odoo(
            "billing.webshop.backend",
            "write",
            [backend_id],
            {"base_url": woo.base_url, "api_key": "ck_rpc", "api_secret": "cs_rpc", "push_enabled": True},
        )
        shop_product = woo._create_product({"name": "Oud", "sku": f"OLD-{suffix}", "manage_stock": True})
        product_id = odoo(
            "product.product",
            "create",
            {
                "name": f"Klompen {suffix}",
                "default_code": f"KLOMP-{suffix}",
                "is_storable": True,
                "list_price": 24.5,
            },
        )
        binding_id = odoo(
            "billing.webshop.product.binding",
            "create",
            {"backend_id": backend_id, "external_id": str(shop_product["id"]), "product_id": product_id},
        )
        odoo("billing.webshop.product.binding", "action_push_now", [binding_id])
        pushed = woo.products[shop_product["id"]]
        assert (pushed["name"], pushed["sku"], pushed["regular_price"]) == (
            f"Klompen {suffix}",
            f"KLOMP-{suffix}",
            "24.50",
        )
        assert pushed["stock_quantity"] == 0
        fields = ["push_state", "last_stock_read", "conflict_shop_stock", "need_push"]
        [binding] = odoo("billing.webshop.product.binding", "read", [binding_id], fields)
        assert (binding["push_state"], binding["last_stock_read"]) == ("synced", 0)

        # The shop's stock changes (a restock entered in WordPress), then the price in Odoo:
        # the price goes out, the shop's stock figure is left alone and the conflict shows.
        woo._update_product({"id": shop_product["id"], "stock_quantity": 6})
        odoo("product.product", "write", [product_id], {"list_price": 26.0})
        [binding] = odoo("billing.webshop.product.binding", "read", [binding_id], fields)
        assert binding["need_push"] is True
        odoo("billing.webshop.product.binding", "action_push_now", [binding_id])
        assert woo.products[shop_product["id"]]["regular_price"] == "26.00"
        assert woo.products[shop_product["id"]]["stock_quantity"] == 6
        [binding] = odoo("billing.webshop.product.binding", "read", [binding_id], fields)
        assert (binding["push_state"], binding["conflict_shop_stock"]) == ("conflict", 6)

        # Accepting the shop's figure resolves it.
        odoo("billing.webshop.product.binding", "action_accept_shop_stock", [binding_id])
        [binding] = odoo("billing.webshop.product.binding", "read", [binding_id], fields)
        assert (binding["push_state"], binding["last_stock_read"]) == ("synced", 6)
