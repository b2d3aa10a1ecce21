"""The WeChat Pay adapter against the local fake of WeChat Pay API v3, over real HTTP, both sides signing as WeChat
Pay documents (no database)."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from decimal import Decimal
from urllib.parse import quote

import pytest

from tenant_apps.finance.payments import registry, wechatpay
from tenant_apps.finance.payments.base import ProviderError, WebhookRefused
from tenant_apps.finance.payments.fakes._server import new_key, pem_private, pem_public
from tenant_apps.finance.payments.fakes.wechatpay_fake import FakeWeChatPay
from tests.finance.hosted import hosted_post

RETURN = "https://acme.example/account/finance/payments/7/"


@pytest.fixture(scope="module")
def fake():
    with FakeWeChatPay() as running:
        yield running


@pytest.fixture
def adapter(fake):
    return registry.adapter_for("wechatpay", fake.credentials())


def _create(adapter, fake, key, *, amount="88.00", method="native", **extra):
    return adapter.create(amount=Decimal(amount), currency="CNY", description="订货单 SO-1", idempotency_key=key,
                          return_url=RETURN, notify_url=f"{fake.url}/_fake/sink", method=method, **extra)


def _paid(adapter, fake, key, amount="88.00"):
    checkout = _create(adapter, fake, key, amount=amount)
    assert hosted_post(fake.page_url(checkout.qr_code), {"action": "pay"})[0] == 200
    return checkout


def test_native_pay_is_notified_signed_and_encrypted(adapter, fake):
    checkout = _create(adapter, fake, "pay-native-001")
    assert checkout.provider_ref == "pay-native-001"
    assert checkout.qr_code.startswith("weixin://wxpay/bizpayurl?pr=wx")
    assert (checkout.redirect_url, checkout.client_secret) == ("", "")
    assert adapter.fetch_status(provider_ref="pay-native-001").status == "pending"

    status, _location = hosted_post(fake.page_url(checkout.qr_code), {"action": "pay"})
    assert status == 200
    sent = fake.notifications[-1]
    assert sent.status == 204  # the sink answered
    assert sent.headers["Wechatpay-Serial"] == fake.platform_serial
    assert b"pay-native-001" not in sent.body  # the resource is encrypted

    event = adapter.verify_webhook(headers=sent.headers, body=sent.body)
    assert (event.provider_ref, event.status) == ("pay-native-001", "succeeded")
    assert event.raw["event_type"] == "TRANSACTION.SUCCESS"
    assert event.raw["amount"] == {"total": 8800, "currency": "CNY", "payer_total": 8800, "payer_currency": "CNY"}
    assert adapter.fetch_status(provider_ref="pay-native-001").status == "succeeded"


def test_h5_page_returns_to_our_page(adapter, fake):
    checkout = _create(adapter, fake, "pay-h5-0001", method="h5:203.0.113.9")
    assert checkout.qr_code == ""
    assert checkout.redirect_url.startswith(f"{fake.url}/pay/wx")
    assert checkout.redirect_url.endswith("&redirect_url=" + quote(RETURN, safe=""))

    status, location = hosted_post(checkout.redirect_url, {"action": "pay"})
    assert (status, location) == (303, RETURN)
    event = adapter.verify_webhook(headers=fake.notifications[-1].headers, body=fake.notifications[-1].body)
    assert (event.provider_ref, event.status) == ("pay-h5-0001", "succeeded")
    assert event.raw["trade_type"] == "MWEB"


def test_declined_payment_is_failed_and_not_notified(adapter, fake):
    checkout = _create(adapter, fake, "pay-declined-1", method="h5")
    sent_before = len(fake.notifications)
    assert hosted_post(checkout.redirect_url, {"action": "decline"}) == (303, RETURN)
    assert len(fake.notifications) == sent_before  # WeChat Pay notifies successes only
    assert adapter.fetch_status(provider_ref="pay-declined-1").status == "failed"


def test_create_is_idempotent_by_key(adapter, fake):
    first = _create(adapter, fake, "pay-twice-001")
    assert _create(adapter, fake, "pay-twice-001") == first
    with pytest.raises(ProviderError, match="INVALID_REQUEST: 201 商户订单号重复") as refused:
        _create(adapter, fake, "pay-twice-001", amount="99.00")
    assert refused.value.retryable is False
    odd = _create(adapter, fake, "order:42/payment 7 (retry)")
    assert len(odd.provider_ref) == 32 and odd.provider_ref.startswith("D")
    assert _create(adapter, fake, "order:42/payment 7 (retry)").provider_ref == odd.provider_ref


def test_tampered_or_forged_notifications_are_refused(adapter, fake):
    _paid(adapter, fake, "pay-forged-01")
    sent = fake.notifications[-1]
    assert adapter.verify_webhook(headers=sent.headers, body=sent.body).status == "succeeded"

    altered = sent.body.replace(b'"summary":"', b'"summary":"x')
    with pytest.raises(WebhookRefused):
        adapter.verify_webhook(headers=sent.headers, body=altered)
    for name in ("Wechatpay-Signature", "Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Serial"):
        with pytest.raises(WebhookRefused):
            adapter.verify_webhook(headers={k: v for k, v in sent.headers.items() if k != name}, body=sent.body)
    with pytest.raises(WebhookRefused):  # another serial than the platform key's
        adapter.verify_webhook(headers={**sent.headers, "Wechatpay-Serial": "PUB_KEY_ID_0000"}, body=sent.body)
    with pytest.raises(WebhookRefused):  # WeChat's own probe of our verification
        adapter.verify_webhook(headers={**sent.headers, "Wechatpay-Signature": "WECHATPAY/SIGNTEST/abc"},
                               body=sent.body)

    forger = FakeWeChatPay()  # its own platform key and APIv3 key, same serial claimed
    forger.platform_serial = fake.platform_serial
    with pytest.raises(WebhookRefused):
        adapter.verify_webhook(headers=forger.signed_headers(sent.body), body=sent.body)

    stale = fake.signed_headers(sent.body, timestamp=int(time.time()) - 301)
    with pytest.raises(WebhookRefused):
        adapter.verify_webhook(headers=stale, body=sent.body)

    # signed by the platform key for real, but encrypted with another APIv3 key: the resource does not decrypt
    body, _headers = forger._notice("TRANSACTION.SUCCESS", "支付成功", "transaction", {"out_trade_no": "pay-forged-01"})
    with pytest.raises(WebhookRefused):
        adapter.verify_webhook(headers=fake.signed_headers(body), body=body)


def test_django_meta_headers_are_read(adapter, fake):
    _paid(adapter, fake, "pay-meta-0001")
    sent = fake.notifications[-1]
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in sent.headers.items()}
    assert adapter.verify_webhook(headers=meta, body=sent.body).provider_ref == "pay-meta-0001"


def test_a_replayed_notification_has_the_same_event_id(adapter, fake):
    _paid(adapter, fake, "pay-replay-01")
    first = fake.notifications[-1]
    again = fake.resend_last()
    assert again.body == first.body and again.headers["Wechatpay-Nonce"] != first.headers["Wechatpay-Nonce"]
    one = adapter.verify_webhook(headers=first.headers, body=first.body)
    two = adapter.verify_webhook(headers=again.headers, body=again.body)
    assert one.event_id == two.event_id
    assert (two.provider_ref, two.status) == ("pay-replay-01", "succeeded")


def test_refund_partial_then_full(adapter, fake):
    _paid(adapter, fake, "pay-refund-01", amount="100.00")
    first = adapter.refund(provider_ref="pay-refund-01", amount=Decimal("30.00"), currency="CNY",
                           idempotency_key="refund-1")
    assert first.startswith("50000")
    assert adapter.refund(provider_ref="pay-refund-01", amount=Decimal("30.00"), currency="CNY",
                          idempotency_key="refund-1") == first  # a repeat is the same refund, not another
    status = adapter.fetch_status(provider_ref="pay-refund-01")
    assert (status.status, status.amount_refunded) == ("partially_refunded", None)
    assert status.raw["trade_state"] == "REFUND"

    with pytest.raises(ProviderError, match="NOT_ENOUGH"):
        adapter.refund(provider_ref="pay-refund-01", amount=Decimal("70.01"), currency="CNY",
                       idempotency_key="refund-2")
    second = adapter.refund(provider_ref="pay-refund-01", amount=Decimal("70.00"), currency="CNY",
                            idempotency_key="refund-2")
    assert second != first
    assert fake.refunds["refund-2"]["status"] == "SUCCESS"
    # WeChat Pay's query says REFUND for partial and whole refunds alike (see the adapter's docstring)
    assert adapter.fetch_status(provider_ref="pay-refund-01").status == "partially_refunded"
    with pytest.raises(ProviderError, match="NOT_ENOUGH"):  # nothing left: all of it was returned
        adapter.refund(provider_ref="pay-refund-01", amount=Decimal("0.01"), currency="CNY",
                       idempotency_key="refund-3")


def test_an_unpaid_order_is_not_refunded(adapter, fake):
    _create(adapter, fake, "pay-unpaid-01")
    with pytest.raises(ProviderError, match="订单未支付"):
        adapter.refund(provider_ref="pay-unpaid-01", amount=Decimal("1.00"), currency="CNY", idempotency_key="r-u")


def test_the_fake_refuses_requests_not_signed_by_the_merchant(fake):
    other = new_key()
    wrong = wechatpay.build({**fake.credentials(), "private_key": pem_private(other)})
    with pytest.raises(ProviderError, match="SIGN_ERROR: 签名错误") as refused:
        _create(wrong, fake, "pay-wrongkey-1")
    assert refused.value.retryable is False
    assert "pay-wrongkey-1" not in fake.orders

    request = urllib.request.Request(f"{fake.url}/v3/pay/transactions/out-trade-no/x?mchid={fake.mchid}")  # noqa: S310
    with pytest.raises(urllib.error.HTTPError) as unsigned:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310 - the local fake
    assert unsigned.value.code == 401
    assert json.loads(unsigned.value.read())["code"] == "SIGN_ERROR"

    # a correct signature over another body: the fake checks the body too
    adapter = wechatpay.build(fake.credentials())
    url = f"{fake.url}/v3/pay/transactions/native"
    headers = {"Content-Type": "application/json", "Authorization": adapter.authorization("POST", url, "{}")}
    request = urllib.request.Request(url, data=b'{"appid":"x"}', headers=headers, method="POST")  # noqa: S310
    with pytest.raises(urllib.error.HTTPError) as altered:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310 - the local fake
    assert altered.value.code == 401


def test_an_answer_not_signed_by_the_platform_key_is_refused(fake):
    impostor = wechatpay.build({**fake.credentials(), "platform_public_key": pem_public(new_key().public_key())})
    with pytest.raises(ProviderError, match="not signed by WeChat Pay"):
        _create(impostor, fake, "pay-impostor-1")


def test_cny_only_and_whole_fen(adapter, fake):
    with pytest.raises(ProviderError, match="CNY only, not USD"):
        adapter.create(amount=Decimal("10"), currency="USD", description="x", idempotency_key="pay-usd-0001",
                       return_url=RETURN, notify_url=fake.url)
    for amount in ("0", "-1", "0.001", "NaN"):
        with pytest.raises(ProviderError, match="at most two decimals"):
            _create(adapter, fake, "pay-amount-01", amount=amount)
    with pytest.raises(ProviderError, match="not jsapi"):
        _create(adapter, fake, "pay-jsapi-001", method="jsapi")


def test_network_failure_and_outage_are_retryable(fake):
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{spare.getsockname()[1]}"
    offline = wechatpay.build({**fake.credentials(), "api_base": closed})
    with pytest.raises(ProviderError, match="did not answer") as unreachable:
        offline.fetch_status(provider_ref="pay-any-00001")
    assert unreachable.value.retryable is True

    fake.down = True
    try:
        with pytest.raises(ProviderError, match="SYSTEM_ERROR") as down:
            wechatpay.build(fake.credentials()).fetch_status(provider_ref="pay-any-00001")
    finally:
        fake.down = False
    assert down.value.retryable is True


def test_incomplete_credentials_are_refused(fake):
    with pytest.raises(ProviderError, match="apiv3_key"):
        wechatpay.build({**fake.credentials(), "apiv3_key": ""})
    with pytest.raises(ProviderError, match="32 characters"):
        wechatpay.build({**fake.credentials(), "apiv3_key": "short"})
    with pytest.raises(ProviderError, match="not an RSA private key"):
        wechatpay.build({**fake.credentials(), "private_key": "nonsense"})
    names = [name for name, _label, _secret in wechatpay.CREDENTIAL_FIELDS]
    assert [name for name, _label, secret in wechatpay.CREDENTIAL_FIELDS if secret] == ["private_key", "apiv3_key"]
    assert set(names) <= set(fake.credentials())


def test_start_for_a_process_keeps_its_keys(tmp_path):
    from tenant_apps.finance.payments.fakes import wechatpay_fake

    keys = str(tmp_path / "wechatpay-keys.json")
    url = wechatpay_fake.start(0, keys_path=keys)
    credentials = wechatpay_fake.running(url).credentials()
    wechatpay_fake.running(url).stop()
    again = wechatpay_fake.start(0, keys_path=keys)  # a restart: the brand's stored credentials still work
    try:
        adapter = wechatpay.build({**credentials, "api_base": again})
        checkout = adapter.create(amount=Decimal("1.00"), currency="CNY", description="x",
                                  idempotency_key="pay-restart",
                                  return_url=RETURN, notify_url=f"{again}/_fake/sink")
        assert adapter.fetch_status(provider_ref=checkout.provider_ref).status == "pending"
    finally:
        wechatpay_fake.running(again).stop()


def test_notifications_reach_a_brand_host_under_localhost_and_may_go_from_a_thread():
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from tenant_apps.finance.payments.fakes._server import http_sender

    seen, arrived = [], threading.Event()

    class Endpoint(BaseHTTPRequestHandler):
        def log_message(self, *_args):
            return

        def do_POST(self):  # noqa: N802 - http.server's naming
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append((self.path, self.headers["Host"]))
            self.send_response(204)
            self.end_headers()

    server = HTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        url = f"http://acme.localhost:{port}/finance/payments/webhook/wechatpay/"
        assert http_sender(url, b"{}", {"Content-Type": "application/json"}) == 204  # on 127.0.0.1, Host kept
        assert seen == [("/finance/payments/webhook/wechatpay/", f"acme.localhost:{port}")]

        def sender(url, body, headers):
            arrived.set()
            return 200

        with FakeWeChatPay(delivery="background", sender=sender) as fake:
            adapter = wechatpay.build(fake.credentials())
            checkout = adapter.create(amount=Decimal("1.00"), currency="CNY", description="x",
                                      idempotency_key="pay-background", return_url=RETURN, notify_url=url)
            fake.pay(checkout.provider_ref)
            assert arrived.wait(5)
    finally:
        server.shutdown()
        server.server_close()
