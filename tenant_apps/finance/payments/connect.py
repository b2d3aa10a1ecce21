"""Connecting a brand to Stripe in test mode without its dashboard (the demo seed, local development): a
connected account made through the platform's key, a webhook endpoint on it pointing at the brand's webhook URL,
and the brand's ProviderAccount holding both. Works against the local fake (billing_saas.stripe_fake, which the
development server runs when no real key is set) and Stripe's test mode; call it in the brand's schema."""

from __future__ import annotations

from django.conf import settings

from tenant_apps.finance.models import ProviderAccount
from tenant_apps.finance.payments.base import ProviderError
from tenant_apps.finance.payments.services import provider_connect
from tenant_apps.finance.payments.stripe import api_client


def stripe_test_connect(*, actor=None, webhook_url: str, name: str = "") -> ProviderAccount:
    """Connect the current brand to a new Stripe test account whose events go to `webhook_url` (the brand's
    /finance/payments/webhook/stripe/ on its own host). Refuses a live key."""
    key = settings.STRIPE_SECRET_KEY
    if not key.startswith("sk_test_"):
        raise ProviderError("stripe_test_connect runs with a test key only (sk_test_...)")
    api = api_client(key, settings.STRIPE_API_BASE or "https://api.stripe.com")
    account = api.v1.accounts.create(params={"type": "standard", "business_profile": {"name": name or "DMS demo"}})
    endpoint = api.v1.webhook_endpoints.create(
        params={"url": webhook_url, "enabled_events": ["payment_intent.succeeded", "payment_intent.payment_failed",
                                                       "payment_intent.canceled", "charge.refunded"]},
        options={"stripe_account": account.id})
    return provider_connect(actor=actor, code="stripe", credentials={"account_id": account.id},
                            webhook_secret=endpoint.secret)
