import logging
import time

from odoo import http
from odoo.http import request

from ..collection.signature import verify

_logger = logging.getLogger(__name__)

# A status callback is a few hundred bytes.
MAX_BODY_SIZE = 256 * 1024


class CollectionAgencyController(http.Controller):
    """Status callbacks of collection agencies (readme/AGENCY_API.md): authenticate, delegate."""

    @http.route(
        "/billing_dunning/collection/callback/<int:agency_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def collection_callback(self, agency_id, **_kwargs):
        httprequest = request.httprequest
        if (httprequest.content_length or 0) > MAX_BODY_SIZE:
            return self._answer(413, "payload too large")
        raw_body = httprequest.get_data(cache=False)
        if len(raw_body) > MAX_BODY_SIZE:
            return self._answer(413, "payload too large")
        agency = request.env["billing.collection.agency"].sudo().browse(agency_id).exists()
        # Same answer for an unknown agency, no secret and a bad signature: nothing to probe.
        if not agency or not agency.active or not agency.callback_secret:
            return self._answer(403, "invalid signature")
        headers = httprequest.headers
        if not verify(
            agency.callback_secret,
            headers.get("X-Agency-Timestamp"),
            raw_body,
            headers.get("X-Agency-Signature"),
            time.time(),
        ):
            _logger.info(
                "collection agency %s: callback with a missing, wrong or stale signature refused", agency.id
            )
            return self._answer(403, "invalid signature")
        agency = agency.with_company(agency.company_id)
        try:
            with request.env.cr.savepoint():
                status, message = agency._process_callback(raw_body)
        except Exception as exc:  # the contract: an authentic body is answered 2xx, never 500
            _logger.exception("collection agency %s: callback could not be applied", agency.id)
            status, message = agency._store_callback(raw_body, str(exc)[:500] or type(exc).__name__)
        return self._answer(status, message)

    @staticmethod
    def _answer(status, message):
        return request.make_json_response({"status": message}, status=status)
