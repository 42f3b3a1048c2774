"""A provisioning system reports usage over XML-RPC and the billing run invoices it with the
customer's monthly service: one invoice, then nothing more for the same month.

The run date is fixed in the past (15 July 2025) so the amounts can be computed by hand; the
demo contracts start later, so they are not due then.
"""

import uuid

RUN_DATE = "2025-07-15"


def _service(odoo, name, price):
    return odoo(
        "product.product",
        "create",
        {
            "name": f"{name} {uuid.uuid4().hex[:8]}",
            "type": "service",
            "list_price": price,
            "taxes_id": [(6, 0, [])],
        },
    )


def _contract(odoo, partner_id, product_id):
    return odoo(
        "contract.contract",
        "create",
        {
            "name": f"Hosting {uuid.uuid4().hex[:8]}",
            "partner_id": partner_id,
            "contract_type": "sale",
            "line_recurrence": True,
            "contract_line_ids": [
                (
                    0,
                    0,
                    {
                        "product_id": product_id,
                        "name": "Web hosting #START# - #END#",
                        "quantity": 1,
                        "price_unit": 19.90,
                        "recurring_rule_type": "monthlylastday",
                        "recurring_interval": 1,
                        "date_start": "2025-07-01",
                    },
                )
            ],
        },
    )


def test_provisioning_usage_is_invoiced_by_the_run(odoo):
    partner_id = odoo(
        "res.partner",
        "create",
        {"name": f"ISP customer {uuid.uuid4().hex[:8]}", "billing_recurring_grouping": "customer"},
    )
    hosting = _service(odoo, "Hosting", 19.90)
    traffic = _service(odoo, "Traffic GB", 0.05)
    contract_id = _contract(odoo, partner_id, hosting)
    reference = uuid.uuid4().hex
    rows = [
        {
            "partner_id": partner_id,
            "product_id": traffic,
            "quantity": 42,
            "date": "2025-07-10",
            "external_id": f"{reference}-july",
            "name": "Traffic over 100 GB",
            "price_unit": 0.05,
        },
        {
            "partner_id": partner_id,
            "product_id": traffic,
            "quantity": 8,
            "date": "2025-08-03",
            "external_id": f"{reference}-august",
            "contract_id": contract_id,
        },
    ]
    usage_ids = odoo("billing.recurring.usage", "import_usage", rows)
    assert odoo("billing.recurring.usage", "import_usage", rows) == usage_ids, "a retried import adds nothing"

    run_id = odoo("billing.recurring.run", "create", {"date": RUN_DATE})
    preview = odoo("billing.recurring.run", "action_preview", [run_id])
    lines = odoo(
        "billing.recurring.preview.line",
        "search_read",
        [("preview_id", "=", preview["res_id"]), ("partner_id", "=", partner_id)],
        ["name", "amount"],
    )
    assert sorted(line["amount"] for line in lines) == [2.10, 19.90]
    assert not odoo("account.move", "search", [("partner_id", "=", partner_id)]), "a preview invoices nothing"

    assert odoo("billing.recurring.run", "action_run", [run_id]) is True
    [run] = odoo("billing.recurring.run", "read", [run_id], ["state", "invoice_count", "error_count"])
    assert run["state"] == "done" and run["error_count"] == 0
    [invoice] = odoo(
        "account.move",
        "search_read",
        [("partner_id", "=", partner_id), ("move_type", "=", "out_invoice")],
        ["amount_total", "state", "billing_recurring_key", "invoice_line_ids"],
    )
    assert invoice["state"] == "posted"
    assert invoice["amount_total"] == 22.00
    assert invoice["billing_recurring_key"].endswith(f"/{partner_id}/2025-07")
    july, august = odoo("billing.recurring.usage", "read", usage_ids, ["state", "move_id"])
    assert july["state"] == "billed" and july["move_id"][0] == invoice["id"]
    assert august["state"] == "pending", "August usage waits for the August run"

    again = odoo("billing.recurring.run", "create", {"date": RUN_DATE})
    odoo("billing.recurring.run", "action_run", [again])
    [run] = odoo("billing.recurring.run", "read", [again], ["invoice_count"])
    assert run["invoice_count"] == 0
    assert len(odoo("account.move", "search", [("partner_id", "=", partner_id)])) == 1
