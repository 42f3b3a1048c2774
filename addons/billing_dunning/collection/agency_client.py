"""HTTP client of a collection agency's API (readme/AGENCY_API.md): create a dossier, fetch
its status, withdraw it, download a document it names (the certificate of uncollectibility).

Every call has a timeout and TLS verification on; connection errors, timeouts, 429 and 5xx
answers are retried with exponential backoff, waiting what a ``Retry-After`` header asks for
(capped). Creating a dossier sends an ``Idempotency-Key``: a retried create that reached the
agency the first time gives the same dossier, not a second one.
"""

import email.utils
import time

import requests

RETRY_STATUSES = {429, 500, 502, 503, 504}
# Never wait longer than this between two attempts, whatever Retry-After says.
MAX_WAIT_SECONDS = 30
# A certificate of uncollectibility is a PDF of a few pages.
MAX_DOCUMENT_SIZE = 10 * 1024 * 1024


class AgencyError(Exception):
    """The agency could not be reached or refused the call.

    ``retryable``: the same call may succeed later (timeout, connection error, 429, 5xx);
    ``status``: the HTTP status, None when no answer came."""

    def __init__(self, message, status=None, retryable=False):
        super().__init__(message)
        self.status = status
        self.retryable = retryable


def retry_after_seconds(value, now=None):
    """Seconds a ``Retry-After`` header value asks to wait (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class AgencyClient:
    def __init__(self, base_url, api_key, timeout=10.0, attempts=3, backoff=0.5, session=None, sleep=None):
        if not base_url:
            raise AgencyError("The agency has no API base URL.")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key or ""
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.session = session or requests.Session()
        self.sleep = sleep or time.sleep

    # -- the three calls --------------------------------------------------------------------

    def create_dossier(self, payload, idempotency_key):
        """POST /dossiers; the agency's answer (``dossier_number``, ``status``, ``events``)."""
        return self._request("POST", "/dossiers", payload, {"Idempotency-Key": idempotency_key})

    def get_status(self, dossier_number):
        """GET /dossiers/<number>: its status and every status event so far."""
        return self._request("GET", f"/dossiers/{_segment(dossier_number)}")

    def withdraw(self, dossier_number, reason=""):
        """POST /dossiers/<number>/withdraw."""
        return self._request("POST", f"/dossiers/{_segment(dossier_number)}/withdraw", {"reason": reason})

    def get_document(self, url, max_size=MAX_DOCUMENT_SIZE):
        """GET a document the agency named by URL (a certificate): its bytes.

        Only URLs under the agency's base URL are fetched (with the same credentials): a URL
        in an agency event never makes Odoo call another host."""
        if not isinstance(url, str) or not url.startswith(self.base_url + "/"):
            raise AgencyError("The document is not under the agency's API base URL.")
        response = self._send("GET", url, headers={"Accept": "*/*"}, stream=True)
        try:
            content = response.raw.read(max_size + 1, decode_content=True)
        finally:
            response.close()
        if len(content) > max_size:
            raise AgencyError(f"The document is larger than {max_size} bytes.")
        return content

    # -- transport --------------------------------------------------------------------------

    def _request(self, method, path, payload=None, headers=None):
        return self._json(self._send(method, self.base_url + path, payload, headers))

    def _send(self, method, url, payload=None, headers=None, stream=False):
        """The first 2xx answer, after the retries; raises AgencyError."""
        headers = {
            "Authorization": f"Bearer {self.api_key}",
            "Accept": "application/json",
            **(headers or {}),
        }
        error = None
        for attempt in range(self.attempts):
            wait = self.backoff * (2**attempt)
            try:
                response = self.session.request(
                    method,
                    url,
                    json=payload,
                    headers=headers,
                    timeout=self.timeout,
                    verify=True,
                    stream=stream,
                )
            except requests.Timeout:
                error = AgencyError("The agency did not answer in time.", retryable=True)
            except requests.ConnectionError:
                error = AgencyError("The agency could not be reached.", retryable=True)
            else:
                if response.status_code < 300:
                    return response
                error = AgencyError(
                    f"The agency answered HTTP {response.status_code}: {_message(response)}",
                    status=response.status_code,
                    retryable=response.status_code in RETRY_STATUSES,
                )
                asked = retry_after_seconds(response.headers.get("Retry-After"))
                if asked is not None:
                    wait = asked
            if not error.retryable or attempt == self.attempts - 1:
                break
            self.sleep(min(wait, MAX_WAIT_SECONDS))
        raise error

    @staticmethod
    def _json(response):
        try:
            data = response.json()
        except ValueError as exc:
            raise AgencyError(
                "The agency answered something that is not JSON.", response.status_code
            ) from exc
        if not isinstance(data, dict):
            raise AgencyError("The agency answered JSON that is not an object.", response.status_code)
        return data


def _segment(value):
    return requests.utils.quote(str(value), safe="")


def _message(response):
    try:
        data = response.json()
    except ValueError:
        return response.reason or ""
    return str(data.get("error") or data.get("message") or "")[:200] if isinstance(data, dict) else ""
