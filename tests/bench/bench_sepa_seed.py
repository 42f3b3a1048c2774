"""bench_sepa.py seed: N customers of a EUR company with their mandates and open invoices, for
billing_sepa and one OCA stack, through the ORM or (``--fast-seed``) copied in PostgreSQL.
"""

import datetime
import sys

import benchlib
import benchlib_fastseed
import benchlib_meter
import benchlib_seed
from bench_sepa_customers import generate_customers, make_iban
from stdnum import iban as stdnum_iban

# The fast seed makes this many customers through the ORM and copies them up to N.
FAST_SEED_CUSTOMERS = 200
FAST_SEED_BANK_CODE = "50010517"
CHUNK = 500
CREDITOR_IDENTIFIER = "DE98ZZZ09999999999"
CREDITOR_IBAN = "DE89370400440532013000"
COMPANY_NAME = "Bench Lastschrift Müller & Söhne GmbH & Co. KG"
get_param, set_param = benchlib.config_params("bench_sepa.")


def chunks(items, size=CHUNK):
    return benchlib_seed.chunks(items, size)


def mandate_vals(company, partner, bank, customer, today):
    """The values of an active billing_sepa mandate of a generated customer (BM-<ref>)."""
    return {
        "name": f"BM-{customer['ref']}",
        "company_id": company.id,
        "partner_id": partner.id,
        "partner_bank_id": bank.id,
        "scheme": "CORE",
        "mandate_type": "recurrent",
        "signature_date": today - datetime.timedelta(days=customer["signed_days_ago"]),
        "state": "active",
    }


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
                    [mandate_vals(company, p, b, c, today) for p, b, c in batch]
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
