"""Recipes of billing_base's public methods (the overview cards); see test_public_methods.py."""

from recipes import assert_answers_over_xmlrpc, call, each_public_method

CALLS = {
    # billing.overview.card: the base's card and one of an addon (each extends the same methods)
    ("billing.overview.card", "action_open"): lambda r: call(
        [r.xmlid("billing_base.billing_overview_card_receivable")]
    ),
    ("billing.overview.card", "action_open_second"): lambda r: call(
        [r.xmlid("billing_sepa.billing_overview_card_direct_debit")]
    ),
}


@each_public_method("billing_base")
def test_public_method_answers_over_xmlrpc(odoo, records, model, method):
    assert_answers_over_xmlrpc(odoo, records, CALLS, model, method)
