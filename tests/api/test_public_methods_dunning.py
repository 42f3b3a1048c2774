"""Recipes of billing_dunning's public methods (dunning, collection agencies); see test_public_methods.py."""

from recipes import assert_answers_over_xmlrpc, call, each_public_method

CALLS = {
    # account.move
    ("account.move", "action_billing_collection_start"): lambda r: call([r.overdue_invoice()]),
    ("account.move", "action_view_billing_collection_dossiers"): lambda r: call([r.overdue_invoice()]),
    # res.partner: the statement and the "Getting paid" smart buttons
    ("res.partner", "action_billing_dunning_send_statement"): lambda r: call([r.customer()]),
    ("res.partner", "action_view_billing_dunning_reminders"): lambda r: call([r.customer()]),
    ("res.partner", "action_view_billing_dunning_charges"): lambda r: call([r.customer()]),
    ("res.partner", "action_view_billing_collection_dossiers"): lambda r: call([r.customer()]),
    # billing.dunning.*
    ("billing.dunning.run", "action_run"): lambda r: call(
        [r.odoo("billing.dunning.run", "create", {"date": "2025-05-21", "company_id": r.company_id})]
    ),
    ("billing.dunning.run", "action_run_in_background"): lambda r: call(
        [r.odoo("billing.dunning.run", "create", {"date": "2025-05-22", "company_id": r.company_id})]
    ),
    ("billing.dunning.run", "action_view_reminders"): lambda r: call([r.dunning_run()]),
    ("billing.dunning.run", "action_print_letters"): lambda r: call([r.dunning_run()]),
    ("billing.dunning.reminder", "action_mark_sent"): lambda r: call(r.dunning("2025-05-19")["reminder_ids"]),
    ("billing.dunning.charge", "action_waive"): lambda r: call(
        r.dunning("2025-05-20")["charge_ids"][:1], "Goodwill over XML-RPC"
    ),
    ("billing.dunning.charge.waive", "action_confirm"): lambda r: call(
        [
            r.odoo(
                "billing.dunning.charge.waive",
                "create",
                {
                    "charge_ids": [(6, 0, r.dunning("2025-05-20")["charge_ids"][1:])],
                    "reason": "Goodwill in the wizard",
                },
            )
        ]
    ),
    # billing.collection.*
    ("billing.collection.agency", "action_view_dossiers"): lambda r: call([r.agency()]),
    ("billing.collection.start", "action_confirm"): lambda r: call([r.collection_start()]),
    ("billing.collection.dossier", "action_submit"): lambda r: call([r.dossier()]),
    ("billing.collection.dossier", "action_refresh_status"): lambda r: call([r.dossier()]),
    ("billing.collection.dossier", "action_withdraw"): lambda r: call([r.dossier()]),
    ("billing.collection.dossier", "action_view_invoices"): lambda r: call([r.dossier()]),
    ("billing.collection.dossier", "action_fetch_certificate"): lambda r: call([r.dossier()]),
    ("billing.collection.dossier", "action_writeoff"): lambda r: call([r.uncollectible_dossier()]),
    ("billing.collection.writeoff", "action_confirm"): lambda r: call(
        [r.odoo("billing.collection.writeoff", "create", {"dossier_id": r.uncollectible_dossier()})]
    ),
}


@each_public_method("billing_dunning")
def test_public_method_answers_over_xmlrpc(odoo, records, model, method):
    assert_answers_over_xmlrpc(odoo, records, CALLS, model, method)
