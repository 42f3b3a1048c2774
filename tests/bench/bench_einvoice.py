"""E-invoice benchmark: billing_einvoice's Finvoice 3.0 (built and XSD-validated) against Odoo's
own UBL BIS 3 export, for the same invoices in the same database (issue 4, item 9).

The in-process part of ``tests/bench/bench_einvoice.sh``, which builds the database and calls::

    bench_einvoice.py seed --n N -- ODOO_OPTIONS...
    bench_einvoice.py run --json FILE -- ODOO_OPTIONS...

``seed`` gives a Finnish company (generic chart, EUR, a bank account with BIC, its own
e-invoice address and Peppol endpoint) N customers, each on the Finvoice channel with a
Peppol endpoint, and N posted two-line invoices with VAT. ``run`` times, each from an empty
ORM cache over all N invoices:

- ours: ``billing.einvoice.finvoice.builder._build_finvoice_payload(invoice, "finvoice")``: the
  plain data mapped from the invoice, the Finvoice 3.0 document, its validation against the
  official XSD and the SOAP/ebXML frame;
- UBL: ``account.edi.xml.ubl_bis3._export_invoice(invoice)``, Odoo's Peppol BIS 3 builder
  with its own constraint checks (no schema validation);

and prints both and the ratio ours / UBL (target <= 1).
"""

import datetime
import random
import sys
import time

import benchlib
import benchlib_meter
import benchlib_seed

SEED = 20261123
CHUNK = 500
COMPANY_NAME = "Bench Kaukolämpö Oy"
FIRST = ["Aino", "Eero", "Väinö", "Sisko", "Jyrki", "Päivi", "Åsa", "Mikko", "Sanna", "Tuomas"]
LAST = ["Mäkinen", "Virtanen", "Hämäläinen", "Korhonen", "Nieminen", "Järvinen", "Lindström"]
FORMS = ["Oy", "Ky", "Oyj", "Tmi", "As Oy"]
CITIES = [("00100", "Helsinki"), ("33100", "Tampere"), ("90100", "Oulu"), ("20100", "Turku")]


_get_param, set_param = benchlib.config_params("bench_einvoice.")


def business_id(number):
    """A Finnish business id (Y-tunnus) with its check digit, from a 7-digit number."""
    digits = f"{number:07d}"
    remainder = sum(int(d) * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    if remainder == 1:
        return None
    return f"{digits}-{0 if remainder == 0 else 11 - remainder}"


def generate_customers(n):
    rng = random.Random(SEED)
    customers, number = [], 1000000
    while len(customers) < n:
        number += rng.randint(1, 40)
        identifier = business_id(number)
        if not identifier:
            continue
        index = len(customers)
        postcode, city = rng.choice(CITIES)
        customers.append(
            {
                "name": f"{rng.choice(LAST)} & {rng.choice(FIRST)} {rng.choice(FORMS)} {index}",
                "business_id": identifier,
                "ovt": "0037" + identifier.replace("-", ""),
                "street": f"Hämeenkatu {rng.randint(1, 99)}",
                "zip": postcode,
                "city": city,
                "amounts": [round(rng.uniform(5, 500), 2), round(rng.uniform(1, 80), 2)],
            }
        )
    return customers


def seed(odoo, registry, n):
    from odoo import Command  # noqa: PLC0415

    started = time.perf_counter()
    customers = generate_customers(n)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, dict(benchlib_seed.SEEDING_CONTEXT))
        finland, eur = env.ref("base.fi"), env.ref("base.EUR")
        eur.active = True
        # No automatic install of the Finnish localization (l10n_fi, account_peppol): the
        # generic chart is loaded below, as in billing_einvoice's demo company.
        company = (
            env["res.company"]
            .with_context(chart_template_load=True)
            .create({"name": COMPANY_NAME, "country_id": finland.id})
        )
        env.user.company_ids |= company
        env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
        company.write(
            {
                "currency_id": eur.id,
                "account_fiscal_country_id": finland.id,
                "einvoice_address": "003712345671",
                "einvoice_operator": "OKOYFIHH",
                "einvoice_auto_send": False,
                "company_registry": "1234567-1",
                "vat": "FI12345671",
                "street": "Isokatu 12",
                "zip": "90100",
                "city": "Oulu",
            }
        )
        company.partner_id.write({"peppol_eas": "0216", "peppol_endpoint": "003712345671"})
        # The generic chart's taxes were made for the company's first fiscal country.
        env["account.tax.group"].search([("company_id", "=", company.id)]).country_id = finland
        env["account.tax"].search([("company_id", "=", company.id)]).country_id = finland
        bank = env["res.bank"].create({"name": "OP Yrityspankki", "bic": "OKOYFIHH"})
        account = env["res.partner.bank"].create(
            {
                "acc_number": "FI2112345600000785",
                "partner_id": company.partner_id.id,
                "bank_id": bank.id,
                "allow_out_payment": True,
            }
        )
        env = env(context=dict(env.context, allowed_company_ids=[company.id]))
        company = company.with_env(env)
        tax = env["account.tax"].search(
            [("company_id", "=", company.id), ("type_tax_use", "=", "sale"), ("amount_type", "=", "percent")],
            limit=1,
        )
        journal = env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
        )
        journal.invoice_reference_model = "euro"
        cr.commit()
        print(f"  company and chart: {time.perf_counter() - started:.1f} s", flush=True)
        invoice_date = datetime.date.today() - datetime.timedelta(days=3)
        for batch in benchlib_seed.chunks(customers, CHUNK):
            partners = env["res.partner"].create(
                [
                    {
                        "name": c["name"],
                        "is_company": True,
                        "company_registry": c["business_id"],
                        "vat": "FI" + c["business_id"].replace("-", ""),
                        "street": c["street"],
                        "zip": c["zip"],
                        "city": c["city"],
                        "country_id": finland.id,
                        "invoice_sending_method": "finvoice",
                        "invoice_edi_format": "ubl_bis3",
                        "einvoice_address": c["ovt"],
                        "einvoice_operator": "003723327487",
                        "peppol_eas": "0216",
                        "peppol_endpoint": c["ovt"],
                    }
                    for c in batch
                ]
            )
            invoices = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "journal_id": journal.id,
                        "currency_id": eur.id,
                        "partner_bank_id": account.id,
                        "invoice_date": invoice_date,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": name,
                                    "quantity": quantity,
                                    "price_unit": amount,
                                    "tax_ids": [Command.set(tax.ids)],
                                }
                            )
                            for name, quantity, amount in (
                                ("Kaukolämpö, energia", 1, c["amounts"][0]),
                                ("Perusmaksu", 2, c["amounts"][1]),
                            )
                        ],
                    }
                    for partner, c in zip(partners, batch, strict=True)
                ]
            )
            invoices.action_post()
            cr.commit()
            env.invalidate_all()
        count = env["account.move"].search_count([("company_id", "=", company.id), ("state", "=", "posted")])
        benchlib.print_check(benchlib_seed.check_eur_company(env, company))
        set_param(env, "n", count)
        cr.commit()
    seconds = time.perf_counter() - started
    print(f"  seeded {count} posted invoices in {seconds:.1f} s", flush=True)
    return {"n": count, "seconds": seconds}


