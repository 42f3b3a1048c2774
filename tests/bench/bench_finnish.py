"""Finnish consumer e-invoice benchmark: ReceiverInfo orders imported and matched, and payments by
reference reconciled (issue 15, item 9).

The in-process part of ``tests/bench/bench_finnish.sh``, which builds the databases and calls::

    bench_finnish.py seed --n N --chunk C --out FOLDER --json FILE -- ODOO_OPTIONS...
    bench_finnish.py run --out FOLDER --json FILE -- ODOO_OPTIONS...
    bench_finnish.py report FILE...

``ODOO_OPTIONS`` are the options of ``odoo-bin`` (configuration file, addons path, database
connection, ``-d DATABASE``). ``seed`` fills a database in which billing_einvoice and
billing_sepa are installed: one Finnish EUR company with a bank account, a billing subject and
an RF-reference sales journal, N consumers with a customer number, N posted invoices, then
writes N ReceiverInfo orders (ADD) in files of C framed messages (UTF-8 and ISO-8859-15 in
turn; nine in ten consumers typed their customer number, one in ten an invoice's reference)
and the bank's camt.054 crediting one payment by reference per invoice. ``run`` imports the RI
files one after the other (``billing.einvoice.consumer.order.import_file``, matched on import),
then the camt.054 (``billing.sepa.return.import.import_file``, which matches, books and
reconciles the payments a chunk at a time), each from a clean cache to its commit included,
and prints the time and queries of each chunk; ``report`` prints them again from the JSON.
"""

import base64
import datetime
import glob
import os
import random
import sys

import benchlib
import benchlib_meter
import benchlib_seed

SEED = 20261206
COMPANY_NAME = "Bench Sähkö & Lämpö Oy"
COMPANY_IBAN_BBAN = "50009420028730"
FIRST = ["Aino", "Eero", "Väinö", "Sisko", "Jyrki", "Päivi", "Åsa", "Mikko", "Sanna", "Tuomas"]
LAST = ["Mäkinen", "Virtanen", "Hämäläinen", "Korhonen", "Nieminen", "Järvinen", "Lindström"]
STREETS = ["Kotikatu", "Mannerheimintie", "Hämeenkatu", "Åbovägen", "Kauppakatu"]
CITIES = [("00100", "Helsinki"), ("33100", "Tampere"), ("90100", "Oulu"), ("20100", "Turku")]
BANKS = ["NDEAFIHH", "OKOYFIHH", "DABAFIHH", "HELSFIHH", "AABAFI22"]
TARGET_SECONDS = 60
get_param, set_param = benchlib.config_params("bench_finnish.")


def finnish_iban(bban):
    """A valid FI IBAN for a 14-digit ``bban`` (ISO 7064 MOD 97-10)."""
    check = 98 - int(f"{bban}151800") % 97
    return f"FI{check:02d}{bban}"


def generate_customers(n):
    rng = random.Random(SEED)
    customers = []
    for index in range(n):
        postcode, city = rng.choice(CITIES)
        customers.append(
            {
                "name": f"{rng.choice(LAST)} {rng.choice(FIRST)} {index + 1}",
                "ref": f"AS-{index + 1:06d}",
                "street": f"{rng.choice(STREETS)} {rng.randint(1, 99)}",
                "zip": postcode,
                "city": city,
                "amount": round(rng.uniform(15, 250), 2),
                "bank": rng.choice(BANKS),
                "einvoice_address": finnish_iban(f"{rng.randrange(10**14):014d}"),
                # one in ten consumers typed an invoice's reference, the others their customer number
                "by_reference": index % 10 == 9,
            }
        )
    return customers


# ---------------------------------------------------------------------------- seeding


