"""The fake's objects and what Stripe does to them: in memory, behind one lock, shaped as the current API shapes
them (API version 2025-03-31 and later: a subscription's period is on its items, an invoice names its
subscription under `parent.subscription_details`). Standard library only.

Every operation returns the object as JSON-ready dicts and records the events it causes in `self.events` (each
event's `data.object` is a snapshot taken when it happened, as Stripe sends it). Errors are `FakeError`s, which
the server answers in Stripe's error shape.
"""

from __future__ import annotations

import calendar
import copy
import secrets
import string
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime

ALPHABET = string.ascii_letters + string.digits
API_VERSION = "2025-03-31.basil"
# Stripe's test cards: any other number pays. 0002 is refused at checkout; 0341 is accepted at checkout and
# attached to the customer, but every later charge (renewals, invoices) is refused.
CARD_DECLINED = "4000000000000002"
CARD_FAILS_LATER = "4000000000000341"
CARD_OK = "4242424242424242"
PREPAID_METHODS = ("alipay", "wechat_pay")


class FakeError(Exception):
    def __init__(self, status: int, message: str, *, type: str = "invalid_request_error", code: str = "",
                 param: str = ""):
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.param = status, message, type, code, param

    def body(self) -> dict:
        error = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
        if self.param:
            error["param"] = self.param
        return {"error": error}


def public(obj: dict) -> dict:
    """The object as Stripe shows it: a copy without the fake's own bookkeeping (keys starting with "_")."""
    return {key: copy.deepcopy(value) for key, value in obj.items() if not key.startswith("_")}


def _missing(kind: str, object_id: str, param: str = "id") -> FakeError:
    return FakeError(404, f"No such {kind}: '{object_id}'", code="resource_missing", param=param)


def add_interval(epoch: int, interval: str, count: int = 1) -> int:
    """`epoch` plus `count` months or years on the same day of the month where it exists, as Stripe bills."""
    moment = datetime.fromtimestamp(epoch, tz=UTC)
    months = count * {"month": 1, "year": 12}[interval]
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def _bool(value) -> bool:
    return value in (True, "true", "True", "1", 1)


