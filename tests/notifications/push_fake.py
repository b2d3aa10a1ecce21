"""A web push service on 127.0.0.1: 201 for endpoints under /ok/, 410 under /gone/, 404 under /missing/, 503 under
/busy/; it keeps each request (headers and the encrypted body) for the test to decrypt."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

STATUS = {"/ok/": 201, "/gone/": 410, "/missing/": 404, "/busy/": 503}


class PushServiceFake:
    def __init__(self):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                 "body": body})
                status = next((code for prefix, code in STATUS.items() if self.path.startswith(prefix)), 400)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
