"""The stock of refunded items, moved as the shop moved it (Shopify's ``restockType``).

* Returned (RETURN, LEGACY_RESTOCK): the items came back and the shop restocked them, so the
  order's done delivery is returned as the Return button does (``stock.return.picking``) and
  the return is validated at once.
* Cancelled (CANCEL): the items were not shipped, so the open delivery's demand is lowered, as a
  lowered sales order line does through a negative procurement (``stock.move._merge_moves``);
  the sales order line itself keeps the quantity invoiced, which the credit note corrects.
* Not restocked (NO_RESTOCK): nothing moves.

It runs once per shop refund, when the refund becomes a credit note (the refund binding keeps
a replayed delivery from restocking again), writes what it did on the sales order's chatter,
and never fails the credit note: what the deliveries do not allow becomes an activity.
"""

from collections import defaultdict

from markupsafe import Markup

from odoo import models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, float_is_zero

from ..webshop.normalize import RESTOCK_CANCEL, RESTOCK_RETURN


class BillingWebshopOrderImporter(models.AbstractModel):
    _inherit = "billing.webshop.order.importer"

    def _sync_refund_stock(self, backend, order, binding, refund, credit_note):
        """Return and lower deliveries for ``refund``; post what was done on the sales order."""
        sale_order = binding.sale_order_id
        if not refund.restocks or not sale_order:
            return
        try:
            with self.env.cr.savepoint():
                done, problems = self._apply_refund_stock(backend, order, sale_order, refund)
        except (UserError, ValidationError) as error:
            message = error.args[0] if error.args else str(error)
            done = []
            problems = [
                self.env._(
                    "The deliveries could not be changed, so nothing was moved: %(error)s", error=message
                )
            ]
        if not done and not problems:
            return
        title = self.env._(
            "Stock of shop refund %(refund)s (credit note %(credit_note)s):",
            refund=refund.external_id,
            credit_note=credit_note.name,
        )
        sale_order.message_post(
            body=self._format_restock_lines(title, done + problems), subtype_xmlid="mail.mt_note"
        )
        if problems:
            sale_order.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Check the stock of shop refund %(refund)s", refund=refund.external_id),
                note=self._format_restock_lines(
                    self.env._(
                        "The shop moved the stock of these refunded items, and Odoo could not do the same. "
                        "Return or lower the deliveries by hand where the goods really are:"
                    ),
                    problems,
                ),
                user_id=(sale_order.user_id or backend.user_id or self.env.user).id,
            )

    def _format_restock_lines(self, title, lines):
        items = Markup("").join(Markup("<li>%s</li>") % line for line in lines)
        return Markup("<p>%s</p><ul>%s</ul>") % (title, items)

    def _apply_refund_stock(self, backend, order, sale_order, refund):
        """Return (what was done, what could not be done), each a list of sentences."""
        lines_by_id = {line.external_id: line for line in order.product_lines}
        quantities = {RESTOCK_RETURN: defaultdict(float), RESTOCK_CANCEL: defaultdict(float)}
        problems = []
        for restock in refund.restocks:
            line = lines_by_id.get(restock.line_id)
            if not line:
                problems.append(
                    self.env._(
                        "%(quantity)s of shop line %(line)s: the order has no such line.",
                        quantity=restock.quantity,
                        line=restock.line_id,
                    )
                )
                continue
            product = self._get_line_product(backend, order, line)
            if product.type == "consu":
                quantities[restock.restock_type][product] += float(restock.quantity)
        done = []
        for result in (
            self._return_refunded_items(sale_order, quantities[RESTOCK_RETURN]),
            self._cancel_refunded_items(sale_order, quantities[RESTOCK_CANCEL]),
        ):
            done += result[0]
            problems += result[1]
        return done, problems

    def _get_customer_moves(self, sale_order, products):
        """The moves of ``sale_order`` that take ``products`` to the customer, oldest first."""
        return sale_order.order_line.move_ids.filtered(
            lambda move: move.product_id in products and move.location_dest_id.usage == "customer"
        ).sorted(lambda move: (move.date, move.id))

    def _return_refunded_items(self, sale_order, quantities):
        """Return ``quantities`` ({product: quantity}) from the done deliveries and validate it."""
        done, problems = [], []
        if not quantities:
            return done, problems
        moves = self._get_customer_moves(sale_order, self.env["product.product"].concat(*quantities))
        to_return = defaultdict(dict)  # picking → {move: quantity}
        for product, quantity in quantities.items():
            rounding = product.uom_id.rounding
            left = quantity
            for move in moves.filtered(
                lambda m, product=product: m.product_id == product and m.state == "done"
            ):
                returned = sum(
                    returned.product_qty for returned in move.returned_move_ids if returned.state != "cancel"
                )
                delivered = move.product_uom._compute_quantity(move.quantity, product.uom_id)
                take = min(left, delivered - returned)
                if float_compare(take, 0.0, precision_rounding=rounding) > 0:
                    to_return[move.picking_id][move] = take
                    left -= take
            if not float_is_zero(left, precision_rounding=rounding):
                open_pickings = moves.filtered(
                    lambda m, product=product: m.product_id == product and m.state not in ("done", "cancel")
                ).picking_id
                problems.append(
                    self.env._(
                        "%(quantity)s %(uom)s %(product)s were returned and restocked in the shop, but Odoo has "
                        "not delivered them (open: %(pickings)s), so there is nothing to return.",
                        quantity=format(left, "g"),
                        uom=product.uom_id.name,
                        product=product.display_name,
                        pickings=", ".join(open_pickings.mapped("name")) or "-",
                    )
                )
        for picking, move_quantities in to_return.items():
            wizard = (
                self.env["stock.return.picking"]
                .with_context(active_model="stock.picking", active_id=picking.id, active_ids=picking.ids)
                .create({"picking_id": picking.id})
            )
            for line in wizard.product_return_moves:
                line.quantity = move_quantities.get(line.move_id, 0.0)
            action = wizard.action_create_returns()
            return_picking = self.env["stock.picking"].browse(action["res_id"])
            for move in return_picking.move_ids:
                move.quantity = move.product_uom_qty
            return_picking.move_ids.picked = True
            return_picking.with_context(skip_sms=True).button_validate()
            items = self._describe_moves(return_picking.move_ids)
            if return_picking.state == "done":
                done.append(
                    self.env._(
                        "Returned %(items)s to stock from %(delivery)s: %(return)s, validated.",
                        items=items,
                        delivery=picking.name,
                        **{"return": return_picking.name},
                    )
                )
            else:
                problems.append(
                    self.env._(
                        "Return %(return)s of %(items)s from %(delivery)s is made but could not be validated; "
                        "validate it.",
                        items=items,
                        delivery=picking.name,
                        **{"return": return_picking.name},
                    )
                )
        return done, problems

    def _cancel_refunded_items(self, sale_order, quantities):
        """Lower the open deliveries of ``sale_order`` by ``quantities`` ({product: quantity})."""
        done, problems = [], []
        if not quantities:
            return done, problems
        moves = self._get_customer_moves(sale_order, self.env["product.product"].concat(*quantities))
        lowered = defaultdict(list)  # picking → [(product, quantity)]
        to_cancel = self.env["stock.move"]
        to_reserve = self.env["stock.move"]
        for product, quantity in quantities.items():
            rounding = product.uom_id.rounding
            left = quantity
            open_moves = moves.filtered(
                lambda m, product=product: (
                    m.product_id == product and m.state not in ("draft", "done", "cancel") and not m.picked
                )
            )
            for move in open_moves:
                demand = move.product_qty
                take = min(left, demand)
                if float_compare(take, 0.0, precision_rounding=rounding) <= 0:
                    continue
                # As _merge_moves absorbs a negative procurement: a lower demand, cancelled at zero.
                reserved = move.state in ("assigned", "partially_available")
                move.product_uom_qty = product.uom_id._compute_quantity(demand - take, move.product_uom)
                if float_is_zero(move.product_uom_qty, precision_rounding=move.product_uom.rounding):
                    to_cancel |= move
                elif reserved:
                    to_reserve |= move
                lowered[move.picking_id].append((product, take))
                left -= take
            if not float_is_zero(left, precision_rounding=rounding):
                problems.append(
                    self.env._(
                        "%(quantity)s %(uom)s %(product)s were cancelled in the shop before shipping, but no open "
                        "delivery of %(order)s still has them to lower (already shipped or picked?).",
                        quantity=format(left, "g"),
                        uom=product.uom_id.name,
                        product=product.display_name,
                        order=sale_order.name,
                    )
                )
        to_cancel._action_cancel()
        to_reserve._action_assign()
        for picking, items in lowered.items():
            done.append(
                self.env._(
                    "Lowered %(delivery)s by %(items)s, not to be shipped.",
                    delivery=picking.name,
                    items=", ".join(
                        self._describe_quantity(quantity, product.uom_id, product)
                        for product, quantity in items
                    ),
                )
            )
        return done, problems

    def _describe_moves(self, moves):
        return ", ".join(
            self._describe_quantity(move.product_uom_qty, move.product_uom, move.product_id) for move in moves
        )

    def _describe_quantity(self, quantity, uom, product):
        # No f-strings in this file: Odoo's term extraction (Babel) loses the translatable
        # strings that follow one.
        return " ".join((format(quantity, "g"), uom.name, product.display_name))
