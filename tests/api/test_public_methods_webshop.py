"""Recipes of billing_webshop's public methods (shops, orders, fix wizards); see test_public_methods.py."""

import uuid

from recipes import assert_answers_over_xmlrpc, call, each_public_method

CALLS = {
    # billing.webshop.backend
    ("billing.webshop.backend", "action_sync_now"): lambda r: call([r.backend()]),
    ("billing.webshop.backend", "action_push_products"): lambda r: (
        r.product_binding() and call([r.backend()])
    ),
    ("billing.webshop.backend", "action_view_events"): lambda r: call([r.backend()]),
    ("billing.webshop.backend", "action_register_webhooks"): lambda r: call([r.shopify_backend()]),
    ("billing.webshop.backend", "action_view_product_bindings"): lambda r: call([r.backend()]),
    ("billing.webshop.backend", "import_order"): lambda r: call(
        [r.xmlid("billing_webshop.backend_woocommerce_demo")], r.unknown_order()
    ),
    # billing.webshop.event
    ("billing.webshop.event", "action_retry"): lambda r: call([r.event_in_error()]),
    ("billing.webshop.event", "action_ignore"): lambda r: call([r.event_in_error()]),
    ("billing.webshop.event", "action_process_now"): lambda r: call([r.event_in_error()]),
    ("billing.webshop.event", "action_open_sale_order"): lambda r: call(
        r.odoo("billing.webshop.event", "search", [("sale_order_id", "!=", False)], limit=1)
    ),
    ("billing.webshop.event", "action_bind_product"): lambda r: call([r.event_missing("product", "753")]),
    ("billing.webshop.event", "action_map_gateway"): lambda r: call(
        [r.event_missing("gateway", "api-gateway")]
    ),
    ("billing.webshop.event", "action_map_tax"): lambda r: call([r.event_missing("tax", "api-rate")]),
    ("billing.webshop.event", "action_open_backend"): lambda r: call([r.event_in_error()]),
    # the wizards the event form opens to fix what an import lacks
    ("billing.webshop.bind.product", "action_bind"): lambda r: call(
        [
            r.webshop_fix(
                "billing.webshop.bind.product",
                "product",
                uuid.uuid4().hex[:8],
                product_id=r.odoo("product.product", "create", {"name": r.unique("API bound product")}),
            )
        ]
    ),
    ("billing.webshop.map.gateway", "action_map"): lambda r: call(
        [
            r.webshop_fix(
                "billing.webshop.map.gateway", "gateway", r.unique("api-gw"), journal_id=r.bank_journal()
            )
        ]
    ),
    ("billing.webshop.map.tax", "action_map"): lambda r: call(
        [
            r.webshop_fix(
                "billing.webshop.map.tax",
                "tax",
                r.unique("api-rate"),
                tax_id=(tax := r.sale_tax())["id"],
                rate=tax["amount"],
            )
        ]
    ),
    # billing.webshop.product.binding
    ("billing.webshop.product.binding", "action_push_now"): lambda r: call([r.product_binding()]),
    ("billing.webshop.product.binding", "action_overwrite_shop_stock"): lambda r: call([r.product_binding()]),
    ("billing.webshop.product.binding", "action_accept_shop_stock"): lambda r: call([r.product_binding()]),
    # res.partner: the "Getting paid" smart buttons
    ("res.partner", "action_view_webshop_bindings"): lambda r: call([r.customer()]),
    ("res.partner", "action_view_webshop_orders"): lambda r: call([r.customer()]),
}


@each_public_method("billing_webshop")
def test_public_method_answers_over_xmlrpc(odoo, records, model, method):
    assert_answers_over_xmlrpc(odoo, records, CALLS, model, method)
