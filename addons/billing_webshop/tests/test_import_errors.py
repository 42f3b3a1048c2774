"""Each import error names what is missing in the shop's terms, and the event offers the fix.

``woo_order_live_no_sku_stripe.json`` is a WooCommerce REST API v3 order in the shape the REST
API documentation gives ("Order properties", woocommerce.github.io/woocommerce-rest-api-docs)
and a live store sends: WooCommerce 10.1, one line without SKU (shop product 753), flat-rate
shipping without tax, paid by card through the WooCommerce Stripe gateway (``payment_method``
"stripe", its ``_stripe_*`` meta data). The field order, the WooCommerce 10 line fields
(``global_unique_id``, ``image``, ``parent_name``) and the Stripe meta keys follow the order
webhooks of a Belgian WooCommerce 10.1 store (September to December 2025) as its webhook
receiver published them; the customer, ids and amounts are invented, since those records hold
real customers' data. That receiver stored empty strings as null; WooCommerce itself sends "",
as here.
"""

from decimal import Decimal

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import WebshopCommon

LIVE_ORDER = "woo_order_live_no_sku_stripe"
SHOP_PRODUCT_NAME = "Kit joints de carburateur Solex 26/35"


@tagged("post_install", "-at_install")
class TestImportErrors(WebshopCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gasket_kit = cls._create_product(
            name="Carburettor gasket kit", type="consu", invoice_policy="order", taxes_id=[Command.clear()]
        )
        cls.stripe_journal = cls.env["account.journal"].create(
            {"name": "Stripe", "type": "bank", "code": "STRB", "company_id": cls.company.id}
        )

    def _retry(self, event):
        event.action_retry()
        self.env["billing.webshop.event"]._cron_process_events()

    def _wizard(self, action):
        """Fill the wizard an event button opens, as the user does in the dialog."""
        self.assertEqual((action["type"], action["target"]), ("ir.actions.act_window", "new"))
        return Form(self.env[action["res_model"]].with_context(**action["context"]))

    def _bind_gasket_kit(self):
        self.env["billing.webshop.product.binding"].create(
            {"backend_id": self.backend.id, "external_id": "753", "product_id": self.gasket_kit.id}
        )

    def test_live_order_two_errors_fixed_from_the_event_form(self):
        self.backend.payment_method_ids.filtered(lambda gateway: gateway.code == "stripe").unlink()
        payload = self.fixture(LIVE_ORDER)
        event = self.import_payload(payload)

        # 1. The shop product: named by its shop id and name, with what to do.
        self.assertEqual(event.state, "error")
        self.assertEqual(
            (event.missing_kind, event.missing_ref, event.missing_name), ("product", "753", SHOP_PRODUCT_NAME)
        )
        # No None in the details: XML-RPC could not read the event.
        self.assertEqual(event.missing_details, {"sku": "", "product_id": "753"})
        self.assertIn("Shop product 753", event.error)
        self.assertIn(SHOP_PRODUCT_NAME, event.error)
        self.assertIn("has no SKU", event.error)
        self.assertIn("Bind product", event.error)
        self.assertIn("Retry", event.error)
        self.assertFalse(self.binding_of(264731))

        with self._wizard(event.action_bind_product()) as wizard_form:
            self.assertEqual(wizard_form.external_id, "753")
            self.assertEqual(wizard_form.shop_product_name, SHOP_PRODUCT_NAME)
            self.assertFalse(wizard_form.shop_sku)
            self.assertEqual(wizard_form.backend_id, self.backend)
            wizard_form.product_id = self.gasket_kit
        self.assertEqual(wizard_form.record.action_bind(), {"type": "ir.actions.act_window_close"})
        self.assertTrue(
            self.env["billing.webshop.product.binding"].search(
                [
                    ("backend_id", "=", self.backend.id),
                    ("external_id", "=", "753"),
                    ("product_id", "=", self.gasket_kit.id),
                ]
            )
        )

        # 2. Retry: now the payment gateway, by its code and title.
        self._retry(event)
        self.assertEqual(event.state, "error")
        self.assertEqual(
            (event.missing_kind, event.missing_ref, event.missing_name),
            ("gateway", "stripe", "Carte de crédit/débit"),
        )
        self.assertIn("payment gateway stripe", event.error)
        self.assertIn("Carte de crédit/débit", event.error)
        self.assertIn("Map gateway", event.error)
        self.assertFalse(self.binding_of(264731))

        with self._wizard(event.action_map_gateway()) as wizard_form:
            self.assertEqual((wizard_form.code, wizard_form.name), ("stripe", "Carte de crédit/débit"))
            self.assertTrue(wizard_form.register_payment)
            wizard_form.journal_id = self.stripe_journal
        self.assertEqual(wizard_form.record.action_map(), {"type": "ir.actions.act_window_close"})
        gateway = self.backend.payment_method_ids.filtered(lambda method: method.code == "stripe")
        self.assertEqual(gateway.journal_id, self.stripe_journal)

        # 3. Retry: the order imports, its invoice equal to the shop's total to the cent, paid.
        self._retry(event)
        order = self.assertImported(event)
        self.assertFalse(event.missing_kind)
        self.assertEqual(order.state, "sale")
        self.assertEqual(
            sorted((line.product_id.id, line.product_uom_qty, line.price_unit) for line in order.order_line),
            sorted([(self.gasket_kit.id, 1.0, 27.9), (self.backend.shipping_product_id.id, 1.0, 13.0)]),
        )
        kit_line = order.order_line.filtered(lambda line: line.product_id == self.gasket_kit)
        self.assertEqual(kit_line.tax_id, self.tax_21)
        invoice = order.invoice_ids
        self.assertEqual((len(invoice), invoice.state), (1, "posted"))
        shop_total = Decimal(payload["total"])
        self.assertEqual(Decimal(str(invoice.amount_total)).quantize(Decimal("0.01")), shop_total)
        self.assertEqual(
            Decimal(str(invoice.amount_tax)).quantize(Decimal("0.01")), Decimal(payload["total_tax"])
        )
        self.assertIn(invoice.payment_state, ("in_payment", "paid"))
        payment = event.order_binding_id.payment_ids
        self.assertEqual(payment.journal_id, self.stripe_journal)
        self.assertEqual(Decimal(str(payment.amount)).quantize(Decimal("0.01")), shop_total)
        self.assertEqual(event.order_binding_id.transaction_id, payload["transaction_id"])

    def test_unmapped_tax_rate_fixed_from_the_event_form(self):
        self._bind_gasket_kit()
        payload = self.fixture(LIVE_ORDER)
        payload["tax_lines"][0].update(rate_id=6, rate_code="BE-TVA-2")
        payload["line_items"][0]["taxes"][0]["id"] = 6
        event = self.import_payload(payload)
        self.assertEqual(event.state, "error")
        self.assertEqual((event.missing_kind, event.missing_ref, event.missing_name), ("tax", "6", "TVA"))
        for text in ('"TVA"', "rate id 6", "21 %", "BE", "excluding", "Map tax rate", "Retry"):
            self.assertIn(text, event.error)

        with self._wizard(event.action_map_tax()) as wizard_form:
            self.assertEqual(wizard_form.external_rate_id, "6")
            self.assertEqual(wizard_form.label, "TVA")
            self.assertEqual(wizard_form.rate, 21.0)
            self.assertEqual(wizard_form.country_id, self.env.ref("base.be"))
            self.assertFalse(wizard_form.price_include)
            wizard_form.tax_id = self.tax_21
        self.assertEqual(wizard_form.record.action_map(), {"type": "ir.actions.act_window_close"})

        self._retry(event)
        order = self.assertImported(event)
        self.assertEqual(
            order.order_line.filtered(lambda line: line.product_id == self.gasket_kit).tax_id, self.tax_21
        )
        self.assertEqual(order.invoice_ids.amount_total, 46.76)

    def test_errors_without_a_wizard_say_what_to_do(self):
        # An order in a currency the webshop has no pricelist for.
        event = self.import_payload(self.fixture(LIVE_ORDER, currency="USD", id=264732, number="264732"))
        self.assertEqual((event.missing_kind, event.missing_ref), ("currency", "USD"))
        self.assertIn("USD", event.error)
        self.assertIn("pricelist", event.error)
        action = event.action_open_backend()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("billing.webshop.backend", self.backend.id)
        )

        # A webshop without a shipping product; the RPC answer says what is missing too.
        self._bind_gasket_kit()
        self.backend.shipping_product_id = False
        summary = self.backend.import_order(self.fixture(LIVE_ORDER))
        self.assertEqual(
            (summary["state"], summary["missing_kind"], summary["missing_ref"]),
            ("error", "setting", "shipping_product_id"),
        )
        event = self.env["billing.webshop.event"].browse(summary["event_id"])
        self.assertEqual((event.missing_kind, event.missing_ref), ("setting", "shipping_product_id"))
        for text in ('"Forfait"', "flat_rate", "Shipping Product", "Sales tab", "Retry"):
            self.assertIn(text, event.error)

        # A line whose product was deleted in the shop and that has no SKU.
        payload = self.fixture(LIVE_ORDER, id=264733, number="264733")
        payload["line_items"][0]["product_id"] = 0
        event = self.import_payload(payload)
        self.assertEqual((event.missing_kind, event.missing_ref), ("order", "264733"))
        self.assertIn("deleted in the shop", event.error)
        self.assertIn("Ignore", event.error)
        with self.assertRaisesRegex(UserError, "does not wait for this fix"):
            event.action_bind_product()

        # A payload that is not a WooCommerce v3 order names the field.
        payload = self.fixture(LIVE_ORDER, id=264734, number="264734")
        del payload["line_items"][0]["total"]
        event = self.import_payload(payload)
        self.assertEqual((event.missing_kind, event.missing_ref), ("payload", "line_items[0].total"))
        self.assertIn("264734", event.error)
        self.assertIn('no field "line_items[0].total"', event.error)
        self.assertIn("WooCommerce REST API v3", event.error)
        with self.assertRaisesRegex(UserError, 'no field "id"'):
            self.backend.import_order({"number": "1"})
        event = self.backend._receive_webhook({"X-WC-Webhook-Topic": "order.updated"}, b"{not json")
        self.assertEqual((event.state, event.missing_kind), ("error", "payload"))
        self.assertIn("not JSON", event.error)

    def test_fix_wizards_stay_in_the_webshop_company(self):
        other = self.env["res.company"].create({"name": "Andere Winkel BV"})
        foreign_kit = self.env["product.product"].create(
            {"name": "Gasket kit elsewhere", "company_id": other.id}
        )
        foreign_journal = self.env["account.journal"].create(
            {"name": "Stripe elsewhere", "type": "bank", "code": "STRX", "company_id": other.id}
        )
        event = self.import_payload(self.fixture(LIVE_ORDER))
        with self.assertRaisesRegex(UserError, "Incompatible companies"):
            self.env["billing.webshop.bind.product"].create(
                {"event_id": event.id, "product_id": foreign_kit.id}
            )
        self._bind_gasket_kit()
        self.backend.payment_method_ids.filtered(lambda gateway: gateway.code == "stripe").unlink()
        self._retry(event)
        self.assertEqual(event.missing_kind, "gateway")
        with self.assertRaisesRegex(UserError, "Incompatible companies"):
            self.env["billing.webshop.map.gateway"].create(
                {"event_id": event.id, "journal_id": foreign_journal.id}
            )
