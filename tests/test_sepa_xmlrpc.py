"""A CRM signs up a direct-debit customer over XML-RPC, then the collection runs and its file is fetched."""

import base64
import datetime
import threading
import uuid
import xmlrpc.client

from lxml import etree

PAIN = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"}


def _demo_id(odoo, xmlid):
    module, name = xmlid.split(".")
    [record] = odoo(
        "ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)], fields=["res_id"]
    )
    return record["res_id"]


def _signed_up_customer(odoo, company_id, iban):
    context = {"allowed_company_ids": [company_id]}
    partner_id = odoo(
        "res.partner",
        "create",
        {"name": f"Klant {uuid.uuid4().hex[:6]}", "city": "Utrecht", "country_id": _demo_id(odoo, "base.nl")},
    )
    odoo("res.partner", "write", [partner_id], {"sepa_direct_debit": True}, context=context)
    bank_id = odoo("res.partner.bank", "create", {"acc_number": iban, "partner_id": partner_id})
    mandate_id = odoo(
        "billing.sepa.mandate",
        "create",
        {
            "partner_id": partner_id,
            "partner_bank_id": bank_id,
            "company_id": company_id,
            "signature_date": datetime.date.today().isoformat(),
        },
        context=context,
    )
    odoo("billing.sepa.mandate", "action_activate", [mandate_id], context=context)
    return partner_id, mandate_id


def _posted_invoice(odoo, company_id, partner_id, amount):
    context = {"allowed_company_ids": [company_id]}
    eur = _demo_id(odoo, "base.EUR")
    invoice_id = odoo(
        "account.move",
        "create",
        {
            "move_type": "out_invoice",
            "partner_id": partner_id,
            "currency_id": eur,
            "invoice_line_ids": [(0, 0, {"name": "Internet", "price_unit": amount, "tax_ids": [(6, 0, [])]})],
        },
        context=context,
    )
    odoo("account.move", "action_post", [invoice_id], context=context)
    return invoice_id


def test_crm_creates_mandate_and_fetches_the_collection_file(odoo):
    company_id = _demo_id(odoo, "billing_sepa.company_isp_demo")
    context = {"allowed_company_ids": [company_id]}
    partner_id, mandate_id = _signed_up_customer(odoo, company_id, "NL91ABNA0417164300")
    invoice_id = _posted_invoice(odoo, company_id, partner_id, 42.42)
    [invoice] = odoo(
        "account.move", "read", [invoice_id], ["sepa_mandate_id", "sepa_collection_date"], context=context
    )
    assert invoice["sepa_mandate_id"][0] == mandate_id

    collection_date = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    batch_id = odoo("billing.sepa.batch", "create_collection", collection_date, company_id, context=context)
    assert batch_id
    lines = odoo(
        "billing.sepa.batch.line",
        "search_read",
        [("batch_id", "=", batch_id)],
        fields=["move_id"],
        context=context,
    )
    assert invoice_id in [line["move_id"][0] for line in lines]

    odoo("billing.sepa.batch", "action_generate_file", [batch_id], context=context)
    [file] = odoo("billing.sepa.batch", "get_files", [batch_id], context=context)
    document = etree.fromstring(base64.b64decode(file["content"]))
    assert "42.42" in document.xpath("//p:InstdAmt/text()", namespaces=PAIN)
    assert mandate_id and document.xpath("//p:MndtId/text()", namespaces=PAIN)


def test_invalid_iban_is_refused_with_a_readable_fault(odoo):
    partner_id = odoo("res.partner", "create", {"name": "Typo Customer"})
    bank_id = odoo(
        "res.partner.bank", "create", {"acc_number": "NL00ABNA0417164300", "partner_id": partner_id}
    )
    try:
        odoo("billing.sepa.mandate", "create", {"partner_id": partner_id, "partner_bank_id": bank_id})
    except xmlrpc.client.Fault as fault:
        assert "not a valid IBAN" in fault.faultString
    else:
        raise AssertionError("an invalid IBAN was accepted")


def test_two_collections_at_once_never_share_an_invoice(odoo):
    company_id = _demo_id(odoo, "billing_sepa.company_isp_demo")
    context = {"allowed_company_ids": [company_id]}
    partner_id, _mandate_id = _signed_up_customer(odoo, company_id, "NL69INGB0123456789")
    for amount in (10.0, 20.0, 30.0, 40.0, 50.0, 60.0):
        _posted_invoice(odoo, company_id, partner_id, amount)
    collection_date = (datetime.date.today() + datetime.timedelta(days=40)).isoformat()

    batch_ids = []

    def create_collection():
        # One connection per thread: xmlrpc.client proxies are not thread-safe.
        other = type(odoo)(odoo.url, odoo.db, "admin", odoo.password)
        batch_ids.append(
            other("billing.sepa.batch", "create_collection", collection_date, company_id, context=context)
        )

    threads = [threading.Thread(target=create_collection) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    batch_ids = [batch_id for batch_id in batch_ids if batch_id]
    assert batch_ids, "no collection was created"
    lines = odoo(
        "billing.sepa.batch.line",
        "search_read",
        [("batch_id", "in", batch_ids)],
        fields=["move_id"],
        context=context,
    )
    invoice_ids = [line["move_id"][0] for line in lines]
    assert len(invoice_ids) == len(set(invoice_ids)), "an invoice is in two live collections"
    mine = odoo(
        "account.move",
        "search",
        [("partner_id", "=", partner_id), ("sepa_batch_id", "!=", False)],
        context=context,
    )
    assert len(mine) == 6
