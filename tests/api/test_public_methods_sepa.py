"""Recipes of billing_sepa's public methods (mandates, collections, returns); see test_public_methods.py."""

from recipes import assert_answers_over_xmlrpc, call, each_public_method


def _batch(records, until):
    return call([records.batch(until=until)], context=records.sepa_context)


def _credit_transfer(records, until):
    return call([records.credit_transfer(until=until)], context=records.sepa_context)


CALLS = {
    # account.move
    ("account.move", "action_view_sepa_batch"): lambda r: call([r.posted_invoice()]),
    ("account.move", "action_view_sepa_returns"): lambda r: call([r.posted_invoice()]),
    ("account.move", "action_view_sepa_return_fees"): lambda r: call([r.posted_invoice()]),
    ("account.move", "button_draft"): lambda r: call([r.posted_invoice()]),
    # billing.sepa.mandate, res.partner
    ("billing.sepa.mandate", "action_activate"): lambda r: call(
        [r.mandate(activate=False)[1]], context=r.sepa_context
    ),
    ("billing.sepa.mandate", "action_revoke"): lambda r: call([r.mandate()[1]], context=r.sepa_context),
    ("billing.sepa.mandate", "action_reactivate"): lambda r: call(
        [r.sepa_suspended_mandate()], context=r.sepa_context
    ),
    ("res.partner", "action_view_sepa_mandates"): lambda r: call([r.mandate()[0]], context=r.sepa_context),
    ("res.partner", "action_view_sepa_returns"): lambda r: call([r.mandate()[0]], context=r.sepa_context),
    # res.partner: the "Getting paid" smart buttons (an action even when there is nothing to show)
    ("res.partner", "action_view_sepa_collections"): lambda r: call([r.customer()]),
    # billing.sepa.batch
    ("billing.sepa.batch", "create_collection"): lambda r: (
        r.sepa_invoice() and call(None, r.collection_date(), r.sepa_company_id, context=r.sepa_context)
    ),
    # a new collection, taken up to the step before the one called (the file is generated
    # before it is downloaded, sent before it is collected)
    ("billing.sepa.batch", "action_generate_file"): lambda r: _batch(r, "action_generate_file"),
    ("billing.sepa.batch", "action_download_file"): lambda r: _batch(r, "action_mark_sent"),
    ("billing.sepa.batch", "get_files"): lambda r: _batch(r, "action_mark_sent"),
    ("billing.sepa.batch", "action_mark_sent"): lambda r: _batch(r, "action_mark_sent"),
    ("billing.sepa.batch", "action_mark_collected"): lambda r: _batch(r, "action_mark_collected"),
    ("billing.sepa.batch", "action_retry_booking"): lambda r: _batch(r, "action_generate_file"),
    ("billing.sepa.batch", "action_cancel"): lambda r: _batch(r, "action_generate_file"),
    ("billing.sepa.batch", "action_view_sepa_returns"): lambda r: _batch(r, "action_generate_file"),
    ("billing.sepa.batch", "action_import_bank_report"): lambda r: _batch(r, "action_generate_file"),
    # billing.sepa.credit.transfer: a new refund batch, taken up to the step before the one called
    ("billing.sepa.credit.transfer", "create_credit_transfer"): lambda r: (
        r.sepa_credit() and call(None, r.execution_date(), r.sepa_company_id, context=r.sepa_context)
    ),
    ("billing.sepa.credit.transfer", "action_generate_file"): lambda r: _credit_transfer(
        r, "action_generate_file"
    ),
    ("billing.sepa.credit.transfer", "action_download_file"): lambda r: _credit_transfer(
        r, "action_mark_sent"
    ),
    ("billing.sepa.credit.transfer", "get_files"): lambda r: _credit_transfer(r, "action_mark_sent"),
    ("billing.sepa.credit.transfer", "action_mark_sent"): lambda r: _credit_transfer(r, "action_mark_sent"),
    ("billing.sepa.credit.transfer", "action_mark_paid"): lambda r: _credit_transfer(r, "action_mark_paid"),
    ("billing.sepa.credit.transfer", "action_cancel"): lambda r: _credit_transfer(r, "action_generate_file"),
    ("billing.sepa.credit.transfer.create", "action_create"): lambda r: (
        r.sepa_credit()
        and call(
            [
                r.odoo(
                    "billing.sepa.credit.transfer.create",
                    "create",
                    {"company_id": r.sepa_company_id, "execution_date": r.execution_date()},
                    context=r.sepa_context,
                )
            ],
            context=r.sepa_context,
        )
    ),
    # billing.sepa.return*
    ("billing.sepa.return.import", "import_file"): lambda r: call(
        None, r.sepa_bank_report()[0], "api.xml", r.sepa_company_id, context=r.sepa_context
    ),
    ("billing.sepa.return.import", "action_view_returns"): lambda r: call(
        [r.sepa_return_import()[0]], context=r.sepa_context
    ),
    ("billing.sepa.return.import", "action_retry_booking"): lambda r: call(
        [r.sepa_return_import()[0]], context=r.sepa_context
    ),
    ("billing.sepa.return", "action_match"): lambda r: call(r.sepa_return_to_match(), context=r.sepa_context),
    ("billing.sepa.return", "action_waive_fee"): lambda r: call(
        r.sepa_charged_return(), "Waived over XML-RPC", context=r.sepa_context
    ),
    ("billing.sepa.return.fee.waive", "action_waive"): lambda r: call(
        [
            r.odoo(
                "billing.sepa.return.fee.waive",
                "create",
                {"return_ids": [(6, 0, r.sepa_charged_return())], "reason": "Goodwill"},
                context=r.sepa_context,
            )
        ],
        context=r.sepa_context,
    ),
    ("billing.sepa.return", "action_ignore"): lambda r: call(
        r.sepa_return_import(returned=False)[1], context=r.sepa_context
    ),
    ("billing.sepa.return.import", "action_view_reference_payments"): lambda r: call(
        [r.sepa_reference_payment()[0]], context=r.sepa_context
    ),
    ("billing.sepa.reference.payment", "action_match"): lambda r: call(
        r.sepa_reference_payment(invoice=True)[1], context=r.sepa_context
    ),
    ("billing.sepa.reference.payment", "action_ignore"): lambda r: call(
        r.sepa_reference_payment()[1], context=r.sepa_context
    ),
    ("billing.sepa.reference.payment", "action_open_invoice"): lambda r: call(
        r.sepa_reference_payment(invoice=True)[1], context=r.sepa_context
    ),
    ("billing.sepa.return.import.wizard", "action_import"): lambda r: call(
        [
            r.odoo(
                "billing.sepa.return.import.wizard",
                "create",
                {"company_id": r.sepa_company_id, "file_data": r.sepa_bank_report()[0], "file_name": "w.xml"},
                context=r.sepa_context,
            )
        ],
        context=r.sepa_context,
    ),
    ("billing.sepa.batch.create", "action_create"): lambda r: (
        r.sepa_invoice()
        and call(
            [
                r.odoo(
                    "billing.sepa.batch.create",
                    "create",
                    {"company_id": r.sepa_company_id, "collection_date": r.collection_date()},
                    context=r.sepa_context,
                )
            ],
            context=r.sepa_context,
        )
    ),
}


@each_public_method("billing_sepa")
def test_public_method_answers_over_xmlrpc(odoo, records, model, method):
    assert_answers_over_xmlrpc(odoo, records, CALLS, model, method)
