"""A local fake of the e-invoicing provider (the JSON API billing_saas.fapiao speaks), on 127.0.0.1 in a thread:
for tests, the demo seed and development without FAPIAO_API_BASE. Its numbers are not real invoices.

    provider = FakeFapiaoProvider(api_key="k").start()
    provider.invoicer().issue(order)       # or point FAPIAO_API_BASE at provider.url
    provider.down = True                   # 503 to every call (the provider is down)
    provider.refusing = "购买方税号不存在"    # 422 with this error (the tax bureau refuses)
    provider.stop()

An issued invoice's PDF is at `GET /invoices/<number>.pdf` (the same bearer key).

It checks what a real provider checks (the bearer key, the fields, the taxpayer ID's check character) and honours
`Idempotency-Key`: a repeat gets the number already issued.
"""

from __future__ import annotations

import json
import secrets
import threading
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from billing_saas.fapiao import HttpInvoicer, tax_id_valid

BODY_MAX = 64 * 1024


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format, *args):  # noqa: A002 - http.server's signature; quiet
        return

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802 - http.server's naming
        provider = self.server.provider
        if self.path.rstrip("/") != "/invoices":
            return self._answer(404, {"error": "not found"})
        length = int(self.headers.get("Content-Length") or 0)
        if length > BODY_MAX:
            return self._answer(413, {"error": "too large"})
        raw = self.rfile.read(length)
        if provider.down:
            return self._answer(503, {"error": "service unavailable"})
        if provider.api_key and self.headers.get("Authorization") != f"Bearer {provider.api_key}":
            return self._answer(401, {"error": "bad api key"})
        try:
            order = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return self._answer(400, {"error": "body is not JSON"})
        status, body = provider.handle(order if isinstance(order, dict) else {},
                                       self.headers.get("Idempotency-Key") or "")
        return self._answer(status, body)


    def do_GET(self):  # noqa: N802 - http.server's naming
        provider = self.server.provider
        if provider.down:
            return self._answer(503, {"error": "service unavailable"})
        if provider.api_key and self.headers.get("Authorization") != f"Bearer {provider.api_key}":
            return self._answer(401, {"error": "bad api key"})
        number = self.path.removeprefix("/invoices/").removesuffix(".pdf")
        if not self.path.startswith("/invoices/") or not self.path.endswith(".pdf") \
                or number not in provider.issued.values():
            return self._answer(404, {"error": "not found"})
        data = fake_pdf(number)
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def fake_pdf(number: str) -> bytes:
    """A one-page PDF that says which (fake) invoice it is."""
    text = f"BT /F1 18 Tf 72 720 Td (FAKE FAPIAO {number}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for index, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (index, body)
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start)
    return bytes(out)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    provider: FakeFapiaoProvider


class FakeFapiaoProvider:
    def __init__(self, api_key: str = ""):
        self.api_key = api_key
        self.down = False
        self.refusing = ""  # an error message: every invoice is refused with it
        self.received: list[dict] = []  # the orders asked, in order
        self.issued: dict[str, str] = {}  # idempotency key -> number
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeFapiaoProvider:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.provider = self
        self._thread = threading.Thread(target=self._server.serve_forever, name="fapiao-fake", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeFapiaoProvider:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    def invoicer(self, *, timeout: float = 5.0) -> HttpInvoicer:
        return HttpInvoicer(self.url, self.api_key, timeout=timeout)

    def handle(self, order: dict, key: str) -> tuple[int, dict]:
        with self._lock:
            self.received.append(order)
            if key and key in self.issued:
                return 200, {"number": self.issued[key], "repeated": True}
            problem = self._problem(order)
            if problem:
                return 422, {"error": problem}
            if self.refusing:
                return 422, {"error": self.refusing}
            # a fully digital invoice's number (数电发票): 20 digits, the year's two first
            number = f"{datetime.now(UTC):%y}{secrets.randbelow(10 ** 18):018d}"
            if key:
                self.issued[key] = number
            return 201, {"number": number, "issued_at": datetime.now(UTC).isoformat()}

    @staticmethod
    def _problem(order: dict) -> str:
        for name in ("title", "tax_id", "email", "amount", "kind"):
            if not isinstance(order.get(name), str) or not order[name].strip():
                return f"{name} is required"
        if not tax_id_valid(order["tax_id"]):
            return "tax_id is not a valid unified social credit code"
        if order["kind"] == "special" and not (order.get("address_phone") and order.get("bank_account")):
            return "a special invoice needs address_phone and bank_account"
        try:
            if Decimal(order["amount"]) <= 0:
                return "amount must be positive"
        except InvalidOperation:
            return "amount is not a number"
        return ""


_LOCAL: FakeFapiaoProvider | None = None
_LOCAL_LOCK = threading.Lock()


def local_provider() -> FakeFapiaoProvider:
    """The process's own fake provider, started on first use (development without FAPIAO_API_BASE)."""
    global _LOCAL
    with _LOCAL_LOCK:
        if _LOCAL is None:
            _LOCAL = FakeFapiaoProvider().start()
        return _LOCAL
