"""bench_sepa.py run: the steps of each contender (billing_sepa, OCA classic, OCA alternative),
timed one after the other as requests would run them.
"""

import os
import sys
import time

import benchlib
import benchlib_meter
import benchlib_server
from bench_sepa_seed import get_param


class Contender:
    """Steps of one stack: (key, label, callable), run one after the other."""

    def __init__(self, env, today):
        self.env = env
        self.today = today
        self.company = env["res.company"].browse(int(get_param(env, "company_id")))
        self.journal = env["account.journal"].browse(int(get_param(env, "journal_id")))
        self.n = int(get_param(env, "n"))

    def invoices(self):
        return self.env["account.move"].search(
            [("company_id", "=", self.company.id), ("move_type", "=", "out_invoice")]
        )

    def result(self):
        invoices = self.invoices()
        paid = invoices.filtered(lambda move: move.payment_state in ("paid", "in_payment"))
        return {"invoices": len(invoices), "paid": len(paid)}


class Ours(Contender):
    name = "ours"
    cron_workers = 1
    cron_server = None

    def __init__(self, env, today):
        super().__init__(env, today)
        # Per step, the time of each of its transactions (the click, then each cron call).
        self.step_transactions = {}

    def steps(self):
        return [
            ("collect", "create_collection", self.create_collection),
            ("generate", "action_generate_file", self.generate),
            ("sent", "action_mark_sent", self.mark_sent),
            ("book", "action_mark_collected + booking cron", self.mark_collected),
        ]

    def create_collection(self):
        """The call, then the gathering action's runs until the batch is complete.

        A collection larger than ``billing_sepa.collection_chunk_size`` (BENCH_SEPA_COLLECTION_CHUNK
        sets it) comes back in "Gathering"; the scheduled action then runs here, one chunk per
        committed call as the cron framework runs it, each transaction timed.
        """
        chunk_size = os.environ.get("BENCH_SEPA_COLLECTION_CHUNK")
        if chunk_size:
            self.env["ir.config_parameter"].set_param("billing_sepa.collection_chunk_size", chunk_size)
        # The latest expected collection date: every posted invoice is due by then.
        self.env.cr.execute(
            "SELECT max(sepa_collection_date) FROM account_move WHERE company_id = %s",
            [self.company.id],
        )
        collection_date = self.env.cr.fetchone()[0]
        self.transactions = []
        start = time.perf_counter()
        batch_id = self.env["billing.sepa.batch"].create_collection(
            collection_date, self.company.id, self.journal.id
        )
        self.batch = self.env["billing.sepa.batch"].browse(batch_id)
        self._commit(start)
        self._run_cron_until("_cron_gather_collections", "gathering")
        self.step_transactions["collect"] = self.transactions

    def generate(self):
        """The click, then the file action's runs: one file, or one part of a large file, per transaction.

        BENCH_SEPA_MAX_PER_FILE sets the journal's limit of transactions per file first.
        """
        per_file = os.environ.get("BENCH_SEPA_MAX_PER_FILE")
        if per_file:
            self.journal.sepa_max_transactions_per_file = int(per_file)
        self.transactions = []
        start = time.perf_counter()
        self.batch.action_generate_file()
        self._commit(start)
        self._run_cron_until("_cron_generate_files", "generating")
        self.step_transactions["generate"] = self.transactions

    def _run_cron_until(self, cron_method, state):
        Batch = self.env["billing.sepa.batch"]
        while self.batch.state == state:
            self.env.invalidate_all()
            start = time.perf_counter()
            getattr(Batch, cron_method)()
            self._commit(start)

    def mark_sent(self):
        self.batch.action_mark_sent()

    def mark_collected(self):
        """The click, then the two scheduled actions' runs until the batch is booked.

        With ``cron_workers`` 1 the actions run here, one after the other as a single cron
        worker runs them, each run committed as the cron framework does. With more, the
        multi-process Odoo server started by :meth:`start_cron_server` runs them in its cron
        workers, and the step lasts until the batch is collected. Either way the step's time is
        the booking from end to end, and each transaction's time is kept: the longest is what
        a worker must allow.
        """
        chunk_size = os.environ.get("BENCH_SEPA_BOOKING_CHUNK")
        if chunk_size:
            self.env["ir.config_parameter"].set_param("billing_sepa.booking_chunk_size", chunk_size)
        self.transactions = self.step_transactions["book"] = []
        start = time.perf_counter()
        self.batch.action_mark_collected()
        self._commit(start)
        if self.cron_server:
            self._wait_for_cron_server()
            return
        Batch = self.env["billing.sepa.batch"]
        while self.batch.state == "booking":
            for cron_method in (Batch._cron_book_collections, Batch._cron_reconcile_collections):
                self.env.invalidate_all()
                start = time.perf_counter()
                cron_method()
                self._commit(start)
            if self.batch.booking_error:
                sys.exit(f"bench_sepa.py: the booking stopped: {self.batch.booking_error}")

    def start_cron_server(self, odoo_options, workers, log_path):
        """Start Odoo as production runs it, multi-process with ``workers`` cron workers.

        Only the two booking actions stay active.
        """
        self.cron_log = log_path
        self.cron_server, _cpu = benchlib_server.start_cron_server(
            self.env,
            odoo_options,
            workers,
            log_path,
            ["ir_cron_billing_sepa_book_collections", "ir_cron_billing_sepa_reconcile_collections"],
        )

    def _wait_for_cron_server(self):
        """Poll the batch until the cron workers have booked it; keep their transaction times."""
        benchlib_server.wait_for_cron_server(
            self.env,
            self.cron_server,
            "billing_sepa_batch",
            self.batch.id,
            "bench_sepa.py",
            self.cron_log,
            self.stop_cron_server,
        )

    def stop_cron_server(self):
        """Stop the server once the step is timed (its shutdown is not part of the booking)."""
        if self.cron_server:
            self.cron_server_peak_rss_mb = max(
                benchlib_meter.process_tree_peak_rss_mb(self.cron_server.pid).values(), default=0
            )
            benchlib_server.stop_odoo_server(self.cron_server)
            self.transactions += benchlib_server.logged_seconds(self.cron_log, "odoo.addons.billing_sepa")
            self.cron_server = None

    def _commit(self, start):
        self.env.flush_all()
        self.env.cr.commit()
        self.transactions.append(time.perf_counter() - start)

    def result(self):
        self.stop_cron_server()
        result = super().result()
        result.update(
            state=self.batch.state,
            transactions=self.batch.line_count,
            file_bytes=sum(self.batch.file_attachment_ids.mapped("file_size")),
            format=self.batch.journal_id.sepa_pain_version,
            booking_transactions=[round(seconds, 2) for seconds in self.step_transactions.get("book", [])],
            step_transactions={
                key: [round(seconds, 2) for seconds in seconds_list]
                for key, seconds_list in self.step_transactions.items()
            },
            booking_chunk=self.env["billing.sepa.batch"]._get_booking_chunk_size(),
            cron_workers=self.cron_workers,
        )
        return result


