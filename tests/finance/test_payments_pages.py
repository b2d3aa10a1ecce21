"""The online payment pages: a dealer pays an order or tops up on the storefront and is sent to the provider;
brand finance connects providers (secrets never shown back) and refunds from the payments list."""

from __future__ import annotations

from decimal import Decimal

from tenant_apps.finance.models import Payment, ProviderAccount
from tests.conftest import host_client
from tests.factories import UserFactory
from tests.finance import payments_world
from tests.finance.payments_world import HOST, hosted_post, order_charged

connected = payments_world.connected  # the fixture


def _browser(books, in_tenant, user, language: str = "en"):
    with in_tenant(books.tenant):
        client = host_client(HOST, language=language)
        client.force_login(user)
    return client


def test_the_dealer_pays_an_order_from_the_pay_page(connected, books, in_tenant):
    order_charged(books, in_tenant, number="SO-3001", amount="88.00")
    page = _browser(books, in_tenant, books.clerk)
    shown = page.get("/account/finance/pay/?order=SO-3001")
    text = shown.content.decode()
    assert shown.status_code == 200
    assert "88.00 CNY" in text and 'value="stripe"' in text
    assert connected.fake.url in shown["Content-Security-Policy"]  # the form may go on to the provider's page
    too_much = page.post("/account/finance/pay/", {"order": "SO-3001", "amount": "88.01", "provider": "stripe"})
    assert too_much.status_code == 400 and "88.00 CNY" in too_much.content.decode()
    sent = page.post("/account/finance/pay/", {"order": "SO-3001", "amount": "88.00", "provider": "stripe"})
    assert sent.status_code == 302 and sent["Location"].startswith(connected.fake.url + "/pi/pi_")
    status, back = hosted_post(sent["Location"], {"action": "pay", "method": "alipay"})
    path = back.split(HOST, 1)[1]
    pending = page.get(path)
    assert 'data-state="pending"' in pending.content.decode() and "Refresh" in pending.content.decode()
    connected.fake.deliver()
    paid = page.get(path)
    assert 'data-state="succeeded"' in paid.content.decode()
    nothing_left = page.get("/account/finance/pay/?order=SO-3001").content.decode()
    assert "Nothing is owed on SO-3001." in nothing_left


def test_the_top_up_page_in_chinese_and_who_may_use_it(connected, books, in_tenant):
    page = _browser(books, in_tenant, books.clerk, language="zh-hans")
    page.cookies["django_language"] = "zh-hans"
    shown = page.get("/account/finance/top-up/")
    assert shown.status_code == 200 and "充值" in shown.content.decode()
    sent = page.post("/account/finance/top-up/", {"amount": "12.50", "provider": "stripe"})
    assert sent.status_code == 302
    with in_tenant(books.tenant):
        assert Payment.objects.get().amount == Decimal("12.50")
        buyer = UserFactory(email="one-buyer@acme.test", role="dealer_buyer", dealer=books.one)
    assert _browser(books, in_tenant, buyer).get("/account/finance/top-up/").status_code == 403
    assert _browser(books, in_tenant, books.finance).get("/account/finance/top-up/").status_code == 403


def test_brand_finance_connects_a_provider_and_never_sees_its_secrets_again(books, in_tenant):
    console = _browser(books, in_tenant, books.finance)
    shown = console.get("/console/finance/providers/")
    assert shown.status_code == 200
    assert "http://acme.localhost/finance/payments/webhook/stripe/" in shown.content.decode()
    missing = console.post("/console/finance/providers/", {"code": "stripe", "account_id": ""})
    assert missing.status_code == 400
    bad = console.post("/console/finance/providers/", {"code": "stripe", "account_id": "not-an-account"})
    assert bad.status_code == 400
    done = console.post("/console/finance/providers/", {"code": "stripe", "account_id": "acct_123456789",
                                                        "webhook_secret": "whsec_very_secret_value_9876"})
    assert done.status_code == 302
    text = console.get("/console/finance/providers/").content.decode()
    assert "whsec_very_secret_value_9876" not in text and "••••9876" in text
    with in_tenant(books.tenant):
        account = ProviderAccount.objects.get(code="stripe")
        assert (account.enabled, account.webhook_secret) == (True, "whsec_very_secret_value_9876")
    # saved again without a secret: the stored one stays
    console.post("/console/finance/providers/", {"code": "stripe", "account_id": "acct_123456789"})
    with in_tenant(books.tenant):
        assert ProviderAccount.objects.get(code="stripe").webhook_secret == "whsec_very_secret_value_9876"
    assert console.post("/console/finance/providers/", {"code": "stripe", "action": "disconnect"}).status_code == 302
    with in_tenant(books.tenant):
        account = ProviderAccount.objects.get(code="stripe")
        assert (account.enabled, account.credentials, account.webhook_secret) == (False, "", "")
    assert _browser(books, in_tenant, books.clerk).get("/console/finance/providers/").status_code == 403


def test_brand_finance_refunds_from_the_payments_list(connected, books, in_tenant):
    page = _browser(books, in_tenant, books.clerk)
    sent = page.post("/account/finance/top-up/", {"amount": "40.00", "provider": "stripe"})
    hosted_post(sent["Location"], {"action": "pay"})
    connected.fake.deliver()
    with in_tenant(books.tenant):
        payment = Payment.objects.get()
    console = _browser(books, in_tenant, books.finance)
    listed = console.get("/console/finance/payments/").content.decode()
    assert f'id="payment-{payment.pk}" data-state="succeeded"' in listed
    refunded = console.post(f"/console/finance/payments/{payment.pk}/refund/", {"amount": "15.00", "reason": "x"})
    assert refunded.status_code == 302
    with in_tenant(books.tenant):
        payment.refresh_from_db()
    assert (payment.state, payment.amount_refunded) == ("partially_refunded", Decimal("15.00"))
    # a dealer's staff may not refund, and do not see the console list
    assert page.post(f"/console/finance/payments/{payment.pk}/refund/", {}).status_code == 403
    assert page.get("/console/finance/payments/").status_code == 403
