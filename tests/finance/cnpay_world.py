"""The world of the WeChat Pay and Alipay end-to-end tests: the provider's local fake (finance/payments/fakes) on a
free port of 127.0.0.1, spoken to over real HTTP by our adapters; settings point every brand at it
(WECHATPAY_API_BASE, ALIPAY_GATEWAY). The fake's notifications are held until `fake.deliver()` (or
`fake.resend_last()`), which POSTs each to the notify_url our service gave it (Acme's
/finance/payments/webhook/<code>/) through Django's test client from the test's own thread, keeping our answer in
`answers`."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.test import Client

from tenant_apps.finance import selectors as finance_selectors
from tenant_apps.finance.models import LedgerEntry, Payment
from tests.conftest import host_client

HOST = "acme.localhost"


class OurEndpoint:
    """A fake's `sender`: delivers a notification to our webhook endpoint on the brand's host; keeps what we said."""

    def __init__(self):
        self.answers: list[tuple[int, str, str]] = []  # (status, content type, body)

    def __call__(self, url: str, body: bytes, headers: dict) -> int:
        parts = urlsplit(url)
        meta = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()
                if name.lower() != "content-type"}
        content_type = headers.get("Content-Type", "application/json")
        response = Client(HTTP_HOST=parts.netloc).post(parts.path, data=body, content_type=content_type, **meta)
        self.answers.append((response.status_code, response["Content-Type"], response.content.decode()))
        return response.status_code


def browser(books, in_tenant, user, language: str = "en") -> Client:
    with in_tenant(books.tenant):
        client = host_client(HOST, language=language)
        client.force_login(user)
    return client


def payment(books, in_tenant, pk) -> Payment:
    with in_tenant(books.tenant):
        return Payment.objects.get(pk=pk)


def entries(books, in_tenant, **filters) -> list[tuple]:
    with in_tenant(books.tenant):
        return list(LedgerEntry.objects.filter(**filters).order_by("id").values_list("kind", "amount", "reference"))


def no_mismatch(books, in_tenant) -> None:
    with in_tenant(books.tenant):
        assert finance_selectors.ledger_mismatches() == []


def one_line(pem: str) -> str:
    """A PEM as a browser's one-line input field sends it (line breaks dropped)."""
    return pem.replace("\r", "").replace("\n", "")