class OcaOrder(Contender):
    """Both OCA stacks: a debit order filled by the "Create Transactions" wizard."""

    def steps(self):
        return [
            ("collect", "new debit order + Create Transactions", self.create_order),
            ("confirm", "draft2open", self.confirm),
            ("generate", "open2generated", self.generate),
            ("book", "generated2uploaded", self.uploaded),
        ]

    def create_order(self):
        order = self.env["account.payment.order"].create(self._order_vals())
        wizard = (
            self.env["account.payment.line.create"]
            .with_context(active_model="account.payment.order", active_id=order.id)
            .create(self._wizard_vals())
        )
        wizard.populate()  # "Add all move lines"
        wizard.create_payment_lines()  # "Create Transactions"
        self.order = order

    def confirm(self):
        self.order.draft2open()

    def generate(self):
        self.order.open2generated()

    def uploaded(self):
        self.order.generated2uploaded()

    def result(self):
        result = super().result()
        result.update(
            state=self.order.state,
            transactions=len(self.order.payment_line_ids),
            payments=len(self.order.payment_ids),
            file_bytes=sum(self._file().mapped("file_size")),
            format=self.order.payment_method_id.pain_version,
        )
        return result


class OcaClassic(OcaOrder):
    name = "classic"

    def _order_vals(self):
        mode = self.env["account.payment.mode"].browse(int(get_param(self.env, "mode_id")))
        return {"payment_mode_id": mode.id, "payment_type": "inbound"}

    def _wizard_vals(self):
        return {"date_type": "due", "due_on": "<=", "filter_date": self.today}

    def _file(self):
        return self.env["ir.attachment"].search(
            [("res_model", "=", "account.payment.order"), ("res_id", "=", self.order.id)]
        )


