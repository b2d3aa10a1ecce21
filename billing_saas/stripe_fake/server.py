"""The fake's HTTP side: Stripe's API paths (form-encoded in, JSON out, Stripe's error shape), the hosted pages
(checkout, billing portal, invoice) and the test-control API; and `FakeStripe`, which runs it in a thread and
delivers signed webhooks. Standard library only. See the package's docstring for what it covers."""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import re
import threading
import time
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from billing_saas.stripe_fake import pages
from billing_saas.stripe_fake.state import CARD_OK, FakeError, FakeState, public

Sender = Callable[[bytes, dict], int]
ConnectSender = Callable[[str, bytes, dict], int]  # (endpoint URL, body, headers) -> status


def decode_form(pairs: list[tuple[str, str]]) -> dict:
    """Stripe's form encoding back to nested values: `items[0][price]=x` is {"items": [{"price": "x"}]},
    `expand[]=a` is {"expand": ["a"]}."""
    root: dict = {}
    for key, value in pairs:
        head, bracket, rest = key.partition("[")
        parts = [head, *rest[:-1].split("][")] if bracket else [key]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise FakeError(400, f"Invalid parameter: {key}", param=key)
        if parts[-1] == "":
            node.setdefault("__list__", []).append(value)
        else:
            node[parts[-1]] = value
    return _lists(root)


def _lists(node):
    if not isinstance(node, dict):
        return node
    if "__list__" in node:
        return node["__list__"]
    if node and all(key.isdigit() for key in node):
        return [_lists(node[key]) for key in sorted(node, key=int)]
    return {key: _lists(value) for key, value in node.items()}


def signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """Stripe's `Stripe-Signature` header: t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<payload>")."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def post_to(url: str, timeout: float = 10) -> Sender:
    """A sender that POSTs the webhook to `url` (the demo: our own webhook endpoint)."""

    def send(body: bytes, headers: dict) -> int:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (ours)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (our configured URL)
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return 0

    return send


def post_connected(url: str, body: bytes, headers: dict) -> int:
    """A connected account's webhook to its endpoint. A brand's development host (`<slug>.localhost`) is reached on
    127.0.0.1 with its name in the Host header: not every resolver knows the names under .localhost."""
    parts = urlsplit(url)
    if parts.hostname and parts.hostname.endswith(".localhost"):
        address = f"127.0.0.1:{parts.port}" if parts.port else "127.0.0.1"
        return post_to(urlunsplit((parts.scheme, address, parts.path, parts.query, "")))(
            body, {**headers, "Host": parts.netloc})
    return post_to(url)(body, headers)


def _listed(items: list[dict], query: dict, url: str) -> dict:
    limit = int(query.get("limit") or 10)
    if query.get("starting_after"):
        ids = [item["id"] for item in items]
        items = items[ids.index(query["starting_after"]) + 1:] if query["starting_after"] in ids else []
    return {"object": "list", "data": [public(item) for item in items[:limit]], "has_more": len(items) > limit,
            "url": url}


# method, path, what it does (state, the path's groups, the parameters) -> the object or list answered
def _routes():
    return [
        ("POST", r"/v1/customers", lambda s, g, p: s.customer_create(p)),
        ("GET", r"/v1/customers/([\w]+)", lambda s, g, p: s.get(g[0], "customer")),
        ("POST", r"/v1/customers/([\w]+)", lambda s, g, p: s.customer_update(g[0], p)),
        ("POST", r"/v1/products", lambda s, g, p: s.product_create(p)),
        ("GET", r"/v1/products", lambda s, g, p: _listed(
            [o for o in s.all("product") if "active" not in p or o["active"] == (p["active"] == "true")], p,
            "/v1/products")),
        ("GET", r"/v1/products/([\w]+)", lambda s, g, p: s.get(g[0], "product")),
        ("POST", r"/v1/products/([\w]+)", lambda s, g, p: s.product_update(g[0], p)),
        ("POST", r"/v1/prices", lambda s, g, p: s.price_create(p)),
        ("GET", r"/v1/prices", lambda s, g, p: _listed(s.price_list(p), p, "/v1/prices")),
        ("GET", r"/v1/prices/([\w]+)", lambda s, g, p: s.get(g[0], "price")),
        ("POST", r"/v1/prices/([\w]+)", lambda s, g, p: s.price_update(g[0], p)),
        ("POST", r"/v1/checkout/sessions", lambda s, g, p: s.checkout_create(p)),
        ("GET", r"/v1/checkout/sessions/([\w]+)", lambda s, g, p: s.get(g[0], "checkout.session",
                                                                         "checkout session")),
        ("POST", r"/v1/checkout/sessions/([\w]+)/expire", lambda s, g, p: s.checkout_expire(g[0])),
        ("POST", r"/v1/billing_portal/sessions", lambda s, g, p: s.portal_create(p)),
        ("GET", r"/v1/subscriptions", lambda s, g, p: _listed(
            [o for o in s.all("subscription") if not p.get("customer") or o["customer"] == p["customer"]], p,
            "/v1/subscriptions")),
        ("GET", r"/v1/subscriptions/([\w]+)", lambda s, g, p: s.get(g[0], "subscription")),
        ("POST", r"/v1/subscriptions/([\w]+)", lambda s, g, p: s.subscription_update(g[0], p)),
        ("DELETE", r"/v1/subscriptions/([\w]+)", lambda s, g, p: s.subscription_cancel(g[0])),
        ("GET", r"/v1/invoices", lambda s, g, p: _listed(s.invoices(p), p, "/v1/invoices")),
        ("GET", r"/v1/invoices/([\w]+)", lambda s, g, p: s.get(g[0], "invoice")),
        ("POST", r"/v1/invoices/([\w]+)/pay", lambda s, g, p: s.invoice_pay(g[0])),
        ("GET", r"/v1/payment_intents/([\w]+)", lambda s, g, p: s.get(g[0], "payment_intent", "payment_intent")),
        # Connect (the `Stripe-Account` header picks the connected account acted on)
        ("POST", r"/v1/accounts", lambda s, g, p: s.account_create(p)),
        ("GET", r"/v1/accounts/([\w]+)", lambda s, g, p: s.get(g[0], "account")),
        ("POST", r"/v1/webhook_endpoints", lambda s, g, p: s.webhook_endpoint_create(p)),
        ("POST", r"/v1/payment_intents", lambda s, g, p: s.intent_create(p)),
        ("POST", r"/v1/payment_intents/([\w]+)/confirm", lambda s, g, p: s.intent_confirm(g[0], p)),
        ("POST", r"/v1/payment_intents/([\w]+)/cancel", lambda s, g, p: s.intent_cancel(g[0])),
        ("GET", r"/v1/charges/([\w]+)", lambda s, g, p: s.get(g[0], "charge")),
        ("POST", r"/v1/refunds", lambda s, g, p: s.refund_create(p)),
        ("GET", r"/v1/refunds/([\w]+)", lambda s, g, p: s.get(g[0], "refund")),
        ("GET", r"/v1/events/([\w]+)", lambda s, g, p: s.get(g[0], "event")),
        ("GET", r"/v1/events", lambda s, g, p: _listed(
            [e for e in reversed(s.events) if (not p.get("type") or e["type"] == p["type"])
             and e.get("account") == s.account], p, "/v1/events")),
    ]


ROUTES = [(method, re.compile(pattern + r"/?"), handler) for method, pattern, handler in _routes()]


class FakeStripe:
    """A fake Stripe on 127.0.0.1 (see the package docstring). Webhooks go to `webhook` (a URL, or a callable
    taking the raw body and the headers and answering the status), signed with `webhook_secret`:
    `delivery="sync"` before the request that caused them is answered, "background" in order from a thread
    after it, "hold" only when `deliver()` is called (tests, from their own thread)."""

    def __init__(self, *, webhook_secret: str, webhook: str | Sender | None = None, delivery: str = "sync",
                 host: str = "127.0.0.1", port: int = 0, state_file: str | Path | None = None, clock=None,
                 connect_sender: ConnectSender | None = None):
        if delivery not in ("sync", "background", "hold"):
            raise ValueError("delivery is sync, background or hold")
        self.webhook_secret = webhook_secret
        self.sender: Sender | None = post_to(webhook) if isinstance(webhook, str) else webhook
        # a connected account's events go to its own endpoints (their URL and secret): POSTed, or handed to this
        self.connect_sender: ConnectSender = connect_sender or post_connected
        self.delivery = delivery
        self.host, self.port = host, port
        self.state = FakeState(clock=clock)
        self.state_file = Path(state_file) if state_file else None
        if self.state_file and self.state_file.exists():
            self.state.load(json.loads(self.state_file.read_text()))
        self.outbox: list[str] = []  # event ids waiting to be delivered
        self.deliveries: list[tuple[str, int]] = []  # (event id, status answered), every attempt
        self._seen = len(self.state.events)
        self._idempotent: dict[str, tuple[int, dict]] = {}
        self._server: ThreadingHTTPServer | None = None
        self._queue: queue.Queue = queue.Queue()

    # --- running --------------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> FakeStripe:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer((self.host, self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.state.base_url = self.url
        threading.Thread(target=self._server.serve_forever, name="stripe-fake", daemon=True).start()
        if self.delivery == "background":
            threading.Thread(target=self._deliver_forever, name="stripe-fake-webhooks", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self._queue.put(None)

    # --- what a test (or the control API) does ----------------------------------------------------------------
    def now(self) -> int:
        return self.state.now()

    def advance(self, to: int | None = None, *, seconds: int = 0, days: int = 0) -> list[str]:
        """Move the clock to `to` (or on by seconds/days) and renew what fell due; the ids renewed or cancelled."""
        return self.act(lambda state: state.advance(to if to is not None else state.now() + seconds + days * 86400))

    def card_fails(self, customer_id: str, fails: bool = True) -> None:
        """From now on every charge to the customer's card is refused (or succeeds again)."""
        def change(state: FakeState) -> None:
            state.get(customer_id, "customer")
            state.card_fails[customer_id] = fails

        self.act(change)

    def complete_checkout(self, session_id: str, *, card: str = CARD_OK, method: str = "") -> dict:
        """As if the buyer pressed Pay on the hosted page."""
        return self.act(lambda state: public(state.checkout_complete(session_id, card=card, method=method)))

    def portal_update(self, session_id: str, *, card: str = CARD_OK, pay_open: bool = True) -> dict:
        """As if the customer saved a new card in the portal and paid what is open."""
        return self.act(lambda state: public(state.portal_update(session_id, card=card, pay_open=pay_open)))

    def object(self, object_id: str) -> dict:
        with self.state.lock:
            return public(self.state.objects[object_id])

    def events(self, type_: str | None = None) -> list[dict]:
        with self.state.lock:
            return [e for e in self.state.events if type_ is None or e["type"] == type_]

    def pending(self) -> list[dict]:
        with self.state.lock:
            return [self.state.objects[event_id] for event_id in self.outbox]

    def deliver(self, event_ids: list[str] | None = None) -> list[tuple[str, int]]:
        """Send the events waiting (or those of `event_ids`, in that order) from the calling thread."""
        with self.state.lock:
            chosen = list(self.outbox) if event_ids is None else list(event_ids)
            self.outbox = [event_id for event_id in self.outbox if event_id not in chosen]
        return [(event_id, self.send(event_id)) for event_id in chosen]

    def resend(self, event_id: str) -> int:
        """Send an event again, freshly signed (a replay, as Stripe retries or an attacker repeats)."""
        return self.send(event_id)

    def send(self, event_id: str) -> int:
        event = self.state.objects[event_id]
        if event.get("account"):
            return self._send_connected(event)
        if self.sender is None:
            return 0
        body = json.dumps(event, indent=2).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Stripe/1.0 (+fake)",
                   "Stripe-Signature": signature(body, self.webhook_secret)}
        status = self.sender(body, headers)
        with self.state.lock:
            self.deliveries.append((event_id, status))
        return status

    def _send_connected(self, event: dict) -> int:
        """A connected account's event, to each of its endpoints, signed with that endpoint's secret: the last
        status answered (0: no endpoint)."""
        with self.state.lock:
            endpoints = [(e["url"], e["_secret"]) for e in self.state.endpoints_of(event["account"])
                         if "*" in e["enabled_events"] or event["type"] in e["enabled_events"]]
        status = 0
        body = json.dumps(event, indent=2).encode()
        for url, secret in endpoints:
            headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Stripe/1.0 (+fake)",
                       "Stripe-Signature": signature(body, secret)}
            status = self.connect_sender(url, body, headers)
        with self.state.lock:
            self.deliveries.append((event["id"], status))
        return status

    def pay_intent(self, intent_id: str, *, method: str = "", decline: bool = False) -> dict:
        """As if the payer pressed Pay (or the payment was declined) on the payment intent's hosted page."""
        def change(state: FakeState) -> dict:
            intent = state.find(intent_id, "payment_intent")
            with state.acting_as(intent.get("_account")):
                return public(state.intent_decline(intent_id) if decline else state.intent_pay(intent_id, method))

        return self.act(change)

    # --- inside -------------------------------------------------------------------------------------------------
    def act(self, change):
        """Run `change(state)` under the lock, keep the state, then send (or queue) the events it caused."""
        with self.state.lock:
            try:
                result = change(self.state)
            finally:
                new = [event["id"] for event in self.state.events[self._seen:]]
                self._seen = len(self.state.events)
                self.outbox.extend(new)
                if self.state_file:
                    self.state_file.write_text(json.dumps(self.state.dump()))
        if self.delivery == "sync":
            self.deliver(new)
        elif self.delivery == "background":
            with self.state.lock:
                self.outbox = [event_id for event_id in self.outbox if event_id not in new]
            for event_id in new:
                self._queue.put(event_id)
        return result

    def _deliver_forever(self) -> None:
        while (event_id := self._queue.get()) is not None:
            self.send(event_id)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeStripe
    # one request per connection: once stopped, the fake is gone for every client (no kept-alive connection
    # served on by a handler thread)
    protocol_version = "HTTP/1.0"

    def log_message(self, format, *args):  # noqa: A002 (the standard library's name)
        pass

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        body = self._body()
        try:
            if parts.path.startswith("/v1/"):
                query = parse_qsl(parts.query, keep_blank_values=True)
                form = parse_qsl(body.decode(), keep_blank_values=True)
                self._api(method, parts.path, decode_form(query + form))
            elif parts.path.startswith("/_fake/"):
                self._control(method, parts.path, json.loads(body or b"{}"))
            else:
                self._page(method, parts.path, dict(parse_qsl(body.decode(), keep_blank_values=True)))
        except FakeError as error:
            if parts.path.startswith("/v1/") or parts.path.startswith("/_fake/"):
                self._json(error.status, error.body())
            else:
                self._html(error.status, pages.error_page(error.message))

    def _api(self, method: str, path: str, params: dict) -> None:
        authorization = self.headers.get("Authorization", "")
        if not authorization.startswith("Bearer sk_test_"):
            self._json(401, {"error": {"type": "invalid_request_error",
                                       "message": "Invalid API Key provided (the fake takes sk_test_ keys)."}})
            return
        key = self.headers.get("Idempotency-Key")
        if method == "POST" and key and key in self.fake._idempotent:
            self._json(*self.fake._idempotent[key])
            return
        found = next(((handler, match.groups()) for route_method, pattern, handler in ROUTES
                      if route_method == method and (match := pattern.fullmatch(path))), None)
        if found is not None:
            handler, groups = found
            account = self.headers.get("Stripe-Account") or None

            def run(state: FakeState) -> dict:
                with state.acting_as(account):
                    return handler(state, groups, params)

            if method == "GET":
                with self.fake.state.lock:
                    result = run(self.fake.state)
            else:
                result = self.fake.act(run)
            answer = (200, result if result.get("object") == "list" else public(result))
            if method == "POST" and key:
                self.fake._idempotent[key] = answer
            self._json(*answer)
            return
        raise FakeError(404, f"Unrecognized request URL ({method}: {path}). The fake serves a subset of Stripe's "
                             "API; see billing_saas/stripe_fake/__init__.py.")

    def _control(self, method: str, path: str, body: dict) -> None:
        fake = self.fake
        if path == "/_fake/now" and method == "GET":
            self._json(200, {"now": fake.now()})
        elif path == "/_fake/advance" and method == "POST":
            renewed = fake.advance(body.get("to"), seconds=int(body.get("seconds", 0)), days=int(body.get("days", 0)))
            self._json(200, {"now": fake.now(), "renewed": renewed})
        elif path == "/_fake/card" and method == "POST":
            fake.card_fails(body["customer"], bool(body.get("fails", True)))
            self._json(200, {"customer": body["customer"], "fails": bool(body.get("fails", True))})
        elif path == "/_fake/events" and method == "GET":
            self._json(200, {"data": [{"id": e["id"], "type": e["type"], "created": e["created"]}
                                      for e in fake.events()]})
        elif path == "/_fake/deliver" and method == "POST":
            self._json(200, {"delivered": fake.deliver(body.get("events"))})
        elif (match := re.fullmatch(r"/_fake/events/(\w+)/resend", path)) and method == "POST":
            if match[1] not in fake.state.objects:
                raise FakeError(404, f"No such event: '{match[1]}'", code="resource_missing")
            self._json(200, {"id": match[1], "status": fake.resend(match[1])})
        else:
            raise FakeError(404, f"Unknown control {method} {path}")

    def _page(self, method: str, path: str, form: dict) -> None:
        fake, state = self.fake, self.fake.state
        if match := re.fullmatch(r"/pay/(\w+)", path):
            session = public(state.get(match[1], "checkout.session", "checkout session"))
            if method == "GET":
                self._html(200, pages.checkout_page(session))
            elif form.get("action") == "cancel":
                self._redirect(session["cancel_url"] or session["success_url"])
            else:
                try:
                    done = fake.complete_checkout(match[1], card=form.get("card") or CARD_OK,
                                                  method=form.get("method", ""))
                except FakeError as error:
                    if error.status != 402:
                        raise
                    self._html(402, pages.checkout_page(session, error=error.message))
                    return
                self._redirect(done["success_url"].replace("{CHECKOUT_SESSION_ID}", done["id"]))
        elif match := re.fullmatch(r"/pi/(\w+)", path):
            with state.lock:
                intent = public(state.find(match[1], "payment_intent"))
                back = state.objects[match[1]].get("_return_url", "")
            if method == "GET":
                self._html(200, pages.intent_page(intent))
                return
            done = fake.pay_intent(match[1], method=form.get("method", ""), decline=form.get("action") == "decline")
            outcome = "succeeded" if done["status"] == "succeeded" else "failed"
            joiner = "&" if "?" in back else "?"
            self._redirect(f"{back}{joiner}payment_intent={done['id']}&payment_intent_client_secret="
                           f"{done['client_secret']}&redirect_status={outcome}")
        elif match := re.fullmatch(r"/portal/(\w+)", path):
            session = public(state.get(match[1], "billing_portal.session", "billing portal session"))
            error = ""
            if method == "POST":
                try:
                    fake.portal_update(match[1], card=form.get("card", ""), pay_open=bool(form.get("pay_open")))
                except FakeError as failed:
                    error = failed.message
            with state.lock:
                subscriptions = [public(s) for s in state.all("subscription") if s["customer"] == session["customer"]]
                invoices = [public(i) for i in state.invoices({"customer": session["customer"]})]
            self._html(402 if error else 200, pages.portal_page(session, subscriptions, invoices, error=error,
                                                                 saved=method == "POST" and not error))
        elif match := re.fullmatch(r"/invoice/(\w+)", path):
            if method == "POST":
                fake.act(lambda s: s.invoice_pay(match[1]))
            self._html(200, pages.invoice_page(public(state.get(match[1], "invoice"))))
        else:
            raise FakeError(404, "Not found.")

    # --- answers ------------------------------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Request-Id", f"req_fake{int(time.time() * 1000)}")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, body: dict) -> None:
        self._send(status, json.dumps(body, indent=2).encode(), "application/json")

    def _html(self, status: int, html: str) -> None:
        self._send(status, html.encode(), "text/html; charset=utf-8")

    def _redirect(self, url: str) -> None:
        self._send(303, b"", "text/plain", {"Location": url})