def seed(odoo, registry, n, chunk, out):
    from odoo import Command, fields  # noqa: PLC0415

    clock = benchlib_meter.Clock(odoo.sql_db, cpu=True)
    customers = generate_customers(n)
    today = fields.Date.today()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, dict(benchlib_seed.SEEDING_CONTEXT))
        with clock("company, chart, bank journal, billing subject"):
            company, subject, sale_journal = _seed_company(env)
            env = env(context=dict(env.context, allowed_company_ids=[company.id]))
            company, subject = company.with_env(env), subject.with_env(env)
            sale_journal = sale_journal.with_env(env)
            cr.commit()
        with clock(f"{n} consumers"):
            finland = env.ref("base.fi").id
            for batch in benchlib_seed.chunks(customers, 2000):
                env["res.partner"].create(
                    [
                        {
                            "name": c["name"],
                            "ref": c["ref"],
                            "street": c["street"],
                            "zip": c["zip"],
                            "city": c["city"],
                            "country_id": finland,
                            "email": f"{c['ref'].lower()}@example.fi",
                            "customer_rank": 1,
                        }
                        for c in batch
                    ]
                )
                cr.commit()
        partners = env["res.partner"].search([("ref", "=like", "AS-%")])
        by_ref = {partner.ref: partner for partner in partners}
        accounts = {
            "journal": sale_journal,
            "income": env["account.chart.template"].ref("income"),
            "receivable": env["account.chart.template"].ref("receivable"),
        }
        invoice_date = today - datetime.timedelta(days=20)
        dates = {"invoice": invoice_date, "due": today + datetime.timedelta(days=5)}
        with clock(f"{n} invoices with RF references, posted by 1000"):
            pairs = [(by_ref[c["ref"]], c["amount"]) for c in customers]
            benchlib_seed.post_one_line_invoices(env, pairs, accounts, dates, Command, 1000)
        invoices = env["account.move"].search(
            [("company_id", "=", company.id), ("move_type", "=", "out_invoice")]
        )
        reference_by_ref = {invoice.partner_id.ref: invoice.payment_reference for invoice in invoices}
        for old in glob.glob(os.path.join(out, "ri-*.xml")):
            os.remove(old)
        with clock(f"{n} RI orders written, {chunk} per file"):
            files = _write_ri_files(customers, reference_by_ref, subject, chunk, out)
        with clock(f"camt.054 of {n} payments by reference written"):
            camt_size = _write_camt054(customers, reference_by_ref, company, today, out)
        counts = {
            "consumers": len(partners),
            "posted invoices": len(invoices.filtered(lambda inv: inv.state == "posted")),
            "invoices with a reference": len([ref for ref in reference_by_ref.values() if ref]),
            "RI files": files,
            "camt.054 bytes": camt_size,
        }
        counts.update(benchlib_seed.check_eur_company(env, company))
        benchlib.print_check(counts)
        if counts["posted invoices"] != n or counts["invoices with a reference"] != n:
            sys.exit(
                f"bench_finnish.py: the seed is incomplete, expected {n} posted invoices with a reference"
            )
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
            "country_id": env.ref("base.fi").id,
            "street": "Kauppakatu 1",
            "zip": "00100",
            "city": "Helsinki",
            "company_registry": "1234567-1",
            # the orders are matched on import, as a company that switched it on has it
            "einvoice_consumer_order_auto_match": True,
        },
    )
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    iban = finnish_iban(COMPANY_IBAN_BBAN)
    bank = env["res.bank"].create({"name": "Bench Osuuspankki", "bic": "OKOYFIHH"})
    account = env["res.partner.bank"].create(
        {"acc_number": iban, "partner_id": company.partner_id.id, "bank_id": bank.id}
    )
    journal = env["account.journal"].search([("company_id", "=", company.id), ("type", "=", "bank")], limit=1)
    journal.bank_account_id = account
    outstanding = (
        env["account.chart.template"].with_company(company).ref("account_journal_payment_debit_account_id")
    )
    journal.inbound_payment_method_line_ids.write({"payment_account_id": outstanding.id})
    sale_journal = env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
    )
    sale_journal.write({"invoice_reference_model": "euro", "invoice_reference_type": "invoice"})
    subject = env["billing.einvoice.billing.subject"].create(
        {
            "name": "Sähkö",
            "name_sv": "El",
            "company_id": company.id,
            "code": "ELECTRICITY",
            "seller_party_identifier": "1234567-1",
            "einvoice_address": iban,
            "einvoice_intermediator": "OKOYFIHH",
            "identifier_type": "both",
            "bank_account_ids": [(6, 0, account.ids)],
        }
    )
    set_param(env, "company_id", company.id)
    return company, subject, sale_journal