class OcaAlternative(OcaOrder):
    name = "alt"

    def _order_vals(self):
        line_id = int(get_param(self.env, "method_line_id"))
        return {"payment_method_line_id": line_id, "payment_type": "inbound"}

    def _wizard_vals(self):
        return {"date_type": "due", "due_date": self.today}

    def _file(self):
        return self.order.payment_file_id


CONTENDERS = {"ours": Ours, "classic": OcaClassic, "alt": OcaAlternative}


def run(odoo, registry, contender_name, profile_step=None, profile_file=None, cron=None):
    """Time one contender's steps; ``cron`` (odoo_options, workers, log) books ours in a server."""
    from odoo import fields  # noqa: PLC0415

    clock = benchlib_meter.Clock(odoo.sql_db, cpu=True)
    profile_text = None
    load_before = benchlib_meter.load_average()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company_id = int(get_param(env, "company_id"))
        env = env(context={"allowed_company_ids": [company_id], "tz": "Europe/Berlin", "lang": "en_US"})
        contender = CONTENDERS[contender_name](env, fields.Date.context_today(env["res.partner"]))
        if contender_name == "ours" and cron:
            # Started before the steps, so that its start-up is not timed; it idles until the
            # click triggers the booking actions.
            odoo_options, contender.cron_workers, log_path = cron
            contender.start_cron_server(odoo_options, contender.cron_workers, log_path)
        steps = []
        # BENCH_SEPA_STEPS=collect,generate: only these steps, in order (a partial run, e.g. at
        # N = 100 000 where the booking outlasts a session; its result is not checked as paid).
        only_steps = [key for key in os.environ.get("BENCH_SEPA_STEPS", "").split(",") if key]
        for key, label, step in contender.steps():
            if only_steps and key not in only_steps:
                continue
            env.invalidate_all()  # a new request starts with an empty cache
            profiler = benchlib_meter.profiler_for(key == profile_step)
            with clock(label):
                benchlib_meter.request(env, step, profiler)
            steps.append(dict(clock.phases[-1], key=key, peak_rss_mb=benchlib_meter.peak_rss_mb()))
            if profiler:
                profile_text = benchlib_meter.profile_report(profiler, 25, profile_file)
        env.invalidate_all()
        result = contender.result()
    result["load_average"] = f"{load_before} -> {benchlib_meter.load_average():.1f}"
    result["peak_rss_mb"] = round(benchlib_meter.peak_rss_mb())
    if getattr(contender, "cron_server_peak_rss_mb", None):
        result["cron_server_peak_rss_mb"] = round(contender.cron_server_peak_rss_mb)
    benchlib.print_result(result)
    if result["transactions"] != contender.n or (not only_steps and result["paid"] != contender.n):
        sys.exit(f"bench_sepa.py: {contender_name} did not collect all {contender.n} invoices")
    if profile_text:
        print(profile_text, flush=True)
    return {"contender": contender_name, "n": contender.n, "steps": steps, "result": result}
