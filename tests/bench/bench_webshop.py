"""Webshop import benchmark: billing_webshop's signed-webhook import against direct ORM calls.

The in-process part of ``tests/bench/bench_webshop.sh``, which builds the database and calls::

    bench_webshop.py run --n N --json FILE [--shop woocommerce|shopify] [--profile ours|direct] -- ODOO_OPTIONS...

``ODOO_OPTIONS`` are the options of ``odoo-bin`` (configuration, addons path, database
connection, ``-d DATABASE``). In one database where billing_webshop is installed it sets up a
Dutch company (untimed), generates N WooCommerce v3 orders (deterministic), and times:

* **ours**: every order as WooCommerce delivers it (``wp_json_encode`` body, base64
  HMAC-SHA256 signature), verified by the WooCommerce adapter and stored as an event by
  ``_receive_webhook`` exactly as the webhook route does, then imported by the event cron
  (``_cron_process_events``): customer, confirmed sales order, posted invoice equal to the shop
  total, payment in the gateway's journal;
* **direct**: the same N orders (other customers' e-mail addresses, so no contender finds the
  other's partners) created with direct ORM calls: partner search/create, ``sale.order.create``
  with the same lines and taxes, ``action_confirm``, ``_create_invoices``, ``action_post`` and
  ``account.payment.register``.

With ``--shop shopify`` the first contender is Shopify's path instead, on the same N orders
(``bench_webshop_shopify.py``: ``orders/create`` webhooks signed as Shopify signs them, the
import reading each order again over GraphQL from the local Shopify emulator); the direct
contender is unchanged.

Both commit every ``CHUNK`` orders, as a cron or a request would. With ``--interleave`` the
contenders take turns, ``CHUNK`` orders each (the first in turn alternating), so that both run
under the same load on a shared machine; the running totals and ratio are printed after each
turn. Each ends with a check that
N sales orders are confirmed, N invoices posted and paid, and the totals equal the shop's.
"""

import argparse
import random
import sys
import time
from decimal import ROUND_HALF_UP, Decimal

import bench_webshop_shopify
import benchlib
import benchlib_meter
import benchlib_seed

SEED = 20261123
CHUNK = 100
SECRET = "whsec_bench_webshop"
COMPANY_NAME = "Bench Webwinkel Fietsbel & Zn. B.V."
PRODUCTS = [
    # sku, name, price without tax, shop tax rate id (1 = 21 %, 2 = 9 %)
    ("MUG-DB", "Koffiemok Delfts Blauw", "12.50", 1),
    ("STRP-8", "Stroopwafels 8 stuks", "4.13", 2),
    ("KS-RVS", "Kaasschaaf RVS", "10.00", 1),
    ("DROP-500", "Drop mix 500 g", "5.50", 2),
    ("PLAID-OKER", "Plaid Wafelkatoen - Oker", "33.02", 1),
    ("BEL-KL", "Fietsbel Klassiek", "10.25", 1),
    ("KAART-NL", "Fietskaart Nederland", "9.13", 2),
    ("TD-MOLEN", "Theedoek Molen", "6.57", 1),
    ("HAGEL-400", "Hagelslag puur 400 g", "2.74", 2),
    ("KLOMP-38", "Klompen maat 38", "24.79", 1),
]
RATES = {1: Decimal(21), 2: Decimal(9)}
FIRST_NAMES = ["Anouk", "Daan", "Sanne", "Bram", "Femke", "Renée", "Maaike", "Joëlle", "Thijs", "Lieke"]
LAST_NAMES = ["de Vries", "van den Berg", "Jansen", "Bakker", "van Dijk", "Visser", "de Jong", "Smit"]
CITIES = [
    ("3511 AB", "Utrecht"),
    ("2511 BT", "Den Haag"),
    ("9711 AA", "Groningen"),
    ("5211 AA", "'s-Hertogenbosch"),
]
CENT = Decimal("0.01")


def money(value):
    return format(value.quantize(CENT, ROUND_HALF_UP), "f")


