"""Recurring billing benchmark: one monthly billing run of billing_recurring against OCA
contract's own scheduled action ``cron_recurring_create_invoice``, in one database.

The in-process part of ``tests/bench/bench_recurring.sh``, which builds the database and calls::

    bench_recurring.py run --n N --json FILE -- ODOO_OPTIONS...

``ODOO_OPTIONS`` are the options of ``odoo-bin`` (configuration, addons path, database
connection, ``-d DATABASE``). In one database where billing_recurring is installed it sets up an
ISP company (untimed), 2 x N customers with one contract each of three lines (hosting and
mailboxes monthly, a domain yearly, all starting on the first of the month) and N customers
without a contract, then times, as the scheduled actions run (no seeding context):

* **contract**: N customers (``billing_recurring`` off) invoiced by contract's own
  ``cron_recurring_create_invoice`` for the run's date, one draft invoice per contract in one
  transaction, then those invoices posted by one ``action_post`` (a second transaction): the
  table shows the cron alone (drafts) and cron + post, the like-for-like figure;
* **floor**: the same invoices made by direct ORM calls, ``account.move.create`` of ``CHUNK``
  invoices and one ``_post`` per transaction, for the N customers without a contract: the
  Odoo core work both contenders cannot avoid;
* **ours**: N customers whose contracts the billing run invoices (``billing_recurring`` on), as
  its scheduled action does: ``CHUNK`` customers per call, committed between calls; each
  invoice created, posted and offered the customer's credits.

Each ends with a check that N posted invoices of three lines and the expected total were made.
``--only ours,floor`` (any comma-separated subset) runs and seeds only those contenders.
"""

import argparse
import datetime
import sys
import time

import benchlib
import benchlib_meter
import benchlib_seed

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

    env = env(context=dict(env.context, **benchlib_seed.SEEDING_CONTEXT))
    company = benchlib_seed.create_company(env, {"name": COMPANY_NAME})
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
    journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    return env, {"company": company, "products": products, "journal": journal}


def seed_customers(env, setup, n, label, billed_by_run):
    """N customers with one contract of the three lines each, in chunks."""
    from odoo import Command  # noqa: PLC0415

    company = setup["company"]
    contracts = env["contract.contract"]
    for numbers in benchlib_seed.chunks(range(n), 500):
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


def progress(batches):
    """One line per batch, so that a run stopped midway has its figures so far."""
    batch = batches[-1]
    print(
        f"    batch {len(batches)}: {batch['seconds']:.2f} s, Odoo CPU {batch['cpu']:.2f} s, "
        f"{batch['queries']} queries (load {benchlib_meter.load_average()})",
        flush=True,
    )


def run_ours(odoo, env, setup, profiler=None):
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
        with benchlib_meter.Meter(odoo.sql_db) as meter:
            if profiler:
                profiler.enable()
            left = run._process(limit=CHUNK)
            env.flush_all()
            env.cr.commit()
            if profiler:
                profiler.disable()
        batches.append({"seconds": meter.seconds, "cpu": meter.cpu, "queries": meter.queries})
        progress(batches)
        env.invalidate_all()
    return run, batches


def run_contract(odoo, env, setup, contracts, profiler=None):
    """contract's scheduled action (draft invoices, one transaction), then ``action_post`` on the
    invoices it made (one call, one transaction): the figures of both steps."""
    with benchlib_meter.Meter(odoo.sql_db) as cron:
        benchlib_meter.request(
            env,
            lambda: (
                env["contract.contract"]
                .with_company(setup["company"])
                .cron_recurring_create_invoice(datetime.date.fromisoformat(RUN_DATE))
            ),
            profiler,
        )
    env.invalidate_all()
    moves = contract_invoices(env, contracts)
    with benchlib_meter.Meter(odoo.sql_db) as post:
        benchlib_meter.request(env, lambda: moves.with_company(setup["company"]).action_post(), profiler)
    return [{"seconds": cron.seconds, "cpu": cron.cpu, "queries": cron.queries}], [
        {"seconds": post.seconds, "cpu": post.cpu, "queries": post.queries}
    ]


