"""An accounting system drives dunning over XML-RPC: a customer with an overdue invoice, two
dunning runs started at the same moment for the same date, and the reminder, level and
charges read back.

The run date is fixed in the past (15 July 2025) so the amounts can be computed by hand; the
invoices of other tests and of the demo data are not due by then.
"""

import threading
import uuid
import xmlrpc.client

RUN_DATE = "2025-07-15"


def _currency(odoo, code):
    [currency] = odoo(
        "res.currency", "search_read", [("name", "=", code)], ["active"], context={"active_test": False}
    )
    if not currency["active"]:
        odoo("res.currency", "write", [currency["id"]], {"active": True})
    return currency["id"]


def _customer(odoo, profile, policy_id):
    return odoo(
        "res.partner",
        "create",
        {
            "name": f"Dunning customer {uuid.uuid4().hex[:8]}",
            "email": "dunning@example.com",
            "billing_dunning_profile": profile,
            "billing_dunning_policy_id": policy_id,
        },
    )


def _overdue_invoice(odoo, partner_id, currency_id, amount, due):
    invoice_id = odoo(
        "account.move",
        "create",
        {
            "move_type": "out_invoice",
            "partner_id": partner_id,
            "currency_id": currency_id,
            "invoice_date": "2025-05-01",
            "invoice_date_due": due,
            "invoice_payment_term_id": False,
            "invoice_line_ids": [
                (0, 0, {"name": "Spare parts", "quantity": 1, "price_unit": amount, "tax_ids": []})
            ],
        },
    )
    odoo("account.move", "action_post", [invoice_id])
    return invoice_id


