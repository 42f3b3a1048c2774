"""A small client of Shopify's GraphQL Admin API (plain Python, ``requests``).

What it takes care of, per shopify.dev:

* the request: ``POST {base}/admin/api/{version}/graphql.json`` with the header
  ``X-Shopify-Access-Token`` and the body ``{"query", "variables"}``;
* the token: a fixed access token, or an app's client credentials exchanged at
  ``POST {base}/admin/oauth/access_token`` (``grant_type=client_credentials``) for a token and
  its ``expires_in``; the token is refreshed before it lapses and once after a 401;
* cost-based throttling: every answer's ``extensions.cost.throttleStatus`` says how many points
  are left and how fast they come back; before a query the client waits until the bucket holds
  the points the last query of the same kind asked for. A ``THROTTLED`` error (inside a 200, or
  an HTTP 429) waits for the restore rate and tries again;
* retries with bounded exponential backoff on 5xx, 429 and network failures, and timeouts;
* cursor pagination to the end (``pageInfo {hasNextPage endCursor}``);
* ``userErrors`` of mutations raised in words.

Secrets never appear in an error message, a log line or a ``repr``.
"""

import logging
import math
import time
from datetime import UTC, datetime, timedelta

import requests

_logger = logging.getLogger(__name__)

DEFAULT_API_VERSION = "2025-10"
DEFAULT_TIMEOUT = 30  # seconds, to connect and between two bytes of the answer
# Refresh a client-credentials token this long before it expires.
TOKEN_MARGIN = timedelta(minutes=5)
MAX_PAGE_SIZE = 250


class ShopifyError(Exception):
    """A call to Shopify failed; ``transient`` when trying again later may succeed."""

    def __init__(self, message, *, status=None, transient=False, retry_after=None, user_errors=None):
        super().__init__(message)
        self.status = status
        self.transient = transient
        self.retry_after = retry_after
        self.user_errors = user_errors or []


def user_errors_text(user_errors):
    """``userErrors [{field, message, code}]`` as one sentence: "quantities.0: Stale (CODE)"."""
    parts = []
    for error in user_errors or []:
        field = error.get("field")
        field = ".".join(str(part) for part in field) if isinstance(field, list) else field
        text = str(error.get("message") or "unknown error")
        if error.get("code"):
            text = f"{text} ({error['code']})"
        parts.append(f"{field}: {text}" if field else text)
    return "; ".join(parts)


