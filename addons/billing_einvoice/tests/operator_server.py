"""A local e-invoice operator that follows the REST API of ``finvoice.transport``.

It listens on 127.0.0.1 (the only host Odoo's test harness lets requests reach) on a free
port, in a thread, and records what it received.
"""

import http.server
import json
import threading
import time
import uuid


class OperatorServer:
    API_KEY = "test-key"

    def __init__(self):
        self.invoices = {}  # Idempotency-Key -> {"id", "status", "payload", "content_type"}
        self.requests = []  # (method, path)
        self.script = []  # responses to give before the normal ones: (status, headers, body, delay)
        self.lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass  # keep the test log clean

            def _reply(self, status, body=None, headers=None):
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _scripted(self):
                with server.lock:
                    step = server.script.pop(0) if server.script else None
                if step is None:
                    return False
                status, headers, body, delay = step
                if delay:
                    time.sleep(delay)
                self._reply(status, body, headers)
                return True

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                payload = self.rfile.read(length)
                server.requests.append(("POST", self.path))
                if self._scripted():
                    return
                if self.headers.get("Authorization") != f"Bearer {server.API_KEY}":
                    return self._reply(401, {"error": "unknown API key"})
                if self.path != "/v1/invoices":
                    return self._reply(404, {"error": "no such endpoint"})
                key = self.headers.get("Idempotency-Key")
                if not key or b"<Finvoice" not in payload:
                    return self._reply(422, {"error": "not a Finvoice transmission"})
                with server.lock:
                    invoice = server.invoices.setdefault(
                        key,
                        {
                            "id": f"op-{uuid.uuid4().hex[:12]}",
                            "status": "accepted",
                            "payload": payload,
                            "content_type": self.headers.get("Content-Type"),
                        },
                    )
                return self._reply(201, {"id": invoice["id"], "status": invoice["status"]})

            def do_GET(self):
                server.requests.append(("GET", self.path))
                if self._scripted():
                    return
                reference = self.path.rsplit("/", 1)[-1]
                for invoice in server.invoices.values():
                    if invoice["id"] == reference:
                        return self._reply(
                            200, {"id": reference, "status": invoice["status"], "error": invoice.get("error")}
                        )
                return self._reply(404, {"error": "unknown invoice"})

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

    def fail_next(self, status, times=1, retry_after=None, body=None, delay=0):
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        with self.lock:
            self.script.extend([(status, headers, body or {"error": f"scripted {status}"}, delay)] * times)
