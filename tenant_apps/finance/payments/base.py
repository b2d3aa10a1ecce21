"""The one interface every payment provider adapter implements (Stripe Connect, WeChat Pay, Alipay, ...).

An adapter speaks to one provider over the network and knows nothing of our models: finance.payments.services
creates the Payment row, calls the adapter with the row's idempotency key, and moves the row through its state
machine from what the adapter returns or from a verified webhook. Adapters are registered by `code` in
`ADAPTERS` (finance.payments.registry) and built from the brand's ProviderAccount (decrypted credentials).

Each adapter module also declares `CREDENTIAL_FIELDS`, a sequence of `CredentialField` (or (name, label, secret)
tuples): what the brand enters in the console to connect. `build(credentials)` gets those names, plus
`webhook_secret` (the ProviderAccount's own field) when the brand entered one."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol


class ProviderError(Exception):
    """The provider refused or could not be reached; `retryable` says whether the same call may be tried again."""

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


class WebhookRefused(Exception):
    """A webhook whose signature, timestamp or body does not verify: answered 400, nothing stored or changed."""


@dataclass(frozen=True)
class CredentialField:
    """One thing the brand enters to connect its account. A `secret` one is never shown back (only masked)."""

    name: str
    label: str  # a lazy translation
    secret: bool = False
    required: bool = True
    help: str = ""
    checkbox: bool = False  # a yes/no flag (a sandbox account): "1" when ticked, absent when not


@dataclass(frozen=True)
class Checkout:
    """What the payer does next: open `redirect_url` (a hosted page), or show `qr_code` (a code to scan)."""

    provider_ref: str  # the provider's id for this payment (PaymentIntent id, out_trade_no, ...)
    redirect_url: str = ""
    qr_code: str = ""
    client_secret: str = ""


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook, in our words. `status` is one of pending/succeeded/failed/refunded/partially_refunded
    as the provider sees the payment now; `event_id` is unique per provider and makes processing once possible."""

    event_id: str
    provider_ref: str
    status: str
    amount_refunded: Decimal | None = None
    raw: dict = field(default_factory=dict)


class PaymentAdapter(Protocol):
    code: str  # "stripe", "wechatpay", "alipay"

    def create(self, *, amount: Decimal, currency: str, description: str, idempotency_key: str,
               return_url: str, notify_url: str, method: str = "") -> Checkout: ...

    def fetch_status(self, *, provider_ref: str) -> ProviderEvent: ...

    def refund(self, *, provider_ref: str, amount: Decimal, currency: str, idempotency_key: str) -> str: ...

    def verify_webhook(self, *, headers: dict, body: bytes) -> ProviderEvent: ...
