"""SEPA returns benchmark: billing_sepa's bank-report import against OCA account_payment_return (issue 13, item 9).

The in-process part of ``tests/bench/bench_returns.sh``, which builds the databases and calls::

    bench_returns.py seed --n N --file CAMT054 --json FILE -- ODOO_OPTIONS...
    bench_returns.py run --contender ours|oca --file CAMT054 --json FILE [--budget S] -- ODOO_OPTIONS...
    bench_returns.py report FILE...

``ODOO_OPTIONS`` are the options of ``odoo-bin`` (configuration file, addons path, database
connection, ``-d DATABASE``). ``seed`` fills a database in which billing_sepa is installed: one
EUR company, N customers with IBANs and active mandates, N posted invoices, one collection batch
of the N debits generated, sent and booked (collected), then writes the bank's camt.054.001.02
notification returning every one of those debits (``CAMT054``). ``run`` imports that file in a
copy of the seed, as billing_sepa does (``import_file``: parse, match, book, act) or as the OCA
does (``payment.return.import`` wizard with matching, then Confirm on every payment return),
from a clean cache to its commit included; ``report`` prints the comparison.
"""

import datetime
import sys
import time

import bench_sepa
import benchlib
import freezegun

CHUNK = 1000
CREDITOR_IBAN = bench_sepa.CREDITOR_IBAN
COMPANY_NAME = "Bench Rücklastschrift Müller & Söhne GmbH"
TARGET_SECONDS = 60
TARGET_RATIO = 10
# The reason codes of the returns, in turn: every action class of billing_sepa's reason codes
# (re-present, suspend the mandate, dispute, technical) and a refund (MD06).
REASONS = ["AM04", "AM04", "AM04", "MS03", "AC04", "MD01", "MS02", "MD06", "MD06", "FF01"]
# Every fourth return carries the charge the debtor bank kept.
CHARGE = 3.00
get_param, set_param = benchlib.config_params("bench_returns.")


def chunks(items, size=CHUNK):
    return benchlib.chunks(items, size)


# ---------------------------------------------------------------------------- seeding