def run(odoo, registry):
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env["res.company"].search([("name", "=", COMPANY_NAME)], limit=1)
        env = env(context={"allowed_company_ids": [company.id]})
        ids = (
            env["account.move"]
            .search(
                [
                    ("company_id", "=", company.id),
                    ("state", "=", "posted"),
                    ("move_type", "=", "out_invoice"),
                ],
                order="id",
            )
            .ids
        )
        timestamp = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)
        results = {"n": len(ids)}

        def ours(invoices):
            builder = env["billing.einvoice.finvoice.builder"]
            size = 0
            for invoice in invoices:
                _identifier, payload = builder._build_finvoice_payload(invoice, "finvoice", timestamp)
                size += len(payload)
            return size

        def ubl(invoices):
            builder = env["account.edi.xml.ubl_bis3"]
            size = 0
            for invoice in invoices:
                content, errors = builder._export_invoice(invoice)
                if errors:
                    raise SystemExit(f"UBL export of {invoice.name} failed: {errors}")
                size += len(content)
            return size

        for label, function in (("ours", ours), ("ubl", ubl)):
            env.invalidate_all()
            with benchlib_meter.Meter(odoo.sql_db) as meter:
                size = function(env["account.move"].browse(ids))
            seconds = meter.seconds
            results[label] = {"seconds": seconds, "queries": meter.queries, "bytes": size}
            print(
                f"  {label:<5} {seconds:9.2f} s {results[label]['queries']:8d} queries "
                f"{size / 1e6:8.2f} MB  ({seconds / len(ids) * 1000:.2f} ms per invoice)",
                flush=True,
            )
        cr.rollback()
    results["ratio"] = results["ours"]["seconds"] / results["ubl"]["seconds"]
    return results


def report(results):
    n, ours, ubl = results["n"], results["ours"], results["ubl"]
    print()
    print(f"N = {n} posted invoices (2 lines, VAT), one database")
    print("| | seconds | ms / invoice | queries | output |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, row in (
        ("Finvoice 3.0 + SOAP frame, XSD-validated (billing_einvoice)", ours),
        ("UBL BIS 3 `_export_invoice` (Odoo account_edi_ubl_cii)", ubl),
    ):
        print(
            f"| {label} | {row['seconds']:.2f} | {row['seconds'] / n * 1000:.2f} | {row['queries']} "
            f"| {row['bytes'] / 1e6:.2f} MB |"
        )
    verdict = "met" if results["ratio"] <= 1 else "NOT met"
    print(f"ratio ours / UBL = {results['ratio']:.2f} (target <= 1: {verdict})")


def main(argv):
    argv, odoo_options = benchlib.split_argv(argv)
    parser, commands = benchlib.command_parser(__doc__)
    seed_parser = commands.add_parser("seed", help="fill a database with customers and posted invoices")
    seed_parser.add_argument("--n", type=int, required=True)
    run_parser = commands.add_parser("run", help="time both builders and print the table")
    run_parser.add_argument("--json")
    args = parser.parse_args(argv)
    odoo, registry = benchlib.open_registry(odoo_options, "bench_einvoice.py")
    if args.command == "seed":
        seed(odoo, registry, args.n)
        return
    results = run(odoo, registry)
    report(results)
    benchlib.write_json(args.json, results)


if __name__ == "__main__":
    main(sys.argv[1:])
