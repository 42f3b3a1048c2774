"""What the in-process parts of the benchmarks (``tests/bench/bench_*.py``) share.

Each script runs as ``python tests/bench/bench_x.py``, so this directory is on ``sys.path``
and ``import benchlib`` finds this module.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import resource
import socket
import subprocess
import sys
import time
import urllib.request

# Context of the seeding environments: no chatter, no followers, no tracking.
SEEDING_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}


def split_argv(argv):
    """The script's own arguments and, after ``--``, the options of ``odoo-bin``."""
    if "--" in argv:
        split = argv.index("--")
        return argv[:split], argv[split + 1 :]
    return argv, []


def command_parser(doc):
    """A parser of sub-commands, described by the first paragraph of the script's ``doc``."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    return parser, parser.add_subparsers(dest="command", required=True)


def run_command(args, odoo_options, script, report, seed, run):
    """``report(args.files)``, or ``seed``/``run(odoo, registry)`` with its output saved to ``args.json``."""
    if args.command == "report":
        report(args.files)
        return
    odoo, registry = open_registry(odoo_options, script)
    command = seed if args.command == "seed" else run
    write_json(args.json, command(odoo, registry))


def open_registry(odoo_options, script):
    """``odoo`` and the registry of the database given with ``-d`` in ``odoo_options``."""
    import odoo  # noqa: PLC0415 - imported after the command line is read

    odoo.tools.config.parse_config(odoo_options)
    database = odoo.tools.config["db_name"]
    if not database:
        sys.exit(f"{script}: give the database with -d after --")
    if isinstance(database, list):  # Odoo 18 may keep -d as a list
        database = database[0]
    return odoo, odoo.modules.registry.Registry(database)


def config_params(prefix):
    """``get_param(env, key)`` and ``set_param(env, key, value)`` of the keys ``prefix + key``."""

    def get_param(env, key):
        return env["ir.config_parameter"].sudo().get_param(prefix + key)

    def set_param(env, key, value):
        env["ir.config_parameter"].sudo().set_param(prefix + key, str(value))

    return get_param, set_param


def chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def create_company(env, vals):
    """A EUR company of ``vals`` with the generic chart, in which root and admin may work.

    Loading the generic chart sets the currency of its fiscal country (USD) on a company
    without journal items; the currency is set back to EUR right after, as a European user
    of the chart would.
    """
    from odoo import Command  # noqa: PLC0415

    eur = env.ref("base.EUR")
    eur.active = True
    # chart_template_load: no automatic install of the country's localization.
    company = env["res.company"].with_context(chart_template_load=True).create(vals)
    (env.ref("base.user_root") | env.ref("base.user_admin")).write(
        {"company_ids": [Command.link(company.id)]}
    )
    env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
    company.currency_id = eur
    return company


def check_eur_company(env, company):
    """Exit unless ``company`` keeps its books in EUR and none of its entries is in another currency."""
    env.flush_all()
    env.cr.execute(
        "SELECT count(*) FROM account_move WHERE company_id = %s AND currency_id != %s",
        [company.id, company.currency_id.id],
    )
    foreign = env.cr.fetchone()[0]
    if company.currency_id != env.ref("base.EUR") or foreign:
        sys.exit(
            f"{company.name} is not a EUR company: currency {company.currency_id.name}, "
            f"{foreign} entries in another currency"
        )
    return {"company currency": company.currency_id.name, "foreign-currency entries": foreign}


def one_line_invoice_vals(partner, amount, accounts, dates, Command):
    """A customer invoice of one line without tax, its lines given so that nothing needs syncing.

    ``accounts`` holds the sales ``journal``, its ``income`` account and the ``receivable``
    one, ``dates`` the ``invoice`` and ``due`` dates; the invoice is in the journal's
    company's currency. Create such invoices with the context key ``skip_invoice_sync``.
    """
    journal = accounts["journal"]
    return {
        "move_type": "out_invoice",
        "partner_id": partner.id,
        "journal_id": journal.id,
        "company_id": journal.company_id.id,
        "currency_id": journal.company_id.currency_id.id,
        "invoice_date": dates["invoice"],
        "date": dates["invoice"],
        "invoice_date_due": dates["due"],
        "line_ids": [
            Command.create(
                {
                    "display_type": "product",
                    "name": "Internet Februar / internet février",
                    "account_id": accounts["income"].id,
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
                    "account_id": accounts["receivable"].id,
                    "balance": amount,
                    "amount_currency": amount,
                    "date_maturity": dates["due"],
                }
            ),
        ],
    }


def post_one_line_invoices(env, pairs, accounts, dates, Command, size):
    """Create and post one-line invoices of ``pairs`` (partner, amount), ``size`` per
    transaction, each committed and the cache emptied as a seed must (see
    ``one_line_invoice_vals``)."""
    moves = env["account.move"].with_context(skip_invoice_sync=True)
    for batch in chunks(pairs, size):
        moves.create(
            [one_line_invoice_vals(partner, amount, accounts, dates, Command) for partner, amount in batch]
        ).action_post()
        env.cr.commit()
        env.invalidate_all()


def berlin_address(env):
    """The address of the German benchmark companies."""
    return {
        "country_id": env.ref("base.de").id,
        "street": "Friedrichstraße 123",
        "zip": "10117",
        "city": "Berlin",
    }


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_odoo_server(odoo_options, extra_options, timeout=120):
    """Start ``odoo-bin`` with these options on free ports; return its process once it serves."""
    import odoo  # noqa: PLC0415 - the caller runs inside Odoo already

    odoo_bin = os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin")
    http_port = free_port()
    command = [
        sys.executable,
        odoo_bin,
        *odoo_options,
        *extra_options,
        "--http-interface=127.0.0.1",
        f"--http-port={http_port}",
        f"--gevent-port={free_port()}",
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the Odoo server did not start: {' '.join(command)}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/web/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.5)
    stop_odoo_server(server)
    sys.exit(f"the Odoo server did not answer within {timeout} s: {' '.join(command)}")


def stop_odoo_server(server):
    server.terminate()
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def start_cron_server(env, odoo_options, workers, log_path, crons, wait_until_idle=False):
    """Start Odoo as production runs it, multi-process with ``workers`` cron workers; return the
    server's process and the CPU seconds its processes have used so far.

    Only the billing_sepa scheduled actions named in ``crons`` (xml ids) stay active in this
    throwaway copy, so that nothing else competes for the cores while a step is timed. The server
    logs to ``log_path``, emptied first so that it holds this run's lines only, with billing_sepa's
    INFO lines. With ``wait_until_idle``, return once the cron workers, which load the registry and
    run the due actions once after the server answers, have idled for three seconds, so that their
    start-up is not counted.
    """
    env.cr.execute(
        """UPDATE ir_cron SET active = false WHERE id NOT IN (
               SELECT res_id FROM ir_model_data WHERE module = 'billing_sepa' AND name IN %s)""",
        [tuple(crons)],
    )
    env.cr.commit()
    open(log_path, "w", encoding="utf-8").close()
    server = start_odoo_server(
        odoo_options,
        [
            "--workers=1",
            f"--max-cron-threads={workers}",
            f"--logfile={log_path}",
            "--log-handler=odoo.addons.billing_sepa:INFO",
        ],
    )
    cpu = process_tree_cpu_seconds(server.pid)
    if wait_until_idle:
        idle_seconds = 0
        for _second in range(120):
            time.sleep(1)
            now = process_tree_cpu_seconds(server.pid)
            idle_seconds = idle_seconds + 1 if now - cpu < 0.05 else 0
            cpu = now
            if idle_seconds == 3:
                break
    return server, cpu


def wait_for_cron_server(env, server, table, record_id, script, log_path, stop_server):
    """Poll the record ``record_id`` of ``table`` (a state and a booking_error) until the cron
    workers of ``server`` have booked it; exit, after ``stop_server()``, when its booking stopped
    with an error, or when the server stopped."""
    from odoo.tools import SQL  # noqa: PLC0415 - the caller runs inside Odoo already

    cr = env.cr
    while True:
        cr.execute(SQL("SELECT state, booking_error FROM %s WHERE id = %s", SQL.identifier(table), record_id))
        state, error = cr.fetchone()
        cr.rollback()  # the next poll sees what the workers committed since
        if error:
            stop_server()
            sys.exit(f"{script}: the booking stopped: {error}")
        if state != "booking":
            break
        if server.poll() is not None:
            sys.exit(f"{script}: the Odoo server stopped; see {log_path}")
        time.sleep(0.1)
    env.invalidate_all()


def logged_seconds(log_path, logger, marker=" in "):
    """The durations ``... in 1.23 s`` that ``logger`` wrote to the Odoo log, in order."""
    pattern = re.compile(re.escape(marker) + r"(\d+(?:\.\d+)?) s$")
    seconds = []
    with open(log_path, encoding="utf-8") as log:
        for line in log:
            if f" {logger}" in line and (match := pattern.search(line.rstrip())):
                seconds.append(float(match.group(1)))
    return seconds


def peak_rss_mb():
    """The peak resident memory of this process so far, in MB (``ru_maxrss`` is in kB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_tree_peak_rss_mb(pid):
    """{pid: peak resident memory in MB} of process ``pid`` and its children (``VmHWM``)."""
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
            pids += [int(child) for child in children.read().split()]
    except OSError:
        pass
    peaks = {}
    for each in pids:
        try:
            with open(f"/proc/{each}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peaks[each] = int(line.split()[1]) / 1024
        except OSError:
            continue
    return peaks


def process_tree_cpu_seconds(pid):
    """The CPU seconds (user + system) process ``pid`` and its live children have used so far,
    with the children it has already waited for (an Odoo server and its workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
            pids += [int(child) for child in children.read().split()]
    except OSError:
        pass
    total = 0
    for each in pids:
        try:
            with open(f"/proc/{each}/stat", encoding="ascii") as stat:
                # The fields after the command name (in parentheses): utime, stime, cutime, cstime
                # are the 12th to 15th of them.
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
        if each == pid:
            total += int(fields[13]) + int(fields[14])
    return total / ticks


def load_average():
    return round(os.getloadavg()[0], 1)


class Meter:
    """Wall time, Odoo process CPU time and SQL queries from entry to exit."""

    def __init__(self, sql_db):
        self.sql_db = sql_db

    def __enter__(self):
        self.start_queries = self.sql_db.sql_counter
        self.start = time.perf_counter()
        self.start_cpu = time.process_time()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        self.cpu = time.process_time() - self.start_cpu
        self.queries = self.sql_db.sql_counter - self.start_queries


class Clock:
    """Wall time and SQL queries of named phases (and the CPU time, with ``cpu``)."""

    def __init__(self, sql_db, cpu=False):
        self.sql_db = sql_db
        self.cpu = cpu
        self.phases = []

    def __call__(self, label):
        return _Phase(self, label)

    def total(self):
        return sum(phase["seconds"] for phase in self.phases)


class _Phase(Meter):
    def __init__(self, clock, label):
        super().__init__(clock.sql_db)
        self.clock, self.label = clock, label

    def __exit__(self, *exc):
        super().__exit__(*exc)
        if exc[0] is None:
            phase = {"label": self.label, "seconds": self.seconds}
            line = f"  {self.label:<44} {self.seconds:9.2f} s {self.queries:9d} queries"
            if self.clock.cpu:
                phase["cpu"] = self.cpu
                line += f" (Odoo CPU {self.cpu:.2f} s)"
            self.clock.phases.append(dict(phase, queries=self.queries))
            print(line, flush=True)


def request(env, step, profiler=None):
    """Run ``step`` as a request would: flushed and committed, under ``profiler`` if given."""
    if profiler:
        profiler.enable()
    step()
    env.flush_all()
    env.cr.commit()
    if profiler:
        profiler.disable()


def profiler_for(wanted):
    return cProfile.Profile() if wanted else None


def profile_report(profiler, lines, profile_file=None):
    """The ``lines`` first functions by cumulative time; the stats saved to ``profile_file``."""
    if profile_file:
        profiler.dump_stats(profile_file)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(lines)
    return out.getvalue()


def print_seeding_total(clock):
    total = clock.total()
    print(f"  {'seeding total':<44} {total:9.2f} s", flush=True)
    return total


def print_result(result):
    print("  result: " + ", ".join(f"{key} {value}" for key, value in result.items()), flush=True)


def print_check(counts):
    print("  check: " + ", ".join(f"{key} {value}" for key, value in counts.items()), flush=True)


def load_results(paths):
    return [json.loads(open(path, encoding="utf-8").read()) for path in paths]


def write_json(path, output, indent=1):
    if path:
        with open(path, "w", encoding="utf-8") as file:
            json.dump(output, file, indent=indent)


# ---------------------------------------------------------------------------- fast seed


class Multiplier:
    """Copies of template records made in PostgreSQL: the fast seed of large N.

    Seeding 100 000 posted invoices through the ORM takes hours on this machine. The fast seed
    makes a few hundred records through the ORM (the real code path, so that every column holds
    what Odoo writes) and copies them here, ``copies`` times each, with ``INSERT ... SELECT``
    over ``generate_series``. :meth:`clone` copies every column of the template row except:

    - the foreign keys to a table cloned before (or to the table itself), which point at the
      same copy of the record they point at (the copy ``g`` of an invoice belongs to the copy
      ``g`` of its customer); keys to records that were not cloned (company, journal,
      accounts) are kept;
    - the columns given in ``overrides``: SQL expressions over ``tpl`` (the template row),
      ``m`` (``m.g`` the copy, from 1 to ``copies``; ``m.n`` the new row's number, from 1 to
      ``len(ids) * copies``; ``m.new`` its id) and ``r_<column>.new`` (the new id a remapped
      foreign key points at).

    The ids come from the tables' own sequences. The maps are temporary tables dropped at
    commit: clone the tables of one seed in one transaction, then :meth:`analyze` them.
    """

    def __init__(self, env, copies):
        self.env, self.cr, self.copies = env, env.cr, copies
        self.tables = []

    def clone(self, table, ids, overrides=None):
        from odoo.tools import SQL  # noqa: PLC0415

        cr, overrides = self.cr, dict(overrides or {})
        columns = self._columns(table)
        if unknown := set(overrides) - set(columns):
            raise ValueError(f"{table} has no column {', '.join(sorted(unknown))}")
        map_table = SQL.identifier(f"bench_map_{table}")
        cr.execute(
            SQL(
                """CREATE TEMP TABLE %s (old integer, g integer, n integer, new integer,
                                         PRIMARY KEY (old, g)) ON COMMIT DROP""",
                map_table,
            )
        )
        cr.execute(
            SQL(
                """INSERT INTO %(map)s (old, g, n, new)
                   SELECT old, g, n, nextval(pg_get_serial_sequence(%(table)s, 'id'))
                     FROM (SELECT old, g, row_number() OVER (ORDER BY g, old) AS n
                             FROM unnest(%(ids)s::integer[]) AS old,
                                  generate_series(1, %(copies)s) AS g
                            ORDER BY n) AS rows""",
                map=map_table,
                table=table,
                ids=sorted(ids),
                copies=self.copies,
            )
        )
        self.tables.append(table)
        joins, values = [], []
        for column, target in self._foreign_keys(table).items():
            if target in self.tables:
                alias = SQL.identifier(f"r_{column}")
                joins.append(
                    SQL(
                        "LEFT JOIN %s AS %s ON %s.old = tpl.%s AND %s.g = m.g",
                        SQL.identifier(f"bench_map_{target}"),
                        alias,
                        alias,
                        SQL.identifier(column),
                        alias,
                    )
                )
                if column not in overrides:
                    overrides[column] = SQL("COALESCE(%s.new, tpl.%s)", alias, SQL.identifier(column))
        for column in columns:
            values.append(overrides.get(column) or SQL("tpl.%s", SQL.identifier(column)))
        cr.execute(
            SQL(
                """INSERT INTO %(table)s (id, %(columns)s)
                   SELECT m.new, %(values)s
                     FROM %(map)s AS m
                     JOIN %(table)s AS tpl ON tpl.id = m.old
                     %(joins)s
                    ORDER BY m.n""",
                table=SQL.identifier(table),
                columns=SQL(", ").join(SQL.identifier(column) for column in columns),
                values=SQL(", ").join(values),
                map=map_table,
                joins=SQL(" ").join(joins),
            )
        )
        return cr.rowcount

    def new_ids(self, table):
        """The ids of the copies made in ``table`` (before the commit)."""
        from odoo.tools import SQL  # noqa: PLC0415

        self.cr.execute(SQL("SELECT new FROM %s ORDER BY n", SQL.identifier(f"bench_map_{table}")))
        return [row[0] for row in self.cr.fetchall()]

    def analyze(self):
        """Fresh planner statistics for the tables cloned into (after the commit)."""
        from odoo.tools import SQL  # noqa: PLC0415

        for table in self.tables:
            self.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))

    def _columns(self, table):
        self.cr.execute(
            """SELECT column_name FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = %s AND column_name != 'id'
                ORDER BY ordinal_position""",
            [table],
        )
        return [row[0] for row in self.cr.fetchall()]

    def _foreign_keys(self, table):
        """{column: referenced table} of the single-column foreign keys of ``table``."""
        self.cr.execute(
            """SELECT attribute.attname, target.relname
                 FROM pg_constraint constraint_
                 JOIN pg_class source ON source.oid = constraint_.conrelid
                 JOIN pg_class target ON target.oid = constraint_.confrelid
                 JOIN pg_attribute attribute ON attribute.attrelid = constraint_.conrelid
                                            AND attribute.attnum = constraint_.conkey[1]
                WHERE constraint_.contype = 'f' AND source.relname = %s
                  AND cardinality(constraint_.conkey) = 1""",
            [table],
        )
        return dict(self.cr.fetchall())


def clone_invoices(multiplier, move_ids):
    """Copies of the posted invoices ``move_ids`` and of their lines, after their customers'.

    Each copy is numbered in its journal's sequence after the templates (name,
    sequence_number; the prefix and the number's width kept), and its payment reference and
    receivable line label follow its name when the template's did. The templates must be the
    last entries of one sequence (one journal, one prefix).
    """
    from odoo.tools import SQL  # noqa: PLC0415

    cr = multiplier.cr
    cr.execute(
        """SELECT journal_id, sequence_prefix, max(sequence_number), count(*)
             FROM account_move WHERE id = ANY(%s) GROUP BY journal_id, sequence_prefix""",
        [list(move_ids)],
    )
    sequences = cr.fetchall()
    if len(sequences) != 1:
        sys.exit(f"fast seed: the template invoices span {len(sequences)} sequences, not one")
    journal_id, prefix, last, _count = sequences[0]
    cr.execute(
        "SELECT max(sequence_number) FROM account_move WHERE journal_id = %s AND sequence_prefix = %s",
        [journal_id, prefix],
    )
    if cr.fetchone()[0] != last:
        sys.exit("fast seed: the template invoices are not the last of their sequence")
    number = SQL("(%s + m.n)", last)
    name = SQL(
        "tpl.sequence_prefix || lpad(%(number)s::text, greatest(length(tpl.name) - length(tpl.sequence_prefix),"
        " length(%(number)s::text)), '0')",
        number=number,
    )
    moves = multiplier.clone(
        "account_move",
        move_ids,
        {
            "name": name,
            "sequence_number": number,
            "payment_reference": SQL(
                "CASE WHEN tpl.payment_reference = tpl.name THEN %s ELSE tpl.payment_reference END", name
            ),
        },
    )
    cr.execute("SELECT id FROM account_move_line WHERE move_id = ANY(%s)", [list(move_ids)])
    new_name = SQL("(SELECT name FROM account_move WHERE id = r_move_id.new)")
    lines = multiplier.clone(
        "account_move_line",
        [row[0] for row in cr.fetchall()],
        {
            "move_name": new_name,
            "name": SQL("CASE WHEN tpl.name = tpl.move_name THEN %s ELSE tpl.name END", new_name),
        },
    )
    return moves, lines


def check_cloned_invoices(env, move_ids, sample_size=200):
    """Exit unless the ORM agrees with the cloned invoices ``move_ids``.

    All of them balanced (the ORM's own check) and named uniquely; on a sample, the amounts,
    the residuals and the payment state recomputed by the ORM equal the stored ones. Run it
    after the commit of the copies: it rolls back what it computed.
    """
    import random  # noqa: PLC0415

    env.invalidate_all()
    moves = env["account.move"].browse(move_ids)
    unbalanced = moves._get_unbalanced_moves({"records": moves})
    if unbalanced:
        sys.exit(f"fast seed: {len(unbalanced)} cloned invoices are not balanced, e.g. {unbalanced[:3]}")
    env.cr.execute(
        """SELECT count(*), count(DISTINCT (journal_id, name)) FROM account_move WHERE id = ANY(%s)""",
        [list(move_ids)],
    )
    count, distinct = env.cr.fetchone()
    if count != len(move_ids) or distinct != count:
        sys.exit(f"fast seed: {count} cloned invoices found, {distinct} distinct names, {len(move_ids)} made")
    sample = moves.browse(
        sorted(random.Random(len(move_ids)).sample(list(move_ids), min(sample_size, len(move_ids))))
    )
    move_fields = [
        "amount_untaxed", "amount_tax", "amount_total", "amount_residual", "amount_untaxed_signed",
        "amount_total_signed", "amount_residual_signed", "payment_state", "state",
    ]  # fmt: skip
    line_fields = ["amount_residual", "amount_residual_currency", "reconciled"]
    stored = sample.read(move_fields)
    lines = sample.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
    stored_lines = lines.read(line_fields)
    if len(lines) != len(sample):
        sys.exit(f"fast seed: {len(lines)} receivable lines on {len(sample)} sampled invoices")
    sample._compute_amount()
    sample._compute_payment_state()
    lines._compute_amount_residual()
    differences = [
        (row["id"], field, row[field], record[field])
        for rows, records, names in ((stored, sample, move_fields), (stored_lines, lines, line_fields))
        for row, record in zip(rows, records, strict=True)
        for field in names
        if field != "id" and row[field] != record[field]
    ]
    if any(row["state"] != "posted" or row["payment_state"] != "not_paid" for row in stored):
        sys.exit("fast seed: a sampled cloned invoice is not posted and unpaid")
    env.invalidate_all(flush=False)
    env.cr.rollback()
    if differences:
        sys.exit(f"fast seed: the ORM computes other values than the copies hold: {differences[:5]}")
    return {"cloned invoices": count, "balanced": count, "sampled and recomputed": len(sample)}