def generate_orders(n, email_domain):
    """``n`` WooCommerce v3 orders, paid by iDEAL, 1-3 product lines and flat-rate shipping."""
    rng = random.Random(SEED)
    orders = []
    for index in range(n):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        zip_code, city = rng.choice(CITIES)
        # A third of the customers come back: the same e-mail finds the same partner.
        customer_number = index if index % 3 else index // 3
        email = f"klant{customer_number}@{email_domain}"
        address = {
            "first_name": first,
            "last_name": last,
            "company": "",
            "address_1": f"Kerkstraat {customer_number % 200 + 1}",
            "address_2": "",
            "city": city,
            "state": "",
            "postcode": zip_code,
            "country": "NL",
        }
        lines, tax_totals, line_id = [], {1: Decimal(0), 2: Decimal(0)}, 1000 * (index + 1)
        for sku, name, price, rate_id in rng.sample(PRODUCTS, rng.randint(1, 3)):
            quantity = rng.randint(1, 4)
            total = Decimal(price) * quantity
            tax = (total * RATES[rate_id] / 100).quantize(CENT, ROUND_HALF_UP)
            tax_totals[rate_id] += tax
            line_id += 1
            lines.append(
                {
                    "id": line_id,
                    "name": name,
                    "product_id": 0,
                    "variation_id": 0,
                    "quantity": quantity,
                    "tax_class": "" if rate_id == 1 else "reduced-rate",
                    "subtotal": money(total),
                    "subtotal_tax": money(tax),
                    "total": money(total),
                    "total_tax": money(tax),
                    "taxes": [{"id": rate_id, "total": str(tax), "subtotal": str(tax)}],
                    "sku": sku,
                    "price": float(price),
                }
            )
        shipping, shipping_tax = Decimal("4.95"), (Decimal("4.95") * 21 / 100).quantize(CENT, ROUND_HALF_UP)
        goods = sum((Decimal(line["total"]) for line in lines), Decimal(0))
        tax_total = tax_totals[1] + tax_totals[2] + shipping_tax
        created = f"2026-10-{index % 28 + 1:02d}T{index % 24:02d}:{index % 60:02d}:00"
        orders.append(
            {
                "id": 100000 + index,
                "number": str(100000 + index),
                "status": "processing",
                "currency": "EUR",
                "prices_include_tax": False,
                "date_created_gmt": created,
                "date_modified_gmt": created,
                "date_paid_gmt": created,
                "customer_id": 0,
                "billing": dict(address, email=email, phone=""),
                "shipping": address,
                "payment_method": "mollie_wc_gateway_ideal",
                "payment_method_title": "iDEAL",
                "transaction_id": f"tr_{index:08d}",
                "customer_note": "",
                "line_items": lines,
                "tax_lines": [
                    {
                        "id": 1,
                        "rate_id": 1,
                        "rate_code": "NL-BTW-21",
                        "label": "BTW 21%",
                        "compound": False,
                        "tax_total": money(tax_totals[1]),
                        "shipping_tax_total": money(shipping_tax),
                        "rate_percent": 21.0,
                    },
                    {
                        "id": 2,
                        "rate_id": 2,
                        "rate_code": "NL-BTW-9",
                        "label": "BTW 9%",
                        "compound": False,
                        "tax_total": money(tax_totals[2]),
                        "shipping_tax_total": "0.00",
                        "rate_percent": 9.0,
                    },
                ],
                "shipping_lines": [
                    {
                        "id": line_id + 1,
                        "method_title": "PostNL",
                        "method_id": "flat_rate",
                        "total": money(shipping),
                        "total_tax": money(shipping_tax),
                        "taxes": [{"id": 1, "total": str(shipping_tax), "subtotal": ""}],
                    }
                ],
                "fee_lines": [],
                "coupon_lines": [],
                "refunds": [],
                "discount_total": "0.00",
                "discount_tax": "0.00",
                "shipping_total": money(shipping),
                "shipping_tax": money(shipping_tax),
                "cart_tax": money(tax_totals[1] + tax_totals[2]),
                "total_tax": money(tax_total),
                "total": money(goods + shipping + tax_total),
            }
        )
    return orders


# ---------------------------------------------------------------------------- Odoo access


def chunks(items, size=CHUNK):
    return benchlib_seed.chunks(items, size)


