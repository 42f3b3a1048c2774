from odoo.tests import tagged

from .common import VAT_21, ShopifyCommon


@tagged("post_install", "-at_install")
class TestShopifyRestock(ShopifyCommon):
    """Refund lines move the stock as their restockType says (RETURN, CANCEL, NO_RESTOCK)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.mug, cls.waffles = cls.products["MUG-DB"], cls.products["STRP-8"]
        (cls.mug | cls.waffles).is_storable = True
        for product in cls.mug | cls.waffles:
            cls.env["stock.quant"]._update_available_quantity(product, cls.warehouse.lot_stock_id, 20)

    def on_hand(self, product):
        return product.with_context(warehouse_id=self.warehouse.id).qty_available

    def chatter(self, sale_order):
        return " ".join(sale_order.message_ids.mapped("body"))

    def import_two_rate_order(self):
        """2 mugs at 21 % and 2 packs of waffles at 9 %, 142.80 with tax."""
        order = self.add_order(
            [
                ("MUG-DB", self.variants["MUG-DB"]["id"], 2, "50.00", VAT_21, 0),
                ("STRP-8", self.variants["STRP-8"]["id"], 2, "10.00", [("BTW", 0.09, "1.80")], 0),
            ]
        )
        sale_order = self.assertImported(self.import_gid(order["id"]))
        self.assertEqual(sale_order.amount_total, 142.80)
        return order, sale_order

    def ship(self, sale_order):
        delivery = sale_order.picking_ids.filtered(lambda picking: picking.state not in ("done", "cancel"))
        for move in delivery.move_ids:
            move.quantity = move.product_uom_qty
        delivery.move_ids.picked = True
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        return delivery

    def deliver_refund(self, order, refund, webhook_id=None):
        """The refunds/create webhook as Shopify sends it, received and processed."""
        request = self.shop.webhook_request(
            "refunds/create", self.shop.rest_refund(order["id"], refund["id"]), webhook_id=webhook_id
        )
        event = self.shopify._receive_webhook(*request)
        event._process()
        return event

    def refund_both(self, order, mug_restock, waffle_restock):
        """One mug and one pack of waffles back: 71.40 over the two rates."""
        return self.shop.add_refund(
            order["id"],
            "71.40",
            lines=[(0, 1, "50.00", "10.50", mug_restock), (1, 1, "10.00", "0.90", waffle_restock)],
        )

    def assertCreditNote(self, event, amount):
        self.assertEqual(event.state, "done", event.error)
        credit_note = event.order_binding_id.refund_ids.move_id
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.amount_total, amount)
        return credit_note

    def test_returned_items_come_back_into_stock_once(self):
        order, sale_order = self.import_two_rate_order()
        delivery = self.ship(sale_order)
        self.assertEqual((self.on_hand(self.mug), self.on_hand(self.waffles)), (18, 18))
        # LEGACY_RESTOCK is how Shopify names restocks made before RETURN and CANCEL existed.
        refund = self.refund_both(order, "RETURN", "LEGACY_RESTOCK")
        event = self.deliver_refund(order, refund, webhook_id="refund-delivery-1")
        credit_note = self.assertCreditNote(event, 71.40)
        self.assertEqual(
            sorted((line.tax_ids.amount, line.price_subtotal) for line in credit_note.invoice_line_ids),
            [(9.0, 10.0), (21.0, 50.0)],
        )
        returns = sale_order.picking_ids - delivery
        self.assertEqual(returns.state, "done")
        self.assertEqual(returns.return_id, delivery)
        self.assertEqual(
            sorted((move.product_id, move.quantity) for move in returns.move_ids),
            sorted([(self.mug, 1.0), (self.waffles, 1.0)]),
        )
        self.assertEqual((self.on_hand(self.mug), self.on_hand(self.waffles)), (19, 19))
        self.assertIn(returns.name, self.chatter(sale_order))
        self.assertIn(credit_note.name, self.chatter(sale_order))
        # An internal note: the customer is not told about stock moves.
        note = sale_order.message_ids.filtered(lambda message: returns.name in message.body)
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
        self.assertFalse(sale_order.activity_ids)
        # Shopify retries the same delivery, sends it again under another id, then the order's
        # orders/updated: one credit note, one return, the stock restocked once.
        self.deliver_refund(order, refund, webhook_id="refund-delivery-1")
        again = self.deliver_refund(order, refund, webhook_id="refund-delivery-2")
        self.assertEqual(again.state, "done", again.error)
        self.shop.update_order(order["id"], note="refund done")
        self.assertEqual(self.import_gid(order["id"]).state, "done")
        self.assertEqual(len(event.order_binding_id.refund_ids), 1)
        self.assertEqual(sale_order.picking_ids, delivery | returns)
        self.assertEqual((self.on_hand(self.mug), self.on_hand(self.waffles)), (19, 19))

    def test_cancelled_items_lower_the_open_delivery(self):
        order, sale_order = self.import_two_rate_order()
        delivery = sale_order.picking_ids
        self.assertEqual(delivery.state, "assigned")
        refund = self.shop.add_refund(order["id"], "60.50", lines=[(0, 1, "50.00", "10.50", "CANCEL")])
        self.assertCreditNote(self.deliver_refund(order, refund), 60.50)
        self.assertEqual(sale_order.picking_ids, delivery)
        self.assertEqual(
            sorted((move.product_id, move.product_uom_qty) for move in delivery.move_ids),
            sorted([(self.mug, 1.0), (self.waffles, 2.0)]),
        )
        self.assertEqual(delivery.state, "assigned")
        # The sales order keeps what was ordered and invoiced; the credit note corrects the money.
        self.assertEqual(sale_order.order_line.mapped("product_uom_qty"), [2.0, 2.0])
        self.assertEqual(sale_order.invoice_status, "invoiced")
        self.assertIn(delivery.name, self.chatter(sale_order))
        self.ship(sale_order)
        self.assertEqual((self.on_hand(self.mug), self.on_hand(self.waffles)), (19, 18))
        # Both lines cancelled in full: the move is cancelled, not left at zero.
        other, other_order = self.import_two_rate_order()
        refund = self.shop.add_refund(other["id"], "121.00", lines=[(0, 2, "100.00", "21.00", "CANCEL")])
        self.assertCreditNote(self.deliver_refund(other, refund), 121.00)
        mug_move = other_order.picking_ids.move_ids.filtered(lambda move: move.product_id == self.mug)
        self.assertEqual(mug_move.state, "cancel")

    def test_not_restocked_items_move_nothing(self):
        order, sale_order = self.import_two_rate_order()
        delivery = self.ship(sale_order)
        messages = sale_order.message_ids
        refund = self.refund_both(order, "NO_RESTOCK", "NO_RESTOCK")
        self.assertCreditNote(self.deliver_refund(order, refund), 71.40)
        self.assertEqual(sale_order.picking_ids, delivery)
        self.assertEqual((self.on_hand(self.mug), self.on_hand(self.waffles)), (18, 18))
        self.assertFalse(sale_order.message_ids - messages)

    def test_return_of_an_undelivered_order_is_an_activity_not_an_error(self):
        order, sale_order = self.import_two_rate_order()
        delivery = sale_order.picking_ids
        refund = self.refund_both(order, "RETURN", "NO_RESTOCK")
        self.assertCreditNote(self.deliver_refund(order, refund), 71.40)
        self.assertEqual(sale_order.picking_ids, delivery)
        self.assertEqual(delivery.move_ids.mapped("product_uom_qty"), [2.0, 2.0])
        activity = sale_order.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn(refund["id"], activity.summary)
        self.assertIn(delivery.name, activity.note)

    def test_cancel_after_shipping_is_an_activity(self):
        order, sale_order = self.import_two_rate_order()
        self.ship(sale_order)
        refund = self.shop.add_refund(order["id"], "60.50", lines=[(0, 1, "50.00", "10.50", "CANCEL")])
        self.assertCreditNote(self.deliver_refund(order, refund), 60.50)
        self.assertEqual(len(sale_order.picking_ids), 1)
        self.assertEqual(self.on_hand(self.mug), 18)
        self.assertIn(self.mug.display_name, sale_order.activity_ids.note)
