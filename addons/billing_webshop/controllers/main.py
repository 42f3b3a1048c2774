import logging
from urllib.parse import urlencode

from odoo import http
from odoo.http import request
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

_logger = logging.getLogger(__name__)

# OCA connectors cap webhook bodies at 2 MiB; a WooCommerce order is a few kB.
MAX_BODY_SIZE = 2 * 1024 * 1024


class WebshopWebhookController(http.Controller):
    """Receives shop webhooks: authenticate, store, answer. The import runs in a cron.

    Answers: 200 stored (an order to import, or a body that cannot be read, kept as received in
    error) or activation ping; 403 missing secret or bad signature; 404 unknown or archived
    webshop; 413 body over MAX_BODY_SIZE; 503 when even the raw copy could not be stored
    (the database refused it). Never a 500 for what a shop sends.
    """

    @http.route(
        "/billing_webshop/webhook/<int:backend_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def webhook(self, backend_id, **_kwargs):
        httprequest = request.httprequest
        if (httprequest.content_length or 0) > MAX_BODY_SIZE:
            return self._answer(413, "payload too large")
        # A chunked body has no Content-Length: werkzeug stops it at Odoo's max_content_length.
        # Kept on the request: when Odoo runs the request again after a serialisation failure,
        # the stream has been read, and the signature must be checked on the same bytes.
        raw_body = httprequest.get_data(cache=True)
        if len(raw_body) > MAX_BODY_SIZE:
            return self._answer(413, "payload too large")
        backend = request.env["billing.webshop.backend"]._get_webhook_backend(backend_id)
        if not backend:
            return self._answer(404, "unknown webshop")
        adapter = backend._get_adapter()
        headers = dict(httprequest.headers.items())
        # Odoo has parsed a form-encoded body into request.form before the route runs, which
        # empties the stream; the activation ping is form-encoded, so rebuild it for the check.
        ping_body = raw_body or urlencode(list(httprequest.form.items(multi=True))).encode()
        if adapter.is_ping(headers, ping_body):
            return self._answer(200, "pong")
        # Verified on the raw bytes before anything parses them; no secret means no entry.
        if not backend._verify_webhook(adapter, headers, raw_body):
            _logger.info("webshop %s: webhook with a missing or wrong signature refused", backend.id)
            return self._answer(403, "invalid signature")
        try:
            event = backend._receive_webhook(headers, raw_body, adapter)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise  # Odoo runs the request again
        except Exception:
            # _receive_webhook keeps whatever it cannot read or store as the raw body; this is
            # the database refusing even that. Say so instead of a 500 without a word.
            _logger.exception("webshop %s: a verified delivery could not be stored", backend.id)
            request.env.cr.rollback()
            return self._answer(503, "not stored, deliver again")
        return self._answer(200, "stored", event=event.id, state=event.state or "duplicate")

    @staticmethod
    def _answer(status, message, **extra):
        return request.make_json_response({"status": message, **extra}, status=status)
