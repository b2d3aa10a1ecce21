"""The part both provider fakes share: a threaded HTTP server on 127.0.0.1, a page with Pay / Decline buttons, and
the outbound notifications (sent at once, or held until `deliver()`, and kept for `resend_last()`).
Standard library and `cryptography` only; nothing of our adapters, so that a mistake in them is not mirrored here."""

from __future__ import annotations

import base64
import binascii
import http.client
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

BODY_MAX = 256 * 1024
STYLE = ("body{font-family:system-ui,sans-serif;max-width:30rem;margin:2rem auto;padding:0 1rem;color:#222}"
         ".test{background:#ffe08a;border:1px solid #d4a017;padding:.5rem .75rem;border-radius:6px}"
         "button{font-size:1.1rem;padding:.6rem 1.4rem;margin:.3rem .3rem .3rem 0}")


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def load_private(text: str) -> rsa.RSAPrivateKey:
    return serialization.load_pem_private_key(text.encode(), password=None)


def saved_keys(path: str | None, fake) -> None:
    """Keep a fake's keys in the JSON file at `path` across restarts (the demo: the credentials a brand entered stay
    valid): load them when the file exists, else write the ones just made."""
    if not path:
        return
    file = Path(path)
    if file.exists():
        fake.load_keys(json.loads(file.read_text()))
    else:
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(fake.dump_keys(), indent=1))
        file.chmod(0o600)


def pem_private(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def pem_public(key: rsa.RSAPublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def rsa_sign(key: rsa.RSAPrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa_verify(key: rsa.RSAPublicKey, message: bytes, signature: str) -> bool:
    try:
        key.verify(base64.b64decode(signature, validate=True), message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def page(title: str, body: str) -> bytes:
    return (f"<!doctype html><html lang=\"zh-Hans\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
            f"content=\"width=device-width,initial-scale=1\"><title>{escape(title)}</title><style>{STYLE}</style>"
            f"</head><body><p class=\"test\"><strong>Test mode.</strong> A local fake of {escape(title)}: no money "
            f"moves.</p>{body}</body></html>").encode()


def pay_form(amount: str, subject: str, action: str) -> str:
    return (f"<h1>{escape(amount)}</h1><p>{escape(subject)}</p><form method=\"post\" action=\"{escape(action)}\">"
            "<button name=\"action\" value=\"pay\">Pay</button>"
            "<button name=\"action\" value=\"decline\">Decline</button></form>")


@dataclass
class Notification:
    url: str
    body: bytes
    headers: dict
    status: int = 0  # the merchant's answer; 0: not sent yet or no answer


Sender = Callable[[str, bytes, dict], int]


def http_sender(url: str, body: bytes, headers: dict) -> int:
    """POST a notification. A brand's development host (`<slug>.localhost`) is reached on 127.0.0.1 with its name
    in the Host header: not every resolver knows the names under .localhost (as billing_saas.stripe_fake does)."""
    parts = urlsplit(url)
    if parts.hostname and parts.hostname.endswith(".localhost"):
        headers = {**headers, "Host": parts.netloc}
        url = parts._replace(netloc=f"127.0.0.1:{parts.port}" if parts.port else "127.0.0.1").geturl()
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - a local fake
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - a local fake
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (OSError, http.client.HTTPException):
        return 0


class Request:
    def __init__(self, handler: BaseHTTPRequestHandler, body: bytes):
        parts = urlsplit(handler.path)
        self.method = handler.command
        self.path = parts.path
        self.target = handler.path  # path and query, as signed
        self.query = dict(parse_qsl(parts.query, keep_blank_values=True))
        self.headers = {k.lower(): v for k, v in handler.headers.items()}
        self.body = body

    def form(self) -> dict:
        return dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))


class Answer:
    def __init__(self, status: int, body: bytes = b"", headers: dict | None = None):
        self.status, self.body, self.headers = status, body, headers or {}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format, *args):  # noqa: A002 - http.server's signature; quiet
        return

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > BODY_MAX:
            answer = Answer(413, b"too large")
        else:
            answer = self.server.fake.handle(Request(self, self.rfile.read(length) if length else b""))
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    do_GET = do_POST = _serve  # noqa: N815 - http.server's naming


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeProvider


class FakeProvider:
    """Start with `start(port=0)` (a free port); `url` is then the base URL. Notifications: `delivery="sync"` sends
    each at once (from the thread that caused it), "background" from a thread of its own (a process serving our
    endpoint: the request that caused it may be waiting for the fake's answer), "hold" keeps them until
    `deliver()`; `sender(url, body, headers) -> status` replaces the HTTP POST (e.g. Django's test client)."""

    name = "provider"

    def __init__(self, *, delivery: str = "sync", sender: Sender | None = None):
        self.delivery = delivery
        self.sender = sender or http_sender
        self.notifications: list[Notification] = []  # every one, in order
        self.pending: list[Notification] = []
        self.lock = threading.RLock()
        self._server: _Server | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self, port: int = 0):
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.fake = self
        threading.Thread(target=self._server.serve_forever, name=f"{self.name}-fake", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    def handle(self, request: Request) -> Answer:  # pragma: no cover - each fake has its own
        raise NotImplementedError

    # --- notifications ----------------------------------------------------------------------------------------
    def notify(self, url: str, body: bytes, headers: dict) -> Notification:
        notification = Notification(url=url, body=body, headers=headers)
        with self.lock:
            self.notifications.append(notification)
            if self.delivery == "hold":
                self.pending.append(notification)
                return notification
        if self.delivery == "background":
            threading.Thread(target=self._send, args=(notification,), name=f"{self.name}-notify", daemon=True).start()
            return notification
        self._send(notification)
        return notification

    def _send(self, notification: Notification) -> int:
        if notification.url:
            notification.status = self.sender(notification.url, notification.body, notification.headers)
        return notification.status

    def deliver(self) -> list[int]:
        with self.lock:
            waiting, self.pending = self.pending, []
        return [self._send(n) for n in waiting]

    def resend_last(self) -> Notification:
        """The last notification again, as the provider re-sends one it thinks was not received (a replay)."""
        with self.lock:
            last = self.notifications[-1]
        again = self.resign(last)
        with self.lock:
            self.notifications.append(again)
        self._send(again)
        return again

    def resign(self, notification: Notification) -> Notification:
        """The same notification as sent again; a provider whose signature covers the time signs it anew."""
        return Notification(url=notification.url, body=notification.body, headers=dict(notification.headers))


def redirect(location: str) -> Answer:
    return Answer(303, b"", {"Location": location})


def html(status: int, body: bytes) -> Answer:
    return Answer(status, body, {"Content-Type": "text/html; charset=utf-8"})
