"""Dunning benchmark: billing_dunning's run against OCA account_credit_control 18.0 (issue 3, item 9).

The in-process part of ``tests/bench/bench_dunning.sh``, which builds the databases and calls::

    bench_dunning.py seed --n N --customers C --json FILE -- ODOO_OPTIONS...
    bench_dunning.py run --contender ours|oca --json FILE [--profile FILE.prof] -- ODOO_OPTIONS...
    bench_dunning.py report FILE...

``ODOO_OPTIONS`` are the options of ``odoo-bin`` (configuration file, addons path, database
connection, ``-d DATABASE``). ``seed`` fills a database in which billing_dunning and
account_credit_control are installed: one company, C customers, N posted invoices overdue by
45 days, a dunning policy of each kind as the company default. ``run`` times one contender's
run in a copy of it, from a clean cache to its commit included, as a request would; ``report``
prints the comparison.
"""

import argparse
import cProfile
import datetime
import io
import json
import os
import pstats
import random
import sys
import time

SEED = 20261123
CHUNK = 1000
COMPANY_NAME = "Bench Mahnwesen Köhler & Söhne GmbH"
PARAM_PREFIX = "bench_dunning."
DAYS_OVERDUE = 45
SEEDING_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}
TARGET_SECONDS = 3
TARGET_RATIO = 10

FIRST_NAMES = ["Jürgen", "Björn", "Käthe", "Sören", "Zoë", "Anouk", "Daan", "Renée", "Joëlle", "Lieke"]
LAST_NAMES = ["Müller", "Schröder", "Weiß", "Groß", "Köhler", "Öztürk", "de Vries", "Jansen", "van Dijk"]
CITIES = [("50667", "Köln"), ("80331", "München"), ("1000", "Bruxelles"), ("2000", "Antwerpen")]


def generate_customers(count, n):
    """The same customers and invoice amounts on every call: ``n`` amounts over ``count``."""
    rng = random.Random(SEED)
    customers = []
    for index in range(count):
        zip_code, city = rng.choice(CITIES)
        customers.append(
            {
                "ref": f"D{index + 1:06d}",
                "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {index + 1}",
                "email": f"kunde{index + 1}@example.com",
                "street": f"Lindenstraße {rng.randint(1, 250)}",
                "zip": zip_code,
                "city": city,
                "b2b": rng.random() < 0.5,
                "amounts": [],
            }
        )
    for index in range(n):
        customers[index % count]["amounts"].append(rng.randint(500, 50000) / 100)
    return customers


# ---------------------------------------------------------------------------- Odoo access


def open_registry(odoo_options):
    import odoo  # noqa: PLC0415 - imported after the command line is read

    odoo.tools.config.parse_config(odoo_options)
    database = odoo.tools.config["db_name"]
    if not database:
        sys.exit("bench_dunning.py: give the database with -d after --")
    if isinstance(database, list):  # Odoo 18 may keep -d as a list
        database = database[0]
    return odoo, odoo.modules.registry.Registry(database)


def get_param(env, key):
    return env["ir.config_parameter"].sudo().get_param(PARAM_PREFIX + key)


def set_param(env, key, value):
    env["ir.config_parameter"].sudo().set_param(PARAM_PREFIX + key, str(value))


