"""What follows the order: confirmation, invoice, payment through the shop's gateway, cancellation."""

from odoo import Command, api, fields, models

from ..exceptions import WebshopImportError
from .billing_webshop_order_importer import CANCELLED_STATUSES, PAID_STATUSES


class BillingWebshopOrderImporter(models.AbstractModel):
    _inherit = "billing.webshop.order.importer"

    # -- workflow -----------------------------------------------------------------------------------

    @api.model
    def _is_paid(self, order):
        return order.paid_at is not None or order.status in PAID_STATUSES

    def _apply_workflow(self, backend, order, binding):
        """Confirm, invoice, pay, cancel and credit as the backend's policy says."""
        sale_order = binding.sale_order_id
        if not sale_order:
            return []
        done = []
        if order.status in CANCELLED_STATUSES:
            return self._cancel_order(backend, order, binding)
        paid = self._is_paid(order)
        if sale_order.state in ("draft", "sent") and (backend.confirm_policy == "always" or paid):
            sale_order.action_confirm()
            # Confirmation stamps "now"; the shop's order date is the real one.
            sale_order.date_order = order.created_at
            if backend.send_confirmation:
                sale_order._send_order_confirmation_mail()
            done.append("confirmed")
        invoice = self._get_invoice(binding)
        if sale_order.state == "sale" and backend.invoice_on_confirm and not invoice:
            invoice = self._create_invoice(backend, order, binding)
            done.append(f"invoiced {invoice.name}")
        can_pay = invoice and paid and backend.register_payment and not binding.payment_ids
        if can_pay and self._register_payment(backend, order, binding, invoice):
            done.append("paid")
        done += self._sync_refunds(backend, order, binding)
        return done

    @api.model
    def _get_invoice(self, binding):
        return binding.sale_order_id.invoice_ids.filtered(
            lambda move: move.move_type == "out_invoice" and move.state == "posted"
        )[:1]

    def _create_invoice(self, backend, order, binding):
        invoice = binding.sale_order_id._create_invoices()
        invoice.ref = order.number
        self._absorb_total_difference(
            backend, invoice, order.total, self._expected_tax_by_group(backend, order), number=order.number
        )
        invoice.action_post()
        return invoice

    def _get_gateway(self, backend, order):
        gateway = backend.payment_method_ids.filtered(lambda method: method.code == order.payment_method)
        if gateway:
            return gateway
        if not order.payment_method:
            raise WebshopImportError(
                self.env._(
                    "Shop order %(number)s is paid but names no payment gateway, so Odoo cannot tell which "
                    "journal received the money. Register the payment on the invoice by hand, then Ignore this "
                    "event; or untick %(setting)s on webshop %(backend)s and Retry.",
                    number=order.number,
                    setting=self._setting_label(backend, "register_payment"),
                    backend=backend.name,
                ),
                kind="order",
                ref=order.number,
            )
        raise WebshopImportError(
            self.env._(
                'Shop order %(number)s was paid with "%(title)s" (payment gateway %(gateway)s), and webshop '
                "%(backend)s has no journal for that gateway. Map the gateway to the journal it pays into (Map "
                "gateway on this event, or the Payment Gateways tab of the webshop), then Retry.",
                number=order.number,
                title=order.payment_method_title or order.payment_method,
                gateway=order.payment_method,
                backend=backend.name,
            ),
            kind="gateway",
            ref=order.payment_method,
            name=order.payment_method_title,
        )

    def _register_payment(self, backend, order, binding, invoice):
        gateway = self._get_gateway(backend, order)
        if not gateway.register_payment or invoice.payment_state in ("paid", "in_payment"):
            return False
        payments = self._pay_move(gateway, order, invoice, invoice.amount_residual)
        binding.write(
            {
                "payment_ids": [Command.link(payment.id) for payment in payments],
                "transaction_id": order.transaction_id,
            }
        )
        return True

    def _pay_move(self, gateway, order, move, amount):
        paid_at = order.paid_at or order.created_at
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create(
                {
                    "journal_id": gateway.journal_id.id,
                    "payment_date": fields.Date.to_date(paid_at),
                    "amount": amount,
                    "communication": " ".join(filter(None, (order.number, order.transaction_id))),
                }
            )
        )
        return wizard._create_payments()

    def _cancel_order(self, backend, order, binding):
        sale_order = binding.sale_order_id
        if sale_order.state == "cancel":
            return []
        delivered = any(picking.state == "done" for picking in sale_order.picking_ids)
        if self._get_invoice(binding) or delivered:
            raise WebshopImportError(
                self.env._(
                    "Shop order %(number)s was cancelled in the shop, but %(order)s is already invoiced or "
                    "delivered, so Odoo does not cancel it. Refund the order in the shop (the refund becomes a "
                    "credit note with the next import), or credit and return %(order)s by hand and then Ignore "
                    "this event.",
                    number=order.number,
                    order=sale_order.name,
                ),
                kind="order",
                ref=order.number,
                name=sale_order.name,
            )
        sale_order._action_cancel()
        return ["cancelled"]
