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
:class:`Floor`), from a clean cache to its commit included; ``report`` prints the comparison.
"""

import datetime
import os
import re
import sys
import time

import bench_sepa
import benchlib
import benchlib_meter
import benchlib_seed
import benchlib_server
import freezegun

CHUNK = 1000
# What the floor does per chunk, each part measured on its own.
FLOOR_PARTS = ("remove_move_reconcile", "create", "action_post", "_reconcile_plan")
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
    return benchlib_seed.chunks(items, size)


# ---------------------------------------------------------------------------- seeding


def seed(odoo, registry, n, file_path):
    from odoo import Command, fields  # noqa: PLC0415

    clock = benchlib_meter.Clock(odoo.sql_db, cpu=True)
    customers = bench_sepa.generate_customers(n)
    today = fields.Date.today()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, dict(benchlib_seed.SEEDING_CONTEXT))
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
            benchlib_seed.post_one_line_invoices(env, pairs, accounts, dates, Command, CHUNK)
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
    company = benchlib_seed.create_company(
        env,
        {
            "name": COMPANY_NAME,
            "currency_id": env.ref("base.EUR").id,
            **benchlib_seed.berlin_address(env),
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
    benchlib.print_check(eur := benchlib_seed.check_eur_company(env, company))
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
    cron_workers = 1
    cron_server = None
    server_cpu = None

    def steps(self):
        return [
            ("import", "import_file: parse, match (the request)", self.import_file),
            ("book", "scheduled actions: book, follow up", self.book),
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
            meter = benchlib_meter.Meter(odoo.sql_db)
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
        """The two scheduled actions' runs until the import is booked.

        With ``cron_workers`` 1 they run here, in turn as a single cron worker runs them, each
        call committed as the cron framework does and measured with its commit (one chunk per
        call). With more, the multi-process Odoo server started by :meth:`start_cron_server`
        runs them in its cron workers, and the step lasts until the import is booked; the
        chunks' times come from the server's log.
        """
        import odoo  # noqa: PLC0415

        Import = self.env["billing.sepa.return.import"]
        record = Import.browse(self.result_vals["id"])
        if self.cron_server:
            self._wait_for_cron_server(record)
            return
        Return = self.env["billing.sepa.return"]

        def count(state, followed_up=None):
            domain = [("import_id", "=", record.id), ("state", "=", state)]
            if followed_up is not None:
                domain.append(("followed_up", "=", followed_up))
            return Return.search_count(domain)

        booked, followed_up = count("booked"), count("booked", True)
        while record.state == "booking" and not record.booking_error:
            for kind, cron_method in (
                ("book", Import._cron_book_returns),
                ("follow_up", Import._cron_follow_up_returns),
            ):
                meter = benchlib_meter.Meter(odoo.sql_db)
                with meter:
                    cron_method()
                    self.env.flush_all()
                    self.env.cr.commit()
                self.env.invalidate_all()
                now_booked, now_followed_up = count("booked"), count("booked", True)
                done = now_booked - booked if kind == "book" else now_followed_up - followed_up
                if done or kind == "book":
                    self.chunks.append(
                        {
                            "kind": kind,
                            "returns": done,
                            "followed_up": now_followed_up - followed_up,
                            "seconds": round(meter.seconds, 2),
                            "cpu": round(meter.cpu, 2),
                            "queries": meter.queries,
                        }
                    )
                booked, followed_up = now_booked, now_followed_up
        if record.booking_error:
            sys.exit(f"bench_returns.py: the booking stopped: {record.booking_error}")

    def start_cron_server(self, odoo_options, workers, log_path):
        """Start Odoo as production runs it, multi-process with ``workers`` cron workers.

        Only the two returns actions stay active; the server idles until the import triggers them.
        """
        self.cron_log = log_path
        self.cron_server, self.cron_server_cpu_start = benchlib_server.start_cron_server(
            self.env,
            odoo_options,
            workers,
            log_path,
            ["ir_cron_billing_sepa_book_returns", "ir_cron_billing_sepa_follow_up_returns"],
            wait_until_idle=True,
        )

    def _wait_for_cron_server(self, record):
        """Poll the import until the cron workers have booked it."""
        benchlib_server.wait_for_cron_server(
            self.env,
            self.cron_server,
            "billing_sepa_return_import",
            record.id,
            "bench_returns.py",
            self.cron_log,
            self.stop_cron_server,
        )
        self.server_cpu = (
            benchlib_meter.process_tree_cpu_seconds(self.cron_server.pid) - self.cron_server_cpu_start
        )

    def stop_cron_server(self):
        """Stop the server once the step is timed (its shutdown is not part of the booking)."""
        if not self.cron_server:
            return
        benchlib_server.stop_odoo_server(self.cron_server)
        self.cron_server = None
        pattern = re.compile(
            r"SEPA bank report .*: (\d+) returns (booked and followed up|booked|followed up) in (\d+(?:\.\d+)?) s$"
        )
        with open(self.cron_log, encoding="utf-8") as log:
            for line in log:
                match = pattern.search(line.rstrip())
                if match:
                    count, what, seconds = match.groups()
                    self.chunks.append(
                        {
                            "kind": "follow_up" if what == "followed up" else "book",
                            "returns": int(count),
                            "followed_up": 0 if what == "booked" else int(count),
                            "seconds": float(seconds),
                            "queries": None,
                        }
                    )

    def result(self):
        self.stop_cron_server()
        returns = self.env["billing.sepa.return"].search([("company_id", "=", self.company.id)])
        booked = returns.filtered(lambda ret: ret.state == "booked")
        return {
            "returns": len(returns),
            "booked": len(booked),
            "followed up": len(booked.filtered("followed_up")),
            "entries": len(booked.move_id),
            "reopened invoices": self.reopened(),
            "cron workers": self.cron_workers,
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


class Floor(Contender):
    """The floor: the same accounting work done by plain core ORM calls, no billing_sepa logic.

    What Odoo itself needs to book these returns, chunk by chunk as billing_sepa books them
    (its chunk size, one transaction each): the collection lines freed from the invoices
    (``remove_move_reconcile``), one entry per chunk and payment block with the same lines,
    accounts and amounts as billing_sepa's (a debit per debtor, the bank charges, the credit of
    outstanding receipts; plain line values, as a core user writes them), posted together
    (``action_post``), and each collection line reconciled with its debtor's new line in one
    plan for the chunk (``_reconcile_plan``, what ``reconcile()`` runs for one group). No
    matching, no reasons' actions, notes, activities or fees: what to book is read from the
    file and the batch beforehand, untimed.
    """

    name = "floor"
    chunk_size = None

    def steps(self):
        return [("book", "core ORM: unreconcile, create, post, reconcile", self.book)]

    def prepare(self):
        """Per chunk and payment block, what billing_sepa books: read untimed."""
        booked = {}
        for entry in re.findall(rb"<Ntry>.*?</Ntry>", self.data, re.S):
            end_to_end = re.search(rb"<EndToEndId>(.*?)</EndToEndId>", entry).group(1).decode()
            charge = re.search(rb'<Chrgs><Amt Ccy="EUR">([0-9.]+)</Amt>', entry)
            date = re.search(rb"<BookgDt><Dt>(.*?)</Dt>", entry).group(1).decode()
            booked[end_to_end] = (float(charge.group(1)) if charge else 0.0, date)
        lines = self.batch.line_ids.sorted("id")
        lines.fetch(["end_to_end_id", "collection_line_id", "payment_info_identifier"])
        by_end_to_end = {line.end_to_end_id: line for line in lines}
        # billing_sepa's chunk size (its setting, or its default), so both book the same chunks.
        size = self.chunk_size or self.env["billing.sepa.batch"]._get_booking_chunk_size()
        returned = [by_end_to_end[end_to_end] for end_to_end in booked]  # in the file's order
        self.plan = []
        for chunk in chunks(returned, size):
            blocks = {}
            for line in chunk:
                blocks.setdefault(line.payment_info_identifier, []).append(line)
            moves_vals, pairs = [], []
            for block, block_lines in blocks.items():
                collection_move = block_lines[0].collection_line_id.move_id
                outstanding = collection_move.line_ids.filtered(
                    lambda aml: aml.account_id.account_type != "asset_receivable"
                )[:1].account_id
                line_vals, charges = [], 0.0
                for line in block_lines:
                    collection_line = line.collection_line_id
                    line_vals.append(
                        {
                            "name": line.end_to_end_id,
                            "account_id": collection_line.account_id.id,
                            "partner_id": collection_line.partner_id.id,
                            "balance": -collection_line.balance,
                        }
                    )
                    charges += booked[line.end_to_end_id][0]
                    pairs.append((collection_line.id, len(moves_vals), line.end_to_end_id))
                total = sum(vals["balance"] for vals in line_vals)
                charges = round(charges, 2)
                if charges:
                    line_vals.append(
                        {
                            "name": f"Bank charges {block}",
                            "account_id": self.company.sepa_return_charge_account_id.id,
                            "balance": charges,
                        }
                    )
                line_vals.append(
                    {"name": block, "account_id": outstanding.id, "balance": -round(total + charges, 2)}
                )
                moves_vals.append(
                    {
                        "move_type": "entry",
                        "journal_id": self.journal.id,
                        "date": max(booked[line.end_to_end_id][1] for line in block_lines),
                        "ref": f"SEPA returns of {self.batch.name} ({block})",
                        "line_ids": [(0, 0, vals) for vals in line_vals],
                    }
                )
            self.plan.append((moves_vals, pairs))
        self.env.invalidate_all()

    def book(self):
        """Each chunk in its own transaction, as a scheduled action would book it.

        Each part is flushed and measured on its own (its wall time, Odoo CPU and queries), so
        that the report shows where core spends the time.
        """
        import odoo  # noqa: PLC0415

        Move, Line = self.env["account.move"], self.env["account.move.line"]
        self.chunks, self.moves = [], Move
        self.parts = {part: {"seconds": 0.0, "cpu": 0.0, "queries": 0} for part in FLOOR_PARTS}
        for moves_vals, pairs in self.plan:
            found = {}

            def unreconcile(pairs=pairs):
                Line.browse([collection_id for collection_id, _move, _name in pairs]).remove_move_reconcile()

            def create(moves_vals=moves_vals, found=found):
                found["moves"] = Move.create(moves_vals)

            def post(found=found):
                found["moves"].action_post()

            def reconcile(pairs=pairs, found=found):
                debit_ids = {
                    (index, aml.name): aml.id
                    for index, move in enumerate(found["moves"])
                    for aml in move.line_ids
                    if aml.account_id.account_type == "asset_receivable"
                }
                plan_ids = [(collection_id, debit_ids[index, name]) for collection_id, index, name in pairs]
                # One prefetch set for the whole plan, as billing_sepa gives it.
                all_ids = tuple(aml_id for ids in plan_ids for aml_id in ids)
                Line._reconcile_plan([Line.browse(ids).with_prefetch(all_ids) for ids in plan_ids])

            meter = benchlib_meter.Meter(odoo.sql_db)
            with meter:
                for part, call in zip(FLOOR_PARTS, (unreconcile, create, post, reconcile), strict=True):
                    part_meter = benchlib_meter.Meter(odoo.sql_db)
                    with part_meter:
                        call()
                        self.env.flush_all()
                    for key in ("seconds", "cpu", "queries"):
                        self.parts[part][key] += getattr(part_meter, key)
                self.env.cr.commit()
            self.env.invalidate_all()
            self.moves |= found["moves"]
            self.chunks.append(
                {
                    "kind": "book",
                    "returns": len(pairs),
                    "seconds": round(meter.seconds, 2),
                    "cpu": round(meter.cpu, 2),
                    "queries": meter.queries,
                }
            )

    def result(self):
        receivable = self.moves.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable"
        )
        return {
            "entries": len(self.moves),
            "lines": len(self.moves.line_ids),
            "posted": len(self.moves.filtered(lambda move: move.state == "posted")),
            "reconciled": len(receivable.filtered("reconciled")),
            "reopened invoices": self.reopened(),
            "chunks": self.chunks,
            "parts": {
                part: {key: round(value, 2) for key, value in figures.items()}
                for part, figures in self.parts.items()
            },
        }


CONTENDERS = {"ours": Ours, "floor": Floor, "oca": Oca}


def run(
    odoo, registry, contender_name, file_path, budget=None, chunk_size=None, profile_file=None, cron=None
):
    """Time one contender's steps; ``cron`` (odoo_options, workers, log) books ours in a server."""
    clock = benchlib_meter.Clock(odoo.sql_db, cpu=True)
    profile_text = None
    load_before = benchlib_meter.load_average()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company_id = int(get_param(env, "company_id"))
        env = env(context={"allowed_company_ids": [company_id], "tz": "Europe/Berlin", "lang": "en_US"})
        contender = CONTENDERS[contender_name](env, file_path)
        contender.budget = budget
        contender.chunk_size = chunk_size
        if contender_name == "ours" and cron:
            # Started before the steps, so that its start-up is not timed; it idles until the
            # import triggers the booking actions.
            odoo_options, contender.cron_workers, log_path = cron
            contender.start_cron_server(odoo_options, contender.cron_workers, log_path)
        if hasattr(contender, "prepare"):
            contender.prepare()  # untimed
        steps = []
        # With a profile file, every step of the contender under one profiler.
        profiler = benchlib_meter.profiler_for(profile_file)
        for key, label, step in contender.steps():
            env.invalidate_all()
            with clock(label):
                benchlib_meter.request(env, step, profiler)
            steps.append(dict(clock.phases[-1], key=key))
            if key == "book" and getattr(contender, "server_cpu", None) is not None:
                # The booking ran in the server's cron workers: their CPU time, not this process's.
                # Its queries are the server's, not counted here (this process only polled).
                steps[-1].update(cpu=steps[-1]["cpu"] + contender.server_cpu, in_server=True, queries=None)
        if profiler:
            profile_text = benchlib_meter.profile_report(profiler, 40, profile_file)
        env.invalidate_all()
        result = contender.result()
    result["load_average"] = f"{load_before} -> {benchlib_meter.load_average():.1f}"
    # This process's (the booking of ours with more than one cron worker ran in the server).
    result["peak RSS MB"] = round(benchlib_meter.peak_rss_mb())
    benchlib.print_result({key: value for key, value in result.items() if key not in ("chunks", "parts")})
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
    ours_queries = sum(step["queries"] or 0 for step in ours["steps"])
    ours_cpu = sum(step.get("cpu", 0) for step in ours["steps"])
    in_server = any(step.get("in_server") for step in ours["steps"])
    workers = ours["result"].get("cron workers", 1)
    lines.append("")
    for step in ours["steps"]:
        cpu = f" (Odoo CPU {step['cpu']:.1f} s)" if "cpu" in step else ""
        queries = f"{step['queries']:9d} q" if step["queries"] is not None else f"{'(server)':>11}"
        lines.append(f"billing_sepa  {step['label']:<40} {step['seconds']:9.2f} s {queries}{cpu}")
    lines.append(
        f"billing_sepa  total{'':<36} {ours_seconds:9.2f} s {ours_queries:9d} q (Odoo CPU {ours_cpu:.1f} s)"
        + (" (queries of the request only)" if in_server else "")
    )
    if in_server:
        lines.append(
            f"  the booking ran in an Odoo server with {workers} cron workers (--workers=1); its Odoo CPU "
            "is the server processes' CPU time during the step"
        )
    chunks_done = ours["result"].get("chunks") or []
    for kind, what in (
        ("import", "stored and matched"),
        ("book", "booked" + ("" if in_server else " (a cron call each, commit included)")),
        ("follow_up", "followed up" + ("" if in_server else " (a cron call each, commit included)")),
    ):
        done = [chunk for chunk in chunks_done if chunk.get("kind", "import") == kind and chunk["returns"]]
        if not done:
            continue
        queries = [chunk["queries"] for chunk in done if chunk["queries"] is not None]
        sizes = [chunk["returns"] for chunk in done]
        both = sum(1 for chunk in done if kind == "book" and chunk.get("followed_up"))
        query_text = (
            f"queries per chunk {', '.join(str(q) for q in queries)} (min {min(queries)}, max {max(queries)}); "
            if queries
            else ""
        )
        lines.append(
            f"  {len(done)} chunks of up to {max(sizes)} returns {what}"
            + (f" ({both} of them followed up in the same transaction)" if both else "")
            + f": {query_text}seconds per chunk "
            f"{min(c['seconds'] for c in done):.2f}-{max(c['seconds'] for c in done):.2f}"
        )
    lines.append("  result: " + ", ".join(f"{k} {v}" for k, v in ours["result"].items() if k != "chunks"))
    floor = runs.get("floor")
    if floor:
        lines += _floor_lines(ours, floor, chunks_done, in_server)
    oca = runs.get("oca")
    if oca:
        oca_seconds = sum(step["seconds"] for step in oca["steps"])
        oca_queries = sum(step["queries"] for step in oca["steps"])
        oca_cpu = sum(step.get("cpu", 0) for step in oca["steps"])
        for step in oca["steps"]:
            cpu = f" (Odoo CPU {step['cpu']:.1f} s)" if "cpu" in step else ""
            lines.append(
                f"OCA           {step['label']:<40} {step['seconds']:9.2f} s {step['queries']:9d} q{cpu}"
            )
        lines.append(
            f"OCA           total{'':<36} {oca_seconds:9.2f} s {oca_queries:9d} q (Odoo CPU {oca_cpu:.1f} s)"
        )
        lines.append("  result: " + ", ".join(f"{k} {v}" for k, v in oca["result"].items()))
        ratio = oca_seconds / ours_seconds if ours_seconds else 0
        if oca["complete"]:
            lines.append(
                f"Ratio: billing_sepa is {ratio:.1f}x faster than OCA account_payment_return "
                f"({oca_cpu / ours_cpu if ours_cpu else 0:.1f}x in Odoo CPU, "
                f"{oca_queries / ours_queries if ours_queries else 0:.1f}x fewer queries); "
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
            for name in ("ours", "floor", "oca")
            if name in runs
        )
    )
    print("\n".join(lines))


