"""The Alipay adapter against the local fake of Alipay's gateway, over real HTTP, both sides signing RSA2 as Alipay
documents (no database)."""

from __future__ import annotations

import json
import socket
import urllib.request
from decimal import Decimal
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import pytest

from tenant_apps.finance.payments import alipay, registry, services
from tenant_apps.finance.payments.base import ProviderError, WebhookRefused
from tenant_apps.finance.payments.fakes._server import new_key, pem_private, pem_public, rsa_sign
from tenant_apps.finance.payments.fakes.alipay_fake import FakeAlipay
from tests.finance.hosted import hosted_get, hosted_post

RETURN = "https://acme.example/account/finance/payments/7/"


@pytest.fixture(scope="module")
def fake():
    with FakeAlipay() as running:
        yield running


@pytest.fixture
def adapter(fake):
    return registry.adapter_for("alipay", fake.credentials())


def _create(adapter, fake, key, *, amount="88.00", method="page"):
    return adapter.create(amount=Decimal(amount), currency="CNY", description="订货单 SO-1", idempotency_key=key,
                          return_url=RETURN, notify_url=f"{fake.url}/_fake/sink", method=method)


def _cashier(fake, checkout) -> str:
    """What the payer's browser does with the checkout: open the link (a signed cashier link is redirected to the
    cashier page, where the trade is made) and land on the page with Pay / Decline."""
    with urllib.request.urlopen(fake.cashier_url(checkout), timeout=10) as response:  # noqa: S310 - the local fake
        assert 'value="pay"' in response.read().decode()
        return response.geturl()


def _paid(adapter, fake, key, *, amount="88.00", method="page"):
    checkout = _create(adapter, fake, key, amount=amount, method=method)
    status, location = hosted_post(_cashier(fake, checkout), {"action": "pay"})
    assert status == 303 and location.startswith(RETURN)
    return checkout


def _event(adapter, notification):
    return adapter.verify_webhook(headers=notification.headers, body=notification.body)


def test_page_pay_returns_and_is_notified(adapter, fake):
    checkout = _create(adapter, fake, "pay_page_001")
    assert checkout.provider_ref == "pay_page_001" and checkout.qr_code == ""
    link = urlsplit(checkout.redirect_url)
    assert f"{link.scheme}://{link.netloc}{link.path}" == f"{fake.url}/gateway.do"
    params = {k: v[0] for k, v in parse_qs(link.query).items()}
    assert params["method"] == "alipay.trade.page.pay" and params["sign_type"] == "RSA2"
    assert json.loads(params["biz_content"]) == {"out_trade_no": "pay_page_001", "total_amount": "88.00",
                                                 "subject": "订货单 SO-1", "product_code": "FAST_INSTANT_TRADE_PAY"}
    assert adapter.fetch_status(provider_ref="pay_page_001").status == "pending"  # the cashier not opened yet

    cashier = _cashier(fake, checkout)
    assert adapter.fetch_status(provider_ref="pay_page_001").raw["trade_status"] == "WAIT_BUYER_PAY"
    status, location = hosted_post(cashier, {"action": "pay"})
    assert status == 303
    back = dict(parse_qsl(urlsplit(location).query))
    assert location.startswith(RETURN + "?")
    assert (back["method"], back["out_trade_no"], back["total_amount"]) == (
        "alipay.trade.page.pay.return", "pay_page_001", "88.00")

    sent = fake.notifications[-1]
    assert sent.status == 200
    event = _event(adapter, sent)
    assert (event.provider_ref, event.status, event.amount_refunded) == ("pay_page_001", "succeeded", None)
    assert event.event_id == event.raw["notify_id"]
    assert event.raw["trade_status"] == "TRADE_SUCCESS"
    assert adapter.fetch_status(provider_ref="pay_page_001").status == "succeeded"


def test_wap_pay(adapter, fake):
    checkout = _paid(adapter, fake, "pay_wap_0001", method="wap")
    params = {k: v[0] for k, v in parse_qs(urlsplit(checkout.redirect_url).query).items()}
    assert params["method"] == "alipay.trade.wap.pay"
    assert json.loads(params["biz_content"])["quit_url"] == RETURN
    assert _event(adapter, fake.notifications[-1]).status == "succeeded"


