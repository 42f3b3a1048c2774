"""The upgrade step of setup/test: what the previous release stored, kept and usable after -u.

Run inside `odoo shell` (it reads `env`), with the environment variables
    UPGRADE_CHECK_MODE    snapshot (on the old release's database, with its code) or compare
                          (on the same database after -u with the working tree)
    UPGRADE_CHECK_FILE    the JSON file the snapshot is written to and compared with
    UPGRADE_CHECK_ADDONS  the suite's addons that existed in the old release, comma-separated
    UPGRADE_CHECK_SUITE   the suite's addons now (their constraints are checked too)

Before the snapshot, a dunning run and a few sent deliveries are added to the old database
(its demo data has none). The snapshot keeps, per model that holds a field of those addons,
the ids of its records and the values of the stored fields the addons define that are not
computed (what a user or the code entered). The comparison checks that every record is still there with the same values
(fields that no longer exist, or changed type, must come with a migration script and are
named), that every field of every record reads and passes the suite's constraints, that the
models' default list and form views load, and that a later dunning run escalates the kept
reminders (rolled back). It prints the problems, then one line
    UPGRADE-CHECK models=N records=N problems=N
"""

import json
import os
from datetime import date, timedelta

from freezegun import freeze_time

MODE = os.environ["UPGRADE_CHECK_MODE"]
PATH = os.environ["UPGRADE_CHECK_FILE"]
ADDONS = set(os.environ["UPGRADE_CHECK_ADDONS"].split(","))
SUITE = {name for name in os.environ.get("UPGRADE_CHECK_SUITE", "").split(",") if name}
MAGIC = {"id", "create_uid", "create_date", "write_uid", "write_date"}


def our_models(env):
    """{model name: [stored, not computed fields the old release's addons define]}."""
    models = {}
    for name, model in env.registry.items():
        if model._abstract or model._transient or not model._auto:
            continue
        ours = [
            field.name
            for field in model._fields.values()
            if field._module in ADDONS and field.store and not field.compute and field.name not in MAGIC
        ]
        if ours or (model._original_module in ADDONS):
            models[name] = sorted(ours)
    return models


def plain(value):
    if hasattr(value, "_name"):  # a recordset: its ids
        return sorted(value.ids)
    if isinstance(value, bytes):
        return len(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def dunning_run(env, days):
    """A dunning run of each company with a policy, as if it were ``days`` from today."""
    when = date.today() + timedelta(days=days)
    with freeze_time(when):
        for company in env["billing.dunning.policy"].search([]).company_id:
            run = env["billing.dunning.run"].create({"date": when, "company_id": company.id})
            run.with_company(company).action_run()


def populate(env):
    """Records the old release's demo data lacks but users have: reminders and deliveries."""
    made = []
    if "billing.dunning.run" in env:
        # Four months ahead (a run cannot be dated in the future): the demo invoices are overdue.
        dunning_run(env, days=120)
        made.append(f"{env['billing.dunning.reminder'].search_count([])} reminders")
    if "billing.einvoice.delivery" in env:
        invoices = env["account.move"].search(
            [("move_type", "=", "out_invoice"), ("state", "=", "posted")], limit=5, order="id"
        )
        env["billing.einvoice.delivery"].create(
            [{"move_id": invoice.id, "channel": "email", "state": "sent"} for invoice in invoices]
        )
        made.append(f"{env['billing.einvoice.delivery'].search_count([])} deliveries")
    env.cr.commit()
    print("made: " + ", ".join(made))


def snapshot(env):
    populate(env)
    data = {}
    for name, field_names in our_models(env).items():
        model = env[name].with_context(active_test=False)
        records = model.search([])
        if not records:
            continue
        types = {field: model._fields[field].type for field in field_names}
        values = {
            str(record.id): {field: plain(record[field]) for field in field_names} for record in records
        }
        data[name] = {"types": types, "values": values}
    with open(PATH, "w", encoding="utf-8") as output:
        json.dump(data, output, sort_keys=True, default=str)
    print(
        f"UPGRADE-CHECK models={len(data)} records={sum(len(m['values']) for m in data.values())} problems=0"
    )


def compare(env):
    with open(PATH, encoding="utf-8") as snapshot_file:
        before = json.load(snapshot_file)
    problems = []
    records_count = 0
    for name, old in before.items():
        if name not in env:
            problems.append(f"{name}: the model is gone ({len(old['values'])} records)")
            continue
        model = env[name].with_context(active_test=False)
        records = model.browse([int(record_id) for record_id in old["values"]]).exists()
        records_count += len(records)
        missing = set(old["values"]) - {str(record_id) for record_id in records.ids}
        if missing:
            problems.append(f"{name}: {len(missing)} of {len(old['values'])} records are gone")
        kept = [
            f for f, ftype in old["types"].items() if f in model._fields and model._fields[f].type == ftype
        ]
        for field in sorted(set(old["types"]) - set(kept)):
            problems.append(f"{name}.{field}: gone or of another type, and no migration script moved it")
        for record in records:
            was = old["values"][str(record.id)]
            changed = [field for field in kept if plain(record[field]) != was[field]]
            if changed:
                problems.append(f"{name} {record.id}: {', '.join(changed)} changed in the update")
        try:
            records.read(list(model._fields))
            for check in model._constraint_methods:  # the suite's own constraints hold
                if check.__module__.split(".")[2:3] in ([addon] for addon in ADDONS | SUITE):
                    check(records)
            model.get_views([(False, "list"), (False, "form")])
        except Exception as error:  # reported, the check fails
            problems.append(f"{name}: not usable after the update: {error!r}")
    if "billing.dunning.run" in env:  # a reminder run still escalates the kept reminders
        try:
            with env.cr.savepoint():
                dunning_run(env, days=240)
        except Exception as error:  # reported, the check fails
            problems.append(f"a dunning run after the update failed: {error!r}")
    for problem in problems:
        print(problem)
    print(f"UPGRADE-CHECK models={len(before)} records={records_count} problems={len(problems)}")


if MODE == "snapshot":
    snapshot(env)  # noqa: F821 (odoo shell gives env)
else:
    compare(env)  # noqa: F821
