"""Recurring billing benchmark: one monthly billing run of billing_recurring against OCA
contract's own scheduled action ``cron_recurring_create_invoice``, in one database.

The in-process part of ``tests/bench/bench_recurring.sh``, which builds the database and calls::

    bench_recurring.py run --n N --json FILE -- ODOO_OPTIONS...

``ODOO_OPTIONS`` are the options of ``odoo-bin`` (configuration, addons path, database
connection, ``-d DATABASE``). In one database where billing_recurring is installed it sets up an
ISP company (untimed) and 2 x N customers with one contract each of three lines (hosting and
mailboxes monthly, a domain yearly, all starting on the first of the month), then times:

* **ours**: the N customers whose contracts the billing run invoices (``billing_recurring``
  set), invoiced as the scheduled action does: ``CHUNK`` customers per call, committed between
  calls; each invoice created, posted and offered the customer's credits;
* **contract**: the N other customers (``billing_recurring`` off), invoiced by contract's own
  ``cron_recurring_create_invoice`` for the same date: one draft invoice per contract, in one
  transaction, as contract's scheduled action runs.

Each ends with a check that N invoices of three lines and the expected total were made.
"""

import argparse
import datetime
import sys
import time

import benchlib

CHUNK = 200
RUN_DATE = "2026-01-05"
START = "2026-01-01"
COMPANY_NAME = "Bench ISP Netzwerk GmbH"
LINES = [
    # product, price, rule
    ("Web hosting", 19.90, "monthlylastday"),
    ("Mailboxes", 4.50, "monthlylastday"),
    ("Domain", 12.00, "yearly"),
]
TOTAL = round(sum(price for _name, price, _rule in LINES), 2)


def setup_company(env):
    from odoo import Command  # noqa: PLC0415

    env = env(context=dict(env.context, **benchlib.SEEDING_CONTEXT))
    company = benchlib.create_company(env, {"name": COMPANY_NAME})
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    products = env["product.product"].create(
        [
            {
                "name": name,
                "type": "service",
                "list_price": price,
                "taxes_id": [Command.clear()],
                "company_id": company.id,
            }
            for name, price, _rule in LINES
        ]
    )
    return env, {"company": company, "products": products}


def seed_customers(env, setup, n, label, billed_by_run):
    """N customers with one contract of the three lines each, in chunks."""
    from odoo import Command  # noqa: PLC0415

    company = setup["company"]
    contracts = env["contract.contract"]
    for numbers in benchlib.chunks(range(n), 500):
        partners = env["res.partner"].create([{"name": f"{label} customer {number}"} for number in numbers])
        contracts |= env["contract.contract"].create(
            [
                {
                    "name": f"{label} {partner.name}",
                    "partner_id": partner.id,
                    "contract_type": "sale",
                    "company_id": company.id,
                    "line_recurrence": True,
                    "billing_recurring": billed_by_run,
                    "contract_line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "name": product.name,
                                "quantity": 1.0,
                                "price_unit": price,
                                "recurring_rule_type": rule,
                                "recurring_interval": 1,
                                "date_start": START,
                            }
                        )
                        for product, (_name, price, rule) in zip(setup["products"], LINES, strict=True)
                    ],
                }
                for partner in partners
            ]
        )
        env.cr.commit()
    return contracts


def run_ours(odoo, env, setup):
    """The billing run in batches of CHUNK customers, committed in between; per-batch figures."""
    company = setup["company"]
    run = (
        env["billing.recurring.run"]
        .with_company(company)
        .create({"company_id": company.id, "date": RUN_DATE})
    )
    env.cr.commit()
    batches = []
    left = None
    while left != 0:
        with benchlib.Meter(odoo.sql_db) as meter:
            left = run._process(limit=CHUNK)
            env.flush_all()
            env.cr.commit()
        batches.append({"seconds": meter.seconds, "queries": meter.queries})
        env.invalidate_all()
    return run, batches