def _xml_text(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


RI_FRAME = """<?xml version="1.0" encoding="{encoding}"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" \
xmlns:eb="http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd" \
xmlns:xlink="http://www.w3.org/1999/xlink">
 <SOAP-ENV:Header><eb:MessageHeader SOAP-ENV:mustUnderstand="1" eb:version="2.0">
  <eb:From><eb:PartyId>{bank}</eb:PartyId><eb:Role>Sender</eb:Role></eb:From>
  <eb:From><eb:PartyId>{bank}</eb:PartyId><eb:Role>Intermediator</eb:Role></eb:From>
  <eb:To><eb:PartyId>{company_address}</eb:PartyId><eb:Role>Receiver</eb:Role></eb:To>
  <eb:To><eb:PartyId>OKOYFIHH</eb:PartyId><eb:Role>Intermediator</eb:Role></eb:To>
  <eb:CPAId>yoursandmycpa</eb:CPAId><eb:ConversationId/><eb:Service>Routing</eb:Service>\
<eb:Action>ProcessInvoice</eb:Action>
  <eb:MessageData><eb:MessageId>{message_id}</eb:MessageId>\
<eb:Timestamp>2026-12-01T10:00:00+02:00</eb:Timestamp></eb:MessageData>
 </eb:MessageHeader></SOAP-ENV:Header>
 <SOAP-ENV:Body><eb:Manifest eb:id="Manifest" eb:version="2.0">
  <eb:Reference eb:id="Finvoice" xlink:href="{message_id}"><eb:Schema \
eb:location="http://www.finvoice.info/finvoice.xsd" eb:version="2.0"/></eb:Reference>
 </eb:Manifest></SOAP-ENV:Body></SOAP-ENV:Envelope>
<?xml version="1.0" encoding="{encoding}"?>
<FinvoiceReceiverInfo Version="2.0">
 <MessageDetails>
  <MessageTypeCode>RECEIVERINFO</MessageTypeCode>
  <MessageTypeText>E-INVOICE RECEIVER INFORMATION</MessageTypeText>
  <MessageActionCode>ADD</MessageActionCode>
  <MessageActionCodeIdentifier>{message_id}</MessageActionCodeIdentifier>
  <MessageDate Format="CCYYMMDD">20261201</MessageDate>
  <SenderInfoIdentifier>{sender_info_identifier}</SenderInfoIdentifier>
 </MessageDetails>
 <SellerPartyDetails><SellerPartyIdentifier>1234567-1</SellerPartyIdentifier></SellerPartyDetails>
 <SellerInvoiceDetails><PaymentInstructionIdentifier>ELECTRICITY</PaymentInstructionIdentifier></SellerInvoiceDetails>
 <ReceiverInfoTimeStamp>2026-12-01T09:55:00</ReceiverInfoTimeStamp>
 <BuyerPartyDetails>
  <BuyerOrganisationName>{name}</BuyerOrganisationName>
  <BuyerPostalAddressDetails>
   <BuyerStreetName>{street}</BuyerStreetName>
   <BuyerTownName>{city}</BuyerTownName>
   <BuyerPostCodeIdentifier>{zip}</BuyerPostCodeIdentifier>
   <CountryCode>FI</CountryCode>
  </BuyerPostalAddressDetails>
 </BuyerPartyDetails>
 <InvoiceRecipientDetails>
  <InvoiceRecipientAddress>{einvoice_address}</InvoiceRecipientAddress>
  <InvoiceRecipientIntermediatorAddress>{bank}</InvoiceRecipientIntermediatorAddress>
  <SellerInvoiceIdentifier SellerInvoiceIdentifierType="{identifier_type}">{identifier}</SellerInvoiceIdentifier>
  <InvoiceRecipientLanguageCode>{language}</InvoiceRecipientLanguageCode>
 </InvoiceRecipientDetails>
</FinvoiceReceiverInfo>
"""


def _write_ri_files(customers, reference_by_ref, subject, chunk, out):
    """The orders in files of ``chunk`` framed messages, UTF-8 and ISO-8859-15 in turn."""
    files = 0
    for index, batch in enumerate(benchlib_seed.chunks(customers, chunk)):
        encoding = "UTF-8" if index % 2 == 0 else "ISO-8859-15"
        parts = []
        for c in batch:
            by_reference = c["by_reference"]
            parts.append(
                RI_FRAME.format(
                    encoding=encoding,
                    bank=c["bank"],
                    company_address=subject.einvoice_address,
                    message_id=f"RI-BENCH-{c['ref']}",
                    sender_info_identifier=subject.sender_info_identifier,
                    name=_xml_text(c["name"]),
                    street=_xml_text(c["street"]),
                    city=c["city"],
                    zip=c["zip"],
                    einvoice_address=c["einvoice_address"],
                    identifier_type="02" if by_reference else "09",
                    identifier=reference_by_ref[c["ref"]] if by_reference else c["ref"],
                    language="SV" if c["name"].startswith("Lindström") else "FI",
                )
            )
        with open(os.path.join(out, f"ri-{index + 1:03d}.xml"), "wb") as file:
            file.write("".join(parts).encode(encoding.lower()))
        files += 1
    return files


def _write_camt054(customers, reference_by_ref, company, today, out):
    """The bank's camt.054.001.08: one booked credit per invoice, paying it in full by its RF reference."""
    booked = today.isoformat()
    iban = finnish_iban(COMPANY_IBAN_BBAN)
    entries = []
    for index, c in enumerate(customers):
        bank_reference = f"VM{index + 1:09d}"
        entries.append(
            f'<Ntry><Amt Ccy="EUR">{c["amount"]:.2f}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
            f"<BookgDt><Dt>{booked}</Dt></BookgDt><AcctSvcrRef>{bank_reference}</AcctSvcrRef>"
            "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>VCOM</SubFmlyCd></Fmly></Domn></BkTxCd>"
            f"<NtryDtls><TxDtls><Refs><AcctSvcrRef>{bank_reference}</AcctSvcrRef></Refs>"
            f'<AmtDtls><TxAmt><Amt Ccy="EUR">{c["amount"]:.2f}</Amt></TxAmt></AmtDtls>'
            f"<RltdPties><Dbtr><Pty><Nm>{_xml_text(c['name'])}</Nm></Pty></Dbtr></RltdPties>"
            "<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>"
            f"<Ref>{reference_by_ref[c['ref']]}</Ref></CdtrRefInf></Strd></RmtInf>"
            "</TxDtls></NtryDtls></Ntry>\n"
        )
    data = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>'
        f"<GrpHdr><MsgId>VIITE-{booked}</MsgId><CreDtTm>{booked}T08:00:00</CreDtTm></GrpHdr>"
        f"<Ntfctn><Id>VIITE-{company.id}</Id><Acct><Id><IBAN>{iban}</IBAN></Id></Acct>\n"
        f"{''.join(entries)}</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>\n"
    ).encode()
    with open(os.path.join(out, "camt054-payments.xml"), "wb") as file:
        file.write(data)
    return len(data)