def chunks(items, size=CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Clock:
    """Wall time and SQL queries of named phases."""

    def __init__(self, sql_db):
        self.sql_db = sql_db
        self.phases = []

    def __call__(self, label):
        return _Phase(self, label)


class _Phase:
    def __init__(self, clock, label):
        self.clock, self.label = clock, label

    def __enter__(self):
        self.queries = self.clock.sql_db.sql_counter
        self.start = time.perf_counter()
        self.cpu = time.process_time()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            seconds = time.perf_counter() - self.start
            cpu = time.process_time() - self.cpu
            queries = self.clock.sql_db.sql_counter - self.queries
            self.clock.phases.append(
                {"label": self.label, "seconds": seconds, "cpu": cpu, "queries": queries}
            )
            print(
                f"  {self.label:<44} {seconds:9.2f} s {queries:9d} queries (Odoo CPU {cpu:.2f} s)", flush=True
            )


# ---------------------------------------------------------------------------- seeding


def seed(odoo, registry, n, count):
    from odoo import Command, fields  # noqa: PLC0415

    clock = Clock(odoo.sql_db)
    customers = generate_customers(count, n)
    today = fields.Date.today()
    due = today - datetime.timedelta(days=DAYS_OVERDUE)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, dict(SEEDING_CONTEXT))
        with clock("company, chart of accounts, policies"):
            company = _seed_company(env, Command)
            env = env(context=dict(env.context, allowed_company_ids=[company.id]))
            company = company.with_env(env)
            _seed_policies(env, company, Command)
            cr.commit()
        with clock(f"{count} customers"):
            countries = {"DE": env.ref("base.de").id, "BE": env.ref("base.be").id}
            partners = env["res.partner"].create(
                [
                    {
                        "name": c["name"],
                        "ref": c["ref"],
                        "email": c["email"],
                        "is_company": c["b2b"],
                        "street": c["street"],
                        "zip": c["zip"],
                        "city": c["city"],
                        "country_id": countries["BE" if c["zip"] in ("1000", "2000") else "DE"],
                        "customer_rank": 1,
                        "billing_dunning_profile": "b2b_de" if c["b2b"] else "b2c_de",
                    }
                    for c in customers
                ]
            )
            cr.commit()
        journal = env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
        )
        receivable = env["account.account"].search(
            [("company_ids", "in", company.id), ("account_type", "=", "asset_receivable")], limit=1
        )
        income = journal.default_account_id
        pairs = [(p, amount) for p, c in zip(partners, customers, strict=True) for amount in c["amounts"]]
        pairs.sort(key=lambda pair: pair[0].id)
        with clock(f"{n} invoices, created and posted by {CHUNK}"):
            for batch in chunks(pairs):
                invoices = (
                    env["account.move"]
                    .with_context(skip_invoice_sync=True)
                    .create(
                        [
                            _invoice_vals(p, amount, journal, company, receivable, income, due, Command)
                            for p, amount in batch
                        ]
                    )
                )
                invoices.action_post()
                cr.commit()
                env.invalidate_all()
        counts = _seed_check(env, company, n, count, today)
        set_param(env, "n", n)
        set_param(env, "customers", count)
        cr.commit()
    total = sum(phase["seconds"] for phase in clock.phases)
    print(f"  {'seeding total':<44} {total:9.2f} s", flush=True)
    return {"n": n, "customers": count, "phases": clock.phases, "seconds": total, "counts": counts}


def _invoice_vals(partner, amount, journal, company, receivable, income, due, Command):
    """A posted-ready one-line invoice without tax, its lines given so that nothing needs syncing."""
    return {
        "move_type": "out_invoice",
        "partner_id": partner.id,
        "journal_id": journal.id,
        "company_id": company.id,
        "currency_id": company.currency_id.id,
        "invoice_date": due - datetime.timedelta(days=14),
        "date": due - datetime.timedelta(days=14),
        "invoice_date_due": due,
        "line_ids": [
            Command.create(
                {
                    "display_type": "product",
                    "name": "Internet Februar / internet février",
                    "account_id": income.id,
                    "quantity": 1,
                    "price_unit": amount,
                    "tax_ids": [Command.clear()],
                    "balance": -amount,
                    "amount_currency": -amount,
                }
            ),
            Command.create(
                {
                    "display_type": "payment_term",
                    "name": "",
                    "account_id": receivable.id,
                    "balance": amount,
                    "amount_currency": amount,
                    "date_maturity": due,
                }
            ),
        ],
    }


def _seed_company(env, Command):
    eur = env.ref("base.EUR")
    eur.active = True
    company = (
        env["res.company"]
        .with_context(chart_template_load=True)
        .create(
            {
                "name": COMPANY_NAME,
                "currency_id": eur.id,
                "country_id": env.ref("base.de").id,
                "street": "Friedrichstraße 123",
                "zip": "10117",
                "city": "Berlin",
                "email": "mahnung@example.com",
            }
        )
    )
    (env.ref("base.user_root") | env.ref("base.user_admin")).write(
        {"company_ids": [Command.link(company.id)]}
    )
    env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
    set_param(env, "company_id", company.id)
    return company


