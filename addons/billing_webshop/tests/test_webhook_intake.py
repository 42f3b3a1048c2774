import base64
from datetime import timedelta
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..models.billing_webshop_backend import BillingWebshopBackend
from ..webshop.adapters import GenericAdapter, parse_json_body
from ..webshop.normalize import WebshopPayloadError
from ..webshop.signature import compute_woocommerce_signature
from .common import WEBHOOK_SECRET, WebshopCommon
from .woo_emulator import wordpress_json_encode

BACKEND_LOGGER = "odoo.addons.billing_webshop.models.billing_webshop_backend"
CONTROLLER_LOGGER = "odoo.addons.billing_webshop.controllers.main"


@tagged("post_install", "-at_install")
class TestWebhookIntake(WebshopCommon, HttpCase):
    """A correctly signed delivery is never answered 500 and never lost, whatever its body."""

    def setUp(self):
        super().setUp()
        self.path = f"/billing_webshop/webhook/{self.backend.id}"
        self.Event = self.env["billing.webshop.event"]

    def events(self):
        self.env.invalidate_all()
        return self.Event.search([("backend_id", "=", self.backend.id)])

    def deliver(self, body, secret=WEBHOOK_SECRET, **headers):
        headers = {
            "Content-Type": "application/json",
            "X-WC-Webhook-Topic": "order.updated",
            "X-WC-Webhook-ID": "7",
            "X-WC-Webhook-Signature": compute_woocommerce_signature(secret, body),
            **headers,
        }
        return self.url_open(self.path, data=body, headers=headers)

    def order_body(self, **changes):
        return wordpress_json_encode(self.fixture("woo_order_tax_excluded", **changes))

    def assertKeptOnce(self, body, reason):
        """Deliver ``body`` twice: one event in error with the reason and the bytes intact."""
        response = self.deliver(body)
        self.assertEqual(response.status_code, 200)
        event = self.events()
        self.assertEqual(len(event), 1)
        self.assertEqual(response.json(), {"status": "stored", "event": event.id, "state": "error"})
        self.assertEqual(event.state, "error")
        self.assertIn(reason, event.error)
        self.assertEqual(base64.b64decode(event.raw_body), body)
        self.assertEqual(event.topic, "order.updated")
        again = self.deliver(body)
        self.assertEqual((again.status_code, again.json()["event"]), (200, event.id))
        self.assertEqual(self.events(), event, "a second identical delivery stores nothing new")
        return event

    def test_nul_byte(self):
        body = self.order_body().replace(b'"first_name":"', b'"first_name":"\x00', 1)
        event = self.assertKeptOnce(body, "NUL byte")
        self.assertIn("\\x00", event.payload)
        # Retry reads the kept bytes again: still unreadable, still kept.
        event.action_retry()
        self.assertRecordValues(event, [{"state": "error", "attempts": 2}])
        self.assertEqual(base64.b64decode(event.raw_body), body)

    def test_invalid_utf8(self):
        body = self.order_body().replace(b'"first_name":"', b'"first_name":"\xff\xfe', 1)
        event = self.assertKeptOnce(body, "not UTF-8")
        self.assertIn("\\xff\\xfe", event.payload)

    def test_json_nul_escape_in_the_id(self):
        body = self.order_body().replace(b'"id":4711', b'"id":"47\\u000011"', 1)
        self.assertIn(b"\\u0000", body)
        event = self.assertKeptOnce(body, "in id")
        self.assertFalse(event.external_id)

    def test_json_nul_escape_in_a_name(self):
        payload = self.fixture("woo_order_tax_excluded")
        payload["billing"]["first_name"] = "Jan\x00"
        body = wordpress_json_encode(payload)
        self.assertIn(b"Jan\\u0000", body)
        self.assertKeptOnce(body, "in billing.first_name")

    def test_only_escapes_can_bring_unstorable_text(self):
        """The walk over keys and strings runs for bodies with a NUL or surrogate escape only;
        whichever case or place the escape has, it is found."""
        self.assertEqual(
            parse_json_body(b'{"name": "Ren\\u00e9", "\\u00e9": "\\\\u0000"}')["name"], "Ren\u00e9"
        )
        for body in (
            b'{"a": "\\u0000"}',
            b'{"a": ["\\uDC00"]}',
            b'{"\\ud83d": 1}',
            b'{"a": {"b": "x\\uDbFf"}}',
        ):
            with self.assertRaises(WebshopPayloadError, msg=body):
                parse_json_body(body)

    def test_json_unpaired_surrogate(self):
        body = self.order_body().replace(b'"last_name":"', b'"last_name":"\\ud800', 1)
        self.assertKeptOnce(body, "in billing.last_name")

    def test_json_that_is_not_an_object(self):
        self.assertKeptOnce(b'[{"id":4711}]', "not a JSON object")

    def test_json_nested_too_deeply(self):
        body = b'{"id":4711,"meta_data":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        self.assertKeptOnce(body, "nested too deeply")

    def test_unsigned_delivery_is_refused_and_not_stored(self):
        body = self.order_body().replace(b'"first_name":"', b'"first_name":"\x00', 1)
        self.assertEqual(self.deliver(body, secret="another secret").status_code, 403)
        self.assertEqual(self.deliver(body, **{"X-WC-Webhook-Signature": ""}).status_code, 403)
        self.assertFalse(self.events())

    def test_nul_in_the_headers(self):
        body = self.order_body()
        response = self.deliver(
            body, **{"X-WC-Webhook-Topic": "order.\x00updated", "X-WC-Webhook-ID": "7\x00"}
        )
        self.assertEqual(response.status_code, 200)
        event = self.events()
        self.assertEqual((event.state, event.external_id), ("queued", "4711"))
        self.assertNotIn("\x00", event.topic + event.delivery_key + event.headers)
        self.assertEqual(self.deliver(body, **{"X-WC-Webhook-ID": "7\x00"}).json()["event"], event.id)
        self.assertEqual(self.events(), event)

    def test_failed_insert_keeps_the_delivery_and_retry_imports_it(self):
        """The insert itself fails (here: a NOT NULL violation): the raw body is stored instead."""
        original = BillingWebshopBackend._prepare_webhook_event_vals

        def broken(backend, *args):
            return {**original(backend, *args), "delivery_key": None}

        body = self.order_body()
        with (
            patch.object(BillingWebshopBackend, "_prepare_webhook_event_vals", broken),
            mute_logger("odoo.sql_db"),
            self.assertLogs(BACKEND_LOGGER, "WARNING"),
        ):
            response = self.deliver(body)
        self.assertEqual(response.status_code, 200)
        event = self.events()
        self.assertEqual(response.json(), {"status": "stored", "event": event.id, "state": "error"})
        self.assertIn("Storing this delivery failed", event.error)
        self.assertEqual(base64.b64decode(event.raw_body), body)
        self.assertEqual(self.deliver(body).json()["event"], event.id)
        self.assertEqual(self.events(), event)
        # Retry reads the kept bytes again, and the order is imported.
        event.action_retry()
        self.assertRecordValues(event, [{"state": "queued", "external_id": "4711", "error": False}])
        self.Event._cron_process_events()
        self.assertEqual(self.assertImported(event).amount_total, 52.43)

    def test_a_burst_wakes_the_import_cron_once(self):
        """Deliveries wake the cron once while that wake-up is due and no batch began since."""
        cron = self.env.ref("billing_webshop.ir_cron_process_events")

        def triggers():
            return self.env["ir.cron.trigger"].sudo().search([("cron_id", "=", cron.id)])

        triggers().unlink()
        for number in range(3):
            self.assertEqual(self.deliver(self.order_body(id=4800 + number)).status_code, 200)
        trigger = triggers()
        self.assertEqual(len(trigger), 1)
        # A batch began after that wake-up: its run deletes it when it ends, and may have begun
        # before the next delivery is committed, so the next delivery wakes the cron again.
        progress = self.env["ir.cron.progress"].sudo().create({"cron_id": cron.id})
        trigger.call_at = progress.create_date - timedelta(seconds=1)
        self.assertEqual(self.deliver(self.order_body(id=4803)).status_code, 200)
        self.assertEqual(len(triggers()), 2)
        self.assertEqual(set(self.events().mapped("state")), {"queued"})
        self.assertEqual(len(self.events()), 4)

    def test_queries_of_a_delivery(self):
        """The queries of a delivery's request, Odoo's own included (issue 19).

        New: the public user, the backend, the savepoint around the insert (two), the insert,
        the cron wake-up check. Again: the same but the last (the insert's statement reads the
        stored event). A server outside tests also checks the registry: 7 and 6 there
        (tests/bench/bench_webhook.py counts them).
        """
        self.assertEqual(self.deliver(self.order_body(id=4900)).status_code, 200)  # fills the caches
        body = self.order_body(id=4901)
        for expected, what in ((6, "a new delivery"), (5, "the same delivery again")):
            self.env.flush_all()
            before = self.cr.sql_log_count
            response = self.deliver(body)
            self.assertEqual(response.json()["state"], "queued")
            self.assertEqual(self.cr.sql_log_count - before, expected, what)

    def test_inserted_delivery_is_the_event_create_makes(self):
        """The webhook's INSERT stores what create() would, and a delivery once."""
        adapter = self.backend._get_adapter()
        body = self.order_body(id=4950)
        headers = {"X-WC-Webhook-Topic": "order.created", "X-WC-Webhook-ID": "7"}
        vals = self.backend._prepare_webhook_event_vals(adapter, headers, body, "key-inserted")
        # As the webhook route runs: the public user, as superuser, in the backend's company.
        Event = self.Event.with_user(self.env.ref("base.public_user")).sudo().with_company(self.company)
        inserted, new = Event._insert_delivery(vals)
        self.assertTrue(new)
        created = Event.create({**vals, "delivery_key": "key-created"})
        self.env.invalidate_all()
        self.assertEqual(Event._insert_delivery(vals), (inserted, False), "the same delivery is stored once")
        self.assertEqual(inserted.state, "queued")
        self.env.invalidate_all()
        names = [
            name
            for name, field in self.Event._fields.items()
            if field.store and name not in ("id", "delivery_key")
        ]
        ignored = {"create_date", "write_date"}
        [inserted_values] = inserted.read([name for name in names if name not in ignored])
        [created_values] = created.read([name for name in names if name not in ignored])
        inserted_values.pop("id"), created_values.pop("id")
        self.assertEqual(inserted_values, created_values)
        self.assertEqual(inserted.company_id, self.backend.company_id)
        self.assertEqual(inserted.create_uid, self.env.ref("base.public_user"))
        self.assertTrue(inserted.create_date)
        self.assertEqual(inserted.state, "queued")
        # A raw body (an attachment) cannot go in one INSERT: create() keeps it.
        raw = self.backend._prepare_webhook_raw_vals(headers, b"\xff", "key-raw", "unreadable")
        kept, new = self.Event.sudo()._insert_delivery(raw)
        self.assertTrue(new)
        self.assertEqual(base64.b64decode(kept.raw_body), b"\xff")
        self.assertEqual(self.Event.sudo()._insert_delivery(raw), (kept, False))

    def test_nothing_storable_answers_503_not_500(self):
        def broken(backend, *args):
            raise RuntimeError("the database is gone")

        with (
            patch.object(BillingWebshopBackend, "_prepare_webhook_event_vals", broken),
            patch.object(BillingWebshopBackend, "_prepare_webhook_raw_vals", broken),
            self.assertLogs(BACKEND_LOGGER, "WARNING"),
            self.assertLogs(CONTROLLER_LOGGER, "ERROR"),
        ):
            response = self.deliver(self.order_body())
        self.assertEqual(response.status_code, 503)
        self.assertFalse(self.events())

    def test_event_form_offers_the_raw_body(self):
        arch = self.Event.get_view(view_type="form")["arch"]
        self.assertIn('name="raw_body"', arch)
        self.assertIn('filename="raw_body_filename"', arch)

    def test_hostile_text_outside_the_webhook(self):
        # RPC import of a JSON string: the same reader, a clear error instead of a database one.
        with self.assertRaisesRegex(UserError, "unpaired surrogate"):
            self.backend.import_order('{"id": 1, "note": "\\ud800"}')
        with self.assertRaisesRegex(UserError, "not UTF-8"):
            self.backend.import_order('{"id": 1, "note": "\ud800"}')
        # Polled orders are plain data: stored escaped, refused with the field when processed.
        payload = self.fixture("woo_order_tax_excluded")
        payload["billing"]["first_name"] = "Jan\x00"
        event = self.Event._create_from_payload(self.backend, payload, source="poll")
        self.assertIn("\\u0000", event.payload)
        event._process()
        self.assertEqual(event.state, "error")
        self.assertIn("billing.first_name", event.error)
        # Generic shops: a timestamp Python calls a digit but int() refuses, or out of range.
        adapter = GenericAdapter()
        for timestamp in ("\u00b2", "9" * 40):
            headers = {"webhook-id": "1", "webhook-timestamp": timestamp, "webhook-signature": "v1,x"}
            self.assertFalse(adapter.verify_webhook("whsec_x", headers, b"{}"))
