"""Alipay end to end, as Stripe (test_payments.py): the brand connects its Alipay app (the service, and the console
form with the sandbox checkbox), a dealer pays an order or tops up through our payment services, the payer pays
(or is declined) at the fake's cashier over real HTTP, the fake's signed notification reaches OUR endpoint
/finance/payments/webhook/alipay/ (answered with the plain text "success"), and Payment, the ledger and what is
owed follow; replays, forgeries, refunds through payment_refund."""

from __future__ import annotations

import json
import urllib.request
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from tenant_apps.finance.models import (
    DealerAccount,
    EntryKind,
    Payment,
    PaymentRefund,
    ProviderAccount,
    ProviderWebhookEvent,
)
from tenant_apps.finance.payments import alipay, services
from tenant_apps.finance.payments.fakes._server import new_key, rsa_sign
from tenant_apps.finance.payments.fakes.alipay_fake import FakeAlipay, _content
from tests.finance.cnpay_world import HOST, OurEndpoint, browser, entries, no_mismatch, one_line, payment
from tests.finance.hosted import hosted_post
from tests.finance.payments_world import api_as, order_charged, post

WEBHOOK = "/finance/payments/webhook/alipay/"
ACK = (200, "text/plain; charset=utf-8", "success")


@pytest.fixture
def ali(settings):
    """The fake Alipay (notifications held, then delivered to our endpoint); every brand's calls go to it."""
    endpoint = OurEndpoint()
    fake = FakeAlipay(delivery="hold", sender=endpoint).start()
    fake.endpoint = endpoint
    settings.ALIPAY_GATEWAY, settings.CNPAY_FAKE = f"{fake.url}/gateway.do", True  # as in development
    yield fake
    fake.stop()


@pytest.fixture
def connected(ali, books, in_tenant):
    with in_tenant(books.tenant):
        services.provider_connect(actor=books.finance, code="alipay", credentials=ali.credentials())
    return ali


def _start(books, in_tenant, body: dict):
    with in_tenant(books.tenant):
        client = api_as(books.clerk)
    made = post(client, "payments/", {"provider": "alipay", **body})
    assert made.status_code == 201, made.json()
    return made.json()


def _refund(books, in_tenant, pk, body: dict):
    with in_tenant(books.tenant):
        finance = api_as(books.finance)
    return post(finance, f"payments/{pk}/refund/", body)


def _cashier(url: str) -> str:
    """The payer's browser opens the checkout (a signed link is redirected to the cashier): the cashier's URL."""
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the local fake
        assert 'value="pay"' in response.read().decode()
        return response.geturl()


def _pay(made: dict, action: str = "pay") -> str:
    """Pay or decline at the cashier: where the payer is sent back to ("" after scanning a code: no return)."""
    status, location = hosted_post(_cashier(made["redirect_url"] or made["qr_code"]), {"action": action})
    assert status == (303 if made["redirect_url"] else 200)
    return location


