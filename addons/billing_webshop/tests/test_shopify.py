import json
import threading
from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from ..controllers.main import MAX_BODY_SIZE
from ..webshop.shopify import ShopifyAdapter
from ..webshop.shopify_client import ShopifyClient, ShopifyError
from .common import WebshopCommon
from .shopify_emulator import ShopifyEmulator, sign

CLIENT_ID = "shopify-client-id"
CLIENT_SECRET = "shopify-client-secret"
LOCATION = "gid://shopify/Location/1"
VAT_21 = [("BTW", 0.21, "21.00")]


class ShopifyCommon(WebshopCommon):
    """A Shopify backend of the Dutch company, talking to a local emulator."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = ShopifyEmulator(CLIENT_ID, CLIENT_SECRET)
        cls.shop.start()
        cls.addClassCleanup(cls.shop.stop)
        cls.shopify = cls._create_shopify_backend(cls.company, cls.pricelist, cls.bank_journal)
        cls.variants = {
            sku: cls.shop.add_variant(sku, available=10) for sku in ("MUG-DB", "STRP-8", "KS-RVS")
        }

    @classmethod
    def _create_shopify_backend(cls, company, pricelist, journal, **values):
        taxes = cls.env["account.tax"].search(
            [("company_id", "=", company.id), ("type_tax_use", "=", "sale")]
        )
        if company == cls.company:
            taxes = cls.tax_21 | cls.tax_9 | cls.tax_21_incl | cls.tax_9_incl

        def tax(amount, included):
            return taxes.filtered(lambda t: t.amount == amount and t.price_include == included)[:1]

        return cls.env["billing.webshop.backend"].create(
            {
                "name": f"Shopify {company.name}",
                "shop_type": "shopify",
                "company_id": company.id,
                "base_url": cls.shop.base_url,
                "api_key": CLIENT_ID,
                "api_secret": CLIENT_SECRET,
                "webhook_secret": CLIENT_SECRET,
                "pricelist_id": pricelist.id,
                "poll_enabled": False,
                "shopify_location_id": LOCATION,
                "tax_map_ids": [
                    Command.create(
                        {"rate": rate, "price_include": included, "tax_id": tax(rate, included).id}
                    )
                    for rate in (21.0, 9.0)
                    for included in (False, True)
                    if tax(rate, included)
                ],
                "payment_method_ids": [
                    Command.create({"code": code, "journal_id": journal.id})
                    for code in ("shopify_payments", "gift_card")
                ],
                **values,
            }
        )

    def add_order(self, lines=None, **options):
        lines = lines or [("MUG-DB", self.variants["MUG-DB"]["id"], 2, "50.00", VAT_21, 0)]
        return self.shop.add_order(lines, **options)

    def import_gid(self, gid, backend=None):
        """Import an order as polling would (a reference the importer reads again)."""
        return self.import_payload(
            {"id": gid, "updatedAt": self.shop.orders[gid]["updatedAt"]}, backend or self.shopify
        )


@tagged("post_install", "-at_install")
class TestShopifyImport(ShopifyCommon):
    def test_order_with_shipping_and_gift_card(self):
        order = self.add_order(shipping=("Standard", "5.00", [("BTW", 0.21, "1.05")]), gift_card="10.00")
        event = self.import_gid(order["id"])
        sale_order = self.assertImported(event)
        self.assertEqual(event.order_binding_id.external_id, order["id"])
        self.assertEqual(sale_order.client_order_ref, order["name"])
        self.assertEqual(sale_order.amount_total, 127.05)
        self.assertEqual(sale_order.order_line.tax_id, self.tax_21)
        invoice = sale_order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(sorted(event.order_binding_id.payment_ids.mapped("amount")), [10.0, 117.05])

    def test_order_confirmation_mail_when_asked(self):
        comment = self.env.ref("mail.mt_comment")

        def confirmations(sale_order):
            return sale_order.message_ids.filtered(
                lambda message: message.subtype_id == comment and sale_order.partner_id in message.partner_ids
            )

        self.shopify.send_confirmation = True
        sale_order = self.assertImported(self.import_gid(self.add_order()["id"]))
        self.assertEqual(len(confirmations(sale_order)), 1)
        self.assertIn(sale_order.name, confirmations(sale_order).subject)
        # Off (the default): the shop sends its own, Odoo sends nothing.
        self.shopify.send_confirmation = False
        other = self.assertImported(self.import_gid(self.add_order(customer_email="eve@example.com")["id"]))
        self.assertFalse(confirmations(other))

    def test_taxes_included_and_discount(self):
        order = self.add_order(
            [
                ("MUG-DB", self.variants["MUG-DB"]["id"], 2, "60.50", [("BTW", 0.21, "19.26")], "10.00"),
                ("STRP-8", self.variants["STRP-8"]["id"], 1, "10.90", [("BTW", 0.09, "0.90")], 0),
            ],
            taxes_included=True,
            discount_code="WELKOM10",
        )
        sale_order = self.assertImported(self.import_gid(order["id"]))
        self.assertEqual(sale_order.amount_total, 121.90)
        self.assertEqual(sale_order.order_line.tax_id, self.tax_21_incl | self.tax_9_incl)
        self.assertIn("WELKOM10", " ".join(sale_order.order_line.mapped("name")))
        self.assertAlmostEqual(sale_order.invoice_ids.amount_tax, 20.16)

    def test_replay_of_one_delivery_and_many_deliveries_give_one_order(self):
        order = self.add_order()
        reference = self.shop.rest_order(order["id"])
        for _attempt in range(100):
            self.import_payload(reference, self.shopify)
        bindings = self.binding_of(order["id"], self.shopify)
        self.assertEqual(len(bindings), 1)
        self.assertEqual(len(bindings.sale_order_id), 1)
        events = self.env["billing.webshop.event"].search([("backend_id", "=", self.shopify.id)])
        self.assertEqual(len(events), 1)
        self.assertEqual(
            events.result, f"created, confirmed, invoiced {bindings.sale_order_id.invoice_ids.name}, paid"
        )
        # Deliveries with other ids (orders/create, then orders/updated) stay one order too.
        again = self.import_payload(dict(reference, updated_at="2099-01-01T00:00:00Z"), self.shopify)
        self.assertEqual((again.state, again.result, again.order_binding_id), ("done", "unchanged", bindings))

    def test_out_of_order_update_cannot_undo_a_newer_state(self):
        order = self.add_order()
        old = self.shop.rest_order(order["id"])
        self.shop.update_order(order["id"], note="gift wrap")
        newer = self.import_gid(order["id"])
        self.assertImported(newer)
        # The first delivery arrives last: the order is read again, so nothing changes.
        late = self.import_payload(old, self.shopify)
        self.assertEqual((late.state, late.result), ("done", "unchanged"))

    def test_delivery_triggered_before_the_imported_change_is_not_read_again(self):
        order = self.add_order(updated_at="2026-01-10T12:00:00Z")
        self.assertImported(self.import_gid(order["id"]))
        reads = self.shop.operation_log.count("order(")

        def deliver(triggered_at):
            delivery = self.shop.webhook_request(
                "orders/updated", self.shop.rest_order(order["id"]), triggered_at=triggered_at
            )
            event = self.shopify._receive_webhook(*delivery)
            event._process()
            return event

        # A retry of a delivery triggered before the change already imported: nothing to read.
        late = deliver("2026-01-10T11:59:58.877041743Z")
        self.assertEqual(
            (late.state, late.result, late.order_binding_id),
            ("done", "stale", self.binding_of(order["id"], self.shopify)),
        )
        self.assertEqual(self.shop.operation_log.count("order("), reads)
        # Triggered in the same second or later, or given in another zone: the order is read again.
        for triggered_at in ("2026-01-10T12:00:00.5Z", "2026-01-10T14:00:00+02:00"):
            event = deliver(triggered_at)
            self.assertEqual((event.state, event.result), ("done", "unchanged"))
        self.assertEqual(self.shop.operation_log.count("order("), reads + 2)

    def test_refund_with_two_tax_rates_becomes_one_credit_note(self):
        order = self.add_order(
            [
                ("MUG-DB", self.variants["MUG-DB"]["id"], 2, "50.00", VAT_21, 0),
                ("STRP-8", self.variants["STRP-8"]["id"], 2, "10.00", [("BTW", 0.09, "1.80")], 0),
            ]
        )
        sale_order = self.assertImported(self.import_gid(order["id"]))
        self.assertEqual(sale_order.amount_total, 142.80)
        self.shop.add_refund(order["id"], "71.40", lines=[(0, 1, "50.00", "10.50"), (1, 1, "10.00", "0.90")])
        event = self.import_payload({"order_id": int(order["id"].rsplit("/", 1)[1]), "id": 99}, self.shopify)
        self.assertEqual(event.state, "done", event.error)
        credit_note = event.order_binding_id.refund_ids.move_id
        self.assertEqual(credit_note.amount_total, 71.40)
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(
            sorted((line.tax_ids.amount, line.price_subtotal) for line in credit_note.invoice_line_ids),
            [(9.0, 10.0), (21.0, 50.0)],
        )

    def test_cancelled_before_invoice(self):
        order = self.add_order(paid=False)
        sale_order = self.assertImported(self.import_gid(order["id"]))
        self.assertEqual(sale_order.state, "draft")
        self.shop.update_order(order["id"], cancelledAt=fields.Datetime.now().strftime("%Y-%m-%dT%H:%M:%SZ"))
        event = self.import_gid(order["id"])
        self.assertEqual((event.state, event.result), ("done", "cancelled"))
        self.assertEqual(sale_order.state, "cancel")

    def test_presentment_money(self):
        usd = self.env.ref("base.USD")
        usd.active = True
        self.env["product.pricelist"].create(
            {"name": "Webshop USD", "currency_id": usd.id, "company_id": self.company.id}
        )
        self.shopify.write({"shopify_money": "presentment", "currency_policy": "any_pricelist"})
        order = self.add_order(
            [("MUG-DB", self.variants["MUG-DB"]["id"], 1, "100.00", [("BTW", 0.21, "21.00")], 0)],
            presentment_rate="1.10",
            presentment_currency="USD",
            paid=False,
        )
        # The tax line is converted too: 21.00 EUR is 23.10 USD.
        sale_order = self.assertImported(self.import_gid(order["id"]))
        self.assertEqual(sale_order.currency_id, usd)
        self.assertEqual(sale_order.amount_total, 133.10)

    def test_full_order_given_over_rpc_and_more_lines_than_read(self):
        order = self.add_order()
        # A complete GraphQL order is imported as given, without asking the shop.
        requests_before = len(self.shop.request_log)
        self.assertImported(self.import_payload(order, self.shopify))
        self.assertEqual(len(self.shop.request_log), requests_before)
        # One with more line items than one query reads is refused rather than imported in part.
        order = self.add_order()
        order["lineItems"]["pageInfo"]["hasNextPage"] = True
        event = self.import_payload(order, self.shopify)
        self.assertEqual((event.state, event.missing_kind), ("error", "payload"))
        self.assertIn("lineItems.pageInfo.hasNextPage", event.error)

    def test_bad_payloads_are_kept_with_a_clear_error_and_retryable(self):
        # Unknown variant, SKU unknown in Odoo: in error naming the SKU, imported once bound.
        variant = self.shop.add_variant("NEW-1")
        order = self.add_order([("NEW-1", variant["id"], 1, "10.00", [("BTW", 0.21, "2.10")], 0)])
        event = self.import_gid(order["id"])
        self.assertEqual(
            (event.state, event.missing_kind, event.missing_ref), ("error", "product", variant["id"])
        )
        self.assertIn("NEW-1", event.error)
        self.env["billing.webshop.product.binding"].create(
            {
                "backend_id": self.shopify.id,
                "external_id": variant["id"],
                "product_id": self.products["KS-RVS"].id,
            }
        )
        event.action_retry()
        event.action_process_now()
        self.assertImported(event)
        # Wrong currency: in error naming the currency.
        order = self.add_order(currency="CHF")
        event = self.import_gid(order["id"])
        self.assertEqual((event.state, event.missing_kind, event.missing_ref), ("error", "currency", "CHF"))
        # An order the shop does not have: in error, saying so.
        event = self.import_payload({"id": "gid://shopify/Order/1"}, self.shopify)
        self.assertEqual(event.state, "error")
        self.assertIn("no order gid://shopify/Order/1", event.error)


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


@tagged("post_install", "-at_install")
class TestShopifyClient(ShopifyCommon):
    def client(self, **options):
        sleeps = []
        client = ShopifyClient(
            self.shop.base_url,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            sleep=sleeps.append,
            **options,
        )
        return client, sleeps

    def test_throttled_in_a_200_and_as_429_are_tried_again(self):
        order = self.add_order()
        client, sleeps = self.client()
        for status in (200, 429):
            self.shop.throttle_status_code = status
            self.shop.throttle_next = 2
            data = client.execute("query Order($id: ID!) { order(id: $id) { id } }", {"id": order["id"]})
            self.assertEqual(data["order"]["id"], order["id"])
        self.assertEqual(len(sleeps), 4)
        self.shop.throttle_next = 10
        with self.assertRaises(ShopifyError) as caught:
            client.execute("query Order($id: ID!) { order(id: $id) { id } }", {"id": order["id"]})
        self.assertIn("throttled", str(caught.exception))
        self.assertTrue(caught.exception.transient)
        self.shop.throttle_next = 0

    def test_client_waits_for_the_bucket_to_refill(self):
        order = self.add_order()
        self.shop.available = 15.0
        self.shop.restore_rate = 1.0
        self.addCleanup(setattr, self.shop, "restore_rate", 100.0)
        client, sleeps = self.client()
        client.execute("query Order($id: ID!) { order(id: $id) { id } }", {"id": order["id"]})
        self.assertLess(client.throttle_status["currentlyAvailable"], 10.0)
        # The next order query costs 10 again: the client pauses instead of being throttled.
        self.shop.available = 2000.0
        client.execute("query Order($id: ID!) { order(id: $id) { id } }", {"id": order["id"]})
        self.assertTrue(sleeps and 0 < sleeps[0] <= 5, sleeps)

    def test_pagination_reads_every_page(self):
        gids = {self.add_order()["id"] for _index in range(7)}
        client, _sleeps = self.client()
        nodes = list(
            client.paginate(
                "query Orders($first: Int!, $after: String, $query: String) { orders(first: $first) { nodes {id} } }",
                {"query": ""},
                ("orders",),
                page_size=3,
            )
        )
        self.assertLessEqual(gids, {node["id"] for node in nodes})

    def test_token_is_fetched_stored_and_refreshed(self):
        order = self.add_order()
        self.assertFalse(self.shopify.shopify_access_token)
        self.import_gid(order["id"])
        first = self.shopify.shopify_access_token
        self.assertTrue(first.startswith("shpat_"))
        self.assertGreater(self.shopify.shopify_token_expires_at, datetime.now() + timedelta(hours=23))
        # Lapsing soon: refreshed before the call.
        self.shopify.shopify_token_expires_at = datetime.now() + timedelta(minutes=1)
        self.shopify._get_adapter().fetch_order(order["id"])
        second = self.shopify.shopify_access_token
        self.assertNotEqual(first, second)
        # Revoked in the shop: the 401 gets a new token and the call goes through.
        self.shop.tokens.clear()
        self.assertEqual(self.shopify._get_adapter().fetch_order(order["id"])["id"], order["id"])
        self.assertNotIn(self.shopify.shopify_access_token, (first, second))
        self.assertNotIn(second, repr(self.shopify._get_adapter().client))

    def test_user_errors_are_raised_in_words(self):
        client, _sleeps = self.client()
        query = "mutation WebhookCreate($topic: X!, $webhookSubscription: Y!) { webhookSubscriptionCreate }"
        variables = {
            "topic": "ORDERS_CREATE",
            "webhookSubscription": {"callbackUrl": "https://odoo.example/hook"},
        }
        client.mutate(query, variables, "webhookSubscriptionCreate")
        with self.assertRaises(ShopifyError) as caught:
            client.mutate(query, variables, "webhookSubscriptionCreate")
        self.assertEqual(
            str(caught.exception),
            "Shopify webhookSubscriptionCreate: webhookSubscription.callbackUrl: "
            "Address for this topic has already been taken",
        )

    def test_polling_and_bulk_reconciliation(self):
        gids = {self.add_order()["id"] for _index in range(3)}
        Event = self.env["billing.webshop.event"]
        created = self.shopify._poll_orders(datetime.now() - timedelta(hours=1))
        self.assertLessEqual(gids, set(created.mapped("external_id")))
        self.assertTrue(self.shopify.poll_cursor)
        # Polling the same again queues nothing new.
        self.assertEqual(self.shopify._poll_orders(datetime.now() - timedelta(hours=1)), created)
        # The webhooks and the poll were missed: the bulk operation finds the orders.
        created.unlink()
        reconciled = self.shopify._reconcile_orders(datetime.now() - timedelta(hours=1))
        mine = reconciled.filtered(lambda event: event.external_id in gids)
        self.assertEqual(set(mine.mapped("external_id")), gids)
        mine._process()
        self.assertEqual(set(mine.mapped("state")), {"done"}, mine.mapped("error"))
        self.assertEqual(len(Event.search([("external_id", "in", list(gids))]).order_binding_id), 3)

    def test_product_push_sends_title_description_sku_and_price(self):
        """Push: the variant's price and SKU, and its product's title and description (Odoo is
        their master); a change of the name flags the binding and the next push sends it."""
        product = self.products["MUG-DB"]
        product.write({"list_price": 13.95, "description_sale": "Handbeschilderd\nin Delft & <Gouda>"})
        red = self.shop.add_variant("MUG-DB-RED", price="9.00")
        blue = self.shop.add_variant("MUG-DB-BLUE", price="9.00", product_id=red["product"]["id"])
        self.shopify.push_enabled = True
        bindings = self.env["billing.webshop.product.binding"].create(
            [
                {"backend_id": self.shopify.id, "external_id": red["id"], "product_id": product.id},
                {"backend_id": self.shopify.id, "external_id": blue["id"], "product_id": product.id},
            ]
        )
        bindings._push()
        self.assertEqual(bindings.mapped("push_state"), ["synced", "synced"], bindings.mapped("push_error"))
        shop_product = self.shop.products[red["product"]["id"]]
        self.assertEqual(shop_product["title"], "Koffiemok Delfts Blauw")
        self.assertEqual(
            shop_product["descriptionHtml"], "<p>Handbeschilderd<br>in Delft &amp; &lt;Gouda&gt;</p>"
        )
        self.assertEqual(
            [(v["sku"], v["price"]) for v in (red, blue)], [("MUG-DB", "13.95"), ("MUG-DB", "13.95")]
        )
        self.assertEqual(
            self.shop.operation_log.count("productUpdate("),
            1,
            "one productUpdate per shop product, not per variant",
        )

        product.name = "Koffiemok Delfts Blauw XL"
        self.assertTrue(all(bindings.mapped("need_push")))
        bindings._push()
        self.assertEqual(shop_product["title"], "Koffiemok Delfts Blauw XL")
        # Shopify refuses the product update: both variants say why, neither is marked synced.
        del self.shop.products[red["product"]["id"]]
        product.name = "Koffiemok Delfts Blauw XXL"
        bindings._push()
        self.assertEqual(bindings.mapped("push_state"), ["error", "error"])
        self.assertIn("Product does not exist", bindings[0].push_error)

    def test_stock_push_compare_and_set_and_conflict(self):
        variant = self.variants["KS-RVS"]
        product = self.products["KS-RVS"]
        location = (
            self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1).lot_stock_id
        )
        product.is_storable = True
        self.env["stock.quant"]._update_available_quantity(product, location, 10)
        self.shopify.write({"push_enabled": True, "push_stock": True})
        binding = self.env["billing.webshop.product.binding"].create(
            {"backend_id": self.shopify.id, "external_id": variant["id"], "product_id": product.id}
        )
        binding._push()
        self.assertEqual(binding.push_state, "synced", binding.push_error)
        item = (variant["inventoryItem"]["id"], LOCATION)
        self.assertEqual(self.shop.inventory[item], 10)
        # The shop sells two; Odoo's figure changes too: the shop's figure is left alone.
        self.shop.inventory[item] = 8
        self.env["stock.quant"]._update_available_quantity(product, location, 5)
        binding.need_push = True
        binding._push()
        self.assertEqual(
            (binding.push_state, binding.conflict_shop_stock, binding.conflict_odoo_stock),
            ("conflict", 8, 15),
        )
        self.assertEqual(self.shop.inventory[item], 8)
        binding.action_overwrite_shop_stock()
        binding._push()
        self.assertEqual((binding.push_state, self.shop.inventory[item]), ("synced", 15))
        # A sale between the read and the write: Shopify refuses the stale compareQuantity.
        adapter = ShopifyAdapter(self.shop.base_url, CLIENT_ID, CLIENT_SECRET, location_id=LOCATION)
        adapter.read_products([variant["id"]])
        self.shop.inventory[item] = 14
        answer = adapter.push_products([{"id": variant["id"], "stock_quantity": 20}])
        self.assertIn("compareQuantity", answer[variant["id"]])
        self.assertEqual(self.shop.inventory[item], 14)


@tagged("post_install", "-at_install")
class TestShopifyWebhook(ShopifyCommon, HttpCase):
    def setUp(self):
        super().setUp()
        self.path = f"/billing_webshop/webhook/{self.shopify.id}"
        self.url = f"{self.base_url()}{self.path}"
        self.Event = self.env["billing.webshop.event"]

    def events(self):
        return self.Event.search([("backend_id", "=", self.shopify.id)])

    def post(self, headers, body):
        return self.url_open(self.path, data=body, headers=headers)

    def test_signature(self):
        order = self.add_order()
        headers, body = self.shop.webhook_request("orders/create", self.shop.rest_order(order["id"]))
        self.assertIn(b"\\/", body)  # Shopify's escaping: only the raw bytes verify
        self.assertEqual(
            self.post({**headers, "X-Shopify-Hmac-Sha256": sign("wrong", body)}, body).status_code, 403
        )
        self.assertEqual(
            self.post({k: v for k, v in headers.items() if "Hmac" not in k}, body).status_code, 403
        )
        reserialised = json.dumps(json.loads(body)).encode()
        self.assertEqual(self.post(headers, reserialised).status_code, 403)
        self.assertFalse(self.events())
        response = self.post(headers, body)
        self.assertEqual(response.status_code, 200)
        event = self.events()
        self.assertEqual(
            (event.state, event.topic, event.external_id, event.delivery_key),
            ("queued", "orders/create", order["id"], f"shopify:{headers['X-Shopify-Webhook-Id']}"),
        )
        self.assertEqual(json.loads(event.headers)["X-Shopify-Hmac-Sha256"], "(redacted)")
        self.assertNotIn(CLIENT_SECRET, event.headers + event.payload)
        self.Event._cron_process_events()
        self.assertImported(event)

    def test_previous_secret_is_accepted_during_a_rotation(self):
        order = self.add_order()
        headers, body = self.shop.webhook_request("orders/create", self.shop.rest_order(order["id"]))
        self.shopify.webhook_secret = "the-new-secret"
        self.assertEqual(self.post(headers, body).status_code, 403)
        self.shopify.webhook_secret_previous = CLIENT_SECRET
        self.assertEqual(self.post(headers, body).status_code, 200)
        # Without a current secret nothing gets in, whatever the previous one.
        self.shopify.webhook_secret = False
        other, body = self.shop.webhook_request("orders/updated", self.shop.rest_order(order["id"]))
        self.assertEqual(self.post(other, body).status_code, 403)

    def test_subscriptions_are_renewed_daily(self):
        others = self.env["billing.webshop.backend"].search([("shop_type", "=", "shopify")]) - self.shopify
        others.active = False  # the demo shop: nothing listens there
        self.env["billing.webshop.backend"]._cron_register_webhooks()
        mine = [sub for sub in self.shop.subscriptions if sub["callbackUrl"] == self.shopify.webhook_url]
        self.assertEqual(len(mine), 5)
        self.shop.subscriptions.remove(mine[0])  # Shopify dropped one after failed deliveries
        self.env["billing.webshop.backend"]._cron_register_webhooks()
        mine = [sub for sub in self.shop.subscriptions if sub["callbackUrl"] == self.shopify.webhook_url]
        self.assertEqual(len(mine), 5)

    def test_retried_delivery_is_stored_once(self):
        order = self.add_order()
        headers, body = self.shop.webhook_request("orders/updated", self.shop.rest_order(order["id"]))
        for _attempt in range(100):
            self.assertEqual(self.post(headers, body).status_code, 200)
        self.assertEqual(len(self.events()), 1)
        self.Event._cron_process_events()
        self.assertEqual(len(self.binding_of(order["id"], self.shopify).sale_order_id), 1)

    def test_ten_concurrent_deliveries_of_one_order(self):
        order = self.add_order()
        deliveries = [
            self.shop.webhook_request(topic, self.shop.rest_order(order["id"]))
            for topic in ["orders/create"] + ["orders/updated"] * 9
        ]
        statuses = []

        def deliver(headers, body):
            statuses.append(self.shop.deliver_raw(self.url, headers, body).status_code)

        threads = [
            threading.Thread(target=deliver, args=delivery) for delivery in deliveries + deliveries[:3]
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
        self.assertEqual(statuses, [200] * 13)
        self.assertEqual(len(self.events()), 10)
        self.Event._cron_process_events()
        self.assertEqual(set(self.events().mapped("state")), {"done"})
        binding = self.binding_of(order["id"], self.shopify)
        self.assertEqual(len(binding.sale_order_id), 1)
        self.assertEqual(len(binding.sale_order_id.invoice_ids), 1)
        self.assertEqual(len(binding.payment_ids), 1)

    def test_oversized_body_is_refused(self):
        body = b'{"id": 1, "pad": "' + b"x" * MAX_BODY_SIZE + b'"}'
        headers = {"X-Shopify-Topic": "orders/create", "X-Shopify-Hmac-Sha256": sign(CLIENT_SECRET, body)}
        self.assertEqual(self.post(headers, body).status_code, 413)
        self.assertFalse(self.events())

    def test_app_uninstalled_archives_the_backend(self):
        headers, body = self.shop.webhook_request("app/uninstalled", {"id": 690933842, "name": "Emulated"})
        self.assertEqual(self.post(headers, body).status_code, 200)
        self.assertFalse(self.shopify.active)
        self.assertFalse(self.shopify.poll_enabled)
        self.assertEqual(self.events().state, "done")
        # Archived: further deliveries are not taken.
        order = self.add_order()
        headers, body = self.shop.webhook_request("orders/create", self.shop.rest_order(order["id"]))
        self.assertEqual(self.post(headers, body).status_code, 404)

    def test_malformed_json_is_kept_in_error_and_retryable(self):
        body = b'{"id": 1, "line_items": ['
        headers = {
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Webhook-Id": "bad-1",
            "X-Shopify-Hmac-Sha256": sign(CLIENT_SECRET, body),
            "Content-Type": "application/json",
        }
        self.assertEqual(self.post(headers, body).status_code, 200)
        event = self.events()
        self.assertEqual((event.state, event.missing_kind), ("error", "payload"))
        self.assertIn("not JSON", event.error)
        self.assertTrue(event.raw_body)
        event.action_retry()
        self.assertEqual(event.state, "error")

    def test_register_webhooks(self):
        self.shopify.action_register_webhooks()
        self.assertEqual(
            sorted(
                sub["topic"]
                for sub in self.shop.subscriptions
                if sub["callbackUrl"] == self.shopify.webhook_url
            ),
            ["APP_UNINSTALLED", "ORDERS_CANCELLED", "ORDERS_CREATE", "ORDERS_UPDATED", "REFUNDS_CREATE"],
        )
        self.shopify.action_register_webhooks()  # already registered: fine

    def test_multi_company(self):
        other = self.setup_other_company()["company"]
        pricelist = self.env["product.pricelist"].create(
            {"name": "Webshop B", "currency_id": other.currency_id.id, "company_id": other.id}
        )
        journal = self.env["account.journal"].search(
            [("company_id", "=", other.id), ("type", "=", "bank")], limit=1
        )
        backend_b = self._create_shopify_backend(other, pricelist, journal, name="Shopify B")
        order = self.add_order(currency=other.currency_id.name)
        headers, body = self.shop.webhook_request("orders/create", self.shop.rest_order(order["id"]))
        self.assertEqual(
            self.url_open(f"/billing_webshop/webhook/{backend_b.id}", data=body, headers=headers).status_code,
            200,
        )
        event = self.Event.search([("backend_id", "=", backend_b.id)])
        self.assertEqual(event.company_id, other)
        self.assertFalse(self.events())
