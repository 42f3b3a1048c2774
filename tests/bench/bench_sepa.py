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

import datetime
import os
import random
import sys
import time
from decimal import Decimal

import benchlib
import benchlib_fastseed
import benchlib_meter
import benchlib_seed
import benchlib_server
from stdnum import iban as stdnum_iban
from stdnum.iso7064 import mod_97_10

SEED = 20260311
# The fast seed makes this many customers through the ORM and copies them up to N.
FAST_SEED_CUSTOMERS = 200
FAST_SEED_BANK_CODE = "50010517"
CHUNK = 500
CREDITOR_IDENTIFIER = "DE98ZZZ09999999999"
CREDITOR_IBAN = "DE89370400440532013000"
COMPANY_NAME = "Bench Lastschrift Müller & Söhne GmbH & Co. KG"
get_param, set_param = benchlib.config_params("bench_sepa.")

# ---------------------------------------------------------------------------- data generator

FIRST_NAMES = [
    "Jürgen", "Björn", "Günther", "Käthe", "Sören", "Jörg", "Zoë", "Ulrike", "Maximilian", "Grete",
    "Anouk", "Daan", "Sanne", "Bram", "Femke", "Renée", "Maaike", "Joëlle", "Thijs", "Lieke",
]  # fmt: skip
LAST_NAMES = [
    "Müller", "Schröder", "Weiß", "Bäcker", "Groß", "Köhler", "Jäger", "Fuchs", "Hoffmann", "Krüger",
    "Öztürk", "Žukauskas", "de Vries", "van den Berg", "Jansen", "Bakker", "van Dijk", "Visser",
    "de Jong", "Smit", "Meijer", "van 't Hof",
]  # fmt: skip
LEGAL_FORMS = {"DE": ["GmbH", "GmbH & Co. KG", "KG", "OHG", "e.K."], "NL": ["B.V.", "V.O.F.", "N.V."]}
TRADES = ["Bäckerei", "Gärtnerei", "Schreinerei", "Fahrradhandel", "Bloemenhandel", "Bouwbedrijf"]
STREETS = {
    "DE": ["Hauptstraße", "Schloßallee", "Mühlenweg", "Königsstraße", "Am Bäckerhof", "Lindenstraße"],
    "NL": ["Dorpsstraat", "Kerkstraat", "Molenweg", "Prinsengracht", "Stationsplein", "Ĳsselkade"],
}
CITIES = {
    "DE": [("50667", "Köln"), ("80331", "München"), ("40213", "Düsseldorf"), ("90402", "Nürnberg"),
           ("21335", "Lüneburg"), ("97070", "Würzburg")],
    "NL": [("5211 AA", "'s-Hertogenbosch"), ("2511 BT", "Den Haag"), ("3511 AB", "Utrecht"),
           ("9711 AA", "Groningen")],
}  # fmt: skip
NL_BANKS = ["ABNA", "INGB", "RABO", "SNSB", "TRIO", "ASNB"]


def make_iban(country, bban):
    """IBAN of ``bban`` in ``country``, check digits by ISO 7064 MOD 97-10."""
    number = country + mod_97_10.calc_check_digits(bban + country) + bban
    return stdnum_iban.validate(number)


def generate_customers(n):
    """The same ``n`` customers on every call: names, addresses, IBANs and invoice amounts."""
    rng = random.Random(SEED)
    customers = []
    for index in range(n):
        country = "DE" if rng.random() < 0.6 else "NL"
        last, other = rng.choice(LAST_NAMES), rng.choice(LAST_NAMES)
        kind = rng.random()
        if kind < 0.5:
            name, is_company = f"{rng.choice(FIRST_NAMES)} {last}", False
        elif kind < 0.8:
            name, is_company = f"{last} & {other} {rng.choice(LEGAL_FORMS[country])}", True
        else:
            name, is_company = f"{rng.choice(TRADES)} {last} & Söhne {rng.choice(LEGAL_FORMS[country])}", True
        zip_code, city = rng.choice(CITIES[country])
        if country == "DE":
            bban = f"{rng.randrange(10**7, 10**8)}{rng.randrange(10**10):010d}"
        else:
            bban = f"{rng.choice(NL_BANKS)}{rng.randrange(10**10):010d}"
        customers.append(
            {
                "ref": f"{index + 1:06d}",
                "name": name,
                "is_company": is_company,
                "street": f"{rng.choice(STREETS[country])} {rng.randint(1, 250)}",
                "zip": zip_code,
                "city": city,
                "country": country,
                "iban": make_iban(country, bban),
                "amount": rng.randint(500, 50000) / 100,
                "signed_days_ago": rng.randint(60, 900),
            }
        )
    return customers