def floor_vals_list(setup, partners):
    """The same invoices as bare ``account.move`` values: three product lines each."""
    from odoo import Command  # noqa: PLC0415

    return [
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "company_id": setup["company"].id,
            "journal_id": setup["journal"].id,
            "currency_id": setup["company"].currency_id.id,
            "invoice_date": RUN_DATE,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "name": product.name,
                        "quantity": 1.0,
                        "product_uom_id": product.uom_id.id,
                        "price_unit": price,
                    }
                )
                for product, (_name, price, _rule) in zip(setup["products"], LINES, strict=True)
            ],
        }
        for partner in partners
    ]


def run_floor(odoo, env, setup, partners, profiler=None):
    """Odoo's own work, by direct ORM calls: ``account.move.create`` of CHUNK invoices and one
    ``_post`` of them per transaction."""
    env = env(context=dict(env.context, allowed_company_ids=[setup["company"].id]))
    batches = []
    for chunk in benchlib_seed.chunks(partners, CHUNK):
        with benchlib_meter.Meter(odoo.sql_db) as meter:
            benchlib_meter.request(
                env,
                lambda chunk=chunk: (
                    env["account.move"].create(floor_vals_list(setup, chunk))._post(soft=False)
                ),
                profiler,
            )
        batches.append({"seconds": meter.seconds, "cpu": meter.cpu, "queries": meter.queries})
        progress(batches)
        env.invalidate_all()
    return batches


def contract_invoices(env, contracts):
    return env["account.move"].search(
        [("invoice_line_ids.contract_line_id", "in", contracts.contract_line_ids.ids)]
    )


def check(env, invoices):
    env.invalidate_all()
    return {
        "invoices": len(invoices),
        "posted": len(invoices.filtered(lambda move: move.state == "posted")),
        "three_lines": len(invoices.filtered(lambda move: len(move.invoice_line_ids) == 3)),
        "wrong_totals": len(invoices.filtered(lambda move: round(move.amount_total, 2) != TOTAL)),
    }


def figures(batches, outcome=None):
    return {
        "seconds": sum(batch["seconds"] for batch in batches),
        "cpu": sum(batch["cpu"] for batch in batches),
        "queries": sum(batch["queries"] for batch in batches),
        "batches": batches,
        **(outcome or {}),
    }


CONTENDERS = ("contract", "floor", "ours")


def run(odoo, registry, n, profile=None, profile_file=None, only=CONTENDERS):
    results = {"n": n, "chunk": CHUNK, "load_before": benchlib_meter.load_average(), "contenders": {}}
    contenders = results["contenders"]
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        started = time.perf_counter()
        seed_env, setup = setup_company(env)
        cr.commit()
        results["company"] = benchlib_seed.check_eur_company(seed_env, setup["company"])
        contracts = {
            name: seed_customers(seed_env, setup, n, label, name == "ours")
            for name, label in (("ours", "Run"), ("contract", "Cron"))
            if name in only
        }
        floor_partners = seed_env["res.partner"]
        for numbers in benchlib_seed.chunks(range(n), 500):
            floor_partners |= seed_env["res.partner"].create(
                [{"name": f"Floor customer {number}"} for number in numbers]
            )
        cr.commit()
        print(
            f"  set-up (company, products, {(len(contracts) + 1) * n} customers, "
            f"{len(contracts) * n} contracts): "
            f"{time.perf_counter() - started:.1f} s (load {benchlib_meter.load_average()})",
            flush=True,
        )
        # The timed steps run as the scheduled actions do: no seeding context.
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        for name in (name for name in CONTENDERS if name in only):
            env.invalidate_all()
            profiler = benchlib_meter.profiler_for(profile == name)
            load = benchlib_meter.load_average()
            if name == "ours":
                _run, batches = run_ours(odoo, env, setup, profiler)
                outcome = check(env, contract_invoices(env, contracts["ours"]))
                contenders["ours"] = figures(batches, outcome)
            elif name == "contract":
                cron, post = run_contract(odoo, env, setup, contracts["contract"], profiler)
                outcome = check(env, contract_invoices(env, contracts["contract"]))
                contenders["contract"] = figures(cron, dict(outcome, posted=0))
                contenders["contract_posted"] = figures(cron + post, outcome)
            else:
                batches = run_floor(odoo, env, setup, floor_partners, profiler)
                outcome = check(env, env["account.move"].search([("partner_id", "in", floor_partners.ids)]))
                contenders["floor"] = figures(batches, outcome)
            contenders[name]["load"] = [load, benchlib_meter.load_average()]
            print(
                f"  {name:<9} " + ", ".join(f"{key} {value}" for key, value in outcome.items()),
                flush=True,
            )
            if (
                outcome["invoices"] != n
                or outcome["three_lines"] != n
                or outcome["wrong_totals"]
                or outcome["posted"] != n
            ):
                sys.exit(f"bench_recurring.py: {name} did not invoice the N customers as expected: {outcome}")
            if profiler:
                print(benchlib_meter.profile_report(profiler, 40, profile_file), flush=True)
    results["load_after"] = benchlib_meter.load_average()
    return results


