"""Reference collection agency: the contract of readme/AGENCY_API.md on 127.0.0.1, for the
tests and the demo. Standard library only; never part of the addon's runtime.

    python addons/billing_dunning/tests/agency_server.py --port 8766 --api-key demo-key

In a test: ``server = AgencyServer(api_key="k"); server.start(); ...; server.stop()``;
``server.url`` is the API base URL, ``server.set_status(number, status)`` adds a status event,
``server.settle(number, ...)`` adds a settlement statement (a status event with a
``settlement``), ``server.certify(number)`` the uncollectible (or bankrupt) event with its
certificate (inline or as a URL under the API), ``server.fail_next`` holds the answers (status,
headers) to give before the real one, and ``server.delay`` slows every answer down.
"""

import argparse
import base64
import hashlib
import hmac
import itertools
import json
import logging
import threading
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_logger = logging.getLogger(__name__)


def sign(secret, timestamp, body):
    """The callback signature of the contract (also ``collection.signature.sign``)."""
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


class AgencyServer:
    def __init__(self, api_key, host="127.0.0.1", port=0):
        self.api_key = api_key
        self.dossiers = {}
        self.by_idempotency_key = {}
        self.requests = []
        self.fail_next = []
        self.delay = 0.0
        self.documents = {}  # path under the API -> bytes (certificates)
        self._numbers = itertools.count(1001)
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer((host, port), self._handler_class())
        self.httpd.daemon_threads = True
        # A client that gave up on a slow answer closes the socket: nothing to report.
        self.httpd.handle_error = lambda request, client_address: None
        self._thread = None

    @property
    def url(self):
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self):
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- the agency's side of a dossier ------------------------------------------------------

    def set_status(self, number, status, note="", **extra):
        """A new status of dossier ``number``; the event, as GET and callbacks give it.
        ``extra`` goes into the event as it is (``settlement``, ``certificate``)."""
        with self._lock:
            dossier = self.dossiers[number]
            event = {
                "event_id": uuid.uuid4().hex,
                "dossier_number": number,
                "reference": dossier["reference"],
                "status": status,
                "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "note": note,
                **extra,
            }
            dossier["status"] = status
            dossier["events"].append(event)
            return event

    def settle(self, number, paid, commission=None, costs=0.0, costs_recovered=0.0, status=None, date=None):
        """A settlement statement: what the debtor paid (``paid``, of which ``costs_recovered``
        the agency keeps for its own costs), the commission and costs the creditor bears (net
        of VAT; commission None: the rate of the dossier's scenario on what is collected)."""
        dossier = self.dossiers[number]
        settlement = {
            "settlement_id": f"ST-{number}-{sum(1 for e in dossier['events'] if 'settlement' in e) + 1}",
            "date": date or datetime.now(UTC).strftime("%Y-%m-%d"),
            "currency": dossier["payload"].get("currency", "EUR"),
            "paid_amount": paid,
            "costs_recovered": costs_recovered,
            "costs": costs,
        }
        if commission is not None:
            settlement["commission"] = commission
        if status is None:
            claimed = (dossier["payload"].get("amounts") or {}).get("total") or 0.0
            collected = sum(
                e["settlement"]["paid_amount"] - e["settlement"]["costs_recovered"]
                for e in dossier["events"]
                if "settlement" in e
            )
            status = "paid" if collected + paid - costs_recovered >= claimed else "partially_paid"
        return self.set_status(
            number, status, f"settlement {settlement['settlement_id']}", settlement=settlement
        )

    def certify(self, number, status="uncollectible", inline=True, content=b"%PDF-1.4 certificate"):
        """The debt is uncollectible (or the debtor ``bankrupt``): the event with the
        certificate, in the event (base64) or as a URL to fetch from this server."""
        filename = f"certificate-{number}.pdf"
        if inline:
            certificate = {"filename": filename, "content_base64": base64.b64encode(content).decode()}
        else:
            path = f"/v1/dossiers/{number}/certificate"
            self.documents[path] = content
            certificate = {"filename": filename, "url": self.url[: -len("/v1")] + path}
        return self.set_status(number, status, "certificate of uncollectibility", certificate=certificate)

    def push(self, number, status, secret, note="", event=None):
        """``set_status`` (or the ``event`` given) and send the signed callback to the
        dossier's callback URL."""
        event = event or self.set_status(number, status, note)
        return self.send_callback(number, event, secret)

    def send_callback(self, number, event, secret):
        """POST ``event`` to the dossier's callback URL, signed with ``secret``."""
        body = json.dumps(event).encode()
        timestamp = int(time.time())
        request = urllib.request.Request(
            self.dossiers[number]["callback_url"],
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Agency-Timestamp": str(timestamp),
                "X-Agency-Signature": sign(secret, timestamp, body),
            },
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status

    def _create(self, payload, key):
        with self._lock:
            if key in self.by_idempotency_key:
                return 200, self._public(self.dossiers[self.by_idempotency_key[key]])
            number = f"AG-{next(self._numbers)}"
            self.dossiers[number] = {
                "dossier_number": number,
                "reference": payload.get("reference"),
                "callback_url": payload.get("callback_url"),
                "status": "submitted",
                "payload": payload,
                "events": [],
            }
            self.by_idempotency_key[key] = number
            return 201, self._public(self.dossiers[number])

    def seed_demo(self):
        """The two dossiers of billing_dunning's demo data, with the events the demo applied, so
        that *Refresh* on them finds them here and has nothing new to apply."""
        demo = {
            "AG-DEMO-1001": [
                ("demo-1001-1", "notice_sent", "Formal notice posted"),
                ("demo-1001-2", "payment_plan", "First instalment of a payment plan"),
            ],
            "AG-DEMO-1002": [("demo-1002-1", "uncollectible", "No assets to seize")],
        }
        today = datetime.now(UTC).strftime("%Y-%m-%d")
        with self._lock:
            for number, events in demo.items():
                self.dossiers[number] = {
                    "dossier_number": number,
                    "reference": number,
                    "callback_url": None,
                    "status": events[-1][1],
                    "payload": {"currency": "EUR"},
                    "events": [
                        {
                            "event_id": event_id,
                            "dossier_number": number,
                            "reference": number,
                            "status": status,
                            "date": today,
                            "note": note,
                        }
                        for event_id, status, note in events
                    ],
                }
        return self

    @staticmethod
    def _public(dossier):
        return {key: dossier[key] for key in ("dossier_number", "reference", "status", "events")}

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, data, headers=None, content_type="application/json"):
                body = data if isinstance(data, bytes) else json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def _dispatch(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}") if length else {}
                server.requests.append((method, self.path, dict(self.headers), payload))
                if server.delay:
                    time.sleep(server.delay)
                if server.fail_next:
                    status, headers = server.fail_next.pop(0)
                    return self._answer(status, {"error": "injected failure"}, headers)
                if self.headers.get("Authorization") != f"Bearer {server.api_key}":
                    return self._answer(401, {"error": "unauthorized"})
                parts = [part for part in self.path.split("/") if part][1:]  # without "v1"
                if method == "POST" and parts == ["dossiers"]:
                    key = self.headers.get("Idempotency-Key")
                    if not key:
                        return self._answer(400, {"error": "Idempotency-Key required"})
                    return self._answer(*server._create(payload, key))
                if method == "GET" and self.path in server.documents:
                    return self._answer(200, server.documents[self.path], content_type="application/pdf")
                if len(parts) >= 2 and parts[0] == "dossiers" and parts[1] in server.dossiers:
                    number = parts[1]
                    if method == "GET" and len(parts) == 2:
                        return self._answer(200, server._public(server.dossiers[number]))
                    if method == "POST" and parts[2:] == ["withdraw"]:
                        server.set_status(number, "withdrawn", payload.get("reason", ""))
                        return self._answer(200, server._public(server.dossiers[number]))
                return self._answer(404, {"error": "not found"})

            def do_GET(self):
                self._dispatch("GET")

            def do_POST(self):
                self._dispatch("POST")

        return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--api-key", required=True)
    parser.add_argument(
        "--no-demo", action="store_true", help="start without the dossiers of billing_dunning's demo data"
    )
    args = parser.parse_args()
    server = AgencyServer(args.api_key, port=args.port)
    if not args.no_demo:
        server.seed_demo()
    logging.basicConfig(level=logging.INFO)
    _logger.info("reference agency on %s", server.url)
    server.httpd.serve_forever()


if __name__ == "__main__":
    main()
