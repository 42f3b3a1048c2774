from odoo import fields
from odoo.tests import tagged

from .common import VAT_21, ShopifyCommon


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
