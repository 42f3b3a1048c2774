"""Transports that hand a Finvoice transmission (SOAP frame + document) to a bank or operator.

A transport takes bytes and returns what the other side said; it knows nothing of Odoo.

``OperatorRestTransport`` speaks a small REST API of the kind e-invoice operators offer
(Maventa, Apix, Netvisor and the banks' corporate APIs differ in names, not in shape):

``POST {base_url}/invoices``
    Body: the transmission as sent to a bank (``Content-Type: application/xml``, with the
    charset of the document). Headers: ``Authorization: Bearer <api key>``,
    ``Idempotency-Key: <MessageIdentifier>`` (the operator answers a repeated key with the
    first answer, so a retry never delivers twice), ``Accept: application/json``.
    ``201``/``202`` → ``{"id": "<operator id>", "status": "accepted"}``.
    ``400``/``422`` → ``{"error": "<text>"}``: the message is refused; sending it again will not help.
    ``401``/``403`` → the key is wrong. ``429`` and ``5xx`` → try again later, after
    ``Retry-After`` seconds when given.

``GET {base_url}/invoices/{id}``
    ``200`` → ``{"id": …, "status": "accepted" | "delivered" | "failed", "error": <text or null>}``.
"""

import contextlib
import dataclasses
import time

import requests

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


class TransportError(Exception):
    """The transmission did not go through. ``retryable``: sending again later may work."""

    def __init__(self, message, *, retryable, status=None):
        super().__init__(message)
        self.retryable = retryable
        self.status = status


@dataclasses.dataclass(frozen=True)
class TransportResult:
    reference: str
    status: str
    error: str = ""


class Transport:
    """The interface: ``send`` one transmission, ask for the ``status`` of a sent one."""

    def send(self, message_identifier, payload, *, encoding="UTF-8"):
        raise NotImplementedError

    def status(self, reference):
        raise NotImplementedError


class OperatorRestTransport(Transport):
    """The operator REST API above, with timeouts and bounded retries on 429/5xx.

    ``timeout`` (seconds) bounds the connection and each read; at most ``max_attempts`` requests are made,
    waiting ``Retry-After`` (capped at ``max_wait`` seconds) or an exponential back-off between them.
    """

    def __init__(
        self,
        base_url,
        api_key,
        *,
        timeout=30,
        max_attempts=3,
        backoff=1.0,
        max_wait=30.0,
        session=None,
        sleep=time.sleep,
    ):
        if not base_url:
            raise ValueError("the operator API has no URL")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key or ""
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.backoff = backoff
        self.max_wait = max_wait
        self.session = session or requests.Session()
        self.sleep = sleep

    def _headers(self, **extra):
        return {"Authorization": f"Bearer {self.api_key}", "Accept": "application/json", **extra}

    def _wait_before_retry(self, attempt, response):
        wait = self.backoff * (2 ** (attempt - 1))
        retry_after = response.headers.get("Retry-After") if response is not None else None
        if retry_after is not None:
            with contextlib.suppress(ValueError):  # an HTTP date: keep the back-off
                wait = float(retry_after)
        self.sleep(max(0.0, min(wait, self.max_wait)))

    def _request(self, method, url, **kwargs):
        """One logical request: retried on connection errors, timeouts, 429 and 5xx."""
        last_error = None
        for attempt in range(1, self.max_attempts + 1):
            response = None
            try:
                response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as error:
                last_error = TransportError(f"{method} {url}: {error}", retryable=True)
            else:
                if response.status_code not in RETRYABLE_STATUSES:
                    return response
                last_error = TransportError(
                    f"{method} {url}: HTTP {response.status_code} {_error_text(response)}".strip(),
                    retryable=True,
                    status=response.status_code,
                )
            if attempt < self.max_attempts:
                self._wait_before_retry(attempt, response)
        raise TransportError(
            f"{last_error} (gave up after {self.max_attempts} attempts)",
            retryable=True,
            status=last_error.status,
        )

    def send(self, message_identifier, payload, *, encoding="UTF-8"):
        response = self._request(
            "POST",
            f"{self.base_url}/invoices",
            data=payload,
            headers=self._headers(
                **{
                    "Content-Type": f"application/xml; charset={encoding}",
                    "Idempotency-Key": message_identifier,
                }
            ),
        )
        if response.status_code in (200, 201, 202):
            body = _json(response)
            reference = str(body.get("id") or "")
            if not reference:
                raise TransportError("the operator accepted the message but returned no id", retryable=True)
            return TransportResult(reference=reference, status=str(body.get("status") or "accepted"))
        raise TransportError(
            f"HTTP {response.status_code}: {_error_text(response)}".strip(),
            retryable=False,
            status=response.status_code,
        )

    def status(self, reference):
        response = self._request("GET", f"{self.base_url}/invoices/{reference}", headers=self._headers())
        if response.status_code != 200:
            raise TransportError(
                f"HTTP {response.status_code}: {_error_text(response)}".strip(),
                retryable=response.status_code == 404,
                status=response.status_code,
            )
        body = _json(response)
        return TransportResult(
            reference=reference, status=str(body.get("status") or ""), error=str(body.get("error") or "")
        )


def _json(response):
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _error_text(response):
    body = _json(response)
    text = body.get("error") or body.get("message") or ""
    if not text and response.text and len(response.text) < 500:
        text = response.text
    return str(text)