def setup_company(env):
    """A Dutch company in EUR with the generic chart, 21 % / 9 % VAT, products and a backend."""
    from odoo import Command  # noqa: PLC0415

    eur = env.ref("base.EUR")
    company = benchlib_seed.create_company(
        env, {"name": COMPANY_NAME, "currency_id": eur.id, "country_id": env.ref("base.nl").id}
    )
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    company = company.with_env(env)
    if not env["stock.warehouse"].search([("company_id", "=", company.id)]):
        env["stock.warehouse"].create(
            {
                "name": "Bench magazijn",
                "code": "BWW",
                "company_id": company.id,
                "partner_id": company.partner_id.id,
            }
        )
    journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "bank")], limit=1)
    outstanding = env["account.chart.template"].ref("account_journal_payment_debit_account_id")
    journal.inbound_payment_method_line_ids.write({"payment_account_id": outstanding.id})
    taxes = {}
    for rate_id, amount in RATES.items():
        taxes[rate_id] = env["account.tax"].create(
            {
                "name": f"Bench BTW {amount}%",
                "amount": float(amount),
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": company.id,
                "tax_group_id": env["account.tax.group"]
                .create({"name": f"BTW {amount}%", "company_id": company.id})
                .id,
            }
        )
    products = {}
    for sku, name, price, rate_id in PRODUCTS:
        products[sku] = env["product.product"].create(
            {
                "name": name,
                "default_code": sku,
                "type": "consu",
                "invoice_policy": "order",
                "list_price": float(price),
                "company_id": company.id,
                "taxes_id": [Command.set(taxes[rate_id].ids)],
            }
        )
    pricelist = env["product.pricelist"].create(
        {"name": "Bench EUR", "currency_id": eur.id, "company_id": company.id}
    )
    backend = env["billing.webshop.backend"].create(
        {
            "name": "Bench WooCommerce",
            "company_id": company.id,
            "base_url": "http://127.0.0.1:9",
            "webhook_secret": SECRET,
            "pricelist_id": pricelist.id,
            "poll_enabled": False,
            "tax_map_ids": [
                Command.create(
                    {"external_rate_id": str(rate_id), "rate": float(amount), "tax_id": taxes[rate_id].id}
                )
                for rate_id, amount in RATES.items()
            ],
            "payment_method_ids": [
                Command.create({"code": "mollie_wc_gateway_ideal", "journal_id": journal.id})
            ],
        }
    )
    return env, {
        "company": company,
        "journal": journal,
        "taxes": taxes,
        "products": products,
        "pricelist": pricelist,
        "backend": backend,
    }


# ---------------------------------------------------------------------------- contenders


def signed_deliveries(orders):
    """(headers, body) of each order as WooCommerce delivers it: JSON body, HMAC signature."""
    from odoo.addons.billing_webshop.tests.woo_emulator import USER_AGENT, wordpress_json_encode  # noqa: PLC0415
    from odoo.addons.billing_webshop.webshop.signature import compute_woocommerce_signature  # noqa: PLC0415

    deliveries = []
    for order in orders:
        body = wordpress_json_encode(order)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-WC-Webhook-Topic": "order.created",
            "X-WC-Webhook-Resource": "order",
            "X-WC-Webhook-Event": "created",
            "X-WC-Webhook-ID": "7",
            "X-WC-Webhook-Signature": compute_woocommerce_signature(SECRET, body),
        }
        deliveries.append((headers, body))
    return deliveries


def run_ours(env, setup, orders):
    """Sign, verify and receive each order as the webhook route does; import with the cron."""
    backend = setup["backend"]
    cr = env.cr
    deliveries = signed_deliveries(orders)

    def step():
        Event = env["billing.webshop.event"]
        for batch in chunks(deliveries):
            for headers, body in batch:
                # What controllers/main.py does once the request is read.
                secret = backend.sudo().webhook_secret
                adapter = backend._get_adapter()
                if not adapter.verify_webhook(secret, headers, body):
                    raise RuntimeError("signature refused")
                backend._receive_webhook(headers, body)
            cr.commit()
        while Event.search_count([("state", "=", "queued"), ("backend_id", "=", backend.id)]):
            Event._cron_process_events(batch_size=CHUNK)
            cr.commit()

    return step


