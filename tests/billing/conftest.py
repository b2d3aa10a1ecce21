"""Stripe, at the network boundary: a fake Stripe (billing_saas.stripe_fake) on a free port of 127.0.0.1, driven
by the real stripe library through STRIPE_API_BASE. Its webhooks, signed for real, are held until the test calls
`stripe_fake.deliver()`, which POSTs each to our endpoint on the platform host from the test's own thread (its
database transaction sees them), running the commit hooks, so the processing task runs as it would after a
commit (tasks are eager without a broker).

    def test_x(stripe_fake, subscription_a): ...
        url = stripe_gateway.checkout_url(...)
        status, location = hosted_post(url, {"action": "pay", "card": CARD_OK})   # the buyer presses Pay
        stripe_fake.deliver()                                                      # Stripe's webhooks arrive
        stripe_fake.advance(days=31); stripe_fake.card_fails(customer_id); ...
"""

from __future__ import annotations

import http.client
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client, TestCase

from billing_saas.models import Subscription
from billing_saas.stripe_fake import FakeStripe

WEBHOOK_SECRET = "whsec_test_dms"
API_KEY = "sk_test_dms"
WEBHOOK_PATH = "/billing/stripe/webhook/"


def webhook_post(body: bytes, headers: dict) -> int:
    """Deliver one webhook to our endpoint on the platform host, as Stripe does (raw JSON body, the signature in
    `Stripe-Signature`), and run what waits for the commit (the processing task)."""
    client = Client(HTTP_HOST="localhost")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(WEBHOOK_PATH, data=body, content_type=headers["Content-Type"],
                               HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"])
    return response.status_code


def hosted_post(url: str, form: dict) -> tuple[int, str]:
    """A browser submitting a form on one of the fake's hosted pages (checkout, portal): (status, Location)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("POST", parts.path, body=urlencode(form),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        connection.close()


def hosted_get(url: str) -> tuple[int, str]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", parts.path)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


@pytest.fixture
def stripe_fake(settings, db):
    """A fresh fake Stripe for the test, our settings pointed at it, webhooks held until `deliver()`."""
    fake = FakeStripe(webhook_secret=WEBHOOK_SECRET, webhook=webhook_post, delivery="hold").start()
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    yield fake
    fake.stop()


@pytest.fixture
def subscription_a(tenant_a) -> Subscription:
    """Acme's subscription (in its trial, billed in CNY)."""
    return Subscription.objects.select_related("plan").get(tenant=tenant_a)


def signed_in(email: str = "owner@acme.test"):
    """A browser on acme's host, signed in as `email`, reading English."""
    from tests.conftest import host_client
    from tests.factories import DEFAULT_PASSWORD

    client = host_client("acme.localhost")
    assert client.post("/accounts/login/", {"username": email, "password": DEFAULT_PASSWORD}).status_code == 302
    client.cookies["django_language"] = "en"
    return client
