import socket

from odoo.tests import BaseCase, tagged

from ..finvoice import transport
from .common import EinvoiceCommon
from .operator_server import OperatorServer

TRANSMISSION = b'<?xml version="1.0"?><Envelope/><?xml version="1.0"?><Finvoice Version="3.0"/>'


@tagged("post_install", "-at_install")
class TestOperatorRestTransport(BaseCase):
    """The plain transport against a local operator: retries, Retry-After, refusals, timeouts."""

    def setUp(self):
        super().setUp()
        self.server = self.enterContext(OperatorServer())
        self.waits = []

    def operator(self, **options):
        return transport.OperatorRestTransport(
            self.server.url, OperatorServer.API_KEY, sleep=self.waits.append, **options
        )

    def test_accepted(self):
        result = self.operator().send("FINV-1-1-20260115", TRANSMISSION, encoding="ISO-8859-15")
        self.assertTrue(result.reference.startswith("op-"))
        self.assertEqual(result.status, "accepted")
        stored = self.server.invoices["FINV-1-1-20260115"]
        self.assertEqual(stored["payload"], TRANSMISSION)
        self.assertEqual(stored["content_type"], "application/xml; charset=ISO-8859-15")
        self.assertEqual(self.operator().status(result.reference).status, "accepted")

    def test_retries_on_5xx_and_429_with_retry_after(self):
        self.server.fail_next(503, retry_after=0)
        self.server.fail_next(429, retry_after=7)
        result = self.operator(max_attempts=3).send("FINV-1-2-20260115", TRANSMISSION)
        self.assertTrue(result.reference)
        self.assertEqual(self.waits, [0.0, 7.0])
        self.assertEqual(len(self.server.requests), 3)

    def test_retry_after_is_capped_and_backoff_without_it(self):
        self.server.fail_next(502)
        self.server.fail_next(503, retry_after=3600)
        self.operator(max_attempts=3, backoff=0.5, max_wait=10).send("FINV-1-3-20260115", TRANSMISSION)
        self.assertEqual(self.waits, [0.5, 10])

    def test_gives_up_after_bounded_attempts(self):
        self.server.fail_next(500, times=5, retry_after=0)
        with self.assertRaises(transport.TransportError) as caught:
            self.operator(max_attempts=3).send("FINV-1-4-20260115", TRANSMISSION)
        self.assertTrue(caught.exception.retryable)
        self.assertEqual(caught.exception.status, 500)
        self.assertIn("3 attempts", str(caught.exception))
        self.assertEqual(len(self.server.requests), 3)

    def test_refusal_is_not_retried(self):
        self.server.fail_next(422, body={"error": "ToIdentifier unknown"})
        with self.assertRaises(transport.TransportError) as caught:
            self.operator().send("FINV-1-5-20260115", TRANSMISSION)
        self.assertFalse(caught.exception.retryable)
        self.assertIn("ToIdentifier unknown", str(caught.exception))
        self.assertEqual(len(self.server.requests), 1)
        with self.assertRaises(transport.TransportError) as caught:
            transport.OperatorRestTransport(self.server.url, "wrong", sleep=self.waits.append).send(
                "FINV-1-5-20260115", TRANSMISSION
            )
        self.assertEqual(caught.exception.status, 401)

    def test_unreachable_operator_is_retried(self):
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{closed.getsockname()[1]}/v1"
        operator = transport.OperatorRestTransport(url, "key", max_attempts=2, sleep=self.waits.append)
        with self.assertRaises(transport.TransportError) as caught:
            operator.send("FINV-1-6-20260115", TRANSMISSION)
        self.assertTrue(caught.exception.retryable)
        self.assertEqual(self.waits, [1.0])

    def test_idempotency_key(self):
        first = self.operator().send("FINV-1-7-20260115", TRANSMISSION)
        again = self.operator().send("FINV-1-7-20260115", TRANSMISSION)
        self.assertEqual(first.reference, again.reference)
        self.assertEqual(len(self.server.invoices), 1)