def _seed_policies(env, company, Command):
    """The anchor's ladder for both: +10 days, then 30 more, then 10 after the previous reminder.

    Every level is a letter, whose reminders the run only queues for printing: OCA's generate
    step creates its lines in draft and sends nothing either. No fees, no interest (the OCA
    module books neither).
    """
    ours = env["billing.dunning.policy"].create(
        {
            "name": "Bench ladder",
            "company_id": company.id,
            "catch_up": "first",
            "level_ids": [
                Command.create(
                    {"sequence": 1, "name": "1st reminder", "delay_days": 10, "channel": "letter"}
                ),
                Command.create(
                    {"sequence": 2, "name": "2nd reminder", "delay_days": 40, "channel": "letter"}
                ),
                Command.create(
                    {
                        "sequence": 3,
                        "name": "Final notice",
                        "delay_days": 10,
                        "delay_from": "previous",
                        "channel": "letter",
                    }
                ),
            ],
        }
    )
    company.billing_dunning_policy_id = ours
    receivable = env["account.account"].search(
        [("company_ids", "in", company.id), ("account_type", "=", "asset_receivable")]
    )
    template = env.ref("account_credit_control.email_template_credit_control_base")
    levels = [
        (1, "10 days net", "net_days", 10),
        (2, "30 days end of month", "end_of_month", 30),
        (3, "10 days last reminder", "previous_date", 10),
    ]
    oca = env["credit.control.policy"].create(
        {
            "name": "3 time policy (bench)",
            "company_id": company.id,
            "account_ids": [Command.set(receivable.ids)],
            "level_ids": [
                Command.create(
                    {
                        "level": level,
                        "name": name,
                        "computation_mode": mode,
                        "delay_days": days,
                        "channel": "letter",
                        "email_template_id": template.id,
                        "custom_text": "Please pay.",
                        "custom_mail_text": "<p>Please pay.</p>",
                    }
                )
                for level, name, mode, days in levels
            ],
        }
    )
    company.credit_policy_id = oca
    set_param(env, "oca_policy_id", oca.id)


def _seed_check(env, company, n, count, today):
    moves = env["account.move"]
    base = [
        ("company_id", "=", company.id),
        ("move_type", "=", "out_invoice"),
        ("state", "=", "posted"),
        ("payment_state", "=", "not_paid"),
        ("invoice_date_due", "<", today),
    ]
    counts = {
        "open overdue invoices": moves.search_count(base),
        "customers with overdue invoices": len(moves.search(base).commercial_partner_id),
    }
    print("  check: " + ", ".join(f"{key} {value}" for key, value in counts.items()), flush=True)
    if counts["open overdue invoices"] != n or counts["customers with overdue invoices"] != count:
        sys.exit(f"bench_dunning.py: the seed is incomplete, expected {n} invoices of {count} customers")
    return counts


# ---------------------------------------------------------------------------- contenders


class Ours:
    name = "ours"
    label = "billing.dunning.run: create + action_run"

    def __init__(self, env, today, sql_db):
        self.env, self.today, self.sql_db = env, today, sql_db
        self.company_id = int(get_param(env, "company_id"))
        self.batches = []

    def step(self):
        Run = self.env.registry["billing.dunning.run"]
        original = Run._process_batch
        batches, sql_db = self.batches, self.sql_db

        def counted(run, *args, **kwargs):
            queries, start = sql_db.sql_counter, time.perf_counter()
            result = original(run, *args, **kwargs)
            batches.append({"queries": sql_db.sql_counter - queries, "seconds": time.perf_counter() - start})
            return result

        Run._process_batch = counted
        try:
            self.run = self.env["billing.dunning.run"].create(
                {"date": self.today, "company_id": self.company_id}
            )
            self.run.action_run()
        finally:
            Run._process_batch = original

    def result(self):
        lines = self.env["billing.dunning.reminder.line"].search_count(
            [("reminder_id.run_id", "=", self.run.id)]
        )
        return {
            "items": lines,
            "communications": self.run.reminder_count,
            "chatter messages": self.env["mail.message"].search_count(
                [("model", "=", "billing.dunning.reminder"), ("res_id", "in", self.run.reminder_ids.ids)]
            ),
            "batches": self.batches,
        }


class Oca:
    name = "oca"
    label = "credit.control.run: create + generate_credit_lines"

    def __init__(self, env, today, sql_db):
        self.env, self.today = env, today
        self.company_id = int(get_param(env, "company_id"))
        self.policy_id = int(get_param(env, "oca_policy_id"))

    def step(self):
        self.run = self.env["credit.control.run"].create(
            {"date": self.today, "company_id": self.company_id, "policy_ids": [(6, 0, [self.policy_id])]}
        )
        self.run.generate_credit_lines()

    def result(self):
        lines = self.env["credit.control.line"].search([("run_id", "=", self.run.id)])
        return {
            "items": len(lines),
            "communications": 0,
            "chatter messages": self.env["mail.message"].search_count(
                [("model", "=", "credit.control.line"), ("res_id", "in", lines.ids)]
            ),
        }


CONTENDERS = {"ours": Ours, "oca": Oca}


