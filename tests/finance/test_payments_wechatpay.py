"""WeChat Pay end to end, as Stripe (test_payments.py): the brand connects its merchant account (the service, and
the console form), a dealer pays an order or tops up through our payment services, the payer pays (or is
declined) on the fake's page over real HTTP, the fake's signed and encrypted notification reaches OUR endpoint
/finance/payments/webhook/wechatpay/, and Payment, the ledger and what is owed follow; replays, forgeries,
refunds through payment_refund."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tenant_apps.finance.models import (
    DealerAccount,
    EntryKind,
    Payment,
    PaymentRefund,
    ProviderAccount,
    ProviderWebhookEvent,
)
from tenant_apps.finance.payments import services, wechatpay
from tenant_apps.finance.payments.fakes._server import new_key, pem_private
from tenant_apps.finance.payments.fakes.wechatpay_fake import FakeWeChatPay
from tests.finance.cnpay_world import HOST, OurEndpoint, browser, entries, no_mismatch, one_line, payment
from tests.finance.hosted import hosted_post
from tests.finance.payments_world import api_as, order_charged, post

WEBHOOK = "/finance/payments/webhook/wechatpay/"
ACK = '{"code":"SUCCESS","message":"成功"}'


@pytest.fixture
def wechat(settings):
    """The fake WeChat Pay (notifications held, then delivered to our endpoint); every brand's calls go to it."""
    endpoint = OurEndpoint()
    fake = FakeWeChatPay(delivery="hold", sender=endpoint).start()
    fake.endpoint = endpoint
    settings.WECHATPAY_API_BASE, settings.CNPAY_FAKE = fake.url, True  # as in development
    yield fake
    fake.stop()


@pytest.fixture
def connected(wechat, books, in_tenant):
    with in_tenant(books.tenant):
        services.provider_connect(actor=books.finance, code="wechatpay", credentials=wechat.credentials())
    return wechat


def _start(books, in_tenant, body: dict):
    with in_tenant(books.tenant):
        client = api_as(books.clerk)
    made = post(client, "payments/", {"provider": "wechatpay", **body})
    assert made.status_code == 201, made.json()
    return made.json()


def _refund(books, in_tenant, pk, body: dict):
    with in_tenant(books.tenant):
        finance = api_as(books.finance)
    return post(finance, f"payments/{pk}/refund/", body)


def _pay(fake, made: dict, action: str = "pay") -> None:
    status, _location = hosted_post(fake.page_url(made["qr_code"]), {"action": action})
    assert status == 200