def _floor_lines(ours, floor, ours_chunks, in_server):
    """The floor's figures, and billing_sepa's against them (all of it, and its booking action)."""
    lines = []
    step = floor["steps"][0]
    floor_seconds, floor_cpu, floor_queries = step["seconds"], step.get("cpu", 0), step["queries"]
    lines.append(
        f"floor (core)  {step['label']:<40} {floor_seconds:9.2f} s {floor_queries:9d} q "
        f"(Odoo CPU {floor_cpu:.1f} s)"
    )
    done = floor["result"].get("chunks") or []
    if done:
        lines.append(
            f"  {len(done)} chunks of up to {max(c['returns'] for c in done)} returns booked (commit included): "
            f"queries per chunk {', '.join(str(c['queries']) for c in done)}; seconds per chunk "
            f"{min(c['seconds'] for c in done):.2f}-{max(c['seconds'] for c in done):.2f}, Odoo CPU per chunk "
            f"{min(c['cpu'] for c in done):.2f}-{max(c['cpu'] for c in done):.2f}"
        )
    lines.append(
        "  result: "
        + ", ".join(f"{k} {v}" for k, v in floor["result"].items() if k not in ("chunks", "parts"))
    )
    parts = floor["result"].get("parts") or {}
    if parts:
        lines.append(
            "  by part (each flushed, all chunks): "
            + "; ".join(
                f"{part} {figures['seconds']:.1f} s, Odoo CPU {figures['cpu']:.1f} s, {figures['queries']} q"
                for part, figures in parts.items()
            )
        )
    ours_seconds = sum(step["seconds"] for step in ours["steps"])
    ours_cpu = sum(step.get("cpu", 0) for step in ours["steps"])
    lines.append(
        f"Ratio to the floor: billing_sepa in all (request + booking + follow-up) / floor: "
        f"{ours_seconds / floor_seconds:.2f}x wall, {ours_cpu / floor_cpu if floor_cpu else 0:.2f}x Odoo CPU"
    )
    booking = [chunk for chunk in ours_chunks if chunk.get("kind") == "book" and chunk.get("cpu") is not None]
    if booking and not in_server:
        seconds = sum(chunk["seconds"] for chunk in booking)
        cpu = sum(chunk["cpu"] for chunk in booking)
        queries = sum(chunk["queries"] for chunk in booking)
        both = sum(1 for chunk in booking if chunk.get("followed_up"))
        lines.append(
            f"  billing_sepa's booking action alone ({len(booking)} chunks"
            + (f", {both} of them followed up in the same transaction" if both else "")
            + f"): {seconds:.2f} s, {queries} q, Odoo CPU {cpu:.1f} s: "
            f"{seconds / floor_seconds:.2f}x the floor's wall, {cpu / floor_cpu if floor_cpu else 0:.2f}x its CPU, "
            f"{queries / floor_queries if floor_queries else 0:.2f}x its queries"
        )
    return lines


# ---------------------------------------------------------------------------- command line


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