def _run_at_once(odoo, run_ids):
    """Call action_run on each run from its own connection, all at the same moment."""
    barrier = threading.Barrier(len(run_ids))
    results, errors = {}, []

    def worker(run_id):
        proxy = xmlrpc.client.ServerProxy(f"{odoo.url}/xmlrpc/2/object", allow_none=True)
        barrier.wait()
        try:
            results[run_id] = proxy.execute_kw(
                odoo.db, odoo.uid, odoo.password, "billing.dunning.run", "action_run", [[run_id]]
            )
        except xmlrpc.client.Fault as fault:
            errors.append(fault.faultString)

    threads = [threading.Thread(target=worker, args=(run_id,)) for run_id in run_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results, errors


def test_dunning_run_over_rpc_with_two_concurrent_runs(odoo):
    [user] = odoo("res.users", "read", [odoo.uid], ["company_id"])
    company_id = user["company_id"][0]
    eur = _currency(odoo, "EUR")
    policy_id = odoo(
        "billing.dunning.policy",
        "create",
        {
            "name": f"RPC ladder {uuid.uuid4().hex[:6]}",
            "company_id": company_id,
            "level_ids": [
                (0, 0, {"sequence": 1, "name": "First reminder", "delay_days": 7}),
                (
                    0,
                    0,
                    {
                        "sequence": 2,
                        "name": "Second reminder",
                        "delay_days": 14,
                        "delay_from": "previous",
                        "fee_type": "fixed",
                        "fee_fixed_ids": [(0, 0, {"currency_id": eur, "amount": 5.0})],
                        "apply_interest": True,
                        "apply_compensation": True,
                    },
                ),
            ],
        },
    )
    business = _customer(odoo, "b2b_de", policy_id)
    consumer = _customer(odoo, "b2c_de", policy_id)
    # Due 20 June 2025: on 15 July the first level (27 June) is past and the second
    # (14 days after it, 11 July) is reached, so both enter at the second level.
    business_invoice = _overdue_invoice(odoo, business, eur, 1000.0, "2025-06-20")
    consumer_invoice = _overdue_invoice(odoo, consumer, eur, 1000.0, "2025-06-20")

    run_ids = [
        odoo("billing.dunning.run", "create", {"date": RUN_DATE, "company_id": company_id}) for _ in range(2)
    ]
    results, errors = _run_at_once(odoo, run_ids)
    assert errors == []
    assert results == dict.fromkeys(run_ids, True)
    runs = odoo("billing.dunning.run", "read", run_ids, ["state"])
    assert [run["state"] for run in runs] == ["done", "done"]

    # One reminder per customer, whichever run sent it.
    reminders = odoo(
        "billing.dunning.reminder",
        "search_read",
        [("partner_id", "in", [business, consumer])],
        ["partner_id", "level_id", "state", "line_ids", "run_id"],
    )
    assert sorted(reminder["partner_id"][0] for reminder in reminders) == sorted([business, consumer])
    assert {reminder["state"] for reminder in reminders} == {"sent"}
    assert {reminder["level_id"][1] for reminder in reminders} == {"Second reminder"}
    assert {reminder["run_id"][0] for reminder in reminders} <= set(run_ids)

    invoices = odoo(
        "account.move",
        "read",
        [business_invoice, consumer_invoice],
        ["billing_dunning_level_id", "billing_dunning_last_date", "amount_residual"],
    )
    for invoice in invoices:
        assert invoice["billing_dunning_level_id"][1] == "Second reminder"
        assert invoice["billing_dunning_last_date"] == RUN_DATE
        assert invoice["amount_residual"] == 1000.0  # the posted invoice is never edited

    def charges(invoice_id):
        rows = odoo(
            "billing.dunning.charge",
            "search_read",
            [("move_id", "=", invoice_id)],
            ["kind", "amount", "state", "charge_move_id"],
        )
        return {row["kind"]: row for row in rows}, len(rows)

    business_charges, count = charges(business_invoice)
    assert count == 3, "each charge once, although two runs ran at the same time"
    # Fee 5.00; interest 1000.00 * 11.27 % * 10/365 + 1000.00 * 10.27 % * 15/365 = 7.3082… → 7.31;
    # EUR 40 for a business.
    assert {kind: row["amount"] for kind, row in business_charges.items()} == {
        "fee": 5.0,
        "interest": 7.31,
        "compensation": 40.0,
    }
    consumer_charges, count = charges(consumer_invoice)
    # Consumer: +5 points, 1000.00 * 7.27 % * 10/365 + 1000.00 * 6.27 % * 15/365 = 4.5684… → 4.57
    assert {kind: row["amount"] for kind, row in consumer_charges.items()} == {"fee": 5.0, "interest": 4.57}

    document_id = business_charges["fee"]["charge_move_id"][0]
    [document] = odoo(
        "account.move",
        "read",
        [document_id],
        ["move_type", "state", "debit_origin_id", "amount_total", "amount_tax"],
    )
    assert document["move_type"] == "out_invoice"
    assert document["state"] == "posted"
    assert document["debit_origin_id"][0] == business_invoice
    assert document["amount_total"] == 52.31
    assert document["amount_tax"] == 0.0

    # A third run for the same date changes nothing.
    again = odoo("billing.dunning.run", "create", {"date": RUN_DATE, "company_id": company_id})
    odoo("billing.dunning.run", "action_run", [again])
    assert odoo("billing.dunning.reminder", "search_count", [("run_id", "=", again)]) == 0
    assert charges(business_invoice)[1] == 3

    # Waive the fee with a reason.
    fee_id = business_charges["fee"]["id"]
    assert odoo("billing.dunning.charge", "action_waive", [fee_id], "Goodwill") is True
    [fee] = odoo(
        "billing.dunning.charge",
        "read",
        [fee_id],
        ["state", "waive_reason", "waive_user_id", "waive_move_id"],
    )
    assert fee["state"] == "waived"
    assert fee["waive_reason"] == "Goodwill"
    assert fee["waive_user_id"][0] == odoo.uid
    [credit_note] = odoo(
        "account.move", "read", [fee["waive_move_id"][0]], ["move_type", "state", "amount_total"]
    )
    assert (credit_note["move_type"], credit_note["state"], credit_note["amount_total"]) == (
        "out_refund",
        "posted",
        5.0,
    )


def test_reminder_letters_and_statement_over_xmlrpc(odoo):
    """A letter-channel reminder waits for printing and a run's letters merge into one print;
    the statement of account is sent from the customer."""
    [user] = odoo("res.users", "read", [odoo.uid], ["company_id"])
    company_id = user["company_id"][0]
    eur = _currency(odoo, "EUR")
    policy_id = odoo(
        "billing.dunning.policy",
        "create",
        {
            "name": f"Letters {uuid.uuid4().hex[:6]}",
            "company_id": company_id,
            "level_ids": [
                (0, 0, {"sequence": 1, "name": "Reminder letter", "delay_days": 7, "channel": "letter"})
            ],
        },
    )
    letter_customer = _customer(odoo, "none", policy_id)
    invoice_id = _overdue_invoice(odoo, letter_customer, eur, 120.0, "2025-06-20")
    run_id = odoo("billing.dunning.run", "create", {"date": RUN_DATE, "company_id": company_id})
    odoo("billing.dunning.run", "action_run", [run_id])
    [reminder] = odoo(
        "billing.dunning.reminder", "search_read", [("partner_id", "=", letter_customer)], ["state", "run_id"]
    )
    assert (reminder["state"], reminder["run_id"][0]) == ("to_print", run_id)
    [run] = odoo("billing.dunning.run", "read", [run_id], ["letter_count"])
    assert run["letter_count"] >= 1
    action = odoo("billing.dunning.run", "action_print_letters", [run_id])
    assert action["type"] == "ir.actions.report"
    assert action["report_name"] == "billing_dunning.report_reminder"
    assert reminder["id"] in action["context"]["active_ids"]
    assert odoo(
        "account.move", "search", [("id", "=", invoice_id), ("billing_dunning_level_id", "!=", False)]
    ) == [invoice_id]

    action = odoo("res.partner", "action_billing_dunning_send_statement", [letter_customer])
    assert action["res_model"] == "mail.compose.message"
    assert action["context"]["default_res_ids"] == [letter_customer]