def run_direct(env, setup, orders):
    """The same records made with direct ORM calls, as a hand-written import would."""
    from odoo import Command, fields  # noqa: PLC0415

    company, journal, products, taxes = setup["company"], setup["journal"], setup["products"], setup["taxes"]
    backend = setup["backend"]
    shipping_product = backend.shipping_product_id
    nl = env.ref("base.nl")

    def step():
        Partner, SaleOrder = env["res.partner"], env["sale.order"]
        for batch in chunks(orders):
            for order in batch:
                billing = order["billing"]
                partner = Partner.search(
                    [("email", "=", billing["email"]), ("type", "=", "contact")], limit=1
                )
                if not partner:
                    partner = Partner.create(
                        {
                            "name": f"{billing['first_name']} {billing['last_name']}",
                            "email": billing["email"],
                            "street": billing["address_1"],
                            "zip": billing["postcode"],
                            "city": billing["city"],
                            "country_id": nl.id,
                        }
                    )
                lines = [
                    Command.create(
                        {
                            "product_id": products[line["sku"]].id,
                            "product_uom_qty": line["quantity"],
                            "price_unit": float(Decimal(line["total"]) / line["quantity"]),
                            "tax_id": [Command.set(taxes[line["taxes"][0]["id"]].ids)],
                        }
                    )
                    for line in order["line_items"]
                ]
                lines.append(
                    Command.create(
                        {
                            "product_id": shipping_product.id,
                            "product_uom_qty": 1,
                            "price_unit": float(order["shipping_lines"][0]["total"]),
                            "tax_id": [Command.set(taxes[1].ids)],
                        }
                    )
                )
                sale_order = SaleOrder.create(
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "pricelist_id": setup["pricelist"].id,
                        "client_order_ref": order["number"],
                        "order_line": lines,
                    }
                )
                sale_order.action_confirm()
                invoice = sale_order._create_invoices()
                invoice.action_post()
                env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=invoice.ids
                ).create(
                    {
                        "journal_id": journal.id,
                        "payment_date": fields.Date.to_date(order["date_paid_gmt"][:10]),
                        "amount": invoice.amount_residual,
                        "communication": f"{order['number']} {order['transaction_id']}",
                    }
                )._create_payments()
            env.cr.commit()

    return step


def check(env, setup, orders):
    """Every order: a confirmed sales order with a posted, paid invoice totalling the shop total."""
    refs = [order["number"] for order in orders]
    sale_orders = env["sale.order"].search(
        [("client_order_ref", "in", refs), ("company_id", "=", setup["company"].id)]
    )
    invoices = sale_orders.invoice_ids.filtered(lambda move: move.move_type == "out_invoice")
    expected = {order["number"]: Decimal(order["total"]) for order in orders}
    wrong_totals = sum(
        1
        for invoice in invoices
        if Decimal(str(invoice.amount_total)).quantize(CENT)
        != expected[invoice.invoice_line_ids.sale_line_ids.order_id.client_order_ref]
    )
    return {
        "confirmed": len(sale_orders.filtered(lambda so: so.state == "sale")),
        "posted": len(invoices.filtered(lambda move: move.state == "posted")),
        "paid": len(invoices.filtered(lambda move: move.payment_state in ("paid", "in_payment"))),
        "wrong_totals": wrong_totals,
        "partners": len(sale_orders.partner_id.commercial_partner_id),
    }


