"""Stripe Connect: dealers pay into the brand's own connected Stripe account.

The platform's key (settings.STRIPE_SECRET_KEY, against settings.STRIPE_API_BASE: the local fake in tests and
development, billing_saas.stripe_fake) acts on the brand's account through the `Stripe-Account` header
(`stripe_account=`). A payment is a PaymentIntent (payment_method_types card, alipay, wechat_pay) confirmed with
our return URL: the payer finishes on Stripe's page (`next_action.redirect_to_url`) and comes back to it. Every
POST carries an idempotency key derived from our payment's or refund's own key, so a retry never charges or
refunds twice. Webhooks: the brand adds an endpoint in its Stripe dashboard pointing at our webhook URL and gives
us its signing secret (whsec_...); `verify_webhook` checks the `Stripe-Signature` with it and that the event is
of the brand's account. Statuses are read from Stripe (`fetch_status`): the PaymentIntent, and its charge for
what was refunded.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache

import stripe as stripe_library
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tenant_apps.core.money import minor_unit
from tenant_apps.finance.payments.base import (
    Checkout,
    CredentialField,
    ProviderError,
    ProviderEvent,
    WebhookRefused,
)

CODE = "stripe"
CREDENTIAL_FIELDS = (
    CredentialField("account_id", _("Connected account ID (acct_...)"),
                    help=_("Your Stripe account's ID, under Settings > Business in your Stripe dashboard.")),
)
METHODS = ("card", "alipay", "wechat_pay")
TIMEOUT_SECONDS = 20
EVENTS = {"payment_intent.succeeded": "succeeded", "payment_intent.payment_failed": "failed",
          "payment_intent.canceled": "failed", "payment_intent.processing": "pending",
          "charge.refunded": "refunded"}


def minor(amount: Decimal, currency: str) -> int:
    return int(amount / minor_unit(currency))


def major(amount: int, currency: str) -> Decimal:
    return Decimal(amount) * minor_unit(currency.upper())


@lru_cache(maxsize=4)
def api_client(key: str, base: str) -> stripe_library.StripeClient:
    return stripe_library.StripeClient(key, base_addresses={"api": base}, max_network_retries=1,
                                       http_client=stripe_library.RequestsClient(timeout=TIMEOUT_SECONDS))


def _id(value) -> str:
    return value if isinstance(value, str) or value is None else value.id


class StripeConnect:
    code = CODE

    def __init__(self, *, account_id: str, webhook_secret: str = ""):
        self.account_id = account_id
        self.webhook_secret = webhook_secret

    def _api(self) -> stripe_library.StripeClient:
        if not settings.STRIPE_SECRET_KEY:
            raise ProviderError(str(_("Stripe is not set up on this platform.")))
        return api_client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE or stripe_library.DEFAULT_API_BASE)

    def _options(self, key: str = "") -> dict:
        options = {"stripe_account": self.account_id}
        if key:
            options["idempotency_key"] = key
        return options

    def _call(self, call):
        try:
            return call()
        except (stripe_library.APIConnectionError, stripe_library.RateLimitError, stripe_library.APIError) as error:
            raise ProviderError(str(error.user_message or error), retryable=True) from error
        except stripe_library.StripeError as error:
            raise ProviderError(str(error.user_message or error)) from error

    def create(self, *, amount: Decimal, currency: str, description: str, idempotency_key: str,
               return_url: str, notify_url: str, method: str = "") -> Checkout:
        methods = [method] if method in METHODS else list(METHODS)
        params = {"amount": minor(amount, currency), "currency": currency.lower(), "description": description,
                  "payment_method_types": methods, "metadata": {"dms_payment_key": idempotency_key}}
        if "wechat_pay" in methods:
            params["payment_method_options"] = {"wechat_pay": {"client": "web"}}
        api = self._api()
        intent = self._call(lambda: api.v1.payment_intents.create(params=params,
                                                                  options=self._options(f"{idempotency_key}-create")))
        confirmed = self._call(lambda: api.v1.payment_intents.confirm(
            intent.id, params={"return_url": return_url}, options=self._options(f"{idempotency_key}-confirm")))
        action = confirmed.next_action
        url = action.redirect_to_url.url if action and action.type == "redirect_to_url" else ""
        return Checkout(provider_ref=intent.id, redirect_url=url or "",
                        client_secret=confirmed.client_secret or "")

    def fetch_status(self, *, provider_ref: str) -> ProviderEvent:
        api = self._api()
        intent = self._call(lambda: api.v1.payment_intents.retrieve(provider_ref, options=self._options()))
        refunded = Decimal("0")
        status = {"succeeded": "succeeded", "canceled": "failed"}.get(intent.status, "pending")
        if intent.status == "requires_payment_method" and intent.last_payment_error:
            status = "failed"
        if intent.status == "succeeded" and intent.latest_charge:
            charge = self._call(lambda: api.v1.charges.retrieve(_id(intent.latest_charge), options=self._options()))
            refunded = major(charge.amount_refunded or 0, intent.currency)
            if refunded > 0:
                status = "refunded" if charge.amount_refunded >= intent.amount else "partially_refunded"
        return ProviderEvent(event_id="", provider_ref=intent.id, status=status, amount_refunded=refunded,
                             raw=intent.to_dict())

    def refund(self, *, provider_ref: str, amount: Decimal, currency: str, idempotency_key: str) -> str:
        api = self._api()
        refund = self._call(lambda: api.v1.refunds.create(
            params={"payment_intent": provider_ref, "amount": minor(amount, currency)},
            options=self._options(idempotency_key)))
        return refund.id

    def verify_webhook(self, *, headers: dict, body: bytes) -> ProviderEvent:
        signature = next((value for name, value in headers.items() if name.lower() == "stripe-signature"), "")
        if not self.webhook_secret:
            raise WebhookRefused(gettext("No webhook secret is set for this account."))
        try:
            event = stripe_library.Webhook.construct_event(body, signature or "", self.webhook_secret)
        except (stripe_library.SignatureVerificationError, ValueError) as error:
            raise WebhookRefused(str(error)) from error
        raw = json.loads(body)
        if raw.get("account") and raw["account"] != self.account_id:
            raise WebhookRefused(gettext("The event is of another Stripe account."))
        obj = (raw.get("data") or {}).get("object") or {}
        if obj.get("object") == "payment_intent":
            ref = obj.get("id", "")
        elif obj.get("object") in ("charge", "refund"):
            ref = obj.get("payment_intent") or ""
        else:
            ref = ""
        return ProviderEvent(event_id=event.id, provider_ref=ref or "", status=EVENTS.get(event.type, ""), raw=raw)


def build(credentials: dict) -> StripeConnect:
    account_id = str(credentials.get("account_id") or "").strip()
    if not account_id.startswith("acct_"):
        raise ValueError(gettext("A Stripe account ID starts with acct_."))
    return StripeConnect(account_id=account_id, webhook_secret=str(credentials.get("webhook_secret") or ""))