def test_precreate_gives_a_code_to_scan(adapter, fake):
    checkout = _create(adapter, fake, "pay_qr_00001", amount="12.30", method="qr")
    assert checkout.redirect_url == "" and checkout.qr_code.startswith(f"{fake.url}/cashier/")
    assert hosted_post(checkout.qr_code, {"action": "pay"}) == (200, "")  # scanned in the app: no page to return to
    event = _event(adapter, fake.notifications[-1])
    assert (event.provider_ref, event.status, event.raw["total_amount"]) == ("pay_qr_00001", "succeeded", "12.30")


def test_declined_payment_is_failed(adapter, fake):
    checkout = _create(adapter, fake, "pay_declined1")
    assert hosted_post(_cashier(fake, checkout), {"action": "decline"}) == (303, RETURN)
    event = _event(adapter, fake.notifications[-1])
    assert (event.provider_ref, event.status) == ("pay_declined1", "failed")
    assert adapter.fetch_status(provider_ref="pay_declined1").status == "failed"


def test_forged_or_altered_notifications_are_refused(adapter, fake):
    _paid(adapter, fake, "pay_forged_01")
    sent = fake.notifications[-1]
    assert _event(adapter, sent).status == "succeeded"
    params = dict(parse_qsl(sent.body.decode()))

    def body(**changes):
        return urlencode({**params, **changes}).encode()

    for altered in (body(total_amount="0.01"), body(trade_status="TRADE_CLOSED"), body(sign=""),
                    body(sign_type="RSA"), sent.body + b"&total_amount=0.01", b"\xff\xfe", b"",
                    urlencode({k: v for k, v in params.items() if k != "sign"}).encode()):
        with pytest.raises(WebhookRefused):
            adapter.verify_webhook(headers=sent.headers, body=altered)

    forger = new_key()  # signed for real, by another key than Alipay's
    forged = {k: v for k, v in params.items() if k != "sign"}
    forged["sign"] = rsa_sign(forger, alipay.Alipay.content(forged, leave=("sign", "sign_type")))
    with pytest.raises(WebhookRefused):
        adapter.verify_webhook(headers=sent.headers, body=urlencode(forged).encode())

    other_app, _headers = fake._signed_form({**{k: v for k, v in params.items() if k != "sign"},
                                              "app_id": "2021999999999999"})
    with pytest.raises(WebhookRefused, match="for another app"):  # Alipay's signature, another app's payment
        adapter.verify_webhook(headers=sent.headers, body=other_app)


def test_an_empty_parameter_is_part_of_what_a_notification_signs(adapter, fake):
    _paid(adapter, fake, "pay_empty_001")
    params = {k: v for k, v in parse_qsl(fake.notifications[-1].body.decode()) if k != "sign"}
    body, headers = fake._signed_form({**params, "passback_params": ""})
    assert adapter.verify_webhook(headers=headers, body=body).status == "succeeded"
    with pytest.raises(WebhookRefused):  # the empty parameter dropped after signing
        adapter.verify_webhook(headers=headers, body=body.replace(b"&passback_params=", b""))


def test_a_replayed_notification_has_the_same_event_id(adapter, fake):
    _paid(adapter, fake, "pay_replay_01")
    first = fake.notifications[-1]
    again = fake.resend_last()
    one, two = _event(adapter, first), _event(adapter, again)
    assert one.event_id == two.event_id
    assert (two.provider_ref, two.status) == ("pay_replay_01", "succeeded")