def test_connected_in_the_console_with_the_sandbox_box_and_a_top_up_paid_at_the_cashier(ali, books, in_tenant,
                                                                                          settings):
    console = browser(books, in_tenant, books.finance)
    shown = console.get("/console/finance/providers/").content.decode()
    assert 'type="checkbox" id="alipay-sandbox" name="sandbox" value="1">' in shown
    credentials = ali.credentials()
    form = {"code": "alipay", "app_id": credentials["app_id"],
            "app_private_key": one_line(credentials["app_private_key"]),  # as a browser's input sends a pasted PEM
            "alipay_public_key": one_line(credentials["alipay_public_key"]), "sandbox": "1"}
    assert console.post("/console/finance/providers/", form).status_code == 302
    with in_tenant(books.tenant):
        account = ProviderAccount.objects.get(code="alipay")
        assert account.credential_hints["sandbox"] == "1"
        assert account.credential_hints["app_private_key"].startswith("••••")
        assert services.account_credentials(account)["sandbox"] == "1"
    shown = console.get("/console/finance/providers/").content.decode()
    assert 'name="sandbox" value="1" checked>' in shown and "BEGIN PRIVATE KEY" not in shown
    # the box unticked (a browser sends nothing), the private key left empty (kept): a production account again
    saved = console.post("/console/finance/providers/", {**form, "sandbox": "", "app_private_key": ""})
    assert saved.status_code == 302
    with in_tenant(books.tenant):
        account = ProviderAccount.objects.get(code="alipay")
        assert "sandbox" not in account.credential_hints
        stored = services.account_credentials(account)
        assert "sandbox" not in stored and "BEGIN PRIVATE KEY" in stored["app_private_key"]
    settings.ALIPAY_GATEWAY = ""  # without the platform's override, the flag picks Alipay's gateway
    assert (alipay.gateway({"sandbox": "1"}), alipay.gateway({})) == (alipay.SANDBOX_GATEWAY, alipay.GATEWAY)
    settings.ALIPAY_GATEWAY = f"{ali.url}/gateway.do"

    dealer = browser(books, in_tenant, books.clerk)
    offered = dealer.get("/account/finance/top-up/")
    assert 'value="alipay"' in offered.content.decode()
    assert ali.url in offered["Content-Security-Policy"]  # the form goes on to Alipay's cashier
    sent = dealer.post("/account/finance/top-up/", {"amount": "200.00", "provider": "alipay"})
    assert sent.status_code == 302 and sent["Location"].startswith(f"{ali.url}/gateway.do?")
    with in_tenant(books.tenant):
        made = Payment.objects.get()
    back = _pay({"redirect_url": sent["Location"], "qr_code": ""})
    assert back.startswith(f"http://{HOST}/account/finance/payments/{made.pk}/?")
    assert dict(parse_qsl(urlsplit(back).query))["method"] == "alipay.trade.page.pay.return"
    returned = dealer.get(back.split(HOST, 1)[1])
    assert 'data-state="pending"' in returned.content.decode()  # until Alipay's notification
    assert ali.deliver() == [200]
    assert ali.endpoint.answers == [ACK]
    paid = payment(books, in_tenant, made.pk)
    assert (paid.state, paid.paid_at is not None) == ("succeeded", True)
    assert entries(books, in_tenant) == [(EntryKind.TOP_UP, Decimal("200.00"), f"TOPUP-{made.pk}")]
    with in_tenant(books.tenant):
        assert DealerAccount.objects.get(dealer=books.one).balance == Decimal("200.00")
    assert 'data-state="succeeded"' in dealer.get(back.split(HOST, 1)[1]).content.decode()
    no_mismatch(books, in_tenant)


def test_an_order_paid_by_scanning_the_code_pays_what_is_owed_down(connected, books, in_tenant):
    order_charged(books, in_tenant, number="SO-8001", amount="100.00")
    made = _start(books, in_tenant, {"purpose": "order", "amount": "60.00", "reference": "SO-8001", "method": "qr"})
    assert made["qr_code"].startswith(f"{connected.url}/cashier/") and made["redirect_url"] == ""
    page = browser(books, in_tenant, books.clerk)
    shown = page.get(f"/account/finance/payments/{made['id']}/").content.decode()
    assert 'data-state="pending"' in shown and 'id="pay-qr" src="data:image/svg+xml' in shown
    assert f'id="fake-page" href="{made["qr_code"]}"' in shown  # development: the fake's cashier
    _pay(made)
    assert connected.deliver() == [200]
    assert payment(books, in_tenant, made["id"]).state == "succeeded"
    assert entries(books, in_tenant, kind=EntryKind.PAYMENT) == [(EntryKind.PAYMENT, Decimal("60.00"), "SO-8001")]
    with in_tenant(books.tenant):
        assert services.amount_owed(dealer=books.one, reference="SO-8001", currency="CNY") == Decimal("40.00")
        assert DealerAccount.objects.get(dealer=books.one).credit_used == Decimal("40.00")
    no_mismatch(books, in_tenant)


