"""What follows the order: confirmation, invoice, payment through the shop's gateway, cancellation."""

import dataclasses
from decimal import Decimal

from odoo import Command, api, fields, models

from ..exceptions import WebshopImportError
from ..webshop.normalize import Refund
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
        if len({payment.gateway for payment in order.payments}) > 1:
            return self._register_split_payments(backend, order, binding, invoice)
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
        """Cancel the sales order; an invoiced one is credited first (refunds the shop made become
        paid credit notes, what is left an open one), a delivered one needs a hand."""
        sale_order = binding.sale_order_id
        if sale_order.state == "cancel":
            return []
        if any(picking.state == "done" for picking in sale_order.picking_ids):
            raise WebshopImportError(
                self.env._(
                    "Shop order %(number)s was cancelled in the shop, but %(order)s is already delivered, so "
                    "Odoo does not cancel it. Refund the order in the shop (the refund becomes a credit note "
                    "with the next import), or credit and return %(order)s by hand and then Ignore this event.",
                    number=order.number,
                    order=sale_order.name,
                ),
                kind="order",
                ref=order.number,
                name=sale_order.name,
            )
        done = []
        invoice = self._get_invoice(binding)
        if invoice:
            done += self._sync_refunds(backend, order, binding)
            done += self._credit_cancelled_rest(backend, order, binding, invoice)
        sale_order._action_cancel()
        return [*done, "cancelled"]

    def _credit_cancelled_rest(self, backend, order, binding, invoice):
        """Credit what the shop's refunds left of the invoice of a cancelled order (not paid back:
        the shop did not say it refunded it)."""
        refund_id = f"cancel:{order.external_id}"
        if refund_id in binding.refund_ids.mapped("external_id"):
            return []
        credited = sum(binding.refund_ids.mapped("amount"))
        rest = invoice.currency_id.round(invoice.amount_total - credited)
        if invoice.currency_id.compare_amounts(rest, 0) <= 0:
            return []
        reason = self.env._("Shop order %(number)s cancelled", number=order.number)
        refund = Refund(external_id=refund_id, reason=reason, total=-Decimal(str(rest)))
        credit_note = self._create_credit_note(backend, order, binding, invoice, refund)
        self.env["billing.webshop.refund.binding"].create(
            {
                "order_binding_id": binding.id,
                "external_id": refund_id,
                "amount": rest,
                "move_id": credit_note.id,
            }
        )
        return [f"credited {credit_note.name}"]

    def _register_split_payments(self, backend, order, binding, invoice):
        """One payment per gateway the shop took money through (a gift card, then a card)."""
        if invoice.payment_state in ("paid", "in_payment"):
            return False
        payments = self.env["account.payment"]
        for shop_payment in order.payments:
            part = dataclasses.replace(
                order,
                payment_method=shop_payment.gateway,
                payment_method_title=shop_payment.gateway,
                transaction_id=shop_payment.transaction_id,
                paid_at=shop_payment.paid_at or order.paid_at,
            )
            gateway = self._get_gateway(backend, part)
            amount = min(float(shop_payment.amount), invoice.amount_residual)
            if not gateway.register_payment or invoice.currency_id.is_zero(amount):
                continue
            payments |= self._pay_move(gateway, part, invoice, amount)
        if not payments:
            return False
        binding.write(
            {
                "payment_ids": [Command.link(payment.id) for payment in payments],
                "transaction_id": order.transaction_id,
            }
        )
        return True