def report(results):
    contenders = results["contenders"]
    ours = contenders.get("ours")
    n, chunk = results["n"], results["chunk"]
    print()
    print(
        f"Monthly billing run, N = {n} customers x 3 contract lines, invoices of CHUNK = {chunk} "
        f"customers per transaction (load {results['load_before']} -> {results['load_after']})"
    )
    print("| contender | time | per customer | Odoo CPU | queries | per customer | per batch |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    rows = (
        ("ours", "billing_recurring run: create, post, offer credits"),
        ("contract_posted", "contract cron_recurring_create_invoice + action_post of its invoices"),
        ("contract", "contract cron_recurring_create_invoice alone (drafts)"),
        ("floor", "floor: account.move.create + _post of the same invoices, direct ORM"),
    )
    for key, label in rows:
        if key not in contenders:
            continue
        each = contenders[key]
        batches = each["batches"]
        per_batch = (
            f"{each['seconds'] / len(batches):.2f} s, {each['queries'] // len(batches)} queries "
            f"({len(batches)} batches)"
            if key in ("ours", "floor")
            else "one transaction" + (" + one post" if key == "contract_posted" else "")
        )
        print(
            f"| {label} | {each['seconds']:.2f} s | {1000 * each['seconds'] / n:.1f} ms "
            f"| {each['cpu']:.2f} s | {each['queries']} | {each['queries'] / n:.1f} | {per_batch} |"
        )
    if ours and "contract" in contenders:
        like = contenders["contract_posted"]["seconds"] / ours["seconds"]
        print(
            f"like for like (both post): contract cron + action_post / ours = {like:.2f} "
            f"(target >= 5 and under 5 minutes: {'met' if like >= 5 and ours['seconds'] < 300 else 'NOT met'})"
        )
        print(
            "the same in Odoo CPU time (less sensitive to the load of a shared machine): "
            f"{contenders['contract_posted']['cpu'] / ours['cpu']:.2f}"
        )
        print(
            f"contract's drafts alone / ours (posted) = {contenders['contract']['seconds'] / ours['seconds']:.2f}"
        )
    if ours and "floor" in contenders:
        print(
            f"ours / floor = {ours['seconds'] / contenders['floor']['seconds']:.2f} in time, "
            f"{ours['cpu'] / contenders['floor']['cpu']:.2f} in Odoo CPU (1.00 = as fast as bare create + post)"
        )


def main(argv):
    argv, odoo_options = benchlib.split_argv(argv)
    parser = argparse.ArgumentParser(prog="bench_recurring.py")
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--json")
    parser.add_argument("--profile", choices=["ours", "contract", "floor"])
    parser.add_argument("--profile-file")
    parser.add_argument("--only", default=",".join(CONTENDERS))
    args = parser.parse_args(argv)
    only = tuple(args.only.split(","))
    if not only or set(only) - set(CONTENDERS):
        parser.error(f"--only takes a comma-separated list of {', '.join(CONTENDERS)}")
    odoo, registry = benchlib.open_registry(odoo_options, "bench_recurring.py")
    results = run(odoo, registry, args.n, args.profile, args.profile_file, only)
    benchlib.write_json(args.json, results, indent=2)
    report(results)


if __name__ == "__main__":
    main(sys.argv[1:])
