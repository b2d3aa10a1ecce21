"""A webhook receiver on loopback for the tests: verifies each request with standardwebhooks and records it."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError


class Receiver:
    """`with Receiver(secrets) as receiver:`; receiver.url to point an endpoint at. Each verified request is
    recorded as (webhook-id, payload); a request no secret verifies is counted in `rejected` and gets a 400."""

    def __init__(self, secrets=(), status: int = 204, delay: float = 0.0):
        self.secrets = list(secrets)
        self.status = status
        self.delay = delay
        self.received: list[tuple[str, dict]] = []
        self.verified_with: list[int] = []  # for each verified request, the index of the secret that verified it
        self.rejected = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {key.lower(): value for key, value in self.headers.items()}
                if receiver.delay:
                    time.sleep(receiver.delay)
                verified = None
                for index, secret in enumerate(receiver.secrets):
                    try:
                        Webhook(secret).verify(body, headers)
                        verified = index
                        break
                    except WebhookVerificationError:
                        continue
                with receiver.lock:
                    if verified is None:
                        receiver.rejected += 1
                    else:
                        receiver.received.append((headers["webhook-id"], json.loads(body)))
                        receiver.verified_with.append(verified)
                status = 400 if verified is None else receiver.status
                self.send_response(status)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def ids(self) -> list[str]:
        with self.lock:
            return [msg_id for msg_id, _payload in self.received]
