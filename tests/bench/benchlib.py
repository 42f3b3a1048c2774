"""Running a benchmark script (``tests/bench/bench_*.py``): its command line, its database, what
it prints and the JSON it writes.

Each script runs as ``python tests/bench/bench_x.py``, so this directory is on ``sys.path``
and ``import benchlib`` finds this module; the rest of what the scripts share is in
``benchlib_seed`` (companies and invoices of a seed), ``benchlib_fastseed`` (copies made in
PostgreSQL), ``benchlib_server`` (an Odoo server started for a step) and ``benchlib_meter``
(time, queries, CPU and memory).
"""

import argparse
import json
import sys


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
