"""WooCommerce webhook signatures and the activation ping.

WooCommerce (``WC_Webhook::generate_signature``) signs every delivery with
``base64_encode(hash_hmac('sha256', $body, wp_specialchars_decode($secret, ENT_QUOTES), true))``
where ``$body`` is the exact JSON text it sends. The signature therefore has to be checked on the
raw request bytes, before any JSON parsing: re-serialising the parsed payload changes the bytes
(WordPress escapes ``/`` and non-ASCII characters) and the check fails.
"""

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping

SIGNATURE_HEADER = "X-WC-Webhook-Signature"
WEBHOOK_HEADER_PREFIX = "x-wc-webhook-"

# WooCommerce's activation ping (WC_Webhook::deliver_ping) posts exactly "webhook_id=<id>"
# with no X-WC-Webhook-* headers at all.
_PING_BODY_RE = re.compile(rb"webhook_id=[0-9]+")
_FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

# wp_specialchars_decode($text, ENT_QUOTES): numeric entities lose their zero padding first,
# then exactly these entities are replaced (no others, e.g. &nbsp; stays as it is).
_ENTITY_PADDING = (
    (re.compile(r"&#0*39;"), "&#039;"),
    (re.compile(r"&#x0*27;", re.IGNORECASE), "&#x27;"),
    (re.compile(r"&#0*34;"), "&#034;"),
    (re.compile(r"&#x0*22;", re.IGNORECASE), "&#x22;"),
    (re.compile(r"&#0*60;"), "&#060;"),
    (re.compile(r"&#0*62;"), "&#062;"),
    (re.compile(r"&#0*38;"), "&#038;"),
    (re.compile(r"&#x0*26;", re.IGNORECASE), "&#x26;"),
)
_ENTITY_TRANSLATION = {
    "&#039;": "'",
    "&#x27;": "'",
    "&quot;": '"',
    "&#034;": '"',
    "&#x22;": '"',
    "&lt;": "<",
    "&#060;": "<",
    "&gt;": ">",
    "&#062;": ">",
    "&amp;": "&",
    "&#038;": "&",
    "&#x26;": "&",
}
_ENTITY_RE = re.compile("|".join(re.escape(entity) for entity in _ENTITY_TRANSLATION))


def _wordpress_specialchars_decode(text):
    """Decode HTML entities in ``text`` the way ``wp_specialchars_decode(..., ENT_QUOTES)`` does.

    WooCommerce runs the stored secret through it before hashing (since PR #22722, the fix for
    secrets with special characters), so a secret stored as ``a&amp;b`` signs as ``a&b``.
    """
    if "&" not in text:
        return text
    for pattern, replacement in _ENTITY_PADDING:
        text = pattern.sub(replacement, text)
    # Like PHP's strtr(), the keys match case-sensitively (the padding step above already
    # lower-cased the hexadecimal forms) and replaced text is not scanned again.
    return _ENTITY_RE.sub(lambda match: _ENTITY_TRANSLATION[match.group(0)], text)


def compute_woocommerce_signature(secret: str, raw_body: bytes) -> str:
    """Return the ``X-WC-Webhook-Signature`` value WooCommerce sends for ``raw_body``.

    That is base64(HMAC-SHA256(secret, raw body)), with the secret decoded as WooCommerce does.
    """
    key = _wordpress_specialchars_decode(secret).encode("utf-8")
    digest = hmac.new(key, raw_body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature(secret, raw_body, received_signature) -> bool:
    """Tell whether ``received_signature`` is WooCommerce's signature of ``raw_body``.

    Returns False, never raises, when the secret or the signature is empty or None (WooCommerce
    once signed webhooks created over REST with an empty key, woocommerce#10866, so an empty
    secret must never let a request through) or when ``raw_body`` is not bytes (a decoded or
    re-serialised body cannot be checked). The comparison is constant-time.
    """
    if not secret or not isinstance(secret, str) or not received_signature:
        return False
    if not isinstance(raw_body, bytes | bytearray | memoryview):
        return False
    if isinstance(received_signature, str):
        received_signature = received_signature.strip().encode("utf-8")
    elif not isinstance(received_signature, bytes):
        return False
    expected = compute_woocommerce_signature(secret, bytes(raw_body)).encode("ascii")
    return hmac.compare_digest(expected, received_signature)


def is_woocommerce_ping(headers: Mapping, raw_body: bytes) -> bool:
    """Tell whether a request is WooCommerce's unsigned activation ping.

    When a webhook is activated, WooCommerce posts the form-encoded body ``webhook_id=<n>``
    without any ``X-WC-Webhook-*`` header and shows an error unless the answer is exactly 200.
    Only that exact shape is recognised; anything carrying webhook headers (a signature in
    particular) is a real delivery and must go through :func:`verify_signature`.
    """
    header_names = {str(name).lower(): value for name, value in (headers or {}).items()}
    if any(name.startswith(WEBHOOK_HEADER_PREFIX) for name in header_names):
        return False
    content_type = str(header_names.get("content-type") or "")
    # WordPress sets no content type itself; curl adds the form one. Either is a ping.
    if content_type and not content_type.lower().startswith(_FORM_CONTENT_TYPE):
        return False
    return bool(raw_body) and _PING_BODY_RE.fullmatch(bytes(raw_body)) is not None