def test_refund_partial_then_full(adapter, fake):
    _paid(adapter, fake, "pay_refund_01", amount="100.00")
    request_no = adapter.refund(provider_ref="pay_refund_01", amount=Decimal("30.00"), currency="CNY",
                                idempotency_key="refund_1")
    assert request_no == "refund_1"
    partial = _event(adapter, fake.notifications[-1])
    assert (partial.status, partial.amount_refunded) == ("partially_refunded", Decimal("30.00"))
    assert partial.raw["out_biz_no"] == "refund_1"
    # Alipay's query has no refunded sum: the trade stays TRADE_SUCCESS until all of it is returned
    assert adapter.fetch_status(provider_ref="pay_refund_01").status == "succeeded"

    notified = len(fake.notifications)
    assert adapter.refund(provider_ref="pay_refund_01", amount=Decimal("30.00"), currency="CNY",
                          idempotency_key="refund_1") == "refund_1"  # a repeat: the same refund, no money moves
    assert len(fake.notifications) == notified
    assert fake.trades["pay_refund_01"]["refunded"] == Decimal("30.00")

    with pytest.raises(ProviderError, match="ACQ.REFUND_AMT_NOT_EQUAL_TOTAL") as refused:
        adapter.refund(provider_ref="pay_refund_01", amount=Decimal("70.01"), currency="CNY",
                       idempotency_key="refund_2")
    assert refused.value.retryable is False
    adapter.refund(provider_ref="pay_refund_01", amount=Decimal("70.00"), currency="CNY", idempotency_key="refund_2")
    whole = _event(adapter, fake.notifications[-1])
    assert (whole.status, whole.amount_refunded) == ("refunded", Decimal("100.00"))
    assert adapter.fetch_status(provider_ref="pay_refund_01").status == "refunded"


def test_an_unpaid_trade_is_not_refunded(adapter, fake):
    checkout = _create(adapter, fake, "pay_unpaid_01")
    _cashier(fake, checkout)
    with pytest.raises(ProviderError, match="ACQ.TRADE_STATUS_ERROR"):
        adapter.refund(provider_ref="pay_unpaid_01", amount=Decimal("1.00"), currency="CNY", idempotency_key="r_u")


def test_the_fake_refuses_requests_not_signed_by_the_app(fake):
    wrong = alipay.build({**fake.credentials(), "app_private_key": pem_private(new_key())})
    with pytest.raises(ProviderError, match="isv.invalid-signature") as refused:
        wrong.fetch_status(provider_ref="pay_any_0001")
    assert refused.value.retryable is False
    with pytest.raises(ProviderError, match="isv.invalid-signature"):
        _create(wrong, fake, "pay_wrongkey1", method="qr")
    assert fake.requests[-1] == ("alipay.trade.precreate", "isv.invalid-signature")

    # a cashier link signed by another key, or altered after signing, shows Alipay's error page
    status, page = hosted_get(_create(wrong, fake, "pay_wrongkey2").redirect_url)
    assert status == 400 and "isv.invalid-signature" in page
    honest = _create(alipay.build(fake.credentials()), fake, "pay_altered_1").redirect_url
    status, page = hosted_get(honest.replace("88.00", "0.01"))
    assert status == 400 and "isv.invalid-signature" in page
    assert "pay_altered_1" not in fake.trades and "pay_wrongkey2" not in fake.trades

    unsigned = urlencode({"app_id": fake.app_id, "method": "alipay.trade.query", "charset": "utf-8",
                          "sign_type": "RSA2", "timestamp": "2026-01-01 00:00:00", "version": "1.0",
                          "biz_content": "{}"}).encode()
    with urllib.request.urlopen(f"{fake.url}/gateway.do", data=unsigned, timeout=5) as response:  # noqa: S310
        answer = json.loads(response.read())
    assert answer["alipay_trade_query_response"]["sub_code"] == "isv.missing-signature"
    assert "sign" not in answer


def test_an_answer_not_signed_by_alipay_is_refused(fake):
    _create(alipay.build(fake.credentials()), fake, "pay_impostor1", method="qr")
    impostor = alipay.build({**fake.credentials(), "alipay_public_key": pem_public(new_key().public_key())})
    with pytest.raises(ProviderError, match="not signed by Alipay"):
        _create(impostor, fake, "pay_impostor1", method="qr")


