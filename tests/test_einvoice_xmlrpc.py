"""A CRM posts an invoice for a Finvoice customer over XML-RPC, sends it and reads its delivery state."""

import uuid


def finvoice_invoice(odoo):
    """A draft invoice of the user's company for a new Finvoice customer; the company set up to send it."""
    # The invoice below is created in the user's current company: configure that one.
    [user] = odoo("res.users", "read", [odoo.uid], ["company_id"])
    [company] = odoo("res.company", "read", [user["company_id"][0]], ["id", "partner_id"])
    # The company's own e-invoice address and a bank account with a BIC (set once; idempotent).
    odoo(
        "res.company",
        "write",
        [company["id"]],
        {"einvoice_address": "003712345671", "einvoice_operator": "OKOYFIHH"},
    )
    company_partner_id = company["partner_id"][0]
    bank_account_ids = odoo(
        "res.partner.bank",
        "search",
        [("partner_id", "=", company_partner_id), ("acc_number", "=", "FI2112345600000785")],
    )
    if not bank_account_ids:
        bank_id = odoo("res.bank", "create", {"name": "Nordea Bank Abp", "bic": "NDEAFIHH"})
        bank_account_ids = [
            odoo(
                "res.partner.bank",
                "create",
                {
                    "acc_number": "FI2112345600000785",
                    "partner_id": company_partner_id,
                    "bank_id": bank_id,
                    "allow_out_payment": True,
                },
            )
        ]
    suffix = uuid.uuid4().hex[:8]
    partner_id = odoo(
        "res.partner",
        "create",
        {
            "name": f"CRM Finvoice customer {suffix}",
            "is_company": True,
            "street": "Hämeenkatu 5",
            "city": "Tampere",
            "zip": "33100",
            "invoice_sending_method": "finvoice",
            "einvoice_address": "003776543212",
            "einvoice_operator": "003723327487",
        },
    )
    invoice_id = odoo(
        "account.move",
        "create",
        {
            "move_type": "out_invoice",
            "partner_id": partner_id,
            "partner_bank_id": bank_account_ids[0],
            "invoice_line_ids": [
                (
                    0,
                    0,
                    {"name": "District heating", "quantity": 1, "price_unit": 120.0, "tax_ids": [(6, 0, [])]},
                )
            ],
        },
    )
    return invoice_id


def test_crm_reads_the_delivery_state_of_an_invoice(odoo):
    invoice_id = finvoice_invoice(odoo)
    [invoice] = odoo("account.move", "read", [invoice_id], ["company_id"])
    company_id = invoice["company_id"][0]
    # Automatic sending is off unless switched on: on for this invoice only, then off again
    # (tests/test_optin_xmlrpc.py expects company 1 as the install left it).
    odoo("res.company", "write", [company_id], {"einvoice_auto_send": True})
    try:
        odoo("account.move", "action_post", [invoice_id])
    finally:
        odoo("res.company", "write", [company_id], {"einvoice_auto_send": False})
    [posted] = odoo("account.move", "read", [invoice_id], ["einvoice_delivery_state", "einvoice_send_after"])
    assert posted["einvoice_delivery_state"] is False
    # Posting queued it for the automatic send, after the company's cancel window.
    assert posted["einvoice_send_after"]

    odoo("account.move", "action_einvoice_send", [invoice_id])

    [sent] = odoo(
        "account.move",
        "read",
        [invoice_id],
        ["name", "einvoice_delivery_state", "einvoice_send_after", "is_move_sent"],
    )
    assert sent["einvoice_delivery_state"] == "queued"
    # Sending by hand took it out of the queue; waiting for the bank file is not "sent".
    assert sent["einvoice_send_after"] is False
    assert sent["is_move_sent"] is False
    [delivery] = odoo(
        "billing.einvoice.delivery",
        "search_read",
        [("move_id", "=", invoice_id)],
        fields=["channel", "state", "external_id", "error_message", "payload_attachment_id"],
    )
    assert delivery["error_message"] is False, delivery["error_message"]
    assert delivery["channel"] == "finvoice"
    assert delivery["state"] == "queued"
    assert 2 <= len(delivery["external_id"]) <= 48
    assert delivery["payload_attachment_id"]