@tagged("post_install", "-at_install")
class TestFinvoiceThroughOperator(EinvoiceCommon):
    def setUp(self):
        super().setUp()
        self.server = self.enterContext(OperatorServer())
        self.env.company.write(
            {
                "finvoice_transport": "operator_api",
                "finvoice_operator_api_url": self.server.url,
                "finvoice_operator_api_key": OperatorServer.API_KEY,
            }
        )

    def send(self, invoice):
        self.env["account.move.send"]._generate_and_send_invoices(invoice, allow_raising=False)
        return invoice.einvoice_delivery_ids

    def test_sent_through_the_operator(self):
        invoice = self.init_invoice("out_invoice", partner=self.partner_finvoice, amounts=[100.0], post=True)
        delivery = self.send(invoice)
        self.assertRecordValues(delivery, [{"channel": "finvoice", "state": "sent", "error_message": False}])
        self.assertTrue(delivery.transport_reference.startswith("op-"))
        self.assertTrue(invoice.is_move_sent)
        stored = self.server.invoices[delivery.external_id]
        self.assertEqual(stored["payload"], delivery.payload_attachment_id.raw)
        self.assertIn(b"<Finvoice", stored["payload"])
        # The operator reports the delivery later.
        stored["status"] = "delivered"
        self.env["billing.einvoice.delivery"]._cron_check_transport_status()
        self.assertEqual(delivery.state, "delivered")
        self.assertEqual(invoice.einvoice_delivery_state, "delivered")

    def test_operator_down_keeps_the_payload_for_a_retry(self):
        self.server.fail_next(503, times=3, retry_after=0)
        invoice = self.init_invoice("out_invoice", partner=self.partner_finvoice, amounts=[100.0], post=True)
        delivery = self.send(invoice)
        self.assertEqual(delivery.state, "failed")
        self.assertIn("try again later", delivery.error_message)
        self.assertIn("503", delivery.error_message)
        self.assertTrue(delivery.payload_attachment_id)
        self.assertFalse(invoice.is_move_sent)
        payload = delivery.payload_attachment_id.raw
        delivery.action_retry()
        self.assertEqual(len(invoice.einvoice_delivery_ids), 1, "the same message is sent again")
        self.assertRecordValues(delivery, [{"state": "sent", "error_message": False}])
        self.assertEqual(self.server.invoices[delivery.external_id]["payload"], payload)
        self.assertTrue(invoice.is_move_sent)
        # Both tries are kept, the failed one with its error.
        self.assertEqual(delivery.attempt_count, 2)
        failed, sent = delivery.attempt_ids.sorted("id")
        self.assertEqual(failed.state, "failed")
        self.assertIn("503", failed.error_message)
        self.assertRecordValues(
            sent,
            [{"state": "sent", "error_message": False, "transport_reference": delivery.transport_reference}],
        )

    def test_refused_and_failed_later(self):
        self.server.fail_next(422, body={"error": "unknown receiver 003776543212"})
        invoice = self.init_invoice("out_invoice", partner=self.partner_finvoice, amounts=[100.0], post=True)
        delivery = self.send(invoice)
        self.assertEqual(delivery.state, "failed")
        self.assertIn("unknown receiver", delivery.error_message)
        self.assertIn("refused", delivery.error_message)
        delivery.action_retry()
        self.assertEqual(delivery.state, "sent")
        self.server.invoices[delivery.external_id].update(status="failed", error="mailbox closed")
        delivery.action_check_transport_status()
        self.assertRecordValues(delivery, [{"state": "failed", "error_message": "mailbox closed"}])
        # The refusal, and the try the operator took but could not deliver, each with its error.
        refused, undelivered = delivery.attempt_ids.sorted("id")
        self.assertEqual(refused.state, "failed")
        self.assertIn("unknown receiver", refused.error_message)
        self.assertRecordValues(undelivered, [{"state": "failed", "error_message": "mailbox closed"}])
        # A third try is delivered: the earlier errors stay.
        delivery.action_retry()
        self.server.invoices[delivery.external_id].update(status="delivered", error=None)
        delivery.action_check_transport_status()
        self.assertEqual(delivery.attempt_ids.sorted("id").mapped("state"), ["failed", "failed", "delivered"])

    def test_no_url_is_a_clear_error(self):
        self.env.company.finvoice_operator_api_url = False
        invoice = self.init_invoice("out_invoice", partner=self.partner_finvoice, amounts=[100.0], post=True)
        delivery = self.send(invoice)
        self.assertEqual(delivery.state, "failed")
        self.assertIn("no API URL", delivery.error_message)
        self.assertFalse(self.server.requests)
        self.assertIn("no API URL", delivery.attempt_ids.error_message)
        self.assertTrue(delivery.payload_attachment_id)
