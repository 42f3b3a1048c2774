"""bench_returns.py run: the import of the returns by billing_sepa, by the OCA
(account_payment_return) and by plain Odoo (the floor), timed from a clean cache to the commit.
"""

import re
import sys
import time

import benchlib
import benchlib_meter
import benchlib_server
from bench_returns_seed import chunks, get_param

# What the floor does per chunk, each part measured on its own.
FLOOR_PARTS = ("remove_move_reconcile", "create", "action_post", "_reconcile_plan")


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
