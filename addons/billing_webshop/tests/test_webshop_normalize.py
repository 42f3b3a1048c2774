import copy
import dataclasses
import json
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from odoo.tests import BaseCase, tagged
from odoo.tools import file_open

from ..webshop.normalize import (
    LINE_KIND_FEE,
    LINE_KIND_PRODUCT,
    LINE_KIND_SHIPPING,
    WebshopPayloadError,
    order_digest,
)
from ..webshop.normalize_woocommerce import normalize_woocommerce_order

FIXTURES = (
    "woo_order_tax_excluded",
    "woo_order_prices_incl_tax",
    "woo_order_coupon_rounding",
    "woo_order_guest_split_address",
    "woo_order_refunded",
)


def load_fixture(name):
    with file_open(f"billing_webshop/tests/fixtures/{name}.json") as fixture:
        return json.load(fixture)


def iter_values(value):
    """Every leaf value of a normalised order, dataclasses and tuples unfolded."""
    if dataclasses.is_dataclass(value):
        for item in dataclasses.fields(value):
            yield from iter_values(getattr(value, item.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from iter_values(item)
    else:
        yield value


@tagged("post_install", "-at_install")
class TestWebshopNormalize(BaseCase):
    def test_money_is_decimal_from_the_strings(self):
        order = normalize_woocommerce_order(load_fixture("woo_order_tax_excluded"))
        self.assertFalse([value for value in iter_values(order) if isinstance(value, float)])
        self.assertEqual(order.external_id, "4711")
        self.assertEqual(order.currency, "EUR")
        self.assertFalse(order.prices_include_tax)
        self.assertEqual((order.total, order.total_tax), (Decimal("52.43"), Decimal("7.63")))

        mug, stroopwafels, postage = order.lines
        self.assertEqual((mug.kind, mug.sku, mug.quantity), (LINE_KIND_PRODUCT, "MUG-DB", Decimal(2)))
        self.assertEqual(
            (mug.subtotal, mug.total, mug.total_tax), (Decimal("25.00"), Decimal("25.00"), Decimal("5.25"))
        )
        # taxes[] is unrounded and kept exactly; total_tax is WooCommerce's rounded amount.
        self.assertEqual(stroopwafels.taxes[0].total, Decimal("1.3365"))
        self.assertEqual(stroopwafels.total_tax, Decimal("1.34"))
        self.assertEqual(stroopwafels.tax_rate_ids, (2,))
        self.assertEqual(
            (postage.kind, postage.method_id, postage.name),
            (LINE_KIND_SHIPPING, "flat_rate", "PostNL pakket"),
        )
        self.assertEqual((postage.total, postage.total_tax), (Decimal("4.95"), Decimal("1.04")))
        self.assertIsNone(postage.taxes[0].subtotal)
        self.assertEqual(
            [(rate.rate_id, rate.percent, rate.tax_total) for rate in order.tax_rates],
            [(1, Decimal("21"), Decimal("5.25")), (2, Decimal("9"), Decimal("1.34"))],
        )
        self.assertEqual(order.created_at, datetime(2025, 2, 14, 9, 21, 7))
        self.assertEqual(order.paid_at, datetime(2025, 2, 14, 9, 21, 41))
        self.assertIsNone(order.created_at.tzinfo)
        self.assertEqual(
            (order.payment_method, order.transaction_id), ("mollie_wc_gateway_ideal", "tr_WDqYK6vllg")
        )

    def test_float_price_is_never_used(self):
        payload = load_fixture("woo_order_coupon_rounding")
        self.assertIsInstance(payload["line_items"][0]["price"], float)
        changed = copy.deepcopy(payload)
        changed["line_items"][0]["price"] = 999.99
        self.assertEqual(normalize_woocommerce_order(changed), normalize_woocommerce_order(payload))

    def test_customer_and_vat(self):
        order = normalize_woocommerce_order(load_fixture("woo_order_tax_excluded"))
        customer = order.customer
        self.assertEqual(customer.external_id, "12")
        self.assertFalse(customer.is_guest)
        self.assertEqual((customer.name, customer.company), ("Sanne Bakker", "Bakker & Zn. B.V."))
        self.assertEqual(customer.email, "inkoop@bakkerenzn.example")
        self.assertEqual(customer.vat, "NL001234567B01")

        payload = load_fixture("woo_order_refunded")
        payload["meta_data"].append({"id": 1, "key": "vat_number", "value": " be 0123.456.789 "})
        self.assertEqual(normalize_woocommerce_order(payload).customer.vat, "BE0123456789")
        self.assertEqual(normalize_woocommerce_order(load_fixture("woo_order_refunded")).customer.vat, "")

    def test_identical_addresses_compare_equal(self):
        order = normalize_woocommerce_order(load_fixture("woo_order_tax_excluded"))
        # Same place and person; only the billing block carries a phone number.
        self.assertNotEqual(order.billing_address.phone, order.shipping_address.phone)
        self.assertEqual(order.billing_address, order.shipping_address)
        self.assertEqual(hash(order.billing_address), hash(order.shipping_address))

    def test_guest_with_other_shipping_address(self):
        order = normalize_woocommerce_order(load_fixture("woo_order_guest_split_address"))
        self.assertTrue(order.customer.is_guest)
        self.assertIsNone(order.customer.external_id)
        self.assertEqual(order.customer.email, "j.devries@example.nl")
        self.assertEqual(order.customer.name, "Jan de Vries")
        self.assertNotEqual(order.billing_address, order.shipping_address)
        self.assertEqual(
            (order.billing_address.name, order.billing_address.street, order.billing_address.zip),
            ("Jan de Vries", "Oudegracht 120", "3511 AX"),
        )
        self.assertEqual(
            (order.shipping_address.name, order.shipping_address.street, order.shipping_address.city),
            ("Anna de Vries", "Lindengracht 82", "Amsterdam"),
        )
        self.assertIsNone(order.paid_at)
        self.assertEqual(order.status, "on-hold")
        fee = [line for line in order.lines if line.kind == LINE_KIND_FEE]
        self.assertEqual(
            [(line.name, line.total, line.total_tax) for line in fee],
            [("Cadeauverpakking", Decimal("2.50"), Decimal("0.53"))],
        )
        self.assertIn("buren", order.customer_note)

    def test_empty_shipping_block_means_no_shipping_address(self):
        payload = load_fixture("woo_order_prices_incl_tax")
        payload["shipping"] = dict.fromkeys(payload["shipping"], "")
        self.assertIsNone(normalize_woocommerce_order(payload).shipping_address)

    def test_prices_including_tax(self):
        order = normalize_woocommerce_order(load_fixture("woo_order_prices_incl_tax"))
        self.assertTrue(order.prices_include_tax)
        towels = order.lines[0]
        # WooCommerce has split the tax off already: 2 x 15.00 = 24.79 + 5.21.
        self.assertEqual((towels.total, towels.total_tax), (Decimal("24.79"), Decimal("5.21")))
        self.assertEqual(towels.taxes[0].total, Decimal("5.20661157"))
        self.assertEqual(towels.total + towels.total_tax, Decimal("30.00"))

    def test_coupon_discount_that_a_rounded_unit_price_misses_by_a_cent(self):
        order = normalize_woocommerce_order(load_fixture("woo_order_coupon_rounding"))
        (plaid,) = order.product_lines
        self.assertEqual(
            (plaid.quantity, plaid.subtotal, plaid.total), (Decimal(3), Decimal("59.97"), Decimal("49.97"))
        )
        naive_unit_price = (plaid.total / plaid.quantity).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        self.assertEqual(naive_unit_price * plaid.quantity - plaid.total, Decimal("0.01"))
        # The normalised amounts themselves add up to the cent.
        (coupon,) = order.coupons
        self.assertEqual(
            (coupon.code, coupon.discount, coupon.discount_tax),
            ("welkom10", Decimal("10.00"), Decimal("2.10")),
        )
        self.assertEqual(plaid.discount, coupon.discount)
        self.assertEqual(plaid.subtotal_tax - plaid.total_tax, coupon.discount_tax)
        self.assertEqual(sum(line.total for line in order.lines) + order.total_tax, order.total)

    def test_refund(self):
        order = normalize_woocommerce_order(load_fixture("woo_order_refunded"))
        (refund,) = order.refunds
        self.assertEqual((refund.external_id, refund.reason), ("4705", "Beschadigd aangekomen"))
        self.assertEqual((refund.total, refund.amount), (Decimal("-12.10"), Decimal("12.10")))
        self.assertEqual(order.refunded_amount, Decimal("12.10"))
        self.assertEqual(order.status, "completed")
        # An embedded summary has no lines: nothing says how it splits over the rates.
        self.assertEqual(refund.amounts_by_rates, ())

    def test_refund_lines_summed_per_rate(self):
        payload = load_fixture("woo_order_refunded")
        payload["refunds"][0].update(
            total="-18.65",
            line_items=[
                {"id": 1, "total": "-10.00", "total_tax": "-2.10", "taxes": [{"id": 1, "total": "-2.1"}]},
                {"id": 2, "total": "-5.50", "total_tax": "-0.50", "taxes": [{"id": 2, "total": "-0.495"}]},
                {"id": 3, "total": "-1.00", "taxes": [{"id": 2, "total": "-0.09"}, {"id": 1, "total": ""}]},
            ],
            shipping_lines=[{"id": 4, "total": "-1.00", "total_tax": "0.00", "taxes": []}],
        )
        (refund,) = normalize_woocommerce_order(payload).refunds
        self.assertEqual(
            refund.amounts_by_rates,
            (((), Decimal("1.00")), ((1,), Decimal("12.10")), ((2,), Decimal("7.09"))),
        )

    def test_fixtures_add_up(self):
        for name in FIXTURES:
            order = normalize_woocommerce_order(load_fixture(name))
            self.assertEqual(sum(line.total for line in order.lines) + order.total_tax, order.total, name)
            self.assertEqual(sum(line.total_tax for line in order.lines), order.total_tax, name)
            self.assertEqual(
                sum(rate.tax_total + rate.shipping_tax_total for rate in order.tax_rates),
                order.total_tax,
                name,
            )

    def test_offset_dates_become_naive_utc(self):
        payload = load_fixture("woo_order_refunded")
        payload["date_created_gmt"] = "2025-01-20T16:30:03+01:00"
        payload["date_paid_gmt"] = "2025-01-20T15:30:29Z"
        order = normalize_woocommerce_order(payload)
        self.assertEqual(order.created_at, datetime(2025, 1, 20, 15, 30, 3))
        self.assertEqual(order.paid_at, datetime(2025, 1, 20, 15, 30, 29))

    def test_digest_stable_on_replay_and_modification_date(self):
        payload = load_fixture("woo_order_guest_split_address")
        digest = order_digest(normalize_woocommerce_order(payload))
        self.assertEqual(len(digest), 64)
        replayed = json.loads(json.dumps(payload))
        self.assertEqual(order_digest(normalize_woocommerce_order(replayed)), digest)

        touched = copy.deepcopy(payload)
        touched["date_modified_gmt"] = "2025-04-18T10:00:00"
        touched["date_modified"] = "2025-04-18T12:00:00"
        self.assertEqual(order_digest(normalize_woocommerce_order(touched)), digest)

        # The same amounts written with other decimals are the same order.
        reformatted = copy.deepcopy(payload)
        reformatted["total"] = "47.480"
        self.assertEqual(order_digest(normalize_woocommerce_order(reformatted)), digest)

    def test_digest_changes_with_business_content(self):
        payload = load_fixture("woo_order_tax_excluded")
        digests = {order_digest(normalize_woocommerce_order(payload))}

        completed = copy.deepcopy(payload)
        completed["status"] = "completed"
        more_mugs = copy.deepcopy(payload)
        more_mugs["line_items"][0].update(quantity=3, subtotal="37.50", total="37.50")
        refunded = copy.deepcopy(payload)
        refunded["refunds"] = [{"id": 4800, "reason": "", "total": "-4.95"}]
        moved = copy.deepcopy(payload)
        moved["shipping"]["address_1"] = "Nieuwe Binnenweg 216"
        for changed in (completed, more_mugs, refunded, moved):
            digests.add(order_digest(normalize_woocommerce_order(changed)))
        self.assertEqual(len(digests), 5)

    def test_missing_field_names_field_and_order(self):
        payload = load_fixture("woo_order_tax_excluded")
        del payload["total"]
        with self.assertRaises(WebshopPayloadError) as caught:
            normalize_woocommerce_order(payload)
        self.assertIsInstance(caught.exception, ValueError)
        self.assertIn("4711", str(caught.exception))
        self.assertIn("'total'", str(caught.exception))
        self.assertEqual((caught.exception.field_name, caught.exception.order_id), ("total", 4711))

        payload = load_fixture("woo_order_tax_excluded")
        del payload["line_items"][1]["subtotal"]
        with self.assertRaisesRegex(
            WebshopPayloadError, r"order 4711: field 'line_items\[1\]\.subtotal' is missing"
        ):
            normalize_woocommerce_order(payload)

        for field_name in ("date_created_gmt", "currency", "prices_include_tax", "billing", "line_items"):
            payload = load_fixture("woo_order_refunded")
            del payload[field_name]
            with self.assertRaisesRegex(WebshopPayloadError, f"4690: field '{field_name}'"):
                normalize_woocommerce_order(payload)

    def test_bad_money_is_refused(self):
        for path, value in (
            (("total",), "abc"),
            (("total_tax",), "NaN"),
            (("line_items", 0, "total"), ""),
            (("shipping_lines", 0, "total"), 4.95),
            (("coupon_lines", 0, "discount"), "10,00"),
        ):
            payload = load_fixture("woo_order_coupon_rounding")
            container = payload
            for key in path[:-1]:
                container = container[key]
            container[path[-1]] = value
            with self.assertRaises(WebshopPayloadError, msg=path) as caught:
                normalize_woocommerce_order(payload)
            self.assertIn("4718", str(caught.exception))

    def test_not_an_order(self):
        # A "deleted" webhook only carries the id.
        with self.assertRaisesRegex(WebshopPayloadError, "order 5120: field '.+' is missing"):
            normalize_woocommerce_order({"id": 5120})
        with self.assertRaisesRegex(WebshopPayloadError, "field 'id' is missing"):
            normalize_woocommerce_order({})
        with self.assertRaisesRegex(WebshopPayloadError, "JSON object"):
            normalize_woocommerce_order([])
