"""bench_returns.py seed: a EUR company whose N collected debits the bank returns, and the bank's
camt.054 notification of those returns.
"""

import datetime
import sys

import bench_sepa_customers
import bench_sepa_seed
import benchlib
import benchlib_meter
import benchlib_seed
import freezegun

CHUNK = 1000

CREDITOR_IBAN = bench_sepa_seed.CREDITOR_IBAN
COMPANY_NAME = "Bench Rücklastschrift Müller & Söhne GmbH"

# The reason codes of the returns, in turn: every action class of billing_sepa's reason codes
# (re-present, suspend the mandate, dispute, technical) and a refund (MD06).
REASONS = ["AM04", "AM04", "AM04", "MS03", "AC04", "MD01", "MS02", "MD06", "MD06", "FF01"]
# Every fourth return carries the charge the debtor bank kept.
CHARGE = 3.00
get_param, set_param = benchlib.config_params("bench_returns.")


def chunks(items, size=CHUNK):
    return benchlib_seed.chunks(items, size)


def seed(odoo, registry, n, file_path):
    from odoo import Command, fields  # noqa: PLC0415

    clock = benchlib_meter.Clock(odoo.sql_db, cpu=True)
    customers = bench_sepa_customers.generate_customers(n)
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
                        bench_sepa_seed.mandate_vals(company, p, b, c, today)
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
            "sepa_creditor_identifier": bench_sepa_seed.CREDITOR_IDENTIFIER,
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
