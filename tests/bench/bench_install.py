"""Install benchmark: the four addons installed into a database of real size (issue 23).

The in-process part of ``tests/bench/bench_install.sh``, which builds the databases and calls::

    bench_install.py seed --n N --customers C --json FILE -- ODOO_OPTIONS...
    bench_install.py snapshot --json FILE -- ODOO_OPTIONS...
    bench_install.py install --modules M1,M2 --json FILE -- ODOO_OPTIONS...
    bench_install.py uninstall --modules M1,M2 --json FILE -- ODOO_OPTIONS...
    bench_install.py report FILE...

``ODOO_OPTIONS`` are the options of ``odoo-bin`` (configuration file, addons path, database
connection, ``-d DATABASE``, log file). ``seed`` fills a database that has only the Odoo
modules the addons depend on: one EUR company, C customers, N posted customer invoices over
three years, one in 50 paid and one in 100 half paid by a registered payment. ``snapshot``
writes the counts and checksums of every entry, journal item, payment and reconciliation.
``install`` runs ``odoo-bin -i`` in a child process and measures its wall time and peak
memory; ``uninstall`` uninstalls the modules as the Apps menu does. ``report`` prints the
figures and compares the snapshots.
"""

import datetime
import os
import random
import resource
import subprocess
import sys
import time

import benchlib
import benchlib_meter
import benchlib_seed

SEED = 20261206
CHUNK = 1000
COMPANY_NAME = "Bench Installation Köhler & Söhne GmbH"
PAID_EVERY = 50  # one invoice in 50 paid in full
HALF_PAID_EVERY = 100  # one in 100 (of the others) paid in half
YEARS = 3
TARGET_SECONDS = 120

get_param, set_param = benchlib.config_params("bench_install.")

# What must not change: one checksum per table over the columns that hold amounts and states.
SNAPSHOT_QUERIES = {
    "entries": """
        SELECT count(*), sum(amount_total), sum(amount_residual),
               md5(string_agg(concat_ws('|', id, name, state, move_type, amount_total,
                   amount_residual, amount_residual_signed, payment_state), ',' ORDER BY id))
          FROM account_move""",
    "journal items": """
        SELECT count(*), sum(balance), sum(amount_residual),
               md5(string_agg(concat_ws('|', id, move_id, account_id, balance, amount_currency,
                   amount_residual, amount_residual_currency, reconciled, full_reconcile_id,
                   matching_number), ',' ORDER BY id))
          FROM account_move_line""",
    "payments": """
        SELECT count(*), sum(amount), NULL,
               md5(string_agg(concat_ws('|', id, move_id, amount, state, is_reconciled,
                   is_matched), ',' ORDER BY id))
          FROM account_payment""",
    "partial reconciliations": """
        SELECT count(*), sum(amount), NULL,
               md5(string_agg(concat_ws('|', id, debit_move_id, credit_move_id, amount,
                   full_reconcile_id), ',' ORDER BY id))
          FROM account_partial_reconcile""",
    "customer invoices by payment state": """
        SELECT count(*), sum(amount_residual), NULL,
               string_agg(payment_state || ' ' || n, ', ' ORDER BY payment_state)
          FROM (SELECT payment_state, count(*) AS n, sum(amount_residual) AS amount_residual
                  FROM account_move WHERE move_type = 'out_invoice' GROUP BY payment_state) AS states""",
    "customers": "SELECT count(*), NULL, NULL, NULL FROM res_partner WHERE customer_rank > 0",
}


def generate(count, n):
    """The same customers and invoices on every call: names, and (customer index, amount, days ago)."""
    rng = random.Random(SEED)
    names = [
        f"Kunde {rng.choice('ABCDEFGHKLMNPRSTW')}. Müller-Lüdenscheidt {index + 1}" for index in range(count)
    ]
    invoices = [
        (index % count, rng.randint(500, 50000) / 100, rng.randint(30, 365 * YEARS)) for index in range(n)
    ]
    invoices.sort(key=lambda invoice: -invoice[2])  # oldest first, as they were booked
    return names, invoices


# ---------------------------------------------------------------------------- seed