def seed(odoo, registry, n, file_path):
    from odoo import Command, fields  # noqa: PLC0415

    clock = benchlib.Clock(odoo.sql_db, cpu=True)
    customers = bench_sepa.generate_customers(n)
    today = fields.Date.today()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, dict(benchlib.SEEDING_CONTEXT))
        with clock("company, chart of accounts, bank journal"):
            company, journal = _seed_company(env)
            env = env(context=dict(env.context, allowed_company_ids=[company.id]))
            company, journal = company.with_env(env), journal.with_env(env)
            cr.commit()
        with clock(f"{n} customers, IBANs, active mandates"):
            country_ids = {code: env.ref(f"base.{code.lower()}").id for code in ("DE", "NL")}
            for batch in chunks(customers, 2000):
                partners = env["res.partner"].create(
                    [
                        {
                            "name": c["name"],
                            "is_company": c["is_company"],
                            "ref": c["ref"],
                            "street": c["street"],
                            "zip": c["zip"],
                            "city": c["city"],
                            "country_id": country_ids[c["country"]],
                            "customer_rank": 1,
                            "sepa_direct_debit": True,
                        }
                        for c in batch
                    ]
                )
                banks = env["res.partner.bank"].create(
                    [
                        {"acc_number": c["iban"], "partner_id": p.id}
                        for p, c in zip(partners, batch, strict=True)
                    ]
                )
                env["billing.sepa.mandate"].create(
                    [
                        {
                            "name": f"BM-{c['ref']}",
                            "company_id": company.id,
                            "partner_id": p.id,
                            "partner_bank_id": b.id,
                            "scheme": "CORE",
                            "mandate_type": "recurrent",
                            "signature_date": today - datetime.timedelta(days=c["signed_days_ago"]),
                            "state": "active",
                        }
                        for p, b, c in zip(partners, banks, batch, strict=True)
                    ]
                )
                cr.commit()
        accounts = {
            "journal": env["account.journal"].search(
                [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
            ),
            "income": env["account.chart.template"].ref("income"),
            "receivable": env["account.chart.template"].ref("receivable"),
        }
        # The invoices are posted and collected two weeks ago, so that the bank's returns, a few
        # days after the collection, are booked by today (the OCA posts no entry dated later).
        clock_back = freezegun.freeze_time(today - datetime.timedelta(days=14), tick=True)
        clock_back.start()
        invoice_date = today - datetime.timedelta(days=54)
        dates = {"invoice": invoice_date, "due": invoice_date}
        partners = env["res.partner"].search(
            [("company_id", "in", [False, company.id]), ("ref", "!=", False)]
        )
        by_ref = {partner.ref: partner for partner in partners}
        with clock(f"{n} invoices, posted by {CHUNK}"):
            pairs = [(by_ref[c["ref"]], c["amount"]) for c in customers]
            benchlib.post_one_line_invoices(env, pairs, accounts, dates, Command, CHUNK)
        Batch = env["billing.sepa.batch"]
        with clock(f"collection of {n} debits: gathered, file, sent"):
            cr.execute(
                "SELECT max(sepa_collection_date) FROM account_move WHERE company_id = %s", [company.id]
            )
            collection_date = cr.fetchone()[0]
            batch = Batch.browse(Batch.create_collection(collection_date, company.id, journal.id))
            batch.action_generate_file()
            batch.action_mark_sent()
            cr.commit()
        with clock(f"collection of {n} debits booked and reconciled"):
            batch.action_mark_collected()
            cr.commit()
            while batch.state == "booking":
                for cron_method in (Batch._cron_book_collections, Batch._cron_reconcile_collections):
                    env.invalidate_all()
                    cron_method()
                    cr.commit()
                if batch.booking_error:
                    sys.exit(f"bench_returns.py: the booking stopped: {batch.booking_error}")
        clock_back.stop()
        set_param(env, "batch_id", batch.id)
        with clock(f"camt.054 of {n} returns written"):
            size = _write_camt054(env, batch, file_path, today)
        counts = _seed_check(env, company, batch, n)
        counts["camt.054 bytes"] = size
        set_param(env, "n", n)
        cr.commit()
    total = benchlib.print_seeding_total(clock)
    return {"n": n, "phases": clock.phases, "seconds": total, "counts": counts}


def _seed_company(env):
    company = benchlib.create_company(
        env,
        {
            "name": COMPANY_NAME,
            "currency_id": env.ref("base.EUR").id,
            **benchlib.berlin_address(env),
            "sepa_creditor_identifier": bench_sepa.CREDITOR_IDENTIFIER,
        },
    )
    journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "bank")], limit=1)
    journal.bank_account_id = env["res.partner.bank"].create(
        {"acc_number": CREDITOR_IBAN, "partner_id": company.partner_id.id}
    )
    chart = env["account.chart.template"].with_company(company)
    outstanding = chart.ref("account_journal_payment_debit_account_id")
    journal.inbound_payment_method_line_ids.write({"payment_account_id": outstanding.id})
    company.sepa_return_charge_account_id = chart.ref("expense")
    set_param(env, "company_id", company.id)
    set_param(env, "journal_id", journal.id)
    return company, journal


def _write_camt054(env, batch, file_path, today):
    """The bank's camt.054.001.02 returning every debit of ``batch``: one booked entry per return.

    Written in version .02, the one version the OCA's ISO 20022 import reads; booked three days
    after the collection (today at the latest).
    """
    lines = batch.line_ids.sorted("id")
    booked = min(batch.collection_date + datetime.timedelta(days=3), today).isoformat()
    settled = batch.collection_date.isoformat()
    entries = []
    for index, line in enumerate(lines):
        code = REASONS[index % len(REASONS)]
        amount = line.amount
        charge = CHARGE if index % 4 == 0 else 0.0
        charges = f'<Chrgs><Amt Ccy="EUR">{charge:.2f}</Amt></Chrgs>' if charge else ""
        mandate = line.mandate_id
        entries.append(
            f'<Ntry><Amt Ccy="EUR">{amount + charge:.2f}</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>'
            f"<BookgDt><Dt>{booked}</Dt></BookgDt><ValDt><Dt>{booked}</Dt></ValDt>"
            f"<AcctSvcrRef>RTN{index + 1:07d}</AcctSvcrRef>"
            "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>"
            "<NtryDtls><TxDtls>"
            f"<Refs><MsgId>{batch.message_identifier}</MsgId><EndToEndId>{line.end_to_end_id}</EndToEndId>"
            f"<MndtId>{mandate.name}</MndtId></Refs>"
            f'<AmtDtls><InstdAmt><Amt Ccy="EUR">{amount:.2f}</Amt></InstdAmt></AmtDtls>{charges}'
            f"<RltdPties><Dbtr><Nm>{_xml_text(line.move_id.commercial_partner_id.name)}</Nm></Dbtr>"
            f"<DbtrAcct><Id><IBAN>{mandate.partner_bank_id.sanitized_acc_number}</IBAN></Id></DbtrAcct></RltdPties>"
            f"<RltdDts><IntrBkSttlmDt>{settled}</IntrBkSttlmDt></RltdDts>"
            f"<RtrInf><Rsn><Cd>{code}</Cd></Rsn><AddtlInf>Rücklastschrift {code}</AddtlInf></RtrInf>"
            "</TxDtls></NtryDtls></Ntry>\n"
        )
    data = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"><BkToCstmrDbtCdtNtfctn>'
        f"<GrpHdr><MsgId>RTN-{batch.message_identifier}</MsgId><CreDtTm>{booked}T06:00:00</CreDtTm></GrpHdr>"
        f"<Ntfctn><Id>RTN-{batch.id}</Id><CreDtTm>{booked}T06:00:00</CreDtTm>"
        f"<Acct><Id><IBAN>{CREDITOR_IBAN}</IBAN></Id></Acct>\n{''.join(entries)}</Ntfctn>"
        "</BkToCstmrDbtCdtNtfctn></Document>\n"
    ).encode()
    with open(file_path, "wb") as file:
        file.write(data)
    return len(data)