def test_a_declined_payment_fails_and_an_unpaid_one_stays_pending(connected, books, in_tenant):
    declined = _start(books, in_tenant, {"purpose": "top_up", "amount": "80.00"})
    unpaid = _start(books, in_tenant, {"purpose": "top_up", "amount": "30.00"})
    assert _pay(declined, "decline") == f"http://{HOST}/account/finance/payments/{declined['id']}/"
    assert connected.deliver() == [200]  # Alipay notifies the closed trade
    failed = payment(books, in_tenant, declined["id"])
    assert (failed.state, failed.entry_id) == ("failed", None)
    page = browser(books, in_tenant, books.clerk)
    assert 'data-state="failed"' in page.get(f"/account/finance/payments/{declined['id']}/").content.decode()
    # the payer never opened the cashier: Alipay knows no trade yet; "check" leaves it pending
    assert page.post(f"/account/finance/payments/{unpaid['id']}/", {"action": "check"}).status_code == 302
    assert payment(books, in_tenant, unpaid["id"]).state == "pending"
    assert entries(books, in_tenant) == []
    no_mismatch(books, in_tenant)


def test_a_replayed_notification_is_processed_once(connected, books, in_tenant):
    made = _start(books, in_tenant, {"purpose": "top_up", "amount": "50.00"})
    _pay(made)
    assert connected.deliver() == [200]
    assert connected.resend_last().status == 200  # the same notify_id, a new notify_time, signed anew
    assert connected.resend_last().status == 200
    assert connected.endpoint.answers == [ACK] * 3
    with in_tenant(books.tenant):
        assert ProviderWebhookEvent.objects.get().outcome == "succeeded"
    assert entries(books, in_tenant) == [(EntryKind.TOP_UP, Decimal("50.00"), f"TOPUP-{made['id']}")]
    no_mismatch(books, in_tenant)


def test_a_forged_notification_is_a_400_and_nothing_is_stored(connected, books, in_tenant):
    made = _start(books, in_tenant, {"purpose": "top_up", "amount": "50.00"})
    _pay(made)
    with connected.lock:
        real, connected.pending = connected.pending[0], []
    params = dict(parse_qsl(real.body.decode(), keep_blank_values=True))
    form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}

    def signed(values: dict, key) -> bytes:
        values = {**values, "sign_type": "RSA2"}
        values["sign"] = rsa_sign(key, _content(values, ("sign", "sign_type"), empty=True))
        return urlencode(values).encode()

    send = connected.endpoint
    statuses = [
        send(real.url, signed(params, new_key()), form),  # not signed by Alipay's key
        send(real.url, urlencode({**params, "total_amount": "5000.00"}).encode(), form),  # altered after signing
        send(real.url, urlencode({k: v for k, v in params.items() if k != "sign"}).encode(), form),
        send(real.url, signed({**params, "app_id": "2021999999999999"}, connected.alipay_key), form),  # other app
        send(real.url, b"\xff\xfe not a form", form),
    ]
    assert statuses == [400] * 5
    assert all(answer[2] != "success" for answer in send.answers)  # Alipay sends it again
    assert json.loads(send.answers[0][2])["code"] == "webhook_not_verified"
    with in_tenant(books.tenant):
        assert not ProviderWebhookEvent.objects.exists()
    assert payment(books, in_tenant, made["id"]).state == "pending"
    assert entries(books, in_tenant) == []