def seed(odoo, registry, n, count):
    from odoo import Command, fields  # noqa: PLC0415

    clock = benchlib_meter.Clock(odoo.sql_db, cpu=True)
    names, invoices = generate(count, n)
    today = fields.Date.today()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, dict(benchlib_seed.SEEDING_CONTEXT))
        with clock("company, chart of accounts"):
            company = benchlib_seed.create_company(
                env,
                {
                    "name": COMPANY_NAME,
                    "currency_id": env.ref("base.EUR").id,
                    **benchlib_seed.berlin_address(env),
                },
            )
            env = env(context=dict(env.context, allowed_company_ids=[company.id]))
            company = company.with_env(env)
            set_param(env, "company_id", company.id)
            cr.commit()
        with clock(f"{count} customers"):
            germany = env.ref("base.de").id
            partners = env["res.partner"]
            for batch in benchlib_seed.chunks(list(enumerate(names)), 5 * CHUNK):
                partners |= partners.create(
                    [
                        {
                            "name": name,
                            "ref": f"K{index + 1:06d}",
                            "email": f"kunde{index + 1}@example.com",
                            "street": "Lindenstraße 12",
                            "zip": "10117",
                            "city": "Berlin",
                            "country_id": germany,
                            "customer_rank": 1,
                        }
                        for index, name in batch
                    ]
                )
                cr.commit()
        journal = env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
        )
        accounts = {
            "journal": journal,
            "income": journal.default_account_id,
            "receivable": env["account.account"].search(
                [("company_ids", "in", company.id), ("account_type", "=", "asset_receivable")], limit=1
            ),
        }
        partner_ids = partners.ids
        with clock(f"{n} invoices, created and posted by {CHUNK}"):
            for batch in benchlib_seed.chunks(invoices, CHUNK):
                vals = []
                for index, amount, days in batch:
                    invoice_date = today - datetime.timedelta(days=days)
                    dates = {"invoice": invoice_date, "due": invoice_date + datetime.timedelta(days=14)}
                    partner = env["res.partner"].browse(partner_ids[index])
                    vals.append(
                        benchlib_seed.one_line_invoice_vals(partner, amount, accounts, dates, Command)
                    )
                env["account.move"].with_context(skip_invoice_sync=True).create(vals).action_post()
                cr.commit()
                env.invalidate_all()
        with clock("payments"):
            payments = _seed_payments(env, company)
        counts = _seed_check(env, company, n, count, payments)
        set_param(env, "n", n)
        set_param(env, "customers", count)
        cr.commit()
    total = benchlib.print_seeding_total(clock)
    return {"n": n, "customers": count, "phases": clock.phases, "seconds": total, "counts": counts}


def _seed_payments(env, company):
    """Pay one invoice in PAID_EVERY in full and one in HALF_PAID_EVERY in half, in the bank journal."""
    invoices = env["account.move"].search(
        [("company_id", "=", company.id), ("move_type", "=", "out_invoice"), ("state", "=", "posted")],
        order="id",
    )
    bank = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "bank")], limit=1)
    full = invoices[::PAID_EVERY]
    half = (invoices - full)[::HALF_PAID_EVERY]
    count = 0
    for batch in benchlib_seed.chunks(full, CHUNK):
        wizard = env["account.payment.register"].with_context(
            active_model="account.move", active_ids=batch.ids
        )
        count += len(wizard.create({"journal_id": bank.id, "group_payment": False})._create_payments())
        env.cr.commit()
        env.invalidate_all()
    for invoice in half:
        wizard = env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        )
        count += len(
            wizard.create({"journal_id": bank.id, "amount": invoice.amount_total / 2})._create_payments()
        )
    env.cr.commit()
    return count


def _seed_check(env, company, n, count, payments):
    moves = env["account.move"]
    base = [("company_id", "=", company.id), ("move_type", "=", "out_invoice"), ("state", "=", "posted")]
    counts = {
        "posted customer invoices": moves.search_count(base),
        "customers": env["res.partner"].search_count([("customer_rank", ">", 0), ("ref", "=like", "K%")]),
        "payments": payments,
        "paid": moves.search_count([*base, ("payment_state", "in", ("paid", "in_payment"))]),
        "partially paid": moves.search_count([*base, ("payment_state", "=", "partial")]),
    }
    benchlib.print_check(eur := benchlib_seed.check_eur_company(env, company))
    benchlib.print_check(counts)
    if counts["posted customer invoices"] != n or counts["customers"] != count:
        sys.exit(f"bench_install.py: the seed is incomplete, expected {n} invoices of {count} customers")
    return {**counts, **eur}


# ---------------------------------------------------------------------------- snapshot, install, uninstall


def snapshot(odoo, registry):
    result = {"load": benchlib_meter.load_average()}
    with registry.cursor() as cr:
        for label, query in SNAPSHOT_QUERIES.items():
            cr.execute(query)
            rows, total, residual, checksum = cr.fetchone()
            result[label] = [rows, str(total), str(residual), checksum]
            print(f"  {label:<36} {rows:>8} rows, total {total}, residual {residual}, {checksum}", flush=True)
    return result