# ---------------------------------------------------------------------------- run


def _measured(model_class, method_name, chunks_seen, size_key, odoo):
    """Patch ``method_name`` of ``model_class`` to record the time and queries of each call."""
    original = getattr(model_class, method_name)

    def measured(record, items, *args, **kwargs):
        meter = benchlib_meter.Meter(odoo.sql_db)
        with meter:
            result = original(record, items, *args, **kwargs)
        chunks_seen.append(
            {
                size_key: len(items),
                "seconds": round(meter.seconds, 2),
                "cpu": round(meter.cpu, 2),
                "queries": meter.queries,
            }
        )
        return result

    setattr(model_class, method_name, measured)
    return original


def run(odoo, registry, out):
    clock = benchlib_meter.Clock(odoo.sql_db, cpu=True)
    load_before = benchlib_meter.load_average()
    files = sorted(glob.glob(os.path.join(out, "ri-*.xml")))
    with open(os.path.join(out, "camt054-payments.xml"), "rb") as file:
        camt = file.read()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env["res.company"].browse(int(get_param(env, "company_id")))
        n = int(get_param(env, "n"))
        env = env(context={"allowed_company_ids": [company.id], "tz": "Europe/Helsinki", "lang": "en_US"})
        Order = env["billing.einvoice.consumer.order"]
        ri_chunks = []

        def import_ri_files():
            # One file per request, as the operator's scheduled action or a user imports them.
            for path in files:
                with open(path, "rb") as file:
                    data = base64.b64encode(file.read()).decode()
                meter = benchlib_meter.Meter(odoo.sql_db)
                with meter:
                    ids = Order.import_file(data, os.path.basename(path))
                    env.flush_all()
                    env.cr.commit()
                env.invalidate_all()
                ri_chunks.append(
                    {
                        "orders": len(ids),
                        "seconds": round(meter.seconds, 2),
                        "cpu": round(meter.cpu, 2),
                        "queries": meter.queries,
                    }
                )

        env.invalidate_all()
        with clock(f"{len(files)} RI files: import_file, matched on import"):
            benchlib_meter.request(env, import_ri_files)
        ri_phase = clock.phases[-1]

        payment_chunks = []
        Import = env["billing.sepa.return.import"]
        model_class = type(Import)
        original = _measured(
            model_class, "_create_reference_payments_chunk", payment_chunks, "payments", odoo
        )
        try:
            env.invalidate_all()
            with clock("camt.054: import_file (parse, match, book, reconcile)"):
                benchlib_meter.request(
                    env,
                    lambda: Import.import_file(
                        base64.b64encode(camt).decode(), "camt054-payments.xml", company.id
                    ),
                )
        finally:
            model_class._create_reference_payments_chunk = original
        payment_phase = clock.phases[-1]
        env.invalidate_all()
        result = _result(env, company)
    result["load_average"] = f"{load_before} -> {benchlib_meter.load_average():.1f}"
    benchlib.print_result(result)
    _print_chunks("RI orders", ri_chunks, "orders")
    _print_chunks("payments by reference", payment_chunks, "payments")
    if result["orders done"] != n or result["invoices paid"] != n:
        sys.exit(f"bench_finnish.py: expected {n} orders done and {n} invoices paid")
    return {
        "n": n,
        "orders": dict(ri_phase, chunks=ri_chunks),
        "payments": dict(payment_phase, chunks=payment_chunks),
        "result": result,
    }


