import base64
import hashlib
import hmac
import json

from werkzeug.datastructures import Headers

from odoo.tests import BaseCase, tagged
from odoo.tools import file_open

from ..webshop import signature
from .woo_emulator import wordpress_json_encode

# The test vector of the domain note: a compact UTF-8 body with a non-ASCII character.
VECTOR_SECRET = "whsec_test_123"
VECTOR_BODY = '{"id":727,"number":"727","total":"29.35","note":"Grüße"}'.encode()
VECTOR_SIGNATURE = "H7gggml0USpfGqrWj472MB8IOjM+2x6ZDk+eaJZH+DY="


@tagged("post_install", "-at_install")
class TestWebshopSignature(BaseCase):
    def test_known_vector(self):
        by_hand = base64.b64encode(
            hmac.new(VECTOR_SECRET.encode(), VECTOR_BODY, hashlib.sha256).digest()
        ).decode()
        self.assertEqual(by_hand, VECTOR_SIGNATURE)
        self.assertEqual(
            signature.compute_woocommerce_signature(VECTOR_SECRET, VECTOR_BODY), VECTOR_SIGNATURE
        )
        self.assertTrue(signature.verify_signature(VECTOR_SECRET, VECTOR_BODY, VECTOR_SIGNATURE))
        self.assertTrue(signature.verify_signature(VECTOR_SECRET, VECTOR_BODY, VECTOR_SIGNATURE.encode()))

    def test_wrong_secret_or_tampered_body_rejected(self):
        self.assertFalse(signature.verify_signature("whsec_test_124", VECTOR_BODY, VECTOR_SIGNATURE))
        tampered = VECTOR_BODY.replace(b"29.35", b"19.35")
        self.assertFalse(signature.verify_signature(VECTOR_SECRET, tampered, VECTOR_SIGNATURE))

    def test_hex_digest_rejected(self):
        hex_digest = hmac.new(VECTOR_SECRET.encode(), VECTOR_BODY, hashlib.sha256).hexdigest()
        self.assertFalse(signature.verify_signature(VECTOR_SECRET, VECTOR_BODY, hex_digest))

    def test_missing_secret_or_signature_is_false_not_an_error(self):
        # An empty key would let anyone sign (woocommerce#10866): it must never verify.
        empty_key_signature = signature.compute_woocommerce_signature("", VECTOR_BODY)
        for secret, received in (
            ("", empty_key_signature),
            (None, empty_key_signature),
            (VECTOR_SECRET, ""),
            (VECTOR_SECRET, None),
            (None, None),
        ):
            self.assertFalse(signature.verify_signature(secret, VECTOR_BODY, received), (secret, received))
        # A body that is no longer bytes cannot be checked either.
        self.assertFalse(signature.verify_signature(VECTOR_SECRET, VECTOR_BODY.decode(), VECTOR_SIGNATURE))
        self.assertFalse(signature.verify_signature(VECTOR_SECRET, VECTOR_BODY, "Grüße"))

    def test_reserialised_body_rejected(self):
        reparsed = json.dumps(json.loads(VECTOR_BODY))
        self.assertFalse(signature.verify_signature(VECTOR_SECRET, reparsed.encode(), VECTOR_SIGNATURE))

        # A real order as WooCommerce sends it: wp_json_encode escapes "/" and non-ASCII.
        with file_open("billing_webshop/tests/fixtures/woo_order_tax_excluded.json") as fixture:
            order = json.load(fixture)
        raw_body = wordpress_json_encode(order)
        received = signature.compute_woocommerce_signature(VECTOR_SECRET, raw_body)
        self.assertTrue(signature.verify_signature(VECTOR_SECRET, raw_body, received))
        parsed = json.loads(raw_body)
        for reserialised in (
            json.dumps(parsed).encode(),
            json.dumps(parsed, separators=(",", ":")).encode(),
            json.dumps(parsed, separators=(",", ":"), ensure_ascii=False).encode(),
            json.dumps(parsed, indent=2).encode(),
        ):
            self.assertFalse(signature.verify_signature(VECTOR_SECRET, reserialised, received))

    def test_secret_entities_decoded_as_woocommerce_does(self):
        # WooCommerce hashes with wp_specialchars_decode($secret, ENT_QUOTES).
        plain = signature.compute_woocommerce_signature("p&s'x\"<y>", VECTOR_BODY)
        for stored in ("p&amp;s&#039;x&quot;&lt;y&gt;", "p&#38;s&#x27;x&#34;&#060;y&#62;"):
            self.assertEqual(signature.compute_woocommerce_signature(stored, VECTOR_BODY), plain, stored)
        # Entities outside that list stay as they are.
        self.assertNotEqual(
            signature.compute_woocommerce_signature("a&nbsp;b", VECTOR_BODY),
            signature.compute_woocommerce_signature("a\xa0b", VECTOR_BODY),
        )

    def test_ping_detection(self):
        form = {
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": "WooCommerce/9.4.2 Hookshot",
        }
        self.assertTrue(signature.is_woocommerce_ping(form, b"webhook_id=12"))
        self.assertTrue(signature.is_woocommerce_ping({}, b"webhook_id=12"))
        self.assertTrue(signature.is_woocommerce_ping(Headers(form), b"webhook_id=3"))

        signed = {**form, "X-WC-Webhook-Signature": VECTOR_SIGNATURE}
        self.assertFalse(signature.is_woocommerce_ping(signed, b"webhook_id=12"))
        self.assertFalse(
            signature.is_woocommerce_ping({**form, "x-wc-webhook-topic": "order.created"}, b"webhook_id=1")
        )
        self.assertFalse(
            signature.is_woocommerce_ping({"Content-Type": "application/json"}, b"webhook_id=12")
        )
        for body in (
            b"",
            b"webhook_id=",
            b"webhook_id=12&x=1",
            b"webhook_id=abc",
            b'{"webhook_id":12}',
            VECTOR_BODY,
        ):
            self.assertFalse(signature.is_woocommerce_ping(form, body), body)