def run(odoo, registry, contender_name, profile_file=None):
    from odoo import fields  # noqa: PLC0415

    clock = Clock(odoo.sql_db)
    load_before = round(os.getloadavg()[0], 1)
    profile_text = None
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company_id = int(get_param(env, "company_id"))
        n = int(get_param(env, "n"))
        env = env(context={"allowed_company_ids": [company_id], "tz": "Europe/Berlin", "lang": "en_US"})
        contender = CONTENDERS[contender_name](
            env, fields.Date.context_today(env["res.partner"]), odoo.sql_db
        )
        env.invalidate_all()  # a new request starts with an empty cache
        profiler = cProfile.Profile() if profile_file else None
        with clock(contender.label):
            if profiler:
                profiler.enable()
            contender.step()
            env.flush_all()
            cr.commit()
            if profiler:
                profiler.disable()
        if profiler:
            profiler.dump_stats(profile_file)
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
            profile_text = out.getvalue()
        env.invalidate_all()
        result = contender.result()
    result["load_average"] = f"{load_before} -> {os.getloadavg()[0]:.1f}"
    shown = {key: value for key, value in result.items() if key != "batches"}
    print("  result: " + ", ".join(f"{key} {value}" for key, value in shown.items()), flush=True)
    if profile_text:
        print(profile_text, flush=True)
    if result["items"] != n:
        sys.exit(f"bench_dunning.py: {contender_name} reminded {result['items']} items, not {n}")
    return {"contender": contender_name, "n": n, "step": clock.phases[-1], "result": result}


# ---------------------------------------------------------------------------- report


def report(paths):
    results = [json.loads(open(path, encoding="utf-8").read()) for path in paths]  # noqa: SIM115
    seeds = [r for r in results if "customers" in r and "contender" not in r]
    runs = {r["contender"]: r for r in results if "contender" in r}
    if "ours" not in runs:
        sys.exit("bench_dunning.py report: no result for billing_dunning")
    n = runs["ours"]["n"]
    customers = seeds[0]["customers"] if seeds else "?"
    lines = [f"Dunning benchmark, N = {n} overdue invoices over {customers} customers (EUR, no tax)"]
    for seed_result in seeds:
        lines.append(f"seeding: {seed_result['seconds']:.1f} s (not compared)")
    lines.append("")
    for name in ("ours", "oca"):
        if name not in runs:
            continue
        step, result = runs[name]["step"], runs[name]["result"]
        lines.append(
            f"{step['label']:<52} {step['seconds']:8.2f} s {step['queries']:7d} q  "
            f"(Odoo process CPU {step.get('cpu', 0):.2f} s)  "
            f"items {result['items']}, communications {result['communications']}, "
            f"chatter messages {result['chatter messages']}, load {result['load_average']}"
        )
    ours = runs["ours"]
    batches = ours["result"]["batches"]
    if batches:
        queries = [batch["queries"] for batch in batches]
        lines.append(
            f"billing_dunning queries per batch of customers ({len(batches)} batches): "
            + ", ".join(str(q) for q in queries)
        )
    seconds = ours["step"]["seconds"]
    lines.append(
        f"Target billing_dunning under {TARGET_SECONDS} s: {'met' if seconds < TARGET_SECONDS else 'NOT met'}"
    )
    if "oca" in runs:
        ratio = runs["oca"]["step"]["seconds"] / seconds
        lines.append(
            f"Ratio: billing_dunning is {ratio:.1f}x faster than OCA generate_credit_lines; "
            f"target >= {TARGET_RATIO}x: {'met' if ratio >= TARGET_RATIO else 'NOT met'}"
        )
    print("\n".join(lines))


# ---------------------------------------------------------------------------- command line


def main(argv):
    if "--" in argv:
        split = argv.index("--")
        argv, odoo_options = argv[:split], argv[split + 1 :]
    else:
        odoo_options = []
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    seed_parser = commands.add_parser("seed", help="fill a database with customers and overdue invoices")
    seed_parser.add_argument("--n", type=int, required=True)
    seed_parser.add_argument("--customers", type=int, required=True)
    seed_parser.add_argument("--json", required=True)
    run_parser = commands.add_parser("run", help="time one contender's run")
    run_parser.add_argument("--contender", choices=sorted(CONTENDERS), required=True)
    run_parser.add_argument("--json")
    run_parser.add_argument("--profile", metavar="FILE", help="cProfile the run into FILE (.prof)")
    report_parser = commands.add_parser("report", help="print the comparison")
    report_parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)

    if args.command == "report":
        report(args.files)
        return
    odoo, registry = open_registry(odoo_options)
    if args.command == "seed":
        output = seed(odoo, registry, args.n, args.customers)
    else:
        output = run(odoo, registry, args.contender, args.profile)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump(output, file, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
