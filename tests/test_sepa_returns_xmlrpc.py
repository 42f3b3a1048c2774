"""A bank connector uploads the bank's camt.054 over XML-RPC and reads back the returned invoices."""

import base64
import datetime
import threading

from test_sepa_xmlrpc import _demo_id, _posted_invoice, _signed_up_customer


def _camt054(iban, end_to_end_id, amount, code, message_id):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>2026-03-25T08:00:00</CreDtTm></GrpHdr>
<Ntfctn><Id>N1</Id><CreDtTm>2026-03-25T08:00:00</CreDtTm><Acct><Id><IBAN>{iban}</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">{amount + 3:.2f}</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>{datetime.date.today().isoformat()}</Dt></BookgDt>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>{end_to_end_id}</EndToEndId></Refs>
<AmtDtls><InstdAmt><Amt Ccy="EUR">{amount:.2f}</Amt></InstdAmt></AmtDtls>
<RtrInf><Rsn><Cd>{code}</Cd></Rsn><AddtlInf>Returned by the debtor bank</AddtlInf></RtrInf>
</TxDtls></NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>""".encode()


def test_bank_connector_uploads_camt054_and_reads_back_returns(odoo):
    company_id = _demo_id(odoo, "billing_sepa.company_isp_demo")
    context = {"allowed_company_ids": [company_id]}
    partner_id, _mandate_id = _signed_up_customer(odoo, company_id, "NL44RABO0123456789")
    invoice_id = _posted_invoice(odoo, company_id, partner_id, 37.5)
    collection_date = (datetime.date.today() + datetime.timedelta(days=50)).isoformat()
    batch_id = odoo("billing.sepa.batch", "create_collection", collection_date, company_id, context=context)
    for step in ("action_generate_file", "action_mark_sent", "action_mark_collected"):
        odoo("billing.sepa.batch", step, [batch_id], context=context)
    [line] = odoo(
        "billing.sepa.batch.line",
        "search_read",
        [("batch_id", "=", batch_id), ("move_id", "=", invoice_id)],
        fields=["end_to_end_id"],
        context=context,
    )
    [batch] = odoo("billing.sepa.batch", "read", [batch_id], ["journal_id", "state"], context=context)
    assert batch["state"] == "collected"
    [journal] = odoo(
        "account.journal", "read", [batch["journal_id"][0]], ["bank_acc_number"], context=context
    )
    iban = journal["bank_acc_number"].replace(" ", "")
    data = base64.b64encode(_camt054(iban, line["end_to_end_id"], 37.5, "AM04", f"CAMT-{batch_id}")).decode()

    # The connector retries on a timeout: the same file twice at once, each upload in its own
    # connection and server transaction, books it once.
    results = []
    barrier = threading.Barrier(2)

    def upload():
        other = type(odoo)(odoo.url, odoo.db, "admin", odoo.password)
        barrier.wait()
        results.append(other("billing.sepa.return.import", "import_file", data, "camt054.xml", company_id))

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 2
    assert {result["id"] for result in results} == {results[0]["id"]}
    assert sorted(result["duplicate"] for result in results) == [False, True]
    assert results[0]["booked_count"] == 1
    # One return entry, one reversal: the invoice is open for its amount once, not twice.
    entries = odoo(
        "account.move", "search_count", [("sepa_return_import_id", "=", results[0]["id"])], context=context
    )
    assert entries == 1

    returns = odoo(
        "billing.sepa.return",
        "search_read",
        [("import_id", "=", results[0]["id"])],
        fields=["invoice_id", "reason_id", "state", "kind", "amount"],
        context=context,
    )
    assert [(r["invoice_id"][0], r["state"], r["kind"], r["amount"]) for r in returns] == [
        (invoice_id, "booked", "return", 37.5)
    ]
    [reason] = odoo(
        "billing.sepa.return.reason", "read", [returns[0]["reason_id"][0]], ["code", "name", "action"]
    )
    assert (reason["code"], reason["action"]) == ("AM04", "represent")
    assert reason["name"] == "Insufficient funds"
    [invoice] = odoo(
        "account.move",
        "read",
        [invoice_id],
        ["payment_state", "amount_residual", "sepa_return_count"],
        context=context,
    )
    assert invoice["payment_state"] == "not_paid"
    assert invoice["amount_residual"] == 37.5
    assert invoice["sepa_return_count"] == 1
    # The demo company charges a return fee for AM04: one fee invoice, however often the file came.
    fees = odoo(
        "account.move",
        "search_read",
        [("sepa_fee_invoice_id", "=", invoice_id)],
        fields=["move_type", "state", "amount_total", "amount_tax", "invoice_date_due"],
        context=context,
    )
    assert [(f["move_type"], f["state"], f["amount_tax"]) for f in fees] == [("out_invoice", "posted", 0.0)]
    assert fees[0]["amount_total"] > 0 and fees[0]["invoice_date_due"]
