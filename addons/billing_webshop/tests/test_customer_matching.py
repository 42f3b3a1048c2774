from odoo.tests import tagged

from .common import WebshopCommon


@tagged("post_install", "-at_install")
class TestCustomerMatching(WebshopCommon):
    def test_registered_customer_is_found_again_by_shop_id(self):
        first = self.assertImported(self.import_payload(self.fixture("woo_order_tax_excluded")))
        payload = self.fixture("woo_order_tax_excluded", id=4750, number="4750")
        payload["billing"] = dict(payload["billing"], email="other@bakkerenzn.example")
        payload["meta_data"] = []
        second = self.assertImported(self.import_payload(payload))
        self.assertEqual(second.partner_id, first.partner_id)
        # Identical addresses are reused, not duplicated.
        self.assertEqual(second.partner_invoice_id, first.partner_invoice_id)
        self.assertEqual(second.partner_shipping_id, first.partner_shipping_id)
        self.assertEqual(len(first.partner_id.child_ids), 2)

    def test_invoice_address_carries_the_checkout_email(self):
        order = self.assertImported(self.import_payload(self.fixture("woo_order_tax_excluded")))
        payload = self.fixture("woo_order_tax_excluded")
        # Invoices are e-mailed to the invoice address: it must have the checkout's address.
        self.assertEqual(order.partner_invoice_id.email, payload["billing"]["email"].strip().lower())

    def test_existing_partner_matched_by_vat(self):
        existing = self.env["res.partner"].create(
            {
                "name": "Bakker en Zonen",
                "is_company": True,
                "vat": "NL001234567B01",
                "email": "boekhouding@bakker.example",
            }
        )
        order = self.assertImported(self.import_payload(self.fixture("woo_order_tax_excluded")))
        self.assertEqual(order.partner_id, existing)
        self.assertEqual(order.partner_invoice_id.parent_id, existing)

    def test_guest_matched_by_normalised_email_never_by_name(self):
        existing = self.env["res.partner"].create({"name": "J. de Vries", "email": "j.devries@EXAMPLE.nl"})
        namesake = self.env["res.partner"].create({"name": "Jan de Vries", "email": "jan@elders.example"})
        order = self.assertImported(self.import_payload(self.fixture("woo_order_guest_split_address")))
        self.assertEqual(order.partner_id, existing)
        self.assertNotEqual(order.partner_id, namesake)
        self.assertEqual(order.partner_invoice_id.street, "Oudegracht 120")
        self.assertEqual(
            (order.partner_shipping_id.name, order.partner_shipping_id.city), ("Anna de Vries", "Amsterdam")
        )
        self.assertEqual(order.partner_shipping_id.type, "delivery")

    def test_new_guest_is_created_once(self):
        first = self.assertImported(self.import_payload(self.fixture("woo_order_guest_split_address")))
        self.assertEqual(
            (first.partner_id.name, first.partner_id.email), ("Jan de Vries", "J.deVries@Example.NL".lower())
        )
        second = self.assertImported(
            self.import_payload(self.fixture("woo_order_guest_split_address", id=4760, number="4760"))
        )
        self.assertEqual(second.partner_id, first.partner_id)
        self.assertEqual(second.partner_shipping_id, first.partner_shipping_id)

    def test_partner_of_another_shop_account_is_not_taken_by_email(self):
        first = self.assertImported(self.import_payload(self.fixture("woo_order_coupon_rounding")))
        # Another shop account that happens to use the same e-mail address.
        payload = self.fixture("woo_order_coupon_rounding", id=4770, number="4770", customer_id=77)
        second = self.assertImported(self.import_payload(payload))
        self.assertNotEqual(second.partner_id, first.partner_id)