def install(odoo_options, modules):
    """``odoo-bin -i modules`` in a child process: its wall time, peak resident memory, and the
    stored computed fields Odoo computed in Python over existing records (its log says "Prepare
    computation of" each)."""
    import odoo  # noqa: PLC0415 - for the path of odoo-bin only

    odoo_bin = os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin")
    log_path = next(option.split("=", 1)[1] for option in odoo_options if option.startswith("--logfile="))
    log_start = os.path.getsize(log_path) if os.path.exists(log_path) else 0
    command = [
        sys.executable,
        odoo_bin,
        *odoo_options,
        "--log-handler=odoo.models:INFO",
        "--log-handler=odoo.modules.loading:INFO",
        "-i",
        modules,
        "--without-demo=all",
        "--stop-after-init",
    ]
    load = benchlib_meter.load_average()
    started = time.perf_counter()
    completed = subprocess.run(command, check=False)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime  # ru_maxrss in kB on Linux
    if completed.returncode:
        sys.exit(f"bench_install.py: odoo-bin -i {modules} failed with exit code {completed.returncode}")
    with open(log_path, encoding="utf-8") as log:
        log.seek(log_start)
        computed = sorted(
            {
                line.split("Prepare computation of ")[1].strip()
                for line in log
                if "Prepare computation of " in line
            }
        )
    print(
        f"  install of {modules}: {seconds:.1f} s, Odoo CPU {cpu:.1f} s, peak RSS {peak_mb:.0f} MB",
        flush=True,
    )
    print(
        f"  stored computed fields computed over existing records: {', '.join(computed) or 'none'}",
        flush=True,
    )
    return {
        "modules": modules,
        "seconds": seconds,
        "cpu": cpu,
        "peak_rss_mb": peak_mb,
        "load": load,
        "load_after": benchlib_meter.load_average(),
        "computed": computed,
    }


def uninstall(odoo, registry, modules):
    """Uninstall ``modules`` as the Apps menu's Uninstall button does, in this process."""
    load = benchlib_meter.load_average()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        records = env["ir.module.module"].search([("name", "in", modules.split(","))])
        started = time.perf_counter()
        records.button_immediate_uninstall()
        seconds = time.perf_counter() - started
    with odoo.modules.registry.Registry(registry.db_name).cursor() as cr:
        cr.execute(
            "SELECT count(*) FROM ir_module_module WHERE name IN %s AND state != 'uninstalled'",
            [tuple(modules.split(","))],
        )
        left = cr.fetchone()[0]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  uninstall of {modules}: {seconds:.1f} s, peak RSS {peak_mb:.0f} MB (load {load})", flush=True)
    if left:
        sys.exit(f"bench_install.py: {left} of {modules} still installed")
    return {"modules": modules, "seconds": seconds, "peak_rss_mb": peak_mb, "load": load}


# ---------------------------------------------------------------------------- report


def report(paths):
    results = {
        path.rsplit("/", 1)[-1].removesuffix(".json"): result
        for path, result in zip(paths, benchlib.load_results(paths), strict=True)
    }
    seed_result = results.get("seed")
    if seed_result:
        print(
            f"Seed: {seed_result['n']} posted invoices over {seed_result['customers']} customers, "
            f"built in {seed_result['seconds']:.0f} s"
        )
    installed = results["install"]
    verdict = "met" if installed["seconds"] < TARGET_SECONDS else "NOT met"
    print(
        f"Install of {installed['modules']}: {installed['seconds']:.1f} s (target under {TARGET_SECONDS} s: "
        f"{verdict}), Odoo CPU {installed['cpu']:.1f} s, peak RSS of the Odoo process "
        f"{installed['peak_rss_mb']:.0f} MB, load {installed['load']} to {installed['load_after']}"
    )
    removed = results["uninstall"]
    print(
        f"Stored computed fields computed over existing records: {', '.join(installed['computed']) or 'none'}"
    )
    print(f"Uninstall: {removed['seconds']:.1f} s, load {removed['load']}")
    before = results["before"]
    changed = []
    for label in SNAPSHOT_QUERIES:
        for stage in ("installed", "uninstalled"):
            if results[stage][label] != before[label]:
                changed.append(f"{label} after the {stage.removesuffix('ed')}")
    if changed:
        sys.exit("bench_install.py: changed: " + "; ".join(changed))
    print(
        "Every entry, journal item, payment and reconciliation is as it was after the install and "
        "after the uninstall ("
        + ", ".join(
            f"{before[label][0]} {label}"
            for label in ("entries", "journal items", "payments", "partial reconciliations")
        )
        + ")"
    )


def main(argv):
    own, odoo_options = benchlib.split_argv(argv)
    parser, commands = benchlib.command_parser(__doc__)
    seed_parser = commands.add_parser("seed")
    seed_parser.add_argument("--n", type=int, required=True)
    seed_parser.add_argument("--customers", type=int, required=True)
    for name in ("snapshot", "install", "uninstall"):
        command = commands.add_parser(name)
        if name != "snapshot":
            command.add_argument("--modules", required=True)
    for command in commands.choices.values():
        command.add_argument("--json")
    commands.add_parser("report").add_argument("files", nargs="+")
    args = parser.parse_args(own)
    if args.command == "report":
        report(args.files)
        return
    if args.command == "install":
        benchlib.write_json(args.json, install(odoo_options, args.modules))
        return
    odoo, registry = benchlib.open_registry(odoo_options, "bench_install.py")
    if args.command == "seed":
        output = seed(odoo, registry, args.n, args.customers)
    elif args.command == "snapshot":
        output = snapshot(odoo, registry)
    else:
        output = uninstall(odoo, registry, args.modules)
    benchlib.write_json(args.json, output)


if __name__ == "__main__":
    main(sys.argv[1:])
