"""A CRM creates a customer and an invoice over XML-RPC, posts it and reads its state."""

import uuid


def test_crm_creates_and_posts_an_invoice(odoo):
    partner_id = odoo(
        "res.partner", "create", {"name": f"CRM customer {uuid.uuid4().hex[:8]}", "email": "crm@example.com"}
    )
    invoice_id = odoo(
        "account.move",
        "create",
        {
            "move_type": "out_invoice",
            "partner_id": partner_id,
            "invoice_line_ids": [
                (
                    0,
                    0,
                    {
                        "name": "Internet subscription",
                        "quantity": 1,
                        "price_unit": 39.95,
                        "tax_ids": [(6, 0, [])],
                    },
                )
            ],
        },
    )
    [draft] = odoo("account.move", "read", [invoice_id], ["state", "amount_total"])
    assert draft["state"] == "draft"
    assert draft["amount_total"] == 39.95

    odoo("account.move", "action_post", [invoice_id])

    [posted] = odoo(
        "account.move", "read", [invoice_id], ["state", "name", "payment_state", "amount_residual"]
    )
    assert posted["state"] == "posted"
    assert posted["name"] not in ("/", False)
    assert posted["payment_state"] == "not_paid"
    assert posted["amount_residual"] == 39.95