def run(odoo, registry, n, profile=None, profile_file=None, shop="woocommerce", interleave=False):
    results = {
        "n": n,
        "shop": shop,
        "interleave": interleave,
        "load_before": benchlib_meter.load_average(),
        "contenders": {},
    }
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        started = time.perf_counter()
        env, setup = setup_company(env)
        cr.commit()
        results["company"] = benchlib_seed.check_eur_company(env, setup["company"])
        benchlib.print_check(results["company"])
        ours = (run_ours, generate_orders(n, "shop.example.nl"))
        if shop == "shopify":
            setup["shop"] = bench_webshop_shopify.start_shop()
            setup["shopify_backend"] = bench_webshop_shopify.setup_backend(env, setup, setup["shop"])
            cr.commit()
            ours = (bench_webshop_shopify.run_ours, bench_webshop_shopify.add_orders(setup["shop"], ours[1]))
        print(f"  set-up (company, chart, taxes, products, backend): {time.perf_counter() - started:.1f} s")
        profilers = {}
        contenders = {
            # Different e-mail domains and order numbers: neither finds the other's records.
            "ours": ours,
            "direct": (
                run_direct,
                [dict(o, number=f"D{o['number']}") for o in generate_orders(n, "orm.example.nl")],
            ),
        }
        totals = {name: {"seconds": 0.0, "queries": 0} for name in contenders}
        rounds = range(0, n, CHUNK) if interleave else [0]
        for number, start in enumerate(rounds, 1):
            names = list(contenders) if number % 2 else list(reversed(contenders))
            for name in names:
                make_step, orders = contenders[name]
                step = make_step(env, setup, orders[start : start + CHUNK] if interleave else orders)
                env.invalidate_all()
                profiler = profilers.setdefault(name, benchlib_meter.profiler_for(profile == name))
                with benchlib_meter.Meter(odoo.sql_db) as meter:
                    benchlib_meter.request(env, step, profiler)
                totals[name]["seconds"] += meter.seconds
                totals[name]["queries"] += meter.queries
            if interleave:
                done = min(start + CHUNK, n)
                ours_s, direct_s = totals["ours"]["seconds"], totals["direct"]["seconds"]
                print(
                    f"  {done:5d} orders each: ours {ours_s:8.2f} s, direct {direct_s:8.2f} s, "
                    f"ratio {ours_s / direct_s:.2f} (load {benchlib_meter.load_average()}, {time.strftime('%H:%M:%S')})",
                    flush=True,
                )
        for name, (_make_step, orders) in contenders.items():
            seconds, queries = totals[name]["seconds"], totals[name]["queries"]
            env.invalidate_all()
            outcome = check(env, setup, orders)
            results["contenders"][name] = {"seconds": seconds, "queries": queries, **outcome}
            print(
                f"  {name:<7} {seconds:8.2f} s {queries:9d} queries  "
                + ", ".join(f"{key} {value}" for key, value in outcome.items()),
                flush=True,
            )
            if profilers.get(name):
                print(benchlib_meter.profile_report(profilers[name], 30, profile_file), flush=True)
            bad = [key for key in ("confirmed", "posted", "paid") if outcome[key] != n] + (
                ["wrong_totals"] if outcome["wrong_totals"] else []
            )
            if bad:
                sys.exit(f"bench_webshop.py: {name} did not produce N complete orders: {', '.join(bad)}")
        if shop == "shopify":
            setup["shop"].stop()
    results["load_after"] = benchlib_meter.load_average()
    return results


SHOP_NAMES = {"woocommerce": "WooCommerce", "shopify": "Shopify"}
OURS_LABELS = {
    "woocommerce": "billing_webshop (signed webhook -> event -> import cron)",
    "shopify": "billing_webshop (signed Shopify webhook -> event -> import cron reading the order over GraphQL)",
}


def report(results):
    ours, direct = results["contenders"]["ours"], results["contenders"]["direct"]
    n, shop = results["n"], results.get("shop", "woocommerce")
    ratio = ours["seconds"] / direct["seconds"]
    print()
    print(
        f"Webshop import, N = {n} signed {SHOP_NAMES[shop]} orders (load {results['load_before']} -> {results['load_after']})"
    )
    print("| contender | time | per order | queries |")
    print("| --- | ---: | ---: | ---: |")
    for label, figures in (
        (OURS_LABELS[shop], ours),
        ("direct ORM calls", direct),
    ):
        print(
            f"| {label} | {figures['seconds']:.2f} s | {1000 * figures['seconds'] / n:.1f} ms "
            f"| {figures['queries']} |"
        )
    verdict = "met" if ratio <= 1.3 else "NOT met"
    print(f"ratio ours / direct = {ratio:.2f} (target <= 1.3: {verdict})")


def main(argv):
    argv, odoo_options = benchlib.split_argv(argv)
    parser = argparse.ArgumentParser(prog="bench_webshop.py")
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--json")
    parser.add_argument("--shop", choices=["woocommerce", "shopify"], default="woocommerce")
    parser.add_argument("--interleave", action="store_true")
    parser.add_argument("--profile", choices=["ours", "direct"])
    parser.add_argument("--profile-file")
    args = parser.parse_args(argv)
    odoo, registry = benchlib.open_registry(odoo_options, "bench_webshop.py")
    results = run(odoo, registry, args.n, args.profile, args.profile_file, args.shop, args.interleave)
    benchlib.write_json(args.json, results, indent=2)
    report(results)


if __name__ == "__main__":
    main(sys.argv[1:])
