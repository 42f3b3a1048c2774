"""The Finnish consumer e-invoice cycle, steps 5 to 8 of the seed, as a CRM drives it over XML-RPC.

A consumer's e-invoice order (ReceiverInfo ADD) comes in and is matched to the customer; the CRM
reads the customer's channel, creates and posts the invoice, the bank's camt.054 with the
consumer's payment by reference is imported through billing_sepa, and the CRM reads Paid, the
amount left to pay and the payment date.
"""

import base64
import datetime
import pathlib
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[1]
RI_ADD = ROOT / "addons/billing_einvoice/tests/data/ri_bare_utf8.xml"


def finnish_iban(bban):
    """A valid FI IBAN for a 14-digit ``bban``."""
    check = 98 - int(f"{bban}151800") % 97
    return f"FI{check:02d}{bban}"


def _camt054_credit(iban, reference, amount, message_id, bank_reference):
    """A camt.054 crediting one payment by reference (structured creditor reference)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>{datetime.date.today().isoformat()}T08:00:00</CreDtTm></GrpHdr>
<Ntfctn><Id>N1</Id><Acct><Id><IBAN>{iban}</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">{amount:.2f}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>{datetime.date.today().isoformat()}</Dt></BookgDt><AcctSvcrRef>{bank_reference}</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>VCOM</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><AcctSvcrRef>{bank_reference}</AcctSvcrRef></Refs>
<AmtDtls><TxAmt><Amt Ccy="EUR">{amount:.2f}</Amt></TxAmt></AmtDtls>
<RltdPties><Dbtr><Pty><Nm>Ville Virtanen</Nm></Pty></Dbtr></RltdPties>
<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>{reference}</Ref></CdtrRefInf></Strd></RmtInf>
</TxDtls></NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>""".encode()


def _consumer_cycle_setup(odoo, suffix):
    """Company 1 with a billing subject, a bank journal of its own and an RF-reference sales journal."""
    [user] = odoo("res.users", "read", [odoo.uid], ["company_id"])
    company_id = user["company_id"][0]
    [company] = odoo("res.company", "read", [company_id], ["partner_id"])
    bank_id = odoo("res.bank", "create", {"name": f"Cycle bank {suffix}", "bic": "OKOYFIHH"})
    iban = finnish_iban(f"{uuid.uuid4().int % 10**14:014d}")
    account_id = odoo(
        "res.partner.bank",
        "create",
        {"acc_number": iban, "partner_id": company["partner_id"][0], "bank_id": bank_id},
    )
    odoo(
        "account.journal",
        "create",
        {
            "name": f"Cycle bank {suffix}",
            "type": "bank",
            "code": f"C{suffix[:4]}",
            "bank_account_id": account_id,
        },
    )
    subject_id = odoo(
        "billing.einvoice.billing.subject",
        "create",
        {
            "name": f"Sähkö {suffix}",
            "code": "ELECTRICITY",
            "seller_party_identifier": "1234567-1",
            "einvoice_address": iban,
            "einvoice_intermediator": "OKOYFIHH",
            "identifier_type": "customer_number",
            "bank_account_ids": [(6, 0, [account_id])],
        },
    )
    [sale_journal] = odoo(
        "account.journal",
        "search_read",
        [("company_id", "=", company_id), ("type", "=", "sale")],
        ["default_account_id"],
        limit=1,
    )
    rf_journal_id = odoo(
        "account.journal",
        "copy",
        [sale_journal["id"]],
        {
            "name": f"Sales RF {suffix}",
            "default_account_id": sale_journal["default_account_id"][0],
            "invoice_reference_model": "euro",
            "invoice_reference_type": "invoice",
        },
    )
    rf_journal_id = rf_journal_id[0] if isinstance(rf_journal_id, list) else rf_journal_id
    return company_id, iban, subject_id, rf_journal_id


def test_consumer_orders_e_invoices_is_invoiced_pays_by_reference_and_is_paid(odoo):
    suffix = uuid.uuid4().hex[:8]
    company_id, iban, subject_id, journal_id = _consumer_cycle_setup(odoo, suffix)
    customer_number = f"CUST-{suffix}"
    partner_id = odoo(
        "res.partner",
        "create",
        {
            "name": f"Ville Virtanen {suffix}",
            "ref": customer_number,
            "email": f"ville.{suffix}@example.fi",
            "street": "Kotikatu 1",
            "city": "Helsinki",
            "zip": "00100",
            "invoice_sending_method": "email",
        },
    )

    # Step 3-4: the consumer's bank sends the RI ADD; it is matched by the customer number typed.
    [subject] = odoo("billing.einvoice.billing.subject", "read", [subject_id], ["sender_info_identifier"])
    data = (
        RI_ADD.read_bytes()
        .replace(b"SUBJ-TEST-001", subject["sender_info_identifier"].encode())
        .replace(b"RI-BARE-0001", f"RI-CYCLE-{suffix}".encode())
        .replace(b"CUST-3001", customer_number.encode())
    )
    [order_id] = odoo(
        "billing.einvoice.consumer.order", "import_file", base64.b64encode(data).decode(), "ri.xml"
    )
    odoo("billing.einvoice.consumer.order", "action_match", [order_id])
    [order] = odoo(
        "billing.einvoice.consumer.order", "read", [order_id], ["state", "partner_id", "agreement_id"]
    )
    assert (order["state"], order["partner_id"][0]) == ("done", partner_id)

    # Step 5: the CRM reads the consumer's channel.
    [partner] = odoo(
        "res.partner",
        "read",
        [partner_id],
        ["invoice_sending_method", "einvoice_address", "einvoice_operator"],
    )
    assert partner["invoice_sending_method"] == "elasku"
    assert (partner["einvoice_address"], partner["einvoice_operator"]) == ("FI1410093000123458", "NDEAFIHH")

    # The CRM creates and posts the invoice; Odoo gives it its RF reference.
    invoice_id = odoo(
        "account.move",
        "create",
        {
            "move_type": "out_invoice",
            "partner_id": partner_id,
            "journal_id": journal_id,
            "currency_id": odoo("res.currency", "search", [("name", "=", "EUR")])[0],
            "invoice_line_ids": [
                (0, 0, {"name": "Electricity, November", "price_unit": 48.2, "tax_ids": [(6, 0, [])]})
            ],
        },
    )
    odoo("account.move", "action_post", [invoice_id])
    [invoice] = odoo(
        "account.move", "read", [invoice_id], ["payment_reference", "amount_total", "payment_state"]
    )
    assert invoice["payment_reference"].startswith("RF")
    assert invoice["payment_state"] == "not_paid"

    # Steps 7-8: the consumer pays with the reference; the bank's camt.054 is imported.
    camt = _camt054_credit(
        iban, invoice["payment_reference"].replace(" ", ""), 48.2, f"VIITE-{suffix}", f"ARCH-{suffix}"
    )
    result = odoo(
        "billing.sepa.return.import",
        "import_file",
        base64.b64encode(camt).decode(),
        "camt054.xml",
        company_id,
    )
    assert (result["payment_count"], result["paid_count"], result["payment_review_count"]) == (1, 1, 0)
    again = odoo(
        "billing.sepa.return.import",
        "import_file",
        base64.b64encode(camt).decode(),
        "camt054.xml",
        company_id,
    )
    assert again["duplicate"] is True

    [invoice] = odoo(
        "account.move", "read", [invoice_id], ["payment_state", "amount_residual", "reference_payment_date"]
    )
    assert invoice["payment_state"] == "paid"
    assert invoice["amount_residual"] == 0.0
    assert invoice["reference_payment_date"] == datetime.date.today().isoformat()
