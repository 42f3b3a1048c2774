"""Recipes of billing_einvoice's public methods (Finvoice, e-invoice orders); see test_public_methods.py."""

import base64

from recipes import assert_answers_over_xmlrpc, call, each_public_method

CALLS = {
    # account.move
    ("account.move", "action_einvoice_cancel_auto_send"): lambda r: call([r.posted_invoice()]),
    ("account.move", "action_einvoice_send"): lambda r: call([r.posted_invoice()]),
    ("account.move", "message_post"): lambda r: call([r.posted_invoice()], body="Checked over XML-RPC"),
    # billing.einvoice.billing.subject and its notification log
    ("billing.einvoice.billing.subject", "action_send_add"): lambda r: call([r.billing_subject()]),
    ("billing.einvoice.billing.subject", "action_send_change"): lambda r: call(
        [r.billing_subject(announced=True)]
    ),
    ("billing.einvoice.billing.subject", "action_send_delete"): lambda r: call(
        [r.billing_subject(announced=True)]
    ),
    ("billing.einvoice.sender.info.log", "action_retry"): lambda r: call([r.sender_info_log()]),
    ("billing.einvoice.sender.info.log", "action_download"): lambda r: call([r.sender_info_log()]),
    # billing.einvoice.consumer.order and its upload wizard
    ("billing.einvoice.consumer.order", "import_file"): lambda r: call(
        None, base64.b64encode(b"<NotReceiverInfo/>").decode(), "api.xml"
    ),
    ("billing.einvoice.consumer.order", "action_retry"): lambda r: call([r.consumer_order_in_error()]),
    ("billing.einvoice.consumer.order", "action_match"): lambda r: call([r.consumer_order()]),
    ("billing.einvoice.consumer.order", "action_allocate"): lambda r: call([r.consumer_order(partner=True)]),
    ("billing.einvoice.consumer.order.candidate", "action_choose"): lambda r: call(
        [r.consumer_order_candidate()]
    ),
    ("billing.einvoice.receiver.proposal", "action_retry"): lambda r: call([r.receiver_proposal()]),
    ("billing.einvoice.receiver.proposal", "action_cancel"): lambda r: call([r.receiver_proposal()]),
    ("billing.einvoice.receiver.proposal", "action_download"): lambda r: call([r.receiver_proposal()]),
    ("billing.einvoice.receiver.proposal.wizard", "action_send"): lambda r: call(
        [r.receiver_proposal_wizard()]
    ),
    ("res.partner", "action_einvoice_propose"): lambda r: call([r.customer()]),
    ("billing.einvoice.agreement", "action_open_order"): lambda r: call([r.einvoice_agreement()]),
    ("billing.einvoice.consumer.order.import", "action_import"): lambda r: call(
        [
            r.odoo(
                "billing.einvoice.consumer.order.import",
                "create",
                {"file": base64.b64encode(b"<NotReceiverInfo/>").decode(), "file_name": "api.xml"},
            )
        ]
    ),
    # billing.einvoice.delivery
    ("billing.einvoice.delivery", "action_cancel"): lambda r: call([r.delivery()]),
    ("billing.einvoice.delivery", "action_retry"): lambda r: call(
        [r.delivery(channel="email", state="failed")]
    ),
    ("billing.einvoice.delivery", "action_check_transport_status"): lambda r: call([r.delivery()]),
    ("billing.einvoice.delivery", "action_download_finvoice_batch"): lambda r: call(
        [
            r.delivery(
                channel="finvoice",
                payload_attachment_id=r.odoo(
                    "ir.attachment",
                    "create",
                    {"name": "api.xml", "datas": base64.b64encode(b"<Finvoice/>").decode()},
                ),
            )
        ]
    ),
    # res.partner: the "Getting paid" smart button
    ("res.partner", "action_view_einvoice_deliveries"): lambda r: call([r.customer()]),
}


@each_public_method("billing_einvoice")
def test_public_method_answers_over_xmlrpc(odoo, records, model, method):
    assert_answers_over_xmlrpc(odoo, records, CALLS, model, method)
