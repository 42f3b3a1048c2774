from odoo import api, models
from odoo.exceptions import UserError

from .billing_einvoice_delivery import DELIVERY_CHANNELS, FINVOICE_CHANNELS


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _get_default_sending_method(self, move):
        # EXTENDS 'account': the invoice's own choice wins over the customer's.
        return move.einvoice_sending_method or super()._get_default_sending_method(move)

    @api.model
    def _is_applicable_to_move(self, method, move, **move_data):
        # EXTENDS 'account'
        if method in FINVOICE_CHANNELS:
            partner = move.partner_id.commercial_partner_id
            return move.is_sale_document(include_receipts=False) and bool(
                partner.einvoice_address and partner.einvoice_operator
            )
        return super()._is_applicable_to_move(method, move, **move_data)

    @api.model
    def _get_finvoice_method(self, invoice_data):
        return next(
            (method for method in invoice_data["sending_methods"] if method in FINVOICE_CHANNELS), None
        )

    @api.model
    def _hook_invoice_document_before_pdf_report_render(self, invoice, invoice_data):
        # EXTENDS 'account': build and validate the Finvoice message before anything is sent.
        super()._hook_invoice_document_before_pdf_report_render(invoice, invoice_data)
        method = self._get_finvoice_method(invoice_data)
        if not method or invoice_data.get("error"):
            return
        try:
            invoice_data["finvoice_message"] = invoice._build_finvoice_payload(method)
        except UserError as error:
            invoice_data["error"] = {
                "error_title": self.env._("The e-invoice of %(invoice)s was not sent:", invoice=invoice.name),
                "errors": [str(error.args[0])],
            }

    @api.model
    def _hook_if_errors(self, moves_data, allow_raising=True):
        # EXTENDS 'account': a message that did not pass its checks stays queued with the error.
        if not allow_raising:
            for move, move_data in moves_data.items():
                method = self._get_finvoice_method(move_data)
                if method:
                    self.env["billing.einvoice.delivery"].sudo().create(
                        {
                            "move_id": move.id,
                            "channel": method,
                            "error_message": self._format_error_text(move_data["error"]),
                        }
                    )
        return super()._hook_if_errors(moves_data, allow_raising=allow_raising)

    @api.model
    def _hook_if_success(self, moves_data):
        # EXTENDS 'account': record one delivery per channel the invoice went out on.
        super()._hook_if_success(moves_data)
        deliveries = self.env["billing.einvoice.delivery"].sudo()
        channels = dict(DELIVERY_CHANNELS)
        for move, move_data in moves_data.items():
            if not move.is_sale_document(include_receipts=False):
                continue
            if message := move_data.get("finvoice_message"):
                deliveries._create_finvoice_delivery(move, self._get_finvoice_method(move_data), *message)
            if (
                "email" in move_data["sending_methods"]
                and "email" in channels
                and move_data.get("mail_partner_ids")
            ):
                message = (
                    self.env["mail.message"]
                    .sudo()
                    .search(
                        [
                            ("model", "=", move._name),
                            ("res_id", "=", move.id),
                            ("message_type", "=", "comment"),
                        ],
                        order="id desc",
                        limit=1,
                    )
                )
                delivery = deliveries.create(
                    {"move_id": move.id, "channel": "email", "mail_message_id": message.id}
                )
                # The e-mail may already be out (sent in the same transaction): take its state now.
                delivery._update_from_mail_notifications()