# ---------------------------------------------------------------------------- Odoo access


def chunks(items, size=CHUNK):
    return benchlib_seed.chunks(items, size)


# ---------------------------------------------------------------------------- seeding


def seed(odoo, registry, stack, n, fast=False):
    """Seed N customers with their mandates and invoices: through the ORM, or with ``fast``
    FAST_SEED_CUSTOMERS of them through the ORM and the rest copied in PostgreSQL."""
    from odoo import Command, fields  # noqa: PLC0415

    clock = benchlib_meter.Clock(odoo.sql_db, cpu=True)
    made = FAST_SEED_CUSTOMERS if fast else n
    if fast and (n % made or n == made):
        sys.exit(f"bench_sepa.py: --fast-seed takes a multiple of {made} above it")
    customers = generate_customers(made)
    today = fields.Date.today()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, dict(benchlib_seed.SEEDING_CONTEXT))
        with clock("company, chart of accounts, bank journal"):
            company, journal = _seed_company(env)
            env = env(context=dict(env.context, allowed_company_ids=[company.id]))
            company, journal = company.with_env(env), journal.with_env(env)
            stack_vals = _seed_stack(env, stack, company, journal)
            _seed_outstanding_account(env, journal)
            cr.commit()
        with clock(f"{made} customers"):
            partners = env["res.partner"]
            for batch in chunks(customers, 2000):
                partners |= _seed_partners(env, batch, stack_vals["partner"])
                cr.commit()
        with clock(f"{made} bank accounts (IBAN)"):
            banks = env["res.partner.bank"]
            for batch in chunks(list(zip(partners, customers, strict=True)), 2000):
                banks |= env["res.partner.bank"].create(
                    [{"acc_number": c["iban"], "partner_id": p.id} for p, c in batch]
                )
                cr.commit()
        records = list(zip(partners, banks, customers, strict=True))
        with clock(f"{made} billing_sepa mandates (active)"):
            for batch in chunks(records, 2000):
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
                        for p, b, c in batch
                    ]
                )
                cr.commit()
        with clock(f"{made} OCA mandates (recurrent, signed, valid)"):
            for batch in chunks(records, 2000):
                env["account.banking.mandate"].create(
                    [
                        dict(
                            stack_vals["mandate"],
                            unique_mandate_reference=f"OCA-{c['ref']}",
                            company_id=company.id,
                            partner_bank_id=b.id,
                            signature_date=today - datetime.timedelta(days=c["signed_days_ago"]),
                            state="valid",
                            **({"partner_id": p.id} if stack == "alt" else {}),
                        )
                        for p, b, c in batch
                    ]
                )
                cr.commit()
        sale_journal = env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
        )
        eur = env.ref("base.EUR")
        invoice_date = today - datetime.timedelta(days=10)
        with clock(f"{made} invoices, posted by {CHUNK}"):
            for batch in chunks(list(zip(partners, customers, strict=True))):
                invoices = env["account.move"].create(
                    [
                        {
                            "move_type": "out_invoice",
                            "partner_id": p.id,
                            "journal_id": sale_journal.id,
                            "currency_id": eur.id,
                            "invoice_date": invoice_date,
                            "invoice_date_due": invoice_date,
                            "invoice_line_ids": [
                                Command.create(
                                    {
                                        "name": "Abonnement März / maandabonnement",
                                        "quantity": 1,
                                        "price_unit": c["amount"],
                                        "tax_ids": [Command.clear()],
                                    }
                                )
                            ],
                        }
                        for p, c in batch
                    ]
                )
                invoices.action_post()
                cr.commit()
                env.invalidate_all()
        if fast:
            with clock(f"{n - made} more of each, copied in PostgreSQL"):
                made_ids = _fast_seed(env, company, partners, banks, n // made - 1)
            with clock("copies checked through the ORM"):
                fast_counts = _check_fast_seed(env, company, *made_ids)
        counts = _seed_check(env, stack, company, n)
        if fast:
            counts.update(fast_counts)
        set_param(env, "n", n)
        cr.commit()
    total = benchlib.print_seeding_total(clock)
    return {"stack": stack, "n": n, "phases": clock.phases, "seconds": total, "counts": counts}


def _fast_seed(env, company, partners, banks, copies):
    """``copies`` more of each customer, bank account, mandate (both kinds) and invoice.

    See benchlib_fastseed.Multiplier. The copies get the next references (000201, ...), mandate
    references (BM-000201, OCA-000201), invoice numbers and IBANs of their own: German ones of
    one bank code, with valid check digits. Returns the new partners' and invoices' ids.
    """
    from odoo.tools import SQL  # noqa: PLC0415

    made = len(partners)
    multiplier = benchlib_fastseed.Multiplier(env, copies)
    number = SQL("(%s + m.n)", made)
    multiplier.clone("res_partner", partners.ids, {"ref": SQL("lpad(%s::text, 6, '0')", number)})
    ibans = [
        make_iban("DE", f"{FAST_SEED_BANK_CODE}{made + index:010d}") for index in range(1, made * copies + 1)
    ]
    iban = SQL("(%s::text[])[m.n]", ibans)
    multiplier.clone("res_partner_bank", banks.ids, {"acc_number": iban, "sanitized_acc_number": iban})
    partner_ref = SQL("(SELECT ref FROM res_partner WHERE id = r_partner_id.new)")
    mandates = env["billing.sepa.mandate"].search([("company_id", "=", company.id)])
    reference = SQL("'BM-' || %s", partner_ref)
    multiplier.clone(
        mandates._table, mandates.ids, {"name": reference, "reference_key": SQL("upper(%s)", reference)}
    )
    oca_mandates = env["account.banking.mandate"].search([("company_id", "=", company.id)])
    multiplier.clone(
        oca_mandates._table,
        oca_mandates.ids,
        {"unique_mandate_reference": SQL("'OCA-' || %s", partner_ref)},
    )
    invoices = env["account.move"].search(
        [("company_id", "=", company.id), ("move_type", "=", "out_invoice")]
    )
    benchlib_fastseed.clone_invoices(multiplier, invoices.ids)
    made_ids = multiplier.new_ids("res_partner"), multiplier.new_ids("account_move")
    env.cr.commit()
    multiplier.analyze()
    env.cr.commit()
    env.invalidate_all()
    return made_ids


def _check_fast_seed(env, company, partner_ids, move_ids):
    """Exit unless the ORM agrees with the copies: invoices (benchlib), mandates and IBANs."""
    counts = benchlib_fastseed.check_cloned_invoices(env, move_ids)
    env.cr.execute(
        """SELECT count(*), count(DISTINCT sanitized_acc_number) FROM res_partner_bank
            WHERE partner_id IN (SELECT id FROM res_partner WHERE company_id IS NULL AND customer_rank > 0)"""
    )
    banks, distinct = env.cr.fetchone()
    if banks != distinct:
        sys.exit(f"bench_sepa.py: {banks - distinct} IBANs of customers are not unique")
    sample = env["res.partner"].browse(partner_ids[:: max(len(partner_ids) // 200, 1)])
    invoices = env["account.move"].search(
        [("partner_id", "in", sample.ids), ("move_type", "=", "out_invoice")]
    )
    for partner in sample:
        mandate = partner._get_sepa_mandate(company)
        invoice = invoices.filtered(lambda move, partner=partner: move.partner_id == partner)
        if (
            not mandate
            or mandate.partner_bank_id.partner_id != partner
            or not stdnum_iban.is_valid(mandate.partner_bank_id.acc_number)
            or mandate.name != f"BM-{partner.ref}"
            or invoice.sepa_mandate_id != mandate
        ):
            sys.exit(f"bench_sepa.py: the copied customer {partner.ref} has no valid mandate of its own")
    counts["sampled mandates"] = len(sample)
    benchlib.print_check(counts)
    return counts


def _seed_company(env):
    company = benchlib_seed.create_company(
        env,
        {
            "name": COMPANY_NAME,
            "currency_id": env.ref("base.EUR").id,
            **benchlib_seed.berlin_address(env),
            "sepa_creditor_identifier": CREDITOR_IDENTIFIER,
        },
    )
    journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "bank")], limit=1)
    journal.write(
        {
            "bank_account_id": env["res.partner.bank"]
            .create({"acc_number": CREDITOR_IBAN, "partner_id": company.partner_id.id})
            .id,
            # FRST on the first collection, like the OCA mandates' first sequence type.
            "sepa_use_first_sequence": True,
        }
    )
    set_param(env, "company_id", company.id)
    set_param(env, "journal_id", journal.id)
    return company, journal


def _seed_stack(env, stack, company, journal):
    """The OCA payment mode / method line, and what partners and mandates need for it."""
    if stack == "classic":
        method = env.ref("account_banking_sepa_direct_debit.sepa_direct_debit")
        if method not in journal.inbound_payment_method_line_ids.payment_method_id:
            journal.inbound_payment_method_line_ids = [
                (0, 0, {"payment_method_id": method.id, "name": method.name})
            ]
        mode = env["account.payment.mode"].create(
            {
                "name": "SEPA-Lastschrift",
                "company_id": company.id,
                "payment_method_id": method.id,
                "bank_account_link": "fixed",
                "fixed_journal_id": journal.id,
            }
        )
        set_param(env, "mode_id", mode.id)
        return {
            "partner": {"customer_payment_mode_id": mode.id},
            "mandate": {
                "format": "sepa",
                "type": "recurrent",
                "recurrent_sequence_type": "first",
                "scheme": "CORE",
            },
        }
    method = env.ref("account_payment_sepa_direct_debit.sepa_direct_debit")
    method_line = journal.inbound_payment_method_line_ids.filtered(
        lambda line: line.payment_method_id == method
    )[:1]
    values = {"payment_order_ok": True, "selectable": True, "bank_account_link": "fixed"}
    if method_line:
        method_line.write(values)
    else:
        method_line = env["account.payment.method.line"].create(
            dict(values, payment_method_id=method.id, journal_id=journal.id, name=method.name)
        )
    set_param(env, "method_line_id", method_line.id)
    return {
        "partner": {"property_inbound_payment_method_line_id": method_line.id},
        "mandate": {"format": "sepa_core", "type": "recurrent"},
    }


def _seed_outstanding_account(env, journal):
    """Outstanding receipts account on the bank journal's incoming payment methods.

    billing_sepa books collections there and needs it set (its fallback on the company
    raises AttributeError in Odoo 18, see the README); the OCA payments use the same account.
    """
    account = env["account.chart.template"].ref("account_journal_payment_debit_account_id")
    journal.inbound_payment_method_line_ids.write({"payment_account_id": account.id})


def _seed_partners(env, customers, stack_partner_vals):
    country_ids = {code: env.ref(f"base.{code.lower()}").id for code in ("DE", "NL")}
    return env["res.partner"].create(
        [
            dict(
                stack_partner_vals,
                name=c["name"],
                is_company=c["is_company"],
                ref=c["ref"],
                street=c["street"],
                zip=c["zip"],
                city=c["city"],
                country_id=country_ids[c["country"]],
                customer_rank=1,
                sepa_direct_debit=True,
            )
            for c in customers
        ]
    )


def _seed_check(env, stack, company, n):
    """Count what each contender will collect: every invoice must be collectable by both."""
    moves = env["account.move"]
    base = [("company_id", "=", company.id), ("move_type", "=", "out_invoice"), ("state", "=", "posted")]
    oca_field = "payment_mode_id" if stack == "classic" else "preferred_payment_method_line_id"
    counts = {
        "posted invoices": moves.search_count(base),
        "with billing_sepa mandate": moves.search_count([*base, ("sepa_mandate_id", "!=", False)]),
        "with OCA mandate": moves.search_count([*base, ("mandate_id", "!=", False)]),
        "with OCA payment mode": moves.search_count([*base, (oca_field, "!=", False)]),
    }
    benchlib.print_check(eur := benchlib_seed.check_eur_company(env, company))
    benchlib.print_check(counts)
    if any(value != n for value in counts.values()):
        sys.exit(f"bench_sepa.py: the seed is incomplete, expected {n} everywhere")
    return {**counts, **eur}


# ---------------------------------------------------------------------------- contenders


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
        """The click, then the file action's runs: one file per transaction for a large batch.

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


# ---------------------------------------------------------------------------- report

ROWS = [
    ("collect", "collect invoices", "create_collection", "new order + Create Transactions wizard"),
    ("confirm", "confirm", "-", "draft2open (one account.payment each)"),
    ("generate", "generate pain.008 file", "action_generate_file", "open2generated"),
    ("sent", "mark sent to bank", "action_mark_sent", "-"),
    ("book", "book + reconcile", "action_mark_collected + cron", "generated2uploaded"),
]
LABELS = {"ours": "billing_sepa", "classic": "OCA classic", "alt": "OCA alternative"}
TARGET_STEP_SECONDS = 60
TARGET_RATIO = 10


def report(paths):
    results = benchlib.load_results(paths)
    seeds = [r for r in results if "stack" in r]
    runs = {r["contender"]: r for r in results if "contender" in r}
    if "ours" not in runs:
        sys.exit("bench_sepa.py report: no result for billing_sepa")
    n = runs["ours"]["n"]
    lines = [f"SEPA direct-debit benchmark, N = {n} invoices (one per customer, 5-500 EUR, no tax)"]
    for seed_result in seeds:
        lines.append(
            f"seeding ({seed_result['stack']} stack database): {seed_result['seconds']:.1f} s (not compared)"
        )
    names = [name for name in ("ours", "classic", "alt") if name in runs]
    others = [name for name in names if name != "ours"]
    header = f"{'step':<24}" + "".join(f"{LABELS[name]:>26}" for name in names)
    header += "".join(f"{name + '/ours':>14}" for name in others)
    lines += ["", header, "-" * len(header)]
    by_key = {name: {step["key"]: step for step in runs[name]["steps"]} for name in names}
    for key, label, _ours_step, _oca_step in ROWS:
        row = f"{label:<24}"
        for name in names:
            step = by_key[name].get(key)
            row += f"{_cell(step):>26}"
        for name in others:
            row += f"{_ratio(by_key[name].get(key), by_key['ours'].get(key)):>14}"
        lines.append(row)
    totals = {
        name: {
            "seconds": sum(step["seconds"] for step in runs[name]["steps"]),
            "queries": sum(step["queries"] for step in runs[name]["steps"]),
        }
        for name in names
    }
    row = f"{'total':<24}" + "".join(f"{_cell(totals[name]):>26}" for name in names)
    row += "".join(f"{_ratio(totals[name], totals['ours']):>14}" for name in others)
    lines += ["-" * len(header), row]
    row = f"{'file':<24}"
    for name in names:
        result = runs[name]["result"]
        row += f"{result['format'] + ' ' + _size(result['file_bytes']):>26}"
    lines.append(row)
    lines += ["", "What each row runs (billing_sepa | both OCA stacks):"]
    lines += [f"  {label:<24}{ours:<24}| {oca}" for _key, label, ours, oca in ROWS]
    lines.append(
        "1-minute load average before -> after each run (2 cores, shared): "
        + ", ".join(f"{LABELS[name]} {runs[name]['result'].get('load_average', '?')}" for name in names)
    )
    transactions = runs["ours"]["result"].get("booking_transactions")
    if transactions:
        workers = runs["ours"]["result"].get("cron_workers", 1)
        book = next(step for step in runs["ours"]["steps"] if step["key"] == "book")
        how = (
            f"in an Odoo server with {workers} cron workers side by side"
            if workers > 1
            else "here, one after the other as one cron worker runs them"
        )
        lines.append(
            f"billing_sepa booking: Mark Collected returned in {transactions[0]:.2f} s, then "
            f"{len(transactions) - 1} runs of the posting and matching actions (chunks of "
            f"{runs['ours']['result']['booking_chunk']} debits) {how}; longest transaction "
            f"{max(transactions):.2f} s, {book['seconds']:.2f} s end to end"
        )
    slowest = max(runs["ours"]["steps"], key=lambda step: step["seconds"])
    lines.append(f"Slowest billing_sepa step: {slowest['label']} ({slowest['seconds']:.2f} s)")
    verdict_step = slowest["seconds"] < TARGET_STEP_SECONDS
    lines.append(
        f"Target every billing_sepa step under {TARGET_STEP_SECONDS} s: {'met' if verdict_step else 'NOT met'}"
    )
    if others:
        fastest = min(others, key=lambda name: totals[name]["seconds"])
        ratio = totals[fastest]["seconds"] / totals["ours"]["seconds"]
        lines.append(
            f"Overall: billing_sepa is {ratio:.1f}x faster than the faster OCA stack ({LABELS[fastest]}); "
            f"target >= {TARGET_RATIO}x: {'met' if ratio >= TARGET_RATIO else 'NOT met'}"
        )
    print("\n".join(lines))


def _cell(step):
    if not step:
        return "-"
    return f"{step['seconds']:.2f} s {step['queries']:>7} q"


def _ratio(other, ours):
    if not other or not ours or not ours["seconds"]:
        return "-"
    return f"{other['seconds'] / ours['seconds']:.1f}x"


def _megabytes(value):
    return f"{value}MB" if value else "-"


def _size(size):
    return f"{Decimal(size) / 1000:.0f} kB" if size < 10**6 else f"{Decimal(size) / 10**6:.2f} MB"


def _longest_transactions(run_result):
    """Per step (collect, generate, book), its longest single transaction in seconds.

    A step run in the background has its click and each scheduled-action call timed apart;
    results of runs before that knew only the step's time, which then counts as one transaction.
    """
    result = run_result["result"]
    transactions = dict(result.get("step_transactions") or {})
    transactions.setdefault("book", result.get("booking_transactions") or [])
    longest = {}
    for step in run_result["steps"]:
        longest[step["key"]] = max(transactions.get(step["key"]) or [step["seconds"]])
    return longest


def scale_report(paths):
    """billing_sepa's figures per size N (one run-ours.json per size), against the smallest N."""
    runs = sorted(
        (r for r in benchlib.load_results(paths) if r.get("contender") == "ours"), key=lambda r: r["n"]
    )
    if not runs:
        sys.exit("bench_sepa.py scale-report: no billing_sepa result")
    print(f"billing_sepa at N = {', '.join(str(r['n']) for r in runs)} debits in one collection")
    header = (
        f"{'N':>8} {'collect':>9} {'generate':>9} {'book':>9} {'total':>9} {'queries':>9}"
        f" {'per debit':>10} {'ratio':>6} {'longest tx: collect':>20} {'generate':>9} {'book':>7}"
        f" {'peak RSS':>9} {'cron RSS':>9} {'file':>9}"
    )
    print(header)
    print("-" * len(header))
    # A partial run (BENCH_SEPA_STEPS) is compared on the steps every run has.
    common = set.intersection(*({step["key"] for step in r["steps"]} for r in runs))
    base = None
    for run_result in runs:
        steps = {step["key"]: step for step in run_result["steps"]}
        total = sum(step["seconds"] for step in run_result["steps"])
        queries = sum(step["queries"] for step in run_result["steps"])
        per_debit = 1000 * sum(steps[key]["seconds"] for key in common) / run_result["n"]
        base = base or per_debit
        result = run_result["result"]
        longest = _longest_transactions(run_result)
        seconds = {key: f"{step['seconds']:.1f}s" for key, step in steps.items()}
        longest = {key: f"{value:.1f}s" for key, value in longest.items()}
        print(
            f"{run_result['n']:>8} {seconds.get('collect', '-'):>9} {seconds.get('generate', '-'):>9}"
            f" {seconds.get('book', '-'):>9} {total:>8.1f}s {queries:>9}"
            f" {per_debit:>8.2f}ms {per_debit / base:>5.2f}x {longest.get('collect', '-'):>20}"
            f" {longest.get('generate', '-'):>9} {longest.get('book', '-'):>7}"
            f" {result.get('peak_rss_mb', 0):>7}MB {_megabytes(result.get('cron_server_peak_rss_mb')):>9}"
            f" {_size(result['file_bytes']):>9}"
        )
    print(
        f"per debit: the time of {', '.join(sorted(common))} per debit; "
        "ratio: time per debit against the smallest N (target at most 1.2x at 100 000 against 10 000); "
        "longest tx: the longest single transaction of each step (target under 15 s); peak RSS: the benchmark "
        "process (steps run in it), cron RSS: the largest process of the booking server (target under 4 GB)"
    )


# ---------------------------------------------------------------------------- command line


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
