"""The Shopify contender of ``bench_webshop.py --shop shopify`` (issue 16, item 9).

The N orders of ``bench_webshop.generate_orders`` (the same lines, taxes, shipping, customers
and totals as the WooCommerce run) are put into the local Shopify emulator
(``addons/billing_webshop/tests/shopify_emulator.py``) as GraphQL ``Order`` objects, and the
company gets a Shopify backend pointing at it (client-credentials app, tax mapping by rate,
``shopify_payments`` → bank journal). Timed, as Shopify delivers them: each order's
``orders/create`` webhook (its REST resource as the body, base64 HMAC-SHA256
``X-Shopify-Hmac-Sha256``) checked by ``_verify_webhook`` and stored by ``_receive_webhook`` as
the webhook route does; then the import cron, which reads each order again over GraphQL from the
emulator (token fetched once, cost-based throttling) and makes the customer, confirmed order,
posted invoice and payment. The emulator answers on 127.0.0.1 from a thread of the benchmark
process: a real shop adds a network round trip per order.
"""

from decimal import Decimal

import benchlib_seed

CLIENT_ID = "bench-shopify-client"
CLIENT_SECRET = "bench-shopify-secret"
LOCATION = "gid://shopify/Location/1"
TAX_TITLES = {1: ("BTW 21%", 0.21), 2: ("BTW 9%", 0.09)}


def start_shop():
    from odoo.addons.billing_webshop.tests.shopify_emulator import ShopifyEmulator  # noqa: PLC0415

    shop = ShopifyEmulator(CLIENT_ID, CLIENT_SECRET)
    shop.start()
    return shop


def setup_backend(env, setup, shop):
    """A Shopify backend of the benchmark company, talking to the emulator."""
    from odoo import Command  # noqa: PLC0415

    return env["billing.webshop.backend"].create(
        {
            "name": "Bench Shopify",
            "shop_type": "shopify",
            "company_id": setup["company"].id,
            "base_url": shop.base_url,
            "api_key": CLIENT_ID,
            "api_secret": CLIENT_SECRET,
            "webhook_secret": CLIENT_SECRET,
            "pricelist_id": setup["pricelist"].id,
            "poll_enabled": False,
            "shopify_location_id": LOCATION,
            "tax_map_ids": [
                Command.create({"rate": float(tax.amount), "tax_id": tax.id})
                for tax in setup["taxes"].values()
            ],
            "payment_method_ids": [
                Command.create({"code": "shopify_payments", "journal_id": setup["journal"].id})
            ],
        }
    )


def add_orders(shop, orders):
    """Put the WooCommerce-shaped ``orders`` into the emulator; return them as ``check`` reads
    them (``number`` is the Shopify order name, the sales order's reference) with their GIDs."""
    variants = {}
    added = []
    for index, order in enumerate(orders):
        lines = []
        for line in order["line_items"]:
            sku = line["sku"]
            if sku not in variants:
                variants[sku] = shop.add_variant(sku, price=f"{line['price']:.2f}", available=100)
            unit = Decimal(line["total"]) / line["quantity"]
            title, rate = TAX_TITLES[line["taxes"][0]["id"]]
            lines.append(
                (
                    sku,
                    variants[sku]["id"],
                    line["quantity"],
                    f"{unit:.2f}",
                    [(title, rate, line["total_tax"])],
                    0,
                )
            )
        shipping = order["shipping_lines"][0]
        billing = order["billing"]
        email = billing["email"]
        customer_number = email.split("@", 1)[0].removeprefix("klant")
        stored = shop.add_order(
            lines,
            shipping=(
                shipping["method_title"],
                shipping["total"],
                [("BTW 21%", 0.21, shipping["total_tax"])],
            ),
            customer_email=email,
            name=f"#{order['number']}",
            customer={
                "id": f"gid://shopify/Customer/{7000000 + int(customer_number)}",
                "email": email,
                "phone": None,
            },
            billingAddress={
                "firstName": billing["first_name"],
                "lastName": billing["last_name"],
                "name": f"{billing['first_name']} {billing['last_name']}",
                "company": None,
                "address1": billing["address_1"],
                "address2": None,
                "zip": billing["postcode"],
                "city": billing["city"],
                "provinceCode": None,
                "countryCodeV2": billing["country"],
                "phone": None,
            },
        )
        if Decimal(stored["totalPriceSet"]["shopMoney"]["amount"]) != Decimal(order["total"]):
            raise RuntimeError(f"order {index}: the emulator's total differs from the generated one")
        added.append(dict(order, number=stored["name"], gid=stored["id"]))
    return added


def run_ours(env, setup, orders):
    """Sign each ``orders/create`` delivery as Shopify does, verify and store it as the webhook
    route does; import with the cron (which reads each order again over GraphQL)."""
    backend, shop = setup["shopify_backend"], setup["shop"]
    cr = env.cr
    deliveries = [shop.webhook_request("orders/create", shop.rest_order(order["gid"])) for order in orders]

    def step():
        Event = env["billing.webshop.event"]
        for batch in benchlib_seed.chunks(deliveries, 100):
            for headers, body in batch:
                # What controllers/main.py does once the request is read.
                adapter = backend._get_adapter()
                if not backend._verify_webhook(adapter, headers, body):
                    raise RuntimeError("signature refused")
                backend._receive_webhook(headers, body)
            cr.commit()
        while Event.search_count([("state", "=", "queued"), ("backend_id", "=", backend.id)]):
            Event._cron_process_events(batch_size=100)
            cr.commit()
        errors = Event.search([("state", "=", "error"), ("backend_id", "=", backend.id)], limit=3)
        if errors:
            raise RuntimeError(f"events in error: {errors.mapped('error')}")

    return step
