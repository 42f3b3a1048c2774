"""Signature of the agency's status callbacks (readme/AGENCY_API.md).

``X-Agency-Signature`` is the lowercase hex HMAC-SHA256, keyed with the agency's callback
secret, of ``<X-Agency-Timestamp> + "." + <raw body>``: the timestamp is signed too, so an old
body cannot be replayed with a fresh timestamp.
"""

import hashlib
import hmac

# A callback older (or newer) than this, in seconds, is refused as a possible replay.
TOLERANCE_SECONDS = 300


def sign(secret, timestamp, body):
    """The signature of ``body`` (bytes) sent at ``timestamp`` (unix seconds, int or str)."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify(secret, timestamp, body, signature, now, tolerance=TOLERANCE_SECONDS):
    """Whether ``signature`` is the signature of ``body`` at ``timestamp`` and ``timestamp`` is
    within ``tolerance`` seconds of ``now``. Constant-time comparison; False on any bad input."""
    if not secret or not timestamp or not signature:
        return False
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(now - sent_at) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, sent_at, body), str(signature).strip().lower())