def _xml_text(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _seed_check(env, company, batch, n):
    counts = {
        "debits collected": len(batch.line_ids),
        "batch state": batch.state,
        "invoices paid": env["account.move"].search_count(
            [
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("payment_state", "in", ("paid", "in_payment")),
            ]
        ),
    }
    benchlib.print_check(eur := benchlib.check_eur_company(env, company))
    benchlib.print_check(counts)
    if counts["debits collected"] != n or counts["invoices paid"] != n or batch.state != "collected":
        sys.exit(f"bench_returns.py: the seed is incomplete, expected {n} collected debits")
    return {**counts, **eur}


# ---------------------------------------------------------------------------- contenders


class Contender:
    def __init__(self, env, file_path):
        self.env = env
        self.company = env["res.company"].browse(int(get_param(env, "company_id")))
        self.journal = env["account.journal"].browse(int(get_param(env, "journal_id")))
        self.batch = env["billing.sepa.batch"].browse(int(get_param(env, "batch_id")))
        self.n = int(get_param(env, "n"))
        with open(file_path, "rb") as file:
            self.data = file.read()
        self.file_name = file_path.rsplit("/", 1)[-1]

    def reopened(self):
        """Invoices of the batch open again for their whole amount."""
        invoices = self.batch.line_ids.move_id
        invoices.invalidate_recordset()
        return len(invoices.filtered(lambda move: move.payment_state == "not_paid" and move.amount_residual))


class Ours(Contender):
    name = "ours"
    chunk_size = None

    def steps(self):
        return [
            ("import", "import_file: parse, match (the request)", self.import_file),
            ("book", "scheduled action: book, act, per chunk", self.book),
        ]

    def import_file(self):
        import base64  # noqa: PLC0415

        import odoo  # noqa: PLC0415

        # The queries and time of each chunk of the import, measured around its chunk method.
        self.chunks = chunks_seen = []
        Import = self.env["billing.sepa.return.import"]
        model_class = type(Import)
        original = model_class._create_returns_chunk

        def measured(record, entries, *args, **kwargs):
            meter = benchlib.Meter(odoo.sql_db)
            with meter:
                result = original(record, entries, *args, **kwargs)
            chunks_seen.append(
                {
                    "kind": "import",
                    "returns": len(entries),
                    "seconds": round(meter.seconds, 2),
                    "queries": meter.queries,
                }
            )
            return result

        if self.chunk_size:
            self.env["ir.config_parameter"].set_param("billing_sepa.booking_chunk_size", self.chunk_size)
        model_class._create_returns_chunk = measured
        try:
            self.result_vals = Import.import_file(
                base64.b64encode(self.data).decode(), self.file_name, self.company.id
            )
        finally:
            model_class._create_returns_chunk = original

    def book(self):
        """The scheduled action's calls until the import is booked, each committed as the cron
        framework does (one call per chunk), measured with its commit."""
        import odoo  # noqa: PLC0415

        Import = self.env["billing.sepa.return.import"]
        record = Import.browse(self.result_vals["id"])
        Return = self.env["billing.sepa.return"]
        booked = Return.search_count([("import_id", "=", record.id), ("state", "=", "booked")])
        while record.state == "booking" and not record.booking_error:
            meter = benchlib.Meter(odoo.sql_db)
            with meter:
                Import._cron_book_returns()
                self.env.flush_all()
                self.env.cr.commit()
            self.env.invalidate_all()
            now_booked = Return.search_count([("import_id", "=", record.id), ("state", "=", "booked")])
            self.chunks.append(
                {
                    "kind": "book",
                    "returns": now_booked - booked,
                    "seconds": round(meter.seconds, 2),
                    "queries": meter.queries,
                }
            )
            booked = now_booked
        if record.booking_error:
            sys.exit(f"bench_returns.py: the booking stopped: {record.booking_error}")

    def result(self):
        returns = self.env["billing.sepa.return"].search([("company_id", "=", self.company.id)])
        booked = returns.filtered(lambda ret: ret.state == "booked")
        return {
            "returns": len(returns),
            "booked": len(booked),
            "entries": len(booked.move_id),
            "reopened invoices": self.reopened(),
            "chunks": self.chunks,
        }


class Oca(Contender):
    """OCA account_payment_return with its ISO 20022 import: the wizard, then Confirm per return."""

    name = "oca"
    budget = None

    def steps(self):
        return [
            ("import", "payment.return.import: import + match", self.import_file),
            ("confirm", "action_confirm per payment return", self.confirm),
        ]

    def import_file(self):
        import base64  # noqa: PLC0415

        wizard = (
            self.env["payment.return.import"]
            .with_context(journal_id=self.journal.id)
            .create({"data_file": base64.b64encode(self.data), "journal_id": self.journal.id})
        )
        action = wizard.import_file()
        self.returns = self.env["payment.return"].search(
            [("company_id", "=", self.company.id), ("state", "=", "draft")], order="id"
        )
        if not action or not self.returns:
            sys.exit("bench_returns.py: the OCA import created no payment return")
        # The bank journal's incoming method, whose outstanding account the return credits (the
        # user picks it on the return's form).
        method_line = self.journal.inbound_payment_method_line_ids[:1]
        self.returns.write({"payment_method_line_id": method_line.id})

    def confirm(self):
        """Confirm every payment return, each in its own request, until done or out of budget."""
        self.confirmed = 0
        start = time.perf_counter()
        for payment_return in self.returns:
            payment_return.action_confirm()
            self.env.flush_all()
            self.env.cr.commit()
            self.env.invalidate_all()
            self.confirmed += 1
            if self.budget and time.perf_counter() - start > self.budget:
                break

    def result(self):
        lines = self.env["payment.return.line"].search([("return_id", "in", self.returns.ids)])
        matched = lines.filtered(lambda line: line.move_line_ids)
        return {
            "payment returns": len(self.returns),
            "lines": len(lines),
            "matched": len(matched),
            "confirmed": self.confirmed,
            "reopened invoices": self.reopened(),
        }


CONTENDERS = {"ours": Ours, "oca": Oca}


def run(odoo, registry, contender_name, file_path, budget=None, chunk_size=None, profile_file=None):
    clock = benchlib.Clock(odoo.sql_db, cpu=True)
    profile_text = None
    load_before = benchlib.load_average()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company_id = int(get_param(env, "company_id"))
        env = env(context={"allowed_company_ids": [company_id], "tz": "Europe/Berlin", "lang": "en_US"})
        contender = CONTENDERS[contender_name](env, file_path)
        contender.budget = budget
        contender.chunk_size = chunk_size
        steps = []
        # With a profile file, every step of the contender under one profiler.
        profiler = benchlib.profiler_for(profile_file)
        for key, label, step in contender.steps():
            env.invalidate_all()
            with clock(label):
                benchlib.request(env, step, profiler)
            steps.append(dict(clock.phases[-1], key=key))
        if profiler:
            profile_text = benchlib.profile_report(profiler, 40, profile_file)
        env.invalidate_all()
        result = contender.result()
    result["load_average"] = f"{load_before} -> {benchlib.load_average():.1f}"
    benchlib.print_result({key: value for key, value in result.items() if key != "chunks"})
    if profile_text:
        print(profile_text, flush=True)
    complete = result.get("confirmed", contender.n) == contender.n
    if complete and result["reopened invoices"] != contender.n:
        sys.exit(f"bench_returns.py: {contender_name} did not reopen all {contender.n} invoices")
    return {
        "contender": contender_name,
        "n": contender.n,
        "steps": steps,
        "result": result,
        "complete": complete,
    }


# ---------------------------------------------------------------------------- report


def report(paths):
    results = benchlib.load_results(paths)
    seeds = [r for r in results if "contender" not in r]
    runs = {r["contender"]: r for r in results if "contender" in r}
    if "ours" not in runs:
        sys.exit("bench_returns.py report: no result for billing_sepa")
    ours = runs["ours"]
    n = ours["n"]
    lines = [
        f"SEPA returns benchmark, N = {n}: one camt.054.001.02 returning every debit of a collected batch"
    ]
    for seed_result in seeds:
        lines.append(f"seeding: {seed_result['seconds']:.1f} s (not compared), {seed_result['counts']}")
    ours_seconds = sum(step["seconds"] for step in ours["steps"])
    ours_queries = sum(step["queries"] for step in ours["steps"])
    lines.append("")
    for step in ours["steps"]:
        cpu = f" (Odoo CPU {step['cpu']:.1f} s)" if "cpu" in step else ""
        lines.append(
            f"billing_sepa  {step['label']:<40} {step['seconds']:9.2f} s {step['queries']:9d} q{cpu}"
        )
    lines.append(f"billing_sepa  total{'':<36} {ours_seconds:9.2f} s {ours_queries:9d} q")
    chunks_done = ours["result"].get("chunks") or []
    for kind, what in (
        ("import", "stored and matched"),
        ("book", "booked (a cron call each, commit included)"),
    ):
        done = [chunk for chunk in chunks_done if chunk.get("kind", "import") == kind]
        if not done:
            continue
        queries = [chunk["queries"] for chunk in done]
        sizes = [chunk["returns"] for chunk in done]
        lines.append(
            f"  {len(done)} chunks of up to {max(sizes)} returns {what}: queries per chunk "
            f"{', '.join(str(q) for q in queries)} (min {min(queries)}, max {max(queries)}); "
            f"seconds per chunk {min(c['seconds'] for c in done):.2f}-{max(c['seconds'] for c in done):.2f}"
        )
    lines.append("  result: " + ", ".join(f"{k} {v}" for k, v in ours["result"].items() if k != "chunks"))
    oca = runs.get("oca")
    if oca:
        oca_seconds = sum(step["seconds"] for step in oca["steps"])
        oca_queries = sum(step["queries"] for step in oca["steps"])
        for step in oca["steps"]:
            lines.append(f"OCA           {step['label']:<40} {step['seconds']:9.2f} s {step['queries']:9d} q")
        lines.append(f"OCA           total{'':<36} {oca_seconds:9.2f} s {oca_queries:9d} q")
        lines.append("  result: " + ", ".join(f"{k} {v}" for k, v in oca["result"].items()))
        ratio = oca_seconds / ours_seconds if ours_seconds else 0
        if oca["complete"]:
            lines.append(
                f"Ratio: billing_sepa is {ratio:.1f}x faster than OCA account_payment_return; "
                f"target >= {TARGET_RATIO}x: {'met' if ratio >= TARGET_RATIO else 'NOT met'}"
            )
        else:
            confirmed = oca["result"]["confirmed"]
            total = oca["result"]["payment returns"]
            confirm_step = next(step for step in oca["steps"] if step["key"] == "confirm")
            estimate = (
                oca_seconds - confirm_step["seconds"] + confirm_step["seconds"] * total / max(confirmed, 1)
            )
            lines.append(
                f"OCA stopped at its time budget: {confirmed} of {total} payment returns confirmed. "
                f"Ratio at least {ratio:.1f}x (measured time so far); about {estimate / ours_seconds:.0f}x "
                f"with the remaining confirmations at the same pace (estimate {estimate:.0f} s); "
                f"target >= {TARGET_RATIO}x: {'met' if ratio >= TARGET_RATIO else 'NOT met'}"
            )
    lines.append(
        f"Target billing_sepa under {TARGET_SECONDS} s: {'met' if ours_seconds < TARGET_SECONDS else 'NOT met'}"
    )
    lines.append(
        "1-minute load average before -> after each run (2 cores, shared): "
        + ", ".join(
            f"{name} {runs[name]['result'].get('load_average', '?')}"
            for name in ("ours", "oca")
            if name in runs
        )
    )
    print("\n".join(lines))


# ---------------------------------------------------------------------------- command line


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
            odoo, registry, args.contender, args.file, args.budget, args.chunk, args.profile_file
        ),
    )


if __name__ == "__main__":
    main(sys.argv[1:])