def test_create_is_idempotent_by_key(adapter, fake):
    first = _create(adapter, fake, "pay_twice_001", method="qr")
    assert _create(adapter, fake, "pay_twice_001", method="qr").provider_ref == first.provider_ref
    hosted_get(first.qr_code)
    with pytest.raises(ProviderError, match="ACQ.CONTEXT_INCONSISTENT"):
        _create(adapter, fake, "pay_twice_001", amount="99.00", method="qr")
    odd = _create(adapter, fake, "order:42/payment 7 (retry)")
    assert len(odd.provider_ref) == 64 and odd.provider_ref.startswith("D")


def test_cny_only_and_two_decimals(adapter, fake):
    with pytest.raises(ProviderError, match="CNY only, not EUR"):
        adapter.create(amount=Decimal("10"), currency="EUR", description="x", idempotency_key="pay_eur",
                       return_url=RETURN, notify_url=fake.url)
    for amount in ("0", "-5", "1.005"):
        with pytest.raises(ProviderError, match="at most two decimals"):
            _create(adapter, fake, "pay_amount_1", amount=amount)
    params = parse_qs(urlsplit(_create(adapter, fake, "pay_amount_2", amount="7.5").redirect_url).query)
    assert json.loads(params["biz_content"][0])["total_amount"] == "7.50"
    with pytest.raises(ProviderError, match="not app"):
        _create(adapter, fake, "pay_app_0001", method="app")


def test_network_failure_and_outage_are_retryable(fake):
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{spare.getsockname()[1]}/gateway.do"
    with pytest.raises(ProviderError, match="did not answer") as unreachable:
        alipay.build({**fake.credentials(), "api_base": closed}).fetch_status(provider_ref="pay_any_0001")
    assert unreachable.value.retryable is True

    fake.down = True
    try:
        with pytest.raises(ProviderError, match="isp.unknow-error") as down:
            alipay.build(fake.credentials()).fetch_status(provider_ref="pay_any_0001")
    finally:
        fake.down = False
    assert down.value.retryable is True


def test_credentials(fake, settings):
    settings.ALIPAY_GATEWAY = ""  # no platform override: the brand's sandbox flag picks the gateway
    assert alipay.build({**fake.credentials(), "api_base": ""}).gateway == alipay.GATEWAY
    assert alipay.build({**fake.credentials(), "api_base": "", "sandbox": True}).gateway == alipay.SANDBOX_GATEWAY
    assert alipay.build({**fake.credentials(), "api_base": "", "sandbox": "false"}).gateway == alipay.GATEWAY
    with pytest.raises(ProviderError, match="app_private_key"):
        alipay.build({**fake.credentials(), "app_private_key": ""})
    with pytest.raises(ProviderError, match="not an RSA public key"):
        alipay.build({**fake.credentials(), "alipay_public_key": "MIIBI-not-a-key"})
    fields = services.credential_fields("alipay")  # tuples and CredentialFields alike
    assert [field.name for field in fields if field.secret] == ["app_private_key"]
    assert [(field.name, field.required) for field in fields if field.checkbox] == [("sandbox", False)]
    # the key as Alipay's console shows it: the base64 body alone, no PEM lines
    bare = "".join(line for line in fake.credentials()["alipay_public_key"].splitlines() if "-----" not in line)
    assert alipay.build({**fake.credentials(), "alipay_public_key": bare}).fetch_status(
        provider_ref="pay_nothing_1").status == "pending"


def test_start_for_a_process_keeps_its_keys(tmp_path):
    from tenant_apps.finance.payments.fakes import alipay_fake

    keys = str(tmp_path / "alipay-keys.json")
    url = alipay_fake.start(0, keys_path=keys)
    credentials = alipay_fake.running(url).credentials()
    alipay_fake.running(url).stop()
    again = alipay_fake.start(0, keys_path=keys)  # a restart: the brand's stored credentials still work
    try:
        adapter = alipay.build({**credentials, "api_base": f"{again}/gateway.do"})
        checkout = adapter.create(amount=Decimal("1.00"), currency="CNY", description="x",
                                  idempotency_key="pay_restart",
                                  return_url=RETURN, notify_url=f"{again}/_fake/sink", method="qr")
        assert checkout.qr_code.startswith(again)
    finally:
        alipay_fake.running(again).stop()
