"""Recipes of billing_recurring's public methods (billing runs, usage); see test_public_methods.py."""

from recipes import assert_answers_over_xmlrpc, call, each_public_method

CALLS = {
    # billing.recurring.*
    ("billing.recurring.run", "action_run"): lambda r: call([r.recurring_run()]),
    ("billing.recurring.run", "action_preview"): lambda r: call([r.recurring_run()]),
    ("billing.recurring.run", "action_view_invoices"): lambda r: call([r.recurring_run()]),
    ("billing.recurring.preview", "action_run"): lambda r: call([r.recurring_preview()]),
    ("billing.recurring.usage", "import_usage"): lambda r: call(None, r.usage_rows()),
}


@each_public_method("billing_recurring")
def test_public_method_answers_over_xmlrpc(odoo, records, model, method):
    assert_answers_over_xmlrpc(odoo, records, CALLS, model, method)