class ShopifyClient:
    """One shop's GraphQL Admin API. ``on_token(token, expires_at)`` stores a refreshed token."""

    def __init__(
        self,
        base_url,
        *,
        access_token="",
        client_id="",
        client_secret="",
        token_expires_at=None,
        api_version=DEFAULT_API_VERSION,
        on_token=None,
        session=None,
        timeout=DEFAULT_TIMEOUT,
        sleep=time.sleep,
        clock=time.monotonic,
        max_retries=5,
        max_backoff=60,
    ):
        base_url = (base_url or "").strip().rstrip("/")
        if base_url and "://" not in base_url:
            base_url = f"https://{base_url}"
        self.base_url = base_url
        self.access_token = access_token or ""
        self.client_id = client_id or ""
        self.client_secret = client_secret or ""
        self.token_expires_at = token_expires_at
        self.api_version = api_version or DEFAULT_API_VERSION
        self.on_token = on_token
        self.session = session or requests.Session()
        self.timeout = timeout
        self.sleep = sleep
        self.clock = clock
        self.max_retries = max_retries
        self.max_backoff = max_backoff
        # The last throttle status read and when; the last cost asked per kind of query.
        self.throttle_status = None
        self._throttle_read_at = None
        self._last_cost = {}

    def __repr__(self):
        return f"<ShopifyClient {self.base_url or '-'} {self.api_version}>"

    @property
    def graphql_url(self):
        return f"{self.base_url}/admin/api/{self.api_version}/graphql.json"

    # -- token --------------------------------------------------------------------------------------

    @property
    def uses_client_credentials(self):
        return bool(self.client_id and self.client_secret)

    def _token_is_fresh(self):
        if not self.access_token:
            return False
        if self.token_expires_at is None or not self.uses_client_credentials:
            return True
        return datetime.now(UTC).replace(tzinfo=None) + TOKEN_MARGIN < self.token_expires_at

    def refresh_token(self):
        """Exchange the app's client credentials for a new access token; return it."""
        if not self.uses_client_credentials:
            raise ShopifyError(
                "The shop refused the access token, and no client id and secret are set to get a new one",
                status=401,
            )
        url = f"{self.base_url}/admin/oauth/access_token"
        data = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }
        try:
            response = self.session.post(url, data=data, timeout=self.timeout)
        except requests.RequestException as error:
            raise ShopifyError(f"POST {url} failed: {type(error).__name__}", transient=True) from None
        if response.status_code >= 400:
            raise ShopifyError(
                f"POST {url} answered {response.status_code}: the client credentials were refused",
                status=response.status_code,
                transient=response.status_code >= 500 or response.status_code == 429,
            )
        try:
            answer = response.json()
            token = answer["access_token"]
        except (ValueError, KeyError, TypeError):
            raise ShopifyError(f"POST {url} answered no access_token") from None
        expires_in = answer.get("expires_in")
        self.access_token = token
        self.token_expires_at = (
            datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=int(expires_in))
            if isinstance(expires_in, int | float)
            else None
        )
        _logger.info("shopify %s: access token refreshed", self.base_url)
        if self.on_token:
            self.on_token(self.access_token, self.token_expires_at)
        return token

    # -- queries ------------------------------------------------------------------------------------

    def execute(self, query, variables=None, *, kind=None):
        """Run one GraphQL operation; return its ``data``. Raise ShopifyError on any error."""
        kind = kind or query.split("{", 1)[0].strip()
        self._wait_for_points(kind)
        attempt = 0
        refreshed = False
        while True:
            if not self._token_is_fresh() and self.uses_client_credentials:
                self.refresh_token()
                refreshed = True
            failure, response, body = None, None, None
            try:
                response = self.session.post(
                    self.graphql_url,
                    json={"query": query, "variables": variables or {}},
                    headers={
                        "X-Shopify-Access-Token": self.access_token,
                        "Content-Type": "application/json",
                        "Accept": "application/json",
                    },
                    timeout=self.timeout,
                )
            except requests.RequestException as error:
                failure = f"{type(error).__name__}"
            if response is not None:
                self._check_version(response)
                if response.status_code == 401 and self.uses_client_credentials and not refreshed:
                    self.access_token = ""
                    refreshed = True
                    continue
                if response.status_code < 400 or response.status_code == 429:
                    try:
                        body = response.json()
                    except ValueError:
                        body = None
                if isinstance(body, dict):
                    self._read_cost(kind, body)
            delay, reason = self._retry_delay(response, body, failure, attempt)
            if delay is None:
                return self._data(response, body)
            if attempt >= self.max_retries:
                raise ShopifyError(
                    f"Shopify {kind}: {reason}, still after {attempt + 1} attempts",
                    status=response.status_code if response is not None else None,
                    transient=True,
                    retry_after=delay,
                )
            _logger.info("shopify %s: %s, trying again in %.1fs", kind, reason, delay)
            self.sleep(delay)
            attempt += 1

    def _retry_delay(self, response, body, failure, attempt):
        """(seconds to wait, why) when the call should be tried again, else (None, None)."""
        backoff = min(2**attempt, self.max_backoff)
        if failure:
            return backoff, f"no answer ({failure})"
        status = response.status_code
        if status == 429 or self._is_throttled(body):
            wait = self._restore_wait(body)
            retry_after = response.headers.get("Retry-After")
            if retry_after and retry_after.replace(".", "", 1).isdigit():
                wait = max(wait or 0, float(retry_after))
            return min(max(wait or backoff, 0.05), self.max_backoff), "throttled"
        if status >= 500:
            return backoff, f"answered {status}"
        return None, None

    @staticmethod
    def _is_throttled(body):
        if not isinstance(body, dict):
            return False
        errors = body.get("errors")
        if not isinstance(errors, list):
            return False
        return any(
            isinstance(error, dict) and (error.get("extensions") or {}).get("code") == "THROTTLED"
            for error in errors
        )

    def _restore_wait(self, body):
        """Seconds until the bucket holds what the throttled query asked for."""
        cost = ((body or {}).get("extensions") or {}).get("cost") if isinstance(body, dict) else None
        if not isinstance(cost, dict):
            return None
        status = cost.get("throttleStatus") or {}
        try:
            needed = float(cost.get("requestedQueryCost") or 0) - float(status.get("currentlyAvailable") or 0)
            rate = float(status.get("restoreRate") or 0)
        except (TypeError, ValueError):
            return None
        if rate <= 0:
            return None
        return max(needed, 0) / rate

    def _read_cost(self, kind, body):
        cost = (body.get("extensions") or {}).get("cost")
        if not isinstance(cost, dict):
            return
        status = cost.get("throttleStatus")
        if isinstance(status, dict):
            self.throttle_status = status
            self._throttle_read_at = self.clock()
        requested = cost.get("requestedQueryCost")
        if isinstance(requested, int | float):
            self._last_cost[kind] = float(requested)

    def _wait_for_points(self, kind):
        """Pause before a query the bucket cannot pay for yet (as last read, plus what came back)."""
        status, needed = self.throttle_status, self._last_cost.get(kind)
        if not status or needed is None:
            return
        try:
            rate = float(status["restoreRate"])
            available = float(status["currentlyAvailable"]) + rate * (self.clock() - self._throttle_read_at)
            available = min(available, float(status["maximumAvailable"]))
        except (KeyError, TypeError, ValueError):
            return
        if available >= needed or rate <= 0:
            return
        wait = min(math.ceil((needed - available) / rate * 100) / 100, self.max_backoff)
        _logger.info(
            "shopify %s: %.0f points left, %.0f needed, waiting %.2fs", kind, available, needed, wait
        )
        self.sleep(wait)

    def _check_version(self, response):
        answered = response.headers.get("X-Shopify-API-Version")
        if answered and answered != self.api_version:
            _logger.warning(
                "shopify %s: asked for API version %s, the shop answered with %s",
                self.base_url,
                self.api_version,
                answered,
            )

    def _data(self, response, body):
        status = response.status_code
        if status >= 400:
            detail = ""
            if isinstance(body, dict) and body.get("errors"):
                detail = f": {self._errors_text(body['errors'])}"
            elif status in (401, 403):
                detail = ": the access token was refused or lacks a scope"
            raise ShopifyError(f"Shopify answered {status}{detail}", status=status)
        if not isinstance(body, dict):
            raise ShopifyError(f"Shopify answered {status} without a JSON object", status=status)
        if body.get("errors"):
            raise ShopifyError(
                f"Shopify refused the query: {self._errors_text(body['errors'])}", status=status
            )
        data = body.get("data")
        if not isinstance(data, dict):
            raise ShopifyError("Shopify answered no data", status=status)
        return data

    @staticmethod
    def _errors_text(errors):
        if isinstance(errors, str):
            return errors[:300]
        if isinstance(errors, list):
            return "; ".join(
                str(error.get("message") if isinstance(error, dict) else error)[:200] for error in errors
            )
        return str(errors)[:300]

    def mutate(self, query, variables, root):
        """Run a mutation; raise its ``userErrors`` in words; return the ``root`` payload."""
        payload = self.execute(query, variables).get(root) or {}
        errors = payload.get("userErrors") or []
        if errors:
            raise ShopifyError(f"Shopify {root}: {user_errors_text(errors)}", user_errors=errors)
        return payload

    def paginate(self, query, variables, path, *, page_size=MAX_PAGE_SIZE):
        """Yield every node of the connection at ``path`` (``("orders",)``), page after page."""
        variables = dict(variables or {}, first=min(page_size, MAX_PAGE_SIZE), after=None)
        while True:
            connection = self.execute(query, variables)
            for key in path:
                connection = (connection or {}).get(key)
            if not isinstance(connection, dict):
                raise ShopifyError(f"Shopify answered no {'.'.join(path)} connection")
            yield from connection.get("nodes") or []
            page_info = connection.get("pageInfo") or {}
            if not page_info.get("hasNextPage"):
                return
            cursor = page_info.get("endCursor")
            if not cursor or cursor == variables["after"]:
                raise ShopifyError(f"Shopify {'.'.join(path)}: a next page without a new cursor")
            variables["after"] = cursor
