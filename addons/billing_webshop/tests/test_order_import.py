from decimal import Decimal

from odoo.tests import tagged

from .common import WebshopCommon


@tagged("post_install", "-at_install")
class TestOrderImport(WebshopCommon):
    def test_paid_order_becomes_confirmed_invoiced_and_paid(self):
        event = self.import_payload(self.fixture("woo_order_tax_excluded"))
        order = self.assertImported(event)
        self.assertEqual(self.eur.name, "EUR")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.client_order_ref, "4711")
        self.assertEqual(order.amount_total, 52.43)
        self.assertEqual(order.currency_id, self.eur)
        self.assertEqual(
            sorted(
                (line.product_id.default_code or line.product_id.name, line.product_uom_qty, line.price_unit)
                for line in order.order_line
            ),
            [("MUG-DB", 2.0, 12.5), ("STRP-8", 3.0, 4.95), ("Webshop Shipping", 1.0, 4.95)],
        )
        mug_line = order.order_line.filtered(lambda line: line.product_id.default_code == "MUG-DB")
        self.assertEqual(mug_line.tax_id, self.tax_21)
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.amount_total, 52.43)
        self.assertEqual(invoice.amount_tax, 7.63)
        self.assertIn(invoice.payment_state, ("in_payment", "paid"))
        binding = event.order_binding_id
        self.assertEqual(binding.payment_ids.journal_id, self.bank_journal)
        self.assertEqual(binding.payment_ids.amount, 52.43)
        self.assertEqual(binding.transaction_id, "tr_WDqYK6vllg")
        # The customer is the company, with its VAT number; addresses are child contacts.
        partner = order.partner_id
        self.assertEqual(
            (partner.name, partner.vat, partner.is_company), ("Bakker & Zn. B.V.", "NL001234567B01", True)
        )
        self.assertEqual(order.partner_invoice_id.parent_id, partner)
        self.assertEqual(order.partner_invoice_id.type, "invoice")
        self.assertEqual(order.partner_shipping_id.parent_id, partner)
        self.assertEqual(order.partner_shipping_id.type, "delivery")
        self.assertEqual(order.partner_shipping_id.street, "Nieuwe Binnenweg 214")
        self.assertIn("created", event.result)
        self.assertEqual(order.webshop_binding_ids, binding)

    def test_replay_is_a_no_op_and_other_dates_do_not_matter(self):
        payload = self.fixture("woo_order_tax_excluded")
        first = self.import_payload(payload)
        order = self.assertImported(first)
        for second in range(100):
            payload["date_modified_gmt"] = f"2025-02-14T10:{second // 60:02d}:{second % 60:02d}"
            event = self.import_payload(payload)
            self.assertEqual(event.state, "done")
            self.assertEqual(event.result, "unchanged")
        self.assertEqual(
            self.env["billing.webshop.order.binding"].search_count([("backend_id", "=", self.backend.id)]), 1
        )
        self.assertEqual(self.env["sale.order"].search_count([("client_order_ref", "=", "4711")]), 1)
        self.assertEqual(len(order.invoice_ids), 1)
        self.assertEqual(len(first.order_binding_id.payment_ids), 1)

    def test_prices_including_tax(self):
        order = self.assertImported(self.import_payload(self.fixture("woo_order_prices_incl_tax")))
        self.assertEqual(order.amount_total, 43.16)
        self.assertEqual(order.invoice_ids.amount_total, 43.16)
        self.assertEqual(order.invoice_ids.amount_tax, 6.30)
        towels = order.order_line.filtered(lambda line: line.product_id.default_code == "TD-MOLEN")
        # 2 x 15.00 with tax, as the customer saw it, never WooCommerce's float price.
        self.assertEqual((towels.price_unit, towels.tax_id), (15.0, self.tax_21_incl))

    def test_coupon_discount_is_a_line_that_keeps_the_cent(self):
        order = self.assertImported(self.import_payload(self.fixture("woo_order_coupon_rounding")))
        plaid = order.order_line.filtered(lambda line: line.product_id.default_code == "PLAID-OKER")
        self.assertEqual((plaid.product_uom_qty, plaid.price_unit, plaid.discount), (3.0, 19.99, 0.0))
        discount = order.order_line.filtered(lambda line: line.product_id == self.backend.discount_product_id)
        self.assertEqual((discount.price_unit, discount.tax_id), (-10.0, self.tax_21))
        self.assertIn("welkom10", discount.name)
        self.assertEqual(order.amount_total, 68.87)
        self.assertEqual(order.invoice_ids.amount_total, 68.87)

    def _seven_lines_payload(self):
        """7 lines of 8.49 at 21 %: 12.46 tax rounded per line, 12.48 rounded globally."""
        payload = self.fixture("woo_order_tax_excluded", shipping_lines=[], id=4800, number="4800")
        template = payload["line_items"][0]
        payload["line_items"] = [
            {
                **template,
                "id": 900 + index,
                "quantity": 1,
                "subtotal": "8.49",
                "total": "8.49",
                "subtotal_tax": "1.78",
                "total_tax": "1.78",
                "taxes": [{"id": 1, "total": "1.7829", "subtotal": "1.7829"}],
            }
            for index in range(7)
        ]
        # The shop rounds the tax of the whole order at once.
        payload["line_items"][0].update(total_tax="1.80", subtotal_tax="1.80")
        payload["tax_lines"] = [
            {**payload["tax_lines"][0], "tax_total": "12.48", "shipping_tax_total": "0.00"}
        ]
        payload.update(
            total="71.91", total_tax="12.48", cart_tax="12.48", shipping_total="0.00", shipping_tax="0.00"
        )
        return payload

    def test_rounding_difference_within_tolerance_goes_into_the_invoice_tax(self):
        order = self.assertImported(self.import_payload(self._seven_lines_payload()))
        self.assertEqual(order.amount_total, 71.89)  # Odoo rounds per line
        invoice = order.invoice_ids
        self.assertEqual(
            (invoice.amount_untaxed, invoice.amount_tax, invoice.amount_total), (59.43, 12.48, 71.91)
        )
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, ("in_payment", "paid"))

    def test_rounding_difference_beyond_tolerance_is_an_error(self):
        self.backend.total_tolerance = 0.01
        event = self.import_payload(self._seven_lines_payload())
        self.assertEqual(event.state, "error")
        self.assertIn("71.91", event.error)
        self.assertIn("0.02", event.error)
        self.assertFalse(self.binding_of(4800))
        self.assertFalse(self.env["sale.order"].search([("client_order_ref", "=", "4800")]))
        # Payload kept: after raising the tolerance, Retry imports it.
        self.backend.total_tolerance = 0.02
        event.action_retry()
        self.assertEqual(event.state, "queued")
        self.env["billing.webshop.event"]._cron_process_events()
        self.assertImported(event)

    def test_unknown_sku_then_retry_after_mapping(self):
        self.products["STRP-8"].default_code = "STROOP-OLD"
        event = self.import_payload(self.fixture("woo_order_tax_excluded"))
        self.assertEqual(event.state, "error")
        self.assertIn("STRP-8", event.error)
        self.assertIn("Stroopwafels", event.error)
        self.assertEqual(event.attempts, 1)
        self.assertFalse(self.env["sale.order"].search([("client_order_ref", "=", "4711")]))
        self.assertFalse(self.env["res.partner"].search([("vat", "=", "NL001234567B01")]))
        self.products["STRP-8"].default_code = "STRP-8"
        event.action_retry()
        self.env["billing.webshop.event"]._cron_process_events()
        order = self.assertImported(event)
        self.assertEqual(order.amount_total, 52.43)
        # The SKU match is remembered as a product binding.
        self.assertTrue(
            self.env["billing.webshop.product.binding"].search(
                [
                    ("backend_id", "=", self.backend.id),
                    ("external_id", "=", "41"),
                    ("product_id", "=", self.products["STRP-8"].id),
                ]
            )
            or self.env["billing.webshop.product.binding"].search(
                [("product_id", "=", self.products["STRP-8"].id)]
            )
        )

    def test_unmapped_tax_names_the_rate(self):
        self.backend.tax_map_ids.filtered(lambda mapping: mapping.rate == 9.0).unlink()
        event = self.import_payload(self.fixture("woo_order_tax_excluded"))
        self.assertEqual(event.state, "error")
        self.assertIn("BTW 9%", event.error)
        self.assertIn("rate id 2", event.error)
        self.assertIn("NL", event.error)

    def test_ignore_keeps_the_event_out_of_the_queue(self):
        self.products["MUG-DB"].default_code = False
        event = self.import_payload(self.fixture("woo_order_tax_excluded"))
        event.action_ignore()
        self.assertEqual(event.state, "ignored")
        self.env["billing.webshop.event"]._cron_process_events()
        self.assertEqual(event.state, "ignored")

    def test_unpaid_order_waits_then_payment_confirms_it(self):
        payload = self.fixture("woo_order_guest_split_address")
        event = self.import_payload(payload)
        order = self.assertImported(event)
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.invoice_ids)
        self.assertEqual(order.amount_total, 47.48)
        payload.update(status="processing", date_paid_gmt="2025-04-18T08:00:00", transaction_id="NL-BANK-1")
        event = self.import_payload(payload)
        self.assertImported(event)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.invoice_ids.amount_total, 47.48)
        self.assertIn("confirmed", event.result)
        self.assertIn("paid", event.result)

    def test_order_confirmation_mail_after_import(self):
        """Send Order Confirmation: Odoo's confirmation goes to the customer by e-mail when the
        import confirms the order, also when a later update (the payment) confirms it, and once;
        off (the default), the shop's own confirmation is the only one."""
        comment = self.env.ref("mail.mt_comment")

        def confirmations(sale_order):
            return sale_order.message_ids.filtered(
                lambda message: message.subtype_id == comment and sale_order.partner_id in message.partner_ids
            )

        self.assertFalse(self.backend.send_confirmation)
        paid = self.assertImported(self.import_payload(self.fixture("woo_order_tax_excluded")))
        self.assertEqual(paid.state, "sale")
        self.assertFalse(confirmations(paid))

        self.backend.send_confirmation = True
        payload = self.fixture("woo_order_guest_split_address")
        order = self.assertImported(self.import_payload(payload))
        self.assertEqual(order.state, "draft")
        self.assertFalse(confirmations(order), "an unpaid order is not confirmed, so not announced")
        payload.update(status="processing", date_paid_gmt="2025-04-18T08:00:00", transaction_id="NL-BANK-1")
        self.assertImported(self.import_payload(payload))
        self.assertEqual(order.state, "sale")
        mail = confirmations(order)
        self.assertEqual(len(mail), 1)
        self.assertIn(order.name, mail.subject)
        self.assertEqual(
            mail.notification_ids.filtered(lambda n: n.res_partner_id == order.partner_id).notification_type,
            "email",
        )
        payload["date_modified_gmt"] = "2025-04-18T09:00:00"
        self.assertEqual(self.import_payload(payload).result, "unchanged")
        self.assertEqual(len(confirmations(order)), 1, "the same order again sends nothing")

    def test_confirm_always_policy(self):
        self.backend.confirm_policy = "always"
        self.backend.payment_method_ids.filtered(
            lambda gateway: gateway.code == "bacs"
        ).register_payment = False
        order = self.assertImported(self.import_payload(self.fixture("woo_order_guest_split_address")))
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.invoice_ids.payment_state, "not_paid")

    def test_cancellation_of_an_order_not_yet_invoiced(self):
        payload = self.fixture("woo_order_guest_split_address")
        order = self.assertImported(self.import_payload(payload))
        payload["status"] = "cancelled"
        event = self.import_payload(payload)
        self.assertImported(event)
        self.assertEqual(order.state, "cancel")
        self.assertEqual(event.result, "cancelled")

    def test_cancellation_of_an_invoiced_order_credits_it(self):
        payload = self.fixture("woo_order_tax_excluded")
        order = self.assertImported(self.import_payload(payload))
        invoice = order.invoice_ids
        payload["status"] = "cancelled"
        event = self.import_payload(payload)
        self.assertImported(event)
        self.assertEqual(order.state, "cancel")
        credit_note = order.invoice_ids - invoice
        self.assertEqual((credit_note.move_type, credit_note.state), ("out_refund", "posted"))
        self.assertEqual(credit_note.amount_total, invoice.amount_total)
        # The shop refunded nothing: the credit is left open, not paid back.
        self.assertEqual(credit_note.payment_state, "not_paid")
        self.assertEqual(event.result, f"credited {credit_note.name}, cancelled")
        # The same cancellation again credits nothing more.
        self.assertEqual(self.import_payload(dict(payload, customer_note="again")).result, "updated")
        self.assertEqual(len(order.invoice_ids), 2)

    def test_cancellation_after_a_shop_refund_credits_the_rest(self):
        payload = self.fixture("woo_order_tax_excluded")
        order = self.assertImported(self.import_payload(payload))
        payload["refunds"] = [{"id": 901, "reason": "one broken", "total": "-10.00"}]
        payload["status"] = "cancelled"
        self.assertImported(self.import_payload(payload))
        credit_notes = self.binding_of(payload["id"]).refund_ids.move_id
        self.assertEqual(
            sorted(credit_notes.mapped("amount_total")), [10.0, round(order.amount_total - 10.0, 2)]
        )
        self.assertEqual(order.state, "cancel")

    def test_order_first_seen_cancelled_creates_nothing(self):
        event = self.import_payload(self.fixture("woo_order_guest_split_address", status="failed"))
        self.assertEqual((event.state, event.result), ("done", "skipped"))
        self.assertFalse(event.order_binding_id.sale_order_id)

    def test_line_change_on_a_quotation_updates_it(self):
        payload = self.fixture("woo_order_guest_split_address")
        order = self.assertImported(self.import_payload(payload))
        payload["line_items"] = payload["line_items"][:1]
        payload["tax_lines"][1].update(tax_total="0.00")
        payload.update(total="21.43", total_tax="3.72")
        payload["tax_lines"] = payload["tax_lines"][:1]
        self.assertImported(self.import_payload(payload))
        self.assertEqual(order.amount_total, 21.43)
        self.assertFalse(order.order_line.filtered(lambda line: line.product_id.default_code == "KAART-NL"))

    def test_full_refund_reverses_the_invoice(self):
        payload = self.fixture("woo_order_tax_excluded")
        order = self.assertImported(self.import_payload(payload))
        payload.update(status="refunded", refunds=[{"id": 4790, "reason": "Retour", "total": "-52.43"}])
        event = self.import_payload(payload)
        self.assertImported(event)
        credit_note = order.invoice_ids.filtered(lambda move: move.move_type == "out_refund")
        self.assertEqual(credit_note.amount_total, 52.43)
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(
            credit_note.reversed_entry_id, order.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")
        )
        self.assertEqual(event.order_binding_id.refund_ids.move_id, credit_note)
        self.assertIn(credit_note.payment_state, ("in_payment", "paid"))
        # Replaying the refunded order (a later save in the shop) credits nothing more.
        payload["date_modified_gmt"] = "2025-02-20T10:00:00"
        self.assertEqual(self.import_payload(payload).result, "unchanged")
        self.assertEqual(len(event.order_binding_id.refund_ids), 1)

    def test_partial_refund_becomes_a_credit_note(self):
        payload = self.fixture("woo_order_coupon_rounding")
        order = self.assertImported(self.import_payload(payload))
        payload["refunds"] = [{"id": 4799, "reason": "Beschadigd", "total": "-12.10"}]
        event = self.import_payload(payload)
        self.assertImported(event)
        credit_note = event.order_binding_id.refund_ids.move_id
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.reversed_entry_id, order.invoice_ids)
        self.assertEqual(
            (credit_note.amount_untaxed, credit_note.amount_tax, credit_note.amount_total), (10.0, 2.1, 12.1)
        )
        self.assertEqual(credit_note.invoice_line_ids.tax_ids, self.tax_21)

    def _credit_per_rate(self, credit_note):
        return sorted(
            (line.tax_ids.amount, line.price_subtotal, line.price_total)
            for line in credit_note.invoice_line_ids
        )

    def test_partial_refund_over_two_rates_is_split_pro_rata(self):
        # Only a refund total (WooCommerce's "refund manually" of an amount): it is split over
        # the invoice's rates in proportion to their amounts with tax (24.20 and 6.00 of 30.20).
        event = self.import_payload(self.fixture("woo_order_refunded"))
        order = self.assertImported(event)
        credit_note = event.order_binding_id.refund_ids.move_id
        self.assertEqual((credit_note.move_type, credit_note.state), ("out_refund", "posted"))
        self.assertEqual(
            credit_note.reversed_entry_id, order.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")
        )
        self.assertEqual(credit_note.amount_total, 12.10)
        self.assertEqual(self._credit_per_rate(credit_note), [(9.0, 2.2, 2.4), (21.0, 8.02, 9.7)])
        self.assertEqual((credit_note.amount_untaxed, credit_note.amount_tax), (10.22, 1.88))

    def test_partial_refund_with_refund_lines_credits_their_rates(self):
        payload = self.fixture("woo_order_refunded")
        payload["refunds"] = [
            {
                "id": 4705,
                "reason": "Drop was op",
                "total": "-6.00",
                "line_items": [
                    {
                        "id": 1,
                        "quantity": -1,
                        "total": "-5.50",
                        "total_tax": "-0.50",
                        "taxes": [{"id": 2, "total": "-0.495", "subtotal": "-0.495"}],
                    }
                ],
            }
        ]
        event = self.import_payload(payload)
        self.assertImported(event)
        credit_note = event.order_binding_id.refund_ids.move_id
        self.assertEqual(self._credit_per_rate(credit_note), [(9.0, 5.5, 6.0)])
        self.assertEqual(
            (credit_note.amount_untaxed, credit_note.amount_tax, credit_note.amount_total), (5.5, 0.5, 6.0)
        )

        # A second refund of the rest mixes a line (the cheese slicer at 21 %) and an amount.
        payload["refunds"].append(
            {
                "id": 4706,
                "reason": "Kaasschaaf en coulance",
                "total": "-13.10",
                "line_items": [
                    {
                        "id": 2,
                        "quantity": -1,
                        "total": "-10.00",
                        "total_tax": "-2.10",
                        "taxes": [{"id": 1, "total": "-2.1", "subtotal": "-2.1"}],
                    }
                ],
            }
        )
        payload["date_modified_gmt"] = "2025-03-20T10:00:00"
        event = self.import_payload(payload)
        self.assertImported(event)
        second = event.order_binding_id.refund_ids.filtered(lambda r: r.external_id == "4706").move_id
        # 12.10 at 21 % from the line; the 1.00 goodwill split 24.20 : 6.00 → 0.80 + 0.20.
        self.assertEqual(second.amount_total, 13.10)
        self.assertEqual(self._credit_per_rate(second), [(9.0, 0.18, 0.2), (21.0, 10.66, 12.9)])

    def test_partial_refund_with_unmapped_rate_is_an_error(self):
        payload = self.fixture("woo_order_refunded")
        payload["refunds"][0]["line_items"] = [
            {"id": 1, "total": "-10.00", "total_tax": "-2.10", "taxes": [{"id": 77, "total": "-2.1"}]}
        ]
        event = self.import_payload(payload)
        self.assertEqual(event.state, "error")
        self.assertIn("77", event.error)

    def test_total_tolerance_compares_decimals(self):
        self.assertEqual(Decimal(str(self.backend.total_tolerance)), Decimal("0.02"))
