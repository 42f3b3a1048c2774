"""SEPA direct-debit benchmark: billing_sepa against the OCA 18.0 modules (issue 6, item 11).

The in-process part of ``tests/bench/bench_sepa.sh``, which builds the databases and calls::

    bench_sepa.py seed --stack classic|alt --n N --json FILE -- ODOO_OPTIONS...
    bench_sepa.py run --contender ours|classic|alt --json FILE [--profile STEP] -- ODOO_OPTIONS...
    bench_sepa.py report FILE...

``ODOO_OPTIONS`` are the options of ``odoo-bin`` (configuration file, addons path, database
connection, ``-d DATABASE``). ``seed`` fills a database in which billing_sepa and one OCA
stack are installed; ``run`` times one contender's steps in a copy of it; ``report`` prints
the table. Every step is timed from a clean cache to its commit included, as a request would.
"""

import os
import sys

import benchlib
from bench_sepa_contenders import CONTENDERS, run
from bench_sepa_report import report, scale_report
from bench_sepa_seed import FAST_SEED_CUSTOMERS, seed


def cron_log_path(json_path):
    return os.path.join(os.path.dirname(os.path.abspath(json_path or "run.json")), "odoo-cron-server.log")


def main(argv):
    argv, odoo_options = benchlib.split_argv(argv)
    parser, commands = benchlib.command_parser(__doc__)
    seed_parser = commands.add_parser("seed", help="fill a database with customers, mandates, invoices")
    seed_parser.add_argument("--stack", choices=["classic", "alt"], required=True)
    seed_parser.add_argument("--n", type=int, required=True)
    seed_parser.add_argument("--json", required=True)
    seed_parser.add_argument(
        "--fast-seed",
        action="store_true",
        help=f"seed {FAST_SEED_CUSTOMERS} customers through the ORM, copy them in PostgreSQL up to N",
    )
    run_parser = commands.add_parser("run", help="time one contender's steps")
    run_parser.add_argument("--contender", choices=sorted(CONTENDERS), required=True)
    run_parser.add_argument("--json")
    run_parser.add_argument(
        "--profile", metavar="STEP", help="profile this step: collect, generate, sent, book"
    )
    run_parser.add_argument("--profile-file", help="cProfile output (.prof) of the profiled step")
    run_parser.add_argument(
        "--cron-workers",
        type=int,
        default=1,
        help="book ours in a multi-process Odoo server with this many cron workers (1: here, in turn)",
    )
    report_parser = commands.add_parser("report", help="print the comparison table")
    report_parser.add_argument("files", nargs="+")
    scale_parser = commands.add_parser("scale-report", help="billing_sepa's figures per size")
    scale_parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    if args.command == "scale-report":
        scale_report(args.files)
        return

    benchlib.run_command(
        args,
        odoo_options,
        "bench_sepa.py",
        report=report,
        seed=lambda odoo, registry: seed(odoo, registry, args.stack, args.n, args.fast_seed),
        run=lambda odoo, registry: run(
            odoo,
            registry,
            args.contender,
            args.profile,
            args.profile_file,
            cron=(odoo_options, args.cron_workers, cron_log_path(args.json))
            if args.cron_workers > 1
            else None,
        ),
    )


if __name__ == "__main__":
    main(sys.argv[1:])