def test_refunds_part_then_all_post_refund_entries_once(connected, books, in_tenant):
    order_charged(books, in_tenant, number="SO-8002", amount="300.00")
    made = _start(books, in_tenant, {"purpose": "order", "amount": "300.00", "reference": "SO-8002"})
    _pay(made)
    connected.deliver()
    part = _refund(books, in_tenant, made["id"], {"amount": "100.00", "reason": "少发一箱"})
    assert part.status_code == 200, part.json()
    assert (part.json()["state"], part.json()["amount_refunded"]) == ("partially_refunded", "100.00")
    too_much = _refund(books, in_tenant, made["id"], {"amount": "200.01"})
    assert (too_much.status_code, list(too_much.json()["fields"])) == (400, ["amount"])
    rest = _refund(books, in_tenant, made["id"], {})
    assert (rest.status_code, rest.json()["state"], rest.json()["amount_refunded"]) == (200, "refunded", "300.00")
    again = _refund(books, in_tenant, made["id"], {"amount": "1.00"})
    assert (again.status_code, again.json()["code"]) == (409, "payment_illegal_transition")
    trade = connected.trades[made["provider_ref"]]
    assert (trade["refunded"], trade["trade_status"]) == (Decimal("300.00"), "TRADE_CLOSED")
    # Alipay's news of each refund (refund_fee 100.00, then TRADE_CLOSED): already recorded, nothing more
    assert connected.deliver() == [200, 200]
    assert connected.resend_last().status == 200
    with in_tenant(books.tenant):
        assert list(ProviderWebhookEvent.objects.order_by("id").values_list("outcome", flat=True)) == [
            "succeeded", "unchanged", "unchanged"]
    refunded = payment(books, in_tenant, made["id"])
    assert (refunded.state, refunded.amount_refunded) == ("refunded", Decimal("300.00"))
    assert entries(books, in_tenant, reference="SO-8002") == [
        (EntryKind.ORDER_CHARGE, Decimal("-300.00"), "SO-8002"), (EntryKind.PAYMENT, Decimal("300.00"), "SO-8002"),
        (EntryKind.REFUND, Decimal("-100.00"), "SO-8002"), (EntryKind.REFUND, Decimal("-200.00"), "SO-8002")]
    with in_tenant(books.tenant):
        assert PaymentRefund.objects.filter(payment=refunded).exclude(provider_refund_id="").count() == 2
        assert services.amount_owed(dealer=books.one, reference="SO-8002", currency="CNY") == Decimal("300.00")
    no_mismatch(books, in_tenant)


def test_a_refund_made_in_alipays_dashboard_comes_back_by_its_notification(connected, books, in_tenant):
    made = _start(books, in_tenant, {"purpose": "top_up", "amount": "120.00"})
    _pay(made)
    connected.deliver()
    dashboard = alipay.build(connected.credentials())  # the brand refunds 20.00 at Alipay, not through us
    dashboard.refund(provider_ref=made["provider_ref"], amount=Decimal("20.00"), currency="CNY",
                     idempotency_key="dashboard_1")
    assert dashboard.fetch_status(provider_ref=made["provider_ref"]).status == "succeeded"  # no sum in the query
    assert connected.deliver() == [200]  # the notification says refund_fee 20.00
    assert connected.resend_last().status == 200
    refunded = payment(books, in_tenant, made["id"])
    assert (refunded.state, refunded.amount_refunded) == ("partially_refunded", Decimal("20.00"))
    assert entries(books, in_tenant) == [(EntryKind.TOP_UP, Decimal("120.00"), f"TOPUP-{made['id']}"),
                                         (EntryKind.REFUND, Decimal("-20.00"), f"TOPUP-{made['id']}")]
    # then the rest through us: the sum is ours (PaymentRefund rows), the trade closes at Alipay
    rest = _refund(books, in_tenant, made["id"], {})
    assert (rest.status_code, rest.json()["state"], rest.json()["amount_refunded"]) == (200, "refunded", "120.00")
    assert connected.deliver() == [200]
    with in_tenant(books.tenant):
        assert list(ProviderWebhookEvent.objects.order_by("id").values_list("outcome", flat=True)) == [
            "succeeded", "refunded", "unchanged"]
        assert DealerAccount.objects.get(dealer=books.one).balance == Decimal("0.00")
    no_mismatch(books, in_tenant)