def _result(env, company):
    orders = env["billing.einvoice.consumer.order"].search([("company_id", "=", company.id)])
    partners = orders.partner_id.with_company(company)
    return {
        "orders": len(orders),
        "orders done": len(orders.filtered(lambda order: order.state == "done")),
        "active agreements": env["billing.einvoice.agreement"].search_count(
            [("company_id", "=", company.id), ("state", "=", "active")]
        ),
        "consumers on e-lasku": len(partners.filtered(lambda p: p.invoice_sending_method == "elasku")),
        "payments booked": env["billing.sepa.reference.payment"].search_count(
            [("company_id", "=", company.id), ("state", "=", "booked")]
        ),
        "payments to review": env["billing.sepa.reference.payment"].search_count(
            [("company_id", "=", company.id), ("state", "=", "to_review")]
        ),
        "invoices paid": env["account.move"].search_count(
            [
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("payment_state", "in", ("paid", "in_payment")),
            ]
        ),
    }


def _print_chunks(label, chunks_done, size_key):
    if not chunks_done:
        print(f"  {label}: no chunk measured")
        return
    queries = [chunk["queries"] for chunk in chunks_done]
    print(
        f"  {label}: {len(chunks_done)} chunks of {max(chunk[size_key] for chunk in chunks_done)}; "
        f"queries per chunk {', '.join(str(q) for q in queries)} (min {min(queries)}, max {max(queries)}); "
        "seconds per chunk " + ", ".join(f"{chunk['seconds']:.1f}" for chunk in chunks_done),
        flush=True,
    )


# ---------------------------------------------------------------------------- report


def report(paths):
    results = benchlib.load_results(paths)
    seeds = [r for r in results if "orders" not in r]
    runs = [r for r in results if "orders" in r]
    if not runs:
        sys.exit("bench_finnish.py report: no run result")
    result = runs[-1]
    lines = [f"Finnish consumer e-invoice benchmark, N = {result['n']}"]
    for seed_result in seeds:
        lines.append(f"seeding: {seed_result['seconds']:.1f} s (not compared), {seed_result['counts']}")
    for key, label in (
        ("orders", "RI orders imported and matched"),
        ("payments", "payments by reference in one camt.054"),
    ):
        phase = result[key]
        chunks_done = phase["chunks"]
        queries = [chunk["queries"] for chunk in chunks_done] or [0]
        lines.append(
            f"{label:<40} {phase['seconds']:8.2f} s {phase['queries']:8d} q; "
            f"{len(chunks_done)} chunks, queries per chunk min {min(queries)} max {max(queries)}, "
            f"target under {TARGET_SECONDS} s: {'met' if phase['seconds'] < TARGET_SECONDS else 'NOT met'}"
        )
        lines.append(
            f"  Odoo CPU {phase.get('cpu', 0):.1f} s; per chunk (s / Odoo CPU s / q): "
            + ", ".join(
                f"{chunk['seconds']:.1f}/{chunk.get('cpu', 0):.1f}/{chunk['queries']}"
                for chunk in chunks_done
            )
        )
    lines.append("  result: " + ", ".join(f"{k} {v}" for k, v in result["result"].items()))
    print("\n".join(lines))


# ---------------------------------------------------------------------------- command line


def main(argv):
    argv, odoo_options = benchlib.split_argv(argv)
    parser, commands = benchlib.command_parser(__doc__)
    seed_parser = commands.add_parser("seed", help="fill a database and write the RI files and the camt.054")
    seed_parser.add_argument("--n", type=int, required=True)
    seed_parser.add_argument("--chunk", type=int, default=1000, help="RI orders per file")
    seed_parser.add_argument("--out", required=True)
    seed_parser.add_argument("--json", required=True)
    run_parser = commands.add_parser("run", help="import the RI files and the camt.054")
    run_parser.add_argument("--out", required=True)
    run_parser.add_argument("--json")
    report_parser = commands.add_parser("report", help="print the figures")
    report_parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    benchlib.run_command(
        args,
        odoo_options,
        "bench_finnish.py",
        report=report,
        seed=lambda odoo, registry: seed(odoo, registry, args.n, args.chunk, args.out),
        run=lambda odoo, registry: run(odoo, registry, args.out),
    )


if __name__ == "__main__":
    main(sys.argv[1:])
