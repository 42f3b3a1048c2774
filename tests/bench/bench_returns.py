"""SEPA returns benchmark: billing_sepa's bank-report import against OCA account_payment_return (issue 13, item 9).

The in-process part of ``tests/bench/bench_returns.sh``, which builds the databases and calls::

    bench_returns.py seed --n N --file CAMT054 --json FILE -- ODOO_OPTIONS...
    bench_returns.py run --contender ours|floor|oca --file CAMT054 --json FILE [--budget S] -- ODOO_OPTIONS...
    bench_returns.py report FILE...

``ODOO_OPTIONS`` are the options of ``odoo-bin`` (configuration file, addons path, database
connection, ``-d DATABASE``). ``seed`` fills a database in which billing_sepa is installed: one
EUR company, N customers with IBANs and active mandates, N posted invoices, one collection batch
of the N debits generated, sent and booked (collected), then writes the bank's camt.054.001.02
notification returning every one of those debits (``CAMT054``). ``run`` imports that file in a
copy of the seed, as billing_sepa does (``import_file``: parse, match, book, act) or as the OCA
does (``payment.return.import`` wizard with matching, then Confirm on every payment return),
or as plain Odoo would book the same entries (the floor: core ORM calls only, see
:class:`bench_returns_contenders.Floor`), from a clean cache to its commit included; ``report``
prints the comparison.
"""

import os
import sys

import benchlib
from bench_returns_contenders import CONTENDERS, run
from bench_returns_report import report
from bench_returns_seed import seed


def cron_log_path(json_path):
    return os.path.join(os.path.dirname(os.path.abspath(json_path or "run.json")), "odoo-cron-server.log")


def main(argv):
    argv, odoo_options = benchlib.split_argv(argv)
    parser, commands = benchlib.command_parser(__doc__)
    seed_parser = commands.add_parser("seed", help="fill a database with a collected batch and its camt.054")
    seed_parser.add_argument("--n", type=int, required=True)
    seed_parser.add_argument("--file", required=True)
    seed_parser.add_argument("--json", required=True)
    run_parser = commands.add_parser("run", help="import the returns with one contender")
    run_parser.add_argument("--contender", choices=sorted(CONTENDERS), required=True)
    run_parser.add_argument("--file", required=True)
    run_parser.add_argument("--json")
    run_parser.add_argument("--budget", type=float, help="stop the OCA confirmations after this many seconds")
    run_parser.add_argument(
        "--chunk", type=int, help="billing_sepa's chunk size (default: its setting, 1 000)"
    )
    run_parser.add_argument("--profile-file", help="cProfile the import step into this .prof file")
    run_parser.add_argument(
        "--cron-workers",
        type=int,
        default=1,
        help="book ours in a multi-process Odoo server with this many cron workers (1: here, in turn)",
    )
    report_parser = commands.add_parser("report", help="print the comparison")
    report_parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    benchlib.run_command(
        args,
        odoo_options,
        "bench_returns.py",
        report=report,
        seed=lambda odoo, registry: seed(odoo, registry, args.n, args.file),
        run=lambda odoo, registry: run(
            odoo,
            registry,
            args.contender,
            args.file,
            args.budget,
            args.chunk,
            args.profile_file,
            cron=(odoo_options, args.cron_workers, cron_log_path(args.json))
            if args.cron_workers > 1
            else None,
        ),
    )


if __name__ == "__main__":
    main(sys.argv[1:])
