import copy
from datetime import datetime, timedelta

from odoo.tests import tagged

from ..webshop.adapters import ShopApiError, WooCommerceAdapter
from .common import WebshopCommon
from .woo_emulator import WooEmulator


@tagged("post_install", "-at_install")
class TestPolling(WebshopCommon):
    def setUp(self):
        super().setUp()
        self.woo = WooEmulator("ck_test", "cs_test")
        self.woo.start()
        self.addCleanup(self.woo.stop)
        self.backend.write({"base_url": self.woo.base_url, "poll_enabled": True})
        self.Event = self.env["billing.webshop.event"]

    def test_missed_webhook_is_recovered_by_polling(self):
        self.woo.add_order(self.fixture("woo_order_tax_excluded", date_modified_gmt="2025-02-14T09:22:00"))
        self.woo.add_order(self.fixture("woo_order_coupon_rounding", date_modified_gmt="2025-03-09T19:45:20"))
        self.backend.poll_cursor = datetime(2025, 2, 1)
        self.env["billing.webshop.backend"]._cron_poll_orders()
        events = self.Event.search([("backend_id", "=", self.backend.id)])
        self.assertEqual(sorted(events.mapped("external_id")), ["4711", "4718"])
        self.assertEqual(set(events.mapped("source")), {"poll"})
        self.assertEqual(self.backend.poll_cursor, datetime(2025, 3, 9, 19, 45, 20))
        self.Event._cron_process_events()
        self.assertEqual(set(events.mapped("state")), {"done"})
        self.assertEqual(sorted(events.order_binding_id.sale_order_id.mapped("amount_total")), [52.43, 68.87])

        # The shop cancels nothing, completes 4718: the next poll (with its overlap) sees only that.
        self.woo.update_order(4718, status="completed", date_completed_gmt="2025-03-10T10:00:00")
        self.env["billing.webshop.backend"]._cron_poll_orders()
        new_events = self.Event.search([("backend_id", "=", self.backend.id)]) - events
        self.assertEqual(new_events.mapped("external_id"), ["4718"])
        request = self.woo.request_log[-1]
        self.assertEqual(request.params["modified_after"], "2025-03-09T19:35:20")
        self.assertEqual(request.params["dates_are_gmt"], "true")
        self.Event._cron_process_events()
        self.assertEqual(new_events.state, "done")
        self.assertEqual(
            self.env["sale.order"].search_count([("client_order_ref", "in", ("4711", "4718"))]), 2
        )

    def test_paging_through_more_than_a_hundred_orders(self):
        template = self.fixture("woo_order_guest_split_address", status="failed")
        start = datetime(2025, 5, 1)
        for index in range(1, 151):
            order = copy.deepcopy(template)
            order.update(
                id=10000 + index,
                number=str(10000 + index),
                date_modified_gmt=(start + timedelta(minutes=index)).strftime("%Y-%m-%dT%H:%M:%S"),
            )
            self.woo.add_order(order)
        created = self.backend._poll_orders(start - timedelta(days=1))
        self.assertEqual(len(created), 150)
        pages = [(request.params["page"], request.params["per_page"]) for request in self.woo.request_log]
        self.assertEqual(pages, [("1", "100"), ("2", "100")])
        # A second poll from the same cursor stores no duplicate.
        again = self.backend._poll_orders(start - timedelta(days=1))
        self.assertEqual(again, created)

    def test_rate_limit_is_honoured_then_retries_give_up(self):
        sleeps = []
        adapter = WooCommerceAdapter(self.woo.base_url, "ck_test", "cs_test", sleep=sleeps.append)
        self.woo.add_order(self.fixture("woo_order_tax_excluded"))
        self.woo.fail_next(2, status=429, retry_after=7)
        orders = list(adapter.iter_orders_modified_since(datetime(2020, 1, 1)))
        self.assertEqual([order["id"] for order in orders], [4711])
        self.assertEqual(sleeps, [7, 7])

        sleeps.clear()
        self.woo.fail_next(5, status=503, retry_after=None)
        with self.assertRaises(ShopApiError) as caught:
            adapter.fetch_order(4711)
        self.assertTrue(caught.exception.transient)
        self.assertEqual(caught.exception.status, 503)
        self.assertEqual(sleeps, [1, 2, 4, 8])

        self.woo.fail_next(1, status=429, retry_after=3600)
        sleeps.clear()
        adapter.max_retries = 1
        adapter.fetch_order(4711)
        self.assertEqual(sleeps, [60])  # bounded

    def test_wrong_credentials_are_not_retried(self):
        sleeps = []
        adapter = WooCommerceAdapter(self.woo.base_url, "ck_test", "wrong", sleep=sleeps.append)
        with self.assertRaises(ShopApiError) as caught:
            adapter.fetch_order(1)
        self.assertEqual((caught.exception.status, caught.exception.transient, sleeps), (401, False, []))
        self.assertNotIn("wrong", str(caught.exception))
        self.assertNotIn("wrong", repr(adapter))

    def test_transient_failures_back_off_then_error(self):
        event = self.Event._create_from_payload(
            self.backend, self.fixture("woo_order_tax_excluded"), source="poll"
        )
        self.backend.max_attempts = 3
        event._register_failure("GET /orders answered 503", transient=True)
        self.assertEqual((event.state, event.attempts), ("queued", 1))
        self.assertTrue(event.next_attempt)
        # Not due yet: the cron leaves it alone.
        self.Event._cron_process_events()
        self.assertEqual(event.state, "queued")
        event._register_failure("GET /orders answered 503", transient=True)
        event._register_failure("GET /orders answered 503", transient=True)
        self.assertEqual((event.state, event.attempts), ("error", 3))
        self.assertIn("503", event.error)
        self.assertTrue(event.payload)