def _int(value, param: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise FakeError(400, f"Invalid integer: {value}", param=param) from None


def _list(value) -> list:
    if value in (None, ""):
        return []
    return value if isinstance(value, list) else [value]


class FakeState:
    """Stripe's objects for one account, and a clock tests can move forward (`advance`)."""

    def __init__(self, *, base_url: str = "", clock=None):
        self.lock = threading.RLock()
        self.base_url = base_url  # where the hosted pages are (the server sets it once it listens)
        self.clock = clock  # a callable giving the epoch; default: the real time plus `offset`
        self.offset = 0
        self.objects: dict[str, dict] = {}  # every object by id
        self.card_fails: dict[str, bool] = {}  # customer -> whether charges to its card are refused
        self.events: list[dict] = []
        self.invoice_count = 0
        self.sequence = 0  # the order objects were made in (several share a second)
        self.account: str | None = None  # the connected account acted on (`Stripe-Account`), None: the platform

    # --- basics ---------------------------------------------------------------------------------------------
    def now(self) -> int:
        return int(self.clock()) if self.clock else int(time.time()) + self.offset

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{''.join(secrets.choice(ALPHABET) for _ in range(24))}"

    def get(self, object_id: str, kind: str, label: str | None = None) -> dict:
        """The object, if it is of the account acted on (a connected account's objects are not the platform's,
        and the other way round: Stripe answers 404)."""
        found = self.objects.get(object_id)
        owner = found.get("account") if found is not None and kind == "event" else (found or {}).get("_account")
        if found is None or found["object"] != kind or owner != self.account:
            raise _missing(label or kind, object_id)
        return found

    def find(self, object_id: str, kind: str, label: str | None = None) -> dict:
        """The object whatever its account (the hosted pages, which name it by id)."""
        found = self.objects.get(object_id)
        if found is None or found["object"] != kind:
            raise _missing(label or kind, object_id)
        return found

    def all(self, kind: str) -> list[dict]:
        return sorted((o for o in self.objects.values() if o["object"] == kind and o.get("_account") == self.account),
                      key=lambda o: (o["created"], o.get("_seq", 0)), reverse=True)

    @contextmanager
    def acting_as(self, account: str | None):
        """Act on a connected account's objects (`Stripe-Account: acct_...`): what is made is its, events name it."""
        if account is not None and (account not in self.objects or self.objects[account]["object"] != "account"):
            raise FakeError(403, f"The provided key does not have access to account '{account}' (or that account "
                                 "does not exist). Application access may have been revoked.",
                            type="invalid_request_error", code="account_invalid")
        previous, self.account = self.account, account
        try:
            yield
        finally:
            self.account = previous

    def emit(self, type_: str, obj: dict, previous: dict | None = None) -> dict:
        data = {"object": public(obj)}
        if previous:
            data["previous_attributes"] = previous
        event = {"id": self.new_id("evt"), "object": "event", "api_version": API_VERSION, "created": self.now(),
                 "data": data, "livemode": False, "pending_webhooks": 1,
                 "request": {"id": None, "idempotency_key": None}, "type": type_}
        if self.account:  # a connected account's event names it (Connect webhooks)
            event["account"] = self.account
        self.objects[event["id"]] = event
        self.events.append(event)
        return event

    def _base(self, prefix: str, kind: str, **fields) -> dict:
        self.sequence += 1
        obj = {"id": self.new_id(prefix), "object": kind, "created": self.now(), "livemode": False, "metadata": {},
               "_seq": self.sequence}
        if self.account:
            obj["_account"] = self.account
        obj.update(fields)
        self.objects[obj["id"]] = obj
        return obj

    # --- customers -------------------------------------------------------------------------------------------
    def customer_create(self, params: dict) -> dict:
        customer = self._base("cus", "customer", email=params.get("email"), name=params.get("name"),
                              description=params.get("description"), balance=0, currency=None, delinquent=False,
                              invoice_settings={"default_payment_method": None}, metadata=params.get("metadata") or {})
        self.emit("customer.created", customer)
        return customer

    def customer_update(self, customer_id: str, params: dict) -> dict:
        customer = self.get(customer_id, "customer")
        for name in ("email", "name", "description"):
            if name in params:
                customer[name] = params[name]
        customer["metadata"].update(params.get("metadata") or {})
        self.emit("customer.updated", customer)
        return customer

    def card_set(self, customer_id: str, number: str) -> None:
        """The customer's card is now `number` (a Stripe test card): later charges succeed unless it is 0341."""
        customer = self.get(customer_id, "customer")
        customer["invoice_settings"]["default_payment_method"] = self.new_id("pm")
        self.card_fails[customer_id] = number.replace(" ", "") == CARD_FAILS_LATER

    # --- products and prices ----------------------------------------------------------------------------------
    def product_create(self, params: dict) -> dict:
        if not params.get("name"):
            raise FakeError(400, "Missing required param: name.", param="name")
        product = self._base("prod", "product", name=params["name"], description=params.get("description"),
                             active=_bool(params.get("active", True)), default_price=None, updated=self.now(),
                             metadata=params.get("metadata") or {})
        self.emit("product.created", product)
        return product

    def product_update(self, product_id: str, params: dict) -> dict:
        product = self.get(product_id, "product")
        for name in ("name", "description"):
            if name in params:
                product[name] = params[name]
        if "active" in params:
            product["active"] = _bool(params["active"])
        product["metadata"].update(params.get("metadata") or {})
        product["updated"] = self.now()
        self.emit("product.updated", product)
        return product

    def price_create(self, params: dict) -> dict:
        product = params.get("product")
        if isinstance(product, str):
            self.get(product, "product")
        elif isinstance(params.get("product_data"), dict):
            product = self.product_create(params["product_data"])["id"]
        else:
            raise FakeError(400, "Missing required param: product.", param="product")
        if not params.get("currency"):
            raise FakeError(400, "Missing required param: currency.", param="currency")
        recurring = None
        if isinstance(params.get("recurring"), dict):
            interval = params["recurring"].get("interval")
            if interval not in ("day", "week", "month", "year"):
                raise FakeError(400, "Invalid recurring[interval].", param="recurring[interval]")
            recurring = {"interval": interval, "interval_count": _int(params["recurring"].get("interval_count", 1),
                                                                      "recurring[interval_count]"),
                         "meter": None, "trial_period_days": None, "usage_type": "licensed"}
        amount = _int(params.get("unit_amount"), "unit_amount")
        price = self._base("price", "price", active=_bool(params.get("active", True)), billing_scheme="per_unit",
                           currency=params["currency"].lower(), product=product, recurring=recurring,
                           type="recurring" if recurring else "one_time", unit_amount=amount,
                           unit_amount_decimal=str(amount), nickname=params.get("nickname"),
                           lookup_key=params.get("lookup_key"), tax_behavior="unspecified",
                           metadata=params.get("metadata") or {})
        self.emit("price.created", price)
        return price

    def price_update(self, price_id: str, params: dict) -> dict:
        """A price's amount, currency and interval never change: Stripe refuses them (make a new price)."""
        price = self.get(price_id, "price")
        for name in params:
            if name not in ("active", "metadata", "nickname", "lookup_key", "tax_behavior", "expand"):
                raise FakeError(400, f"Received unknown parameter: {name}", param=name)
        if "active" in params:
            price["active"] = _bool(params["active"])
        for name in ("nickname", "lookup_key"):
            if name in params:
                price[name] = params[name] or None
        price["metadata"].update(params.get("metadata") or {})
        self.emit("price.updated", price)
        return price

    def price_list(self, query: dict) -> list[dict]:
        prices = self.all("price")
        if query.get("product"):
            prices = [p for p in prices if p["product"] == query["product"]]
        if "active" in query:
            prices = [p for p in prices if p["active"] == _bool(query["active"])]
        return prices

    # --- checkout ---------------------------------------------------------------------------------------------
    def checkout_create(self, params: dict) -> dict:
        mode = params.get("mode")
        if mode not in ("subscription", "payment"):
            raise FakeError(400, "Invalid mode: must be one of payment, setup, or subscription", param="mode")
        for name in ("success_url", "line_items"):
            if not params.get(name):
                raise FakeError(400, f"Missing required param: {name}.", param=name)
        methods = _list(params.get("payment_method_types")) or ["card"]
        if mode == "subscription" and set(methods) & set(PREPAID_METHODS):
            raise FakeError(400, "The payment method types alipay and wechat_pay cannot be used in subscription "
                                 "mode.", param="payment_method_types")
        if "wechat_pay" in methods and ((params.get("payment_method_options") or {}).get("wechat_pay") or {}).get(
                "client") != "web":
            raise FakeError(400, "payment_method_options[wechat_pay][client] is required.",
                            param="payment_method_options[wechat_pay][client]")
        lines = [self._line_price(line, mode, index) for index, line in enumerate(_list(params["line_items"]))]
        customer = params.get("customer")
        if customer:
            self.get(customer, "customer", "customer")
        currency = lines[0][0]["currency"]
        total = sum(price["unit_amount"] * quantity for price, quantity in lines)
        session = self._base(
            "cs_test", "checkout.session", mode=mode, status="open", payment_status="unpaid",
            success_url=params["success_url"], cancel_url=params.get("cancel_url"), customer=customer,
            customer_email=params.get("customer_email"), client_reference_id=params.get("client_reference_id"),
            metadata=params.get("metadata") or {}, subscription=None, payment_intent=None, currency=currency,
            amount_subtotal=total, amount_total=total, payment_method_types=methods, expires_at=self.now() + 86400,
            locale=params.get("locale"))
        session["url"] = f"{self.base_url}/pay/{session['id']}"
        # what completing it needs (not part of the object Stripe returns)
        session["_lines"] = [(price["id"], quantity) for price, quantity in lines]
        session["_subscription_metadata"] = (params.get("subscription_data") or {}).get("metadata") or {}
        session["_payment_metadata"] = (params.get("payment_intent_data") or {}).get("metadata") or {}
        return session

    def _line_price(self, line: dict, mode: str, index: int) -> tuple[dict, int]:
        param = f"line_items[{index}]"
        if line.get("price"):
            price = self.get(line["price"], "price", "price")
            if not price["active"]:
                raise FakeError(400, f"The price specified is inactive: {price['id']}", param=f"{param}[price]")
        elif isinstance(line.get("price_data"), dict):
            data = dict(line["price_data"])
            data["active"] = "false"  # an inline price is not listed for reuse
            price = self.price_create(data)
        else:
            raise FakeError(400, f"Missing required param: {param}[price].", param=f"{param}[price]")
        if (mode == "subscription") != (price["type"] == "recurring"):
            raise FakeError(400, f"You must use {'a recurring' if mode == 'subscription' else 'a one-time'} price "
                                 f"in {mode} mode.", param=f"{param}[price]")
        return price, _int(line.get("quantity", 1), f"{param}[quantity]")

    def checkout_complete(self, session_id: str, *, card: str = CARD_OK, method: str = "") -> dict:
        """The buyer pays on the hosted page: a subscription (mode subscription) or a payment (mode payment)."""
        session = self.get(session_id, "checkout.session", "checkout session")
        if session["status"] != "open":
            raise FakeError(400, "This Checkout Session is no longer active.", code="checkout_session_inactive")
        if session["mode"] == "subscription" and card.replace(" ", "") in (CARD_DECLINED, CARD_FAILS_LATER):
            raise FakeError(402, "Your card was declined.", type="card_error", code="card_declined")
        customer_id = session["customer"]
        if not customer_id:
            customer_id = self.customer_create({"email": session.get("customer_email")})["id"]
            session["customer"] = customer_id
        if session["mode"] == "subscription":
            self.card_set(customer_id, card)
            subscription = self._subscription_create(customer_id, session["_lines"], session["_subscription_metadata"])
            session["subscription"] = subscription["id"]
        else:
            method = method if method in session["payment_method_types"] else session["payment_method_types"][0]
            intent = self._base("pi", "payment_intent", amount=session["amount_total"],
                                amount_received=session["amount_total"], currency=session["currency"],
                                customer=customer_id, status="succeeded", payment_method_types=[method],
                                metadata=dict(session["_payment_metadata"]), latest_charge=self.new_id("ch"))
            session["payment_intent"] = intent["id"]
            self.emit("payment_intent.succeeded", intent)
        session.update(status="complete", payment_status="paid", url=None)
        self.emit("checkout.session.completed", session)
        return session

    def checkout_expire(self, session_id: str) -> dict:
        session = self.get(session_id, "checkout.session", "checkout session")
        if session["status"] == "open":
            session.update(status="expired", url=None)
            self.emit("checkout.session.expired", session)
        return session

    # --- subscriptions ----------------------------------------------------------------------------------------
    def _item(self, subscription_id: str, price_id: str, quantity: int, start: int) -> dict:
        price = self.get(price_id, "price")
        return {"id": self.new_id("si"), "object": "subscription_item", "created": start, "metadata": {},
                "price": copy.deepcopy(price), "quantity": quantity, "subscription": subscription_id,
                "current_period_start": start,
                "current_period_end": add_interval(start, price["recurring"]["interval"],
                                                   price["recurring"]["interval_count"])}

    def _subscription_create(self, customer_id: str, lines: list, metadata: dict) -> dict:
        now = self.now()
        subscription = self._base(
            "sub", "subscription", customer=customer_id, status="incomplete", cancel_at_period_end=False,
            cancel_at=None, canceled_at=None, ended_at=None, start_date=now, billing_cycle_anchor=now,
            collection_method="charge_automatically", currency=None, latest_invoice=None, trial_start=None,
            trial_end=None, metadata=dict(metadata), default_payment_method=None)
        items = [self._item(subscription["id"], price_id, quantity, now) for price_id, quantity in lines]
        subscription["items"] = {"object": "list", "data": items, "has_more": False,
                                 "url": f"/v1/subscription_items?subscription={subscription['id']}"}
        subscription["currency"] = items[0]["price"]["currency"]
        invoice = self._invoice(subscription, "subscription_create",
                                [(item["price"], item["quantity"], item["price"]["unit_amount"] * item["quantity"],
                                  now, item["current_period_end"]) for item in items])
        subscription["status"] = "active"  # the first payment was taken by checkout
        self.emit("customer.subscription.created", subscription)
        self._charge(invoice)
        return subscription

    @staticmethod
    def period(subscription: dict) -> tuple[int, int]:
        item = subscription["items"]["data"][0]
        return item["current_period_start"], item["current_period_end"]

    def subscription_update(self, subscription_id: str, params: dict) -> dict:
        """Change the price (prorated as `proration_behavior` says), cancel at the period end or take that back."""
        subscription = self.get(subscription_id, "subscription")
        if subscription["status"] in ("canceled", "incomplete_expired"):
            raise FakeError(400, "A canceled subscription can only update its cancellation_details and metadata.")
        previous = {}
        if "cancel_at_period_end" in params:
            previous["cancel_at_period_end"] = subscription["cancel_at_period_end"]
            subscription["cancel_at_period_end"] = _bool(params["cancel_at_period_end"])
            subscription["cancel_at"] = self.period(subscription)[1] if subscription["cancel_at_period_end"] else None
        if params.get("metadata"):
            subscription["metadata"].update(params["metadata"])
        items = _list(params.get("items"))
        if items:
            previous["items"] = copy.deepcopy(subscription["items"])
            self._price_change(subscription, items[0], params)
        self.emit("customer.subscription.updated", subscription, previous)
        invoice = subscription.pop("_proration", None)
        if invoice is not None:
            self._charge(invoice)
        return subscription

    def _price_change(self, subscription: dict, change: dict, params: dict) -> None:
        item = subscription["items"]["data"][0]
        if change.get("id") not in (None, item["id"]):
            raise _missing("subscription item", change["id"], "items[0][id]")
        old, new = item["price"], self.get(change.get("price", ""), "price", "price")
        if new["type"] != "recurring" or new["currency"] != old["currency"]:
            raise FakeError(400, "The price must be recurring and in the subscription's currency.",
                            param="items[0][price]")
        behavior = params.get("proration_behavior", "create_prorations")
        now = self.now()
        start, end = self.period(subscription)
        unused = round(old["unit_amount"] * max(end - now, 0) / max(end - start, 1))
        if new["recurring"]["interval"] != old["recurring"]["interval"]:  # a new billing period starts now
            new_end = add_interval(now, new["recurring"]["interval"])
            lines = [(new, 1, new["unit_amount"], now, new_end)]
            if behavior != "none":
                lines.append((old, 1, -unused, now, end))
            start, end, invoice_now = now, new_end, True
        else:
            lines = [(new, 1, round(new["unit_amount"] * max(end - now, 0) / max(end - start, 1)), now, end),
                     (old, 1, -unused, now, end)]
            invoice_now = behavior == "always_invoice"
        if invoice_now and params.get("payment_behavior") == "error_if_incomplete" and self.card_fails.get(
                subscription["customer"]) and sum(line[2] for line in lines) > 0:
            raise FakeError(402, "Your card was declined.", type="card_error", code="card_declined")
        item.update(price=copy.deepcopy(new), current_period_start=start, current_period_end=end)
        if invoice_now:
            subscription["_proration"] = self._invoice(subscription, "subscription_update", lines)

    def subscription_cancel(self, subscription_id: str) -> dict:
        subscription = self.get(subscription_id, "subscription")
        if subscription["status"] != "canceled":
            now = self.now()
            subscription.update(status="canceled", canceled_at=now, ended_at=now)
            self.emit("customer.subscription.deleted", subscription)
        return subscription

    # --- invoices ---------------------------------------------------------------------------------------------
    def _invoice(self, subscription: dict, reason: str, lines: list[tuple]) -> dict:
        """An open invoice of `lines` (price, quantity, amount, period start, period end) for the subscription."""
        self.invoice_count += 1
        total = sum(line[2] for line in lines)
        data = [{"id": self.new_id("il"), "object": "line_item", "amount": amount, "currency": price["currency"],
                 "description": f"{quantity} x {price.get('nickname') or price['id']}", "quantity": quantity,
                 "period": {"start": start, "end": end},
                 "pricing": {"type": "price_details", "price_details": {"price": price["id"],
                                                                        "product": price["product"]}}}
                for price, quantity, amount, start, end in lines]
        invoice = self._base(
            "in", "invoice", customer=subscription["customer"], status="open", billing_reason=reason,
            currency=subscription["currency"], total=total, subtotal=total, amount_due=max(total, 0), amount_paid=0,
            amount_remaining=max(total, 0), attempt_count=0, attempted=False, number=f"FAKE-{self.invoice_count:04d}",
            period_start=min(line[3] for line in lines), period_end=max(line[4] for line in lines),
            collection_method="charge_automatically",
            lines={"object": "list", "data": data, "has_more": False, "url": "/v1/invoices/lines"},
            parent={"type": "subscription_details", "quote_details": None,
                    "subscription_details": {"subscription": subscription["id"],
                                             "metadata": dict(subscription["metadata"])}},
            status_transitions={"finalized_at": self.now(), "paid_at": None, "voided_at": None})
        invoice["hosted_invoice_url"] = f"{self.base_url}/invoice/{invoice['id']}"
        subscription["latest_invoice"] = invoice["id"]
        self.emit("invoice.finalized", invoice)
        return invoice

    def _charge(self, invoice: dict) -> bool:
        """Take the invoice's amount from the customer's card: paid, or refused (the subscription falls due)."""
        subscription = self.objects[invoice["parent"]["subscription_details"]["subscription"]]
        refused = invoice["amount_due"] > 0 and self.card_fails.get(invoice["customer"], False)
        invoice["attempt_count"] += 1
        invoice["attempted"] = True
        if refused:
            self.emit("invoice.payment_failed", invoice)
            if subscription["status"] == "active":
                subscription["status"] = "past_due"
                self.emit("customer.subscription.updated", subscription, {"status": "active"})
            return False
        invoice.update(status="paid", amount_paid=invoice["amount_due"], amount_remaining=0)
        invoice["status_transitions"]["paid_at"] = self.now()
        self.emit("invoice.paid", invoice)
        self.emit("invoice.payment_succeeded", invoice)
        if subscription["status"] == "past_due" and not any(
                i["status"] == "open" for i in self.invoices({"subscription": subscription["id"]})):
            subscription["status"] = "active"
            self.emit("customer.subscription.updated", subscription, {"status": "past_due"})
        return True

    def invoice_pay(self, invoice_id: str) -> dict:
        invoice = self.get(invoice_id, "invoice")
        if invoice["status"] == "paid":
            raise FakeError(400, "Invoice is already paid", code="invoice_already_paid")
        if invoice["status"] != "open":
            raise FakeError(400, f"You can only pay an open invoice (this one is {invoice['status']}).")
        if not self._charge(invoice):
            raise FakeError(402, "Your card was declined.", type="card_error", code="card_declined")
        return invoice

    def invoices(self, query: dict) -> list[dict]:
        found = self.all("invoice")
        if query.get("customer"):
            found = [i for i in found if i["customer"] == query["customer"]]
        if query.get("subscription"):
            found = [i for i in found if i["parent"]["subscription_details"]["subscription"] == query["subscription"]]
        if query.get("status"):
            found = [i for i in found if i["status"] == query["status"]]
        return found

    # --- the billing portal -----------------------------------------------------------------------------------
    def portal_create(self, params: dict) -> dict:
        customer = params.get("customer")
        if not customer:
            raise FakeError(400, "Missing required param: customer.", param="customer")
        self.get(customer, "customer", "customer")
        session = self._base("bps", "billing_portal.session", customer=customer, return_url=params.get("return_url"),
                             configuration="bpc_fake", flow=None, locale=params.get("locale"), on_behalf_of=None)
        session.pop("metadata")
        session["url"] = f"{self.base_url}/portal/{session['id']}"
        return session

    def portal_update(self, session_id: str, *, card: str = "", pay_open: bool = True) -> dict:
        """The customer, in the portal, enters a new card and pays what is open: renewals succeed again."""
        session = self.get(session_id, "billing_portal.session", "billing portal session")
        if card:
            if card.replace(" ", "") == CARD_DECLINED:
                raise FakeError(402, "Your card was declined.", type="card_error", code="card_declined")
            self.card_set(session["customer"], card)
            self.emit("customer.updated", self.objects[session["customer"]])
        if pay_open:
            for invoice in reversed(self.invoices({"customer": session["customer"], "status": "open"})):
                self._charge(invoice)
        return session

    # --- time -------------------------------------------------------------------------------------------------
    def advance(self, to: int) -> list[str]:
        """Move the clock to `to` (never back) and do what Stripe does meanwhile: each active subscription whose
        period ended is renewed (paid, or refused: past due) or, set to cancel at the period end, cancelled; a
        subscription renews once per period passed. Past-due subscriptions wait (no automatic retries)."""
        if to < self.now():
            raise FakeError(400, "The clock only moves forward.", param="to")
        if self.clock is None:
            self.offset += to - self.now()
        renewed = []
        while True:
            due = [s for s in self.all("subscription") if s["status"] == "active" and self.period(s)[1] <= to]
            if not due:
                return renewed
            for subscription in sorted(due, key=lambda s: self.period(s)[1]):
                renewed.append(subscription["id"])
                self._renew(subscription)

    def _renew(self, subscription: dict) -> None:
        start = self.period(subscription)[1]
        if subscription["cancel_at_period_end"]:
            subscription.update(status="canceled", canceled_at=start, ended_at=start)
            self.emit("customer.subscription.deleted", subscription)
            return
        previous = {"items": copy.deepcopy(subscription["items"])}
        lines = []
        for item in subscription["items"]["data"]:
            end = add_interval(start, item["price"]["recurring"]["interval"])
            item.update(current_period_start=start, current_period_end=end)
            lines.append((item["price"], item["quantity"], item["price"]["unit_amount"] * item["quantity"], start,
                          end))
        invoice = self._invoice(subscription, "subscription_cycle", lines)
        self.emit("customer.subscription.updated", subscription, previous)
        self._charge(invoice)

    # --- Connect: connected accounts, their webhook endpoints, payment intents, charges, refunds ---------------
    def account_create(self, params: dict) -> dict:
        if self.account is not None:
            raise FakeError(400, "A connected account cannot create accounts.")
        account = self._base("acct", "account", type=params.get("type") or "standard", email=params.get("email"),
                             country=params.get("country") or "CN", charges_enabled=True, payouts_enabled=True,
                             details_submitted=True, metadata=params.get("metadata") or {})
        account["business_profile"] = {"name": (params.get("business_profile") or {}).get("name")}
        self.emit("account.updated", account)
        return account

    def webhook_endpoint_create(self, params: dict) -> dict:
        """An endpoint of the connected account acted on: its events go there, signed with its own secret
        (answered once, at creation, as Stripe does). The platform's own endpoint is the fake's configuration."""
        if self.account is None:
            raise FakeError(400, "The fake keeps the platform's one webhook endpoint in its configuration; create "
                                 "endpoints for a connected account (Stripe-Account header).")
        if not params.get("url"):
            raise FakeError(400, "Missing required param: url.", param="url")
        endpoint = self._base("we", "webhook_endpoint", url=params["url"], status="enabled",
                              enabled_events=_list(params.get("enabled_events")) or ["*"],
                              description=params.get("description"), metadata=params.get("metadata") or {})
        endpoint["_secret"] = f"whsec_{''.join(secrets.choice(ALPHABET) for _ in range(32))}"
        return {**endpoint, "secret": endpoint["_secret"]}

    def endpoints_of(self, account: str) -> list[dict]:
        return [o for o in self.objects.values() if o["object"] == "webhook_endpoint" and o.get("_account") == account
                and o["status"] == "enabled"]

    def intent_create(self, params: dict) -> dict:
        amount = _int(params.get("amount"), "amount")
        if amount < 1:
            raise FakeError(400, "Amount must be at least 1.", param="amount")
        if not params.get("currency"):
            raise FakeError(400, "Missing required param: currency.", param="currency")
        methods = _list(params.get("payment_method_types")) or ["card"]
        unknown = set(methods) - {"card", *PREPAID_METHODS}
        if unknown:
            raise FakeError(400, f"Invalid payment_method_types: {sorted(unknown)}", param="payment_method_types")
        if "wechat_pay" in methods and ((params.get("payment_method_options") or {}).get("wechat_pay") or {}).get(
                "client") != "web":
            raise FakeError(400, "payment_method_options[wechat_pay][client] is required.",
                            param="payment_method_options[wechat_pay][client]")
        intent = self._base("pi", "payment_intent", amount=amount, amount_received=0,
                            currency=params["currency"].lower(), status="requires_payment_method",
                            description=params.get("description"), payment_method_types=methods,
                            metadata=params.get("metadata") or {}, customer=params.get("customer"),
                            latest_charge=None, last_payment_error=None, next_action=None, canceled_at=None)
        intent["client_secret"] = f"{intent['id']}_secret_{''.join(secrets.choice(ALPHABET) for _ in range(12))}"
        self.emit("payment_intent.created", intent)
        if _bool(params.get("confirm")):
            return self.intent_confirm(intent["id"], params)
        return intent

    def intent_confirm(self, intent_id: str, params: dict) -> dict:
        """The payer goes on to the hosted page (`next_action.redirect_to_url`), then back to `return_url`."""
        intent = self.get(intent_id, "payment_intent")
        if intent["status"] not in ("requires_payment_method", "requires_confirmation", "requires_action"):
            raise FakeError(400, f"This PaymentIntent's status is {intent['status']}: it cannot be confirmed.",
                            code="payment_intent_unexpected_state")
        if not params.get("return_url"):
            raise FakeError(400, "Missing required param: return_url (the redirect payment methods need it).",
                            param="return_url")
        intent["_return_url"] = params["return_url"]
        intent.update(status="requires_action", next_action={
            "type": "redirect_to_url",
            "redirect_to_url": {"url": f"{self.base_url}/pi/{intent['id']}", "return_url": params["return_url"]}})
        self.emit("payment_intent.requires_action", intent)
        return intent

    def intent_pay(self, intent_id: str, method: str = "") -> dict:
        """The payer pays on the hosted page: a charge, the intent succeeded."""
        intent = self.get(intent_id, "payment_intent")
        if intent["status"] not in ("requires_action", "requires_payment_method") or not intent.get("_return_url"):
            raise FakeError(400, f"This payment is {intent['status']}: there is nothing to pay.")
        method = method if method in intent["payment_method_types"] else intent["payment_method_types"][0]
        charge = self._base("ch", "charge", amount=intent["amount"], amount_captured=intent["amount"],
                            amount_refunded=0, refunded=False, captured=True, paid=True, status="succeeded",
                            currency=intent["currency"], payment_intent=intent["id"],
                            payment_method_details={"type": method}, metadata=dict(intent["metadata"]))
        intent.update(status="succeeded", amount_received=intent["amount"], latest_charge=charge["id"],
                      last_payment_error=None, next_action=None, payment_method_types=intent["payment_method_types"])
        self.emit("charge.succeeded", charge)
        self.emit("payment_intent.succeeded", intent)
        return intent

    def intent_decline(self, intent_id: str) -> dict:
        """The payment is refused on the hosted page: the intent wants another payment method."""
        intent = self.get(intent_id, "payment_intent")
        if intent["status"] not in ("requires_action", "requires_payment_method") or not intent.get("_return_url"):
            raise FakeError(400, f"This payment is {intent['status']}: there is nothing to decline.")
        intent.update(status="requires_payment_method", next_action=None, last_payment_error={
            "type": "card_error", "code": "payment_declined", "message": "The payment was declined."})
        self.emit("payment_intent.payment_failed", intent)
        return intent

    def intent_cancel(self, intent_id: str) -> dict:
        intent = self.get(intent_id, "payment_intent")
        if intent["status"] in ("succeeded", "canceled"):
            raise FakeError(400, f"You cannot cancel this PaymentIntent because it has a status of "
                                 f"{intent['status']}.", code="payment_intent_unexpected_state")
        intent.update(status="canceled", canceled_at=self.now(), next_action=None)
        self.emit("payment_intent.canceled", intent)
        return intent

    def refund_create(self, params: dict) -> dict:
        if params.get("payment_intent"):
            intent = self.get(params["payment_intent"], "payment_intent")
            if not intent["latest_charge"]:
                raise FakeError(400, "This PaymentIntent has no successful charge to refund.",
                                param="payment_intent")
            charge = self.get(intent["latest_charge"], "charge")
        elif params.get("charge"):
            charge = self.get(params["charge"], "charge")
        else:
            raise FakeError(400, "One of the following params should be provided for this request: "
                                 "payment_intent or charge.")
        left = charge["amount"] - charge["amount_refunded"]
        amount = _int(params["amount"], "amount") if params.get("amount") not in (None, "") else left
        if amount < 1:
            raise FakeError(400, "Amount must be at least 1.", param="amount")
        if amount > left:
            raise FakeError(400, f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                            param="amount", code="amount_too_large")
        refund = self._base("re", "refund", amount=amount, charge=charge["id"], currency=charge["currency"],
                            payment_intent=charge["payment_intent"], status="succeeded", reason=params.get("reason"),
                            metadata=params.get("metadata") or {})
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        self.emit("refund.created", refund)
        self.emit("charge.refunded", charge)
        return refund

    # --- persistence (the demo keeps its state across restarts) ------------------------------------------------
    def dump(self) -> dict:
        return {"offset": self.offset, "objects": self.objects, "card_fails": self.card_fails,
                "invoice_count": self.invoice_count,
                "sequence": self.sequence}

    def load(self, saved: dict) -> None:
        self.offset = saved.get("offset", 0)
        self.objects = saved.get("objects", {})
        self.card_fails = saved.get("card_fails", {})
        self.invoice_count = saved.get("invoice_count", 0)
        self.sequence = saved.get("sequence", 0)
        self.events = sorted((o for o in self.objects.values() if o["object"] == "event"), key=lambda e: e["created"])