def run_contract(odoo, env, setup):
    with benchlib.Meter(odoo.sql_db) as meter:
        env["contract.contract"].with_company(setup["company"]).cron_recurring_create_invoice(
            datetime.date.fromisoformat(RUN_DATE)
        )
        env.flush_all()
        env.cr.commit()
    return [{"seconds": meter.seconds, "queries": meter.queries}]


def check(env, contracts):
    env.invalidate_all()
    invoices = env["account.move"].search(
        [("invoice_line_ids.contract_line_id", "in", contracts.contract_line_ids.ids)]
    )
    return {
        "invoices": len(invoices),
        "posted": len(invoices.filtered(lambda move: move.state == "posted")),
        "three_lines": len(invoices.filtered(lambda move: len(move.invoice_line_ids) == 3)),
        "wrong_totals": len(invoices.filtered(lambda move: round(move.amount_total, 2) != TOTAL)),
    }


def run(odoo, registry, n):
    results = {"n": n, "chunk": CHUNK, "load_before": benchlib.load_average(), "contenders": {}}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        started = time.perf_counter()
        env, setup = setup_company(env)
        cr.commit()
        results["company"] = benchlib.check_eur_company(env, setup["company"])
        contracts = {
            "ours": seed_customers(env, setup, n, "Run", True),
            "contract": seed_customers(env, setup, n, "Cron", False),
        }
        print(
            f"  set-up (company, products, {2 * n} customers and contracts): {time.perf_counter() - started:.1f} s"
        )
        for name in ("contract", "ours"):
            env.invalidate_all()
            if name == "ours":
                _run, batches = run_ours(odoo, env, setup)
            else:
                batches = run_contract(odoo, env, setup)
            outcome = check(env, contracts[name])
            seconds = sum(batch["seconds"] for batch in batches)
            queries = sum(batch["queries"] for batch in batches)
            results["contenders"][name] = {
                "seconds": seconds,
                "queries": queries,
                "batches": batches,
                **outcome,
            }
            print(
                f"  {name:<9} {seconds:8.2f} s {queries:9d} queries in {len(batches)} batches  "
                + ", ".join(f"{key} {value}" for key, value in outcome.items()),
                flush=True,
            )
            expected_posted = n if name == "ours" else 0
            if (
                outcome["invoices"] != n
                or outcome["three_lines"] != n
                or outcome["wrong_totals"]
                or (outcome["posted"] != expected_posted)
            ):
                sys.exit(f"bench_recurring.py: {name} did not invoice the N customers as expected: {outcome}")
    results["load_after"] = benchlib.load_average()
    return results


def report(results):
    ours, contract = results["contenders"]["ours"], results["contenders"]["contract"]
    n = results["n"]
    print()
    print(
        f"Monthly billing run, N = {n} customers x 3 contract lines (load {results['load_before']} -> "
        f"{results['load_after']})"
    )
    print("| contender | time | per customer | queries | per batch of " + str(results["chunk"]) + " |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, figures in (
        ("billing_recurring run (posted, credits offset)", ours),
        ("contract cron_recurring_create_invoice (draft)", contract),
    ):
        batches = figures["batches"]
        per_batch = figures["seconds"] / len(batches)
        queries_per_batch = figures["queries"] // len(batches)
        print(
            f"| {label} | {figures['seconds']:.2f} s | {1000 * figures['seconds'] / n:.1f} ms "
            f"| {figures['queries']} | {per_batch:.2f} s, {queries_per_batch} queries |"
        )
    speedup = contract["seconds"] / ours["seconds"]
    verdict = "met" if speedup >= 5 and ours["seconds"] < 300 else "NOT met"
    print(f"speed-up contract / ours = {speedup:.2f} (target >= 5 and under 5 minutes: {verdict})")


def main(argv):
    argv, odoo_options = benchlib.split_argv(argv)
    parser = argparse.ArgumentParser(prog="bench_recurring.py")
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    odoo, registry = benchlib.open_registry(odoo_options, "bench_recurring.py")
    results = run(odoo, registry, args.n)
    benchlib.write_json(args.json, results, indent=2)
    report(results)


if __name__ == "__main__":
    main(sys.argv[1:])
