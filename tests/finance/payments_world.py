"""The world of the online payment tests: a fake Stripe on a free port of 127.0.0.1 (billing_saas.stripe_fake) driven
by the real stripe library, the brand Acme connected to a new connected account on it (its webhook endpoint is
Acme's /finance/payments/webhook/stripe/), the finance `books` (tests/finance/conftest.py). The fake's webhooks
are held until the test calls `connected.fake.deliver()`, which POSTs each to our endpoint on the brand's host
from the test's own thread (its transaction sees them).

    def test_x(connected, books, in_tenant):
        made = pay_api(books.clerk).post(...)                 # a pending payment, its redirect_url on the fake
        hosted_post(made.json()["redirect_url"], {"action": "pay"})   # the payer pays on Stripe's page
        connected.fake.deliver()                              # Stripe's webhooks arrive
"""

from __future__ import annotations

import http.client
from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client

from billing_saas.stripe_fake import FakeStripe
from tenant_apps.finance import services as finance
from tenant_apps.finance.payments.connect import stripe_test_connect
from tests.conftest import host_client
from tests.factories import token_for

API_KEY = "sk_test_dms_payments"
HOST = "acme.localhost"
WEBHOOK_URL = f"http://{HOST}/finance/payments/webhook/stripe/"
API = "/api/v1/finance"


def to_our_host(url: str, body: bytes, headers: dict) -> int:
    """Deliver one webhook of a connected account to its endpoint on a brand's host, as Stripe does."""
    parts = urlsplit(url)
    response = Client(HTTP_HOST=parts.netloc).post(parts.path, data=body, content_type=headers["Content-Type"],
                                                   HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"])
    return response.status_code


def hosted_post(url: str, form: dict) -> tuple[int, str]:
    """A browser submitting a form on one of the fake's hosted pages: (status, Location)."""
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


def api_as(user) -> Client:
    return host_client(HOST, HTTP_AUTHORIZATION=f"Token {token_for(user)}")


def post(client: Client, path: str, body: dict, **headers):
    return client.post(f"{API}/{path}", body, content_type="application/json", **headers)


@pytest.fixture
def connected(settings, books, in_tenant):
    """The fake Stripe, Acme connected to it (SimpleNamespace: fake, account)."""
    fake = FakeStripe(webhook_secret="whsec_platform_unused", delivery="hold", connect_sender=to_our_host).start()
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_API_BASE = fake.url
    with in_tenant(books.tenant):
        account = stripe_test_connect(actor=books.finance, webhook_url=WEBHOOK_URL, name="Acme")
    fake.deliver()  # the account's own news goes to the platform (nowhere here)
    yield SimpleNamespace(fake=fake, account=account, account_id=account.credential_hints["account_id"])
    fake.stop()


def order_charged(books, in_tenant, *, number: str = "SO-1001", amount: str = "100.00", dealer=None):
    """An order charged to dealer one's account on credit (cash on delivery: owed without a limit)."""
    dealer = dealer or books.one
    with in_tenant(books.tenant):
        finance.dealer_settlement_set(actor=None, dealer=dealer, mode="cod")
        return finance.credit_hold(actor=None, dealer=dealer, amount=amount, currency="CNY", reference=number)