def test_connected_in_the_console_and_a_top_up_paid_by_scanning_the_code(wechat, books, in_tenant):
    console = browser(books, in_tenant, books.finance)
    shown = console.get("/console/finance/providers/")
    assert shown.status_code == 200 and 'name="apiv3_key"' in shown.content.decode()
    credentials = wechat.credentials()
    form = {"code": "wechatpay", **{name: credentials[name] for name, _label, _secret in wechatpay.CREDENTIAL_FIELDS}}
    form["private_key"] = one_line(form["private_key"])  # as a browser's input sends a pasted PEM
    form["platform_public_key"] = one_line(form["platform_public_key"])
    incomplete = console.post("/console/finance/providers/", {**form, "apiv3_key": ""})
    assert incomplete.status_code == 400
    saved = console.post("/console/finance/providers/", form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    with in_tenant(books.tenant):
        account = ProviderAccount.objects.get(code="wechatpay")
        assert account.enabled and account.credential_hints["mchid"] == wechat.mchid
        assert account.credential_hints["apiv3_key"].startswith("••••")
    page = console.get("/console/finance/providers/").content.decode()
    assert credentials["apiv3_key"] not in page and "BEGIN PRIVATE KEY" not in page

    dealer = browser(books, in_tenant, books.clerk)
    offered = dealer.get("/account/finance/top-up/")
    assert 'value="wechatpay"' in offered.content.decode()
    sent = dealer.post("/account/finance/top-up/", {"amount": "200.00", "provider": "wechatpay"})
    assert sent.status_code == 302
    shown = dealer.get(sent["Location"])
    text = shown.content.decode()
    assert shown.status_code == 200 and 'data-state="pending"' in text
    assert 'id="pay-qr" src="data:image/svg+xml' in text  # the code to scan, within the page's CSP (img-src data:)
    assert "data:" in shown["Content-Security-Policy"].split("img-src", 1)[1].split(";", 1)[0]
    assert 'href="weixin://wxpay/bizpayurl?pr=' in text
    assert f'id="fake-page" href="{wechat.url}/pay/wx' in text  # development: where the code is paid
    with in_tenant(books.tenant):
        made = Payment.objects.get()
    assert made.qr_code.startswith("weixin://") and made.state == "pending"

    _pay(wechat, {"qr_code": made.qr_code})
    assert payment(books, in_tenant, made.pk).state == "pending"  # until WeChat Pay tells us
    assert wechat.deliver() == [200]
    assert wechat.endpoint.answers[-1] == (200, "application/json", ACK)
    paid = payment(books, in_tenant, made.pk)
    assert (paid.state, paid.paid_at is not None) == ("succeeded", True)
    assert entries(books, in_tenant) == [(EntryKind.TOP_UP, Decimal("200.00"), f"TOPUP-{made.pk}")]
    with in_tenant(books.tenant):
        assert DealerAccount.objects.get(dealer=books.one).balance == Decimal("200.00")
    assert 'data-state="succeeded"' in dealer.get(sent["Location"]).content.decode()
    no_mismatch(books, in_tenant)


def test_an_order_payment_pays_what_is_owed_down(connected, books, in_tenant):
    order_charged(books, in_tenant, number="SO-7001", amount="100.00")
    made = _start(books, in_tenant, {"purpose": "order", "amount": "60.00", "reference": "SO-7001"})
    assert made["qr_code"].startswith("weixin://wxpay/bizpayurl?pr=") and made["redirect_url"] == ""
    assert connected.orders[made["provider_ref"]]["amount"]["total"] == 6000
    assert connected.orders[made["provider_ref"]]["notify_url"] == f"http://{HOST}{WEBHOOK}"
    _pay(connected, made)
    assert connected.deliver() == [200]
    assert payment(books, in_tenant, made["id"]).state == "succeeded"
    assert entries(books, in_tenant, kind=EntryKind.PAYMENT) == [(EntryKind.PAYMENT, Decimal("60.00"), "SO-7001")]
    with in_tenant(books.tenant):
        assert services.amount_owed(dealer=books.one, reference="SO-7001", currency="CNY") == Decimal("40.00")
        assert DealerAccount.objects.get(dealer=books.one).credit_used == Decimal("40.00")
    no_mismatch(books, in_tenant)


def test_a_declined_payment_is_learnt_on_the_return_page_and_an_unpaid_one_stays_pending(connected, books,
                                                                                           in_tenant, settings):
    settings.CNPAY_FAKE = False  # as in production: no link to the fake's page
    declined = _start(books, in_tenant, {"purpose": "top_up", "amount": "80.00"})
    unpaid = _start(books, in_tenant, {"purpose": "top_up", "amount": "30.00"})
    _pay(connected, declined, "decline")
    assert connected.deliver() == []  # WeChat Pay notifies successes only
    assert payment(books, in_tenant, declined["id"]).state == "pending"
    page = browser(books, in_tenant, books.clerk)
    shown = page.get(f"/account/finance/payments/{declined['id']}/")  # the return page asks WeChat Pay
    assert 'data-state="failed"' in shown.content.decode()
    failed = payment(books, in_tenant, declined["id"])
    assert (failed.state, failed.entry_id) == ("failed", None)

    # a payer who never pays: the order is NOTPAY at WeChat Pay, the payment stays pending, nothing is posted
    pending = page.get(f"/account/finance/payments/{unpaid['id']}/").content.decode()
    assert 'data-state="pending"' in pending and 'id="pay-qr"' in pending and 'id="fake-page"' not in pending
    checked = page.post(f"/account/finance/payments/{unpaid['id']}/", {"action": "check"})
    assert checked.status_code == 302
    assert payment(books, in_tenant, unpaid["id"]).state == "pending"
    # ... and pays later: the check (or the notification) records it once
    _pay(connected, unpaid)
    page.post(f"/account/finance/payments/{unpaid['id']}/", {"action": "check"})
    assert payment(books, in_tenant, unpaid["id"]).state == "succeeded"
    assert connected.deliver() == [200]
    with in_tenant(books.tenant):
        assert ProviderWebhookEvent.objects.get().outcome == "unchanged"
    assert entries(books, in_tenant) == [(EntryKind.TOP_UP, Decimal("30.00"), f"TOPUP-{unpaid['id']}")]
    no_mismatch(books, in_tenant)


def test_a_replayed_notification_is_processed_once(connected, books, in_tenant):
    made = _start(books, in_tenant, {"purpose": "top_up", "amount": "50.00"})
    _pay(connected, made)
    assert connected.deliver() == [200]
    assert connected.resend_last().status == 200  # the same notification id, signed anew
    assert connected.resend_last().status == 200
    assert [answer[0] for answer in connected.endpoint.answers] == [200, 200, 200]
    with in_tenant(books.tenant):
        assert ProviderWebhookEvent.objects.get().outcome == "succeeded"
    assert entries(books, in_tenant) == [(EntryKind.TOP_UP, Decimal("50.00"), f"TOPUP-{made['id']}")]
    no_mismatch(books, in_tenant)


def test_a_forged_notification_is_a_400_and_nothing_is_stored(connected, books, in_tenant):
    made = _start(books, in_tenant, {"purpose": "top_up", "amount": "50.00"})
    _pay(connected, made)
    with connected.lock:
        real, connected.pending = connected.pending[0], []
    send = connected.endpoint
    forger = FakeWeChatPay()  # its own platform key and APIv3 key, claiming the real serial
    forger.platform_serial = connected.platform_serial
    tampered = real.body.replace(b'"summary":"', b'"summary":"x')
    statuses = [
        send(real.url, real.body, forger.signed_headers(real.body)),  # not signed by WeChat Pay's key
        send(real.url, tampered, real.headers),  # the body changed after signing
        send(real.url, real.body, {k: v for k, v in real.headers.items() if k != "Wechatpay-Signature"}),
        send(real.url, real.body, {**real.headers, "Wechatpay-Signature": "WECHATPAY/SIGNTEST/abc"}),
        send(real.url, b"not json", {"Content-Type": "application/json", **connected.signed_headers(b"not json")}),
    ]
    # signed by WeChat Pay's key, but its resource encrypted with another APIv3 key
    body, _headers = forger._notice("TRANSACTION.SUCCESS", "支付成功", "transaction",
                                    {"out_trade_no": made["provider_ref"], "mchid": connected.mchid})
    statuses.append(send(real.url, body, {"Content-Type": "application/json", **connected.signed_headers(body)}))
    assert statuses == [400] * 6
    with in_tenant(books.tenant):
        assert not ProviderWebhookEvent.objects.exists()
    assert payment(books, in_tenant, made["id"]).state == "pending"
    assert entries(books, in_tenant) == []
    # another merchant's private key cannot connect as this brand: the fake refuses its signature on payment_start
    with in_tenant(books.tenant):
        services.provider_connect(actor=books.finance, code="wechatpay",
                                  credentials={**connected.credentials(), "private_key": pem_private(new_key())})
        client = api_as(books.clerk)
    refused = post(client, "payments/", {"provider": "wechatpay", "purpose": "top_up", "amount": "5.00"})
    assert (refused.status_code, refused.json()["code"]) == (502, "payment_provider_error")
    assert "SIGN_ERROR" in refused.json()["detail"]


def test_refunds_part_then_all_post_refund_entries_once(connected, books, in_tenant):
    order_charged(books, in_tenant, number="SO-7002", amount="300.00")
    made = _start(books, in_tenant, {"purpose": "order", "amount": "300.00", "reference": "SO-7002"})
    _pay(connected, made)
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
    # WeChat Pay holds the same: two refunds, all 300.00 returned; its query says REFUND without a sum, so our
    # PaymentRefund rows are the record
    assert connected.orders[made["provider_ref"]]["refunded"] == 30000
    assert sorted(r["amount"]["refund"] for r in connected.refunds.values()) == [10000, 20000]
    # the old success notification again, after the refunds: nothing changes
    assert connected.resend_last().status == 200
    refunded = payment(books, in_tenant, made["id"])
    assert (refunded.state, refunded.amount_refunded) == ("refunded", Decimal("300.00"))
    assert entries(books, in_tenant, reference="SO-7002") == [
        (EntryKind.ORDER_CHARGE, Decimal("-300.00"), "SO-7002"), (EntryKind.PAYMENT, Decimal("300.00"), "SO-7002"),
        (EntryKind.REFUND, Decimal("-100.00"), "SO-7002"), (EntryKind.REFUND, Decimal("-200.00"), "SO-7002")]
    with in_tenant(books.tenant):
        refunds = PaymentRefund.objects.filter(payment=refunded).order_by("id")
        assert [r.provider_refund_id[:5] for r in refunds] == ["50000", "50000"]
        assert services.amount_owed(dealer=books.one, reference="SO-7002", currency="CNY") == Decimal("300.00")
    no_mismatch(books, in_tenant)


def test_a_provider_name_that_is_no_route_is_refused_not_a_500(connected, books, in_tenant):
    with in_tenant(books.tenant):
        client = api_as(books.clerk)
    for name in ("微信", "we chat", "paypal"):
        refused = post(client, "payments/", {"provider": name, "purpose": "top_up", "amount": "5.00"})
        assert (refused.status_code, refused.json()["code"]) == (409, "payment_provider_not_connected")
    page = browser(books, in_tenant, books.clerk)
    assert page.post("/account/finance/top-up/", {"amount": "5.00", "provider": "微信"}).status_code == 409
    with in_tenant(books.tenant):
        assert not Payment.objects.exists()
