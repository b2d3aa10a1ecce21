"""Chinese invoices (发票): the taxpayer ID's check character, a request made on the console page and issued by the
e-invoicing provider (the local fake provider on 127.0.0.1, reached over HTTP as a real one would be), the provider
down and the retry, duplicates, a special invoice's required details, hostile input, and who may use the page."""

from __future__ import annotations

import socket
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from billing_saas import fapiao
from billing_saas.errors import InvoiceAlreadyRequested, InvoiceRequestInvalid
from billing_saas.fapiao_fake import FakeFapiaoProvider
from billing_saas.models import InvoiceRequest, PrepaidPayment, Subscription, SubscriptionChange
from billing_saas.selectors import prepaid_ref
from billing_saas.services import prepaid_payment_create, prepaid_payment_succeeded
from billing_saas.services_fapiao import invoice_request_create, invoice_request_issue, invoice_requests_retry
from tenants.models import TenantStatusChange
from tests.conftest import OWNERS, host_client
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.factories.billing import on_plan

PAGE = "/console/billing/fapiao/"
# real unified social credit codes (published on business licences), and the GB 32100-2015 example
VALID = ["91350100M000100Y43", "9144030071526726XG", "914403001922038216", "91330100799655058B",
         "91110000100017643K"]
TENCENT = "9144030071526726XG"


# --- the taxpayer ID ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("tax_id", VALID)
def test_real_taxpayer_ids_pass_the_check_character(tax_id):
    assert fapiao.tax_id_valid(tax_id)
    assert fapiao.tax_id_check_character(tax_id[:17]) == tax_id[17]
    assert fapiao.tax_id_errors(tax_id) == []


@pytest.mark.parametrize(("typed", "message"), [
    ("9144030071526726XH", "mistyped"),  # last character wrong
    ("9144030017526726XG", "mistyped"),  # two digits swapped
    ("9144030071526726X", "has 18 characters; this has 17"),
    ("9144030071526726XGG", "has 18 characters; this has 19"),
    ("914403007152672IXG", "other than I, O, S, V and Z"),  # I is not in the set
    ("91440300715267260Z", "other than I, O, S, V and Z"),
    ("", "Enter the buyer's taxpayer ID"),
])
def test_a_mistyped_taxpayer_id_is_refused_saying_why(typed, message):
    assert not fapiao.tax_id_valid(typed)
    assert message in fapiao.tax_id_errors(typed)[0]


def test_a_taxpayer_id_is_read_as_people_type_it():
    # lower case, spaces, dashes and full-width characters (a Chinese input method) are the same ID
    for typed in ("9144 0300 7152 6726 xg", "91440300-71526726-XG", "９１４４０３００７１５２６７２６ＸＧ"):
        assert fapiao.tax_id_normalize(typed) == TENCENT


# --- fixtures ----------------------------------------------------------------------------------------------------
@pytest.fixture
def provider(settings):
    """The e-invoicing provider: the local fake on a loopback port, with an API key, configured as a real one."""
    fake = FakeFapiaoProvider(api_key="test-fapiao-key").start()
    settings.FAPIAO_API_BASE, settings.FAPIAO_API_KEY = fake.url, fake.api_key
    settings.FAPIAO_LOCAL_FAKE, settings.FAPIAO_TIMEOUT = False, 3.0
    yield fake
    fake.stop()


def _paid(tenant, periods: int = 1) -> PrepaidPayment:
    """A prepaid period of acme's plan paid by Alipay, through the services."""
    subscription = Subscription.objects.get(tenant=tenant)
    payment = prepaid_payment_create(actor=None, subscription=subscription, method="alipay", periods=periods)
    return prepaid_payment_succeeded(actor="stripe", payment=payment)


@pytest.fixture
def payment(tenant_a) -> PrepaidPayment:
    on_plan(tenant_a, "starter")  # a month of Starter: ¥1,999
    return _paid(tenant_a)


def signed_in(host: str, email: str, language: str = "en"):
    client = host_client(host, language)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    assert client.post("/accounts/login/", {"username": email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


@pytest.fixture
def owner(tenant_a):
    return signed_in("acme.localhost", OWNERS["acme"])


def _form(payment, **changes) -> dict:
    data = {"payment_ref": prepaid_ref(payment) if payment else "", "kind": "ordinary",
            "title": "深圳市腾讯计算机系统有限公司", "tax_id": "9144 0300 7152 6726 xg", "address_phone": "",
            "bank_account": "", "email": "ap@tencent.test"}
    return {**data, **changes}


def _requests() -> list[tuple]:
    return list(InvoiceRequest.objects.order_by("pk").values_list("status", "number", "error"))


def _history(subscription_id: int) -> list[str]:
    return list(SubscriptionChange.objects.filter(subscription_id=subscription_id, action__startswith="billing.invoice")
                .order_by("id").values_list("action", flat=True))


# --- through the page --------------------------------------------------------------------------------------------
def test_the_owner_requests_an_invoice_and_the_provider_issues_it(owner, payment, provider,
                                                                   django_capture_on_commit_callbacks):
    page = owner.get(PAGE)
    assert page.status_code == 200
    assert [value for value, _label in page.context["form"].fields["payment_ref"].choices] == [prepaid_ref(payment)]
    assert "1,999.00" in page.content.decode()  # the payment offered, with its amount
    with django_capture_on_commit_callbacks(execute=True):
        sent = owner.post(PAGE, _form(payment))
    assert (sent.status_code, sent["Location"]) == (302, PAGE)
    request = InvoiceRequest.objects.get()
    number = next(iter(provider.issued.values()))
    assert (request.status, request.number, request.error, request.tax_id, request.amount, request.currency) == (
        "issued", number, "", TENCENT, Decimal("1999.00"), "CNY")
    assert len(number) == 20 and request.issued_at is not None
    # what the provider was asked, over HTTP with the key (a wrong key is a 401 there)
    [asked] = provider.received
    assert (asked["title"], asked["tax_id"], asked["amount"], asked["currency"], asked["kind"]) == (
        "深圳市腾讯计算机系统有限公司", TENCENT, "1999.00", "CNY", "ordinary")
    assert asked["items"] == [{"name": "*信息技术服务*订货平台订阅服务费（Starter）", "amount": "1999.00",
                               "tax_rate": "0.06"}]
    # the page lists it with its number; the payment is no longer offered
    listed = owner.get(PAGE)
    assert number in listed.content.decode() and 'data-status="issued"' in listed.content.decode()
    assert listed.context["has_payments"] is False
    # the subscription's history and the tenant's own (the operator's log) hold both steps, with who
    assert _history(request.subscription_id) == ["billing.invoice.requested", "billing.invoice.issued"]
    actors = list(TenantStatusChange.objects.filter(tenant__slug="acme", action__startswith="billing.invoice")
                  .order_by("id").values_list("action", "actor"))
    assert actors == [("billing.invoice.requested", OWNERS["acme"]), ("billing.invoice.issued", "system")]


def test_the_bank_account_is_encrypted_at_rest(payment, provider):
    request = invoice_request_create(
        actor=None, subscription=payment.subscription, payment_ref=prepaid_ref(payment), amount=payment.amount,
        currency="CNY", kind="special", title="Acme", tax_id=TENCENT, address_phone="深圳市南山区 0755-86013388",
        bank_account="招商银行深圳分行 755900000000001", email="ap@acme.test")
    with connection.cursor() as cursor:
        cursor.execute("SELECT bank_account FROM billing_saas_invoicerequest WHERE id = %s", [request.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("v1:") and "755900000000001" not in stored
    assert InvoiceRequest.objects.get(pk=request.pk).bank_account == "招商银行深圳分行 755900000000001"


def test_provider_down_the_request_waits_with_the_reason_then_the_retry_issues_it(
        owner, payment, provider, django_capture_on_commit_callbacks):
    provider.down = True
    with django_capture_on_commit_callbacks(execute=True):
        assert owner.post(PAGE, _form(payment)).status_code == 302
    [(status, number, error)] = _requests()
    assert (status, number) == ("requested", "")
    assert error == "The invoicing service could not issue now (service unavailable)."
    listed = owner.get(PAGE).content.decode()
    assert "it is tried again automatically" in listed and 'data-status="requested"' in listed
    # still down: the retry records nothing new
    later = timezone.now() + timedelta(minutes=5)
    assert invoice_requests_retry(now=later) == {"issued": 0, "failed": 0, "waiting": 1}
    provider.down = False
    assert invoice_requests_retry(now=later) == {"issued": 1, "failed": 0, "waiting": 0}
    [(status, number, error)] = _requests()
    assert (status, error) == ("issued", "") and number == next(iter(provider.issued.values()))
    # once issued, a retry asks nothing more
    asked = len(provider.received)
    assert invoice_requests_retry(now=later) == {"issued": 0, "failed": 0, "waiting": 0}
    assert len(provider.received) == asked
    request = InvoiceRequest.objects.get()
    assert _history(request.subscription_id) == [
        "billing.invoice.requested", "billing.invoice.waiting", "billing.invoice.issued"]


def test_a_provider_that_does_not_listen_or_is_not_set_up_leaves_the_request_waiting(payment, settings):
    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings.FAPIAO_API_BASE, settings.FAPIAO_LOCAL_FAKE = f"http://127.0.0.1:{port}", False
    request = invoice_request_create(
        actor=None, subscription=payment.subscription, payment_ref=prepaid_ref(payment), amount=payment.amount,
        currency="CNY", kind="ordinary", title="Acme", tax_id=TENCENT, email="ap@acme.test")
    issued = invoice_request_issue(request=request)
    assert issued.status == "requested" and issued.error.startswith("The invoicing service did not answer")
    settings.FAPIAO_API_BASE = ""
    issued = invoice_request_issue(request=request)
    assert (issued.status, issued.error) == ("requested",
                                             "No invoicing service is set up yet; the request waits for it.")


def test_a_refused_invoice_fails_with_the_providers_reason_and_may_be_requested_again(
        owner, payment, provider, django_capture_on_commit_callbacks):
    provider.refusing = "购买方名称与税号不一致"
    with django_capture_on_commit_callbacks(execute=True):
        assert owner.post(PAGE, _form(payment, title="腾讯")).status_code == 302
    assert _requests() == [("failed", "", "购买方名称与税号不一致")]
    page = owner.get(PAGE)
    assert "购买方名称与税号不一致" in page.content.decode()
    assert [value for value, _ in page.context["form"].fields["payment_ref"].choices] == [prepaid_ref(payment)]
    provider.refusing = ""
    with django_capture_on_commit_callbacks(execute=True):
        assert owner.post(PAGE, _form(payment)).status_code == 302
    assert [status for status, _number, _error in _requests()] == ["failed", "issued"]


def test_a_second_request_for_the_same_payment_is_refused(owner, payment, provider, tenant_a,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert owner.post(PAGE, _form(payment)).status_code == 302
    # the page no longer offers the payment: posting it anyway is a field error
    again = owner.post(PAGE, _form(payment))
    assert again.status_code == 400
    assert list(again.context["form"].errors) == ["payment_ref"]
    # the service refuses it too, whoever calls it
    with pytest.raises(InvoiceAlreadyRequested) as refused:
        invoice_request_create(
            actor=None, subscription=payment.subscription, payment_ref=prepaid_ref(payment), amount=payment.amount,
            currency="CNY", kind="ordinary", title="Acme", tax_id=TENCENT, email="ap@acme.test")
    assert refused.value.fields == {"payment_ref": ["An invoice has already been requested for this payment."]}
    assert InvoiceRequest.objects.count() == 1


def test_a_special_invoice_without_address_and_bank_is_refused_field_by_field(owner, payment, provider):
    response = owner.post(PAGE, _form(payment, kind="special"))
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "address_phone": ["A special invoice needs the buyer's registered address and phone."],
        "bank_account": ["A special invoice needs the buyer's bank and account number."]}
    assert "A special invoice needs the buyer&#x27;s bank and account number." in response.content.decode()
    assert InvoiceRequest.objects.count() == 0 and provider.received == []


def test_a_mistyped_taxpayer_id_is_a_field_error_in_the_form(owner, payment, provider):
    response = owner.post(PAGE, _form(payment, tax_id="9144030071526726XH"))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["tax_id"]
    assert "mistyped" in response.context["form"].errors["tax_id"][0]
    assert InvoiceRequest.objects.count() == 0


def test_the_service_checks_the_payment_it_is_told_of(payment, tenant_b):
    base = {"actor": None, "kind": "ordinary", "title": "Acme", "tax_id": TENCENT, "email": "ap@acme.test"}
    other = Subscription.objects.get(tenant=tenant_b)
    cases = [
        # another tenant's subscription does not own acme's payment
        ({"subscription": other, "payment_ref": prepaid_ref(payment), "amount": payment.amount, "currency": "CNY"},
         {"payment_ref": ["Choose a payment of yours that has been paid."]}),
        # the amount is the payment's
        ({"subscription": payment.subscription, "payment_ref": prepaid_ref(payment), "amount": "1.00",
          "currency": "CNY"}, {"payment_ref": ["Choose a payment of yours that has been paid."]}),
        ({"subscription": payment.subscription, "payment_ref": "in_123", "amount": "-5", "currency": "CNY"},
         {"payment_ref": ["Enter an amount above zero with at most two decimals."]}),
        ({"subscription": payment.subscription, "payment_ref": "in_123", "amount": "NaN", "currency": "CNY"},
         {"payment_ref": ["Enter an amount above zero with at most two decimals."]}),
        ({"subscription": payment.subscription, "payment_ref": "in_123", "amount": "99.00", "currency": "USD"},
         {"payment_ref": ["A fapiao is issued for payments in yuan (CNY)."]}),
    ]
    for arguments, fields in cases:
        with pytest.raises(InvoiceRequestInvalid) as refused:
            invoice_request_create(**base, **arguments)
        assert refused.value.fields == fields
    assert InvoiceRequest.objects.count() == 0


LONG = "发" * 10_000
HOSTILE = [
    {"title": LONG}, {"tax_id": LONG}, {"address_phone": LONG}, {"bank_account": LONG}, {"email": LONG + "@x.test"},
    {"payment_ref": LONG}, {"kind": LONG}, {"payment_ref": "prepaid:99999999999999999999"},
    {"payment_ref": "prepaid:-1"}, {"kind": "special\u202e"}, {"title": "Acme\x01\x02"},
    {"title": "Acme\x00"}, {"tax_id": "９１４４０３００７１５２６７２６ＸＧ\x00"},
    {"email": "ap@tencent.test\r\nBcc: x@evil.test"}, {"title": "<script>alert(1)</script>", "kind": "special"},
]


@pytest.mark.parametrize("changes", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_is_a_4xx_with_nothing_written(owner, payment, provider, changes):
    response = owner.post(PAGE, _form(payment, **changes))
    assert response.status_code == 400
    assert InvoiceRequest.objects.count() == 0 and provider.received == []
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_bytes_that_are_not_utf8_are_a_4xx(owner, payment, provider):
    body = "payment_ref=prepaid%3A1&kind=ordinary&title=%FF%FE%C0%AF&tax_id=%80&email=a%40b.test"
    response = owner.post(PAGE, body, content_type="application/x-www-form-urlencoded")
    assert 400 <= response.status_code < 500
    assert InvoiceRequest.objects.count() == 0


def test_the_page_in_chinese(tenant_a, payment, provider):
    owner = signed_in("acme.localhost", OWNERS["acme"], "zh-hans")
    text = owner.get(PAGE).content.decode()
    assert "申请发票" in text and "统一社会信用代码" in text and "支付宝" in text
    response = owner.post(PAGE, _form(payment, kind="special"))
    assert "开具专用发票需要填写购买方的地址和电话。" in response.content.decode()


# --- who may use it ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["admin", "finance", "sales_rep", "analyst", "dealer_owner"])
def test_only_the_owner_may_open_the_page(tenant_a, in_tenant, payment, role):
    with in_tenant(tenant_a):
        UserFactory(email=f"{role}@acme.test", role=role)
    client = signed_in("acme.localhost", f"{role}@acme.test")
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, _form(payment)).status_code == 403
    assert InvoiceRequest.objects.count() == 0
    anonymous = host_client("acme.localhost").get(PAGE)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_another_brands_owner_sees_none_of_acmes_invoices_or_payments(tenant_b, payment, provider,
                                                                       django_capture_on_commit_callbacks):
    invoice_request_create(
        actor=None, subscription=payment.subscription, payment_ref=prepaid_ref(payment), amount=payment.amount,
        currency="CNY", kind="ordinary", title="Acme 饮料集团", tax_id=TENCENT, email="ap@acme.test")
    globex = signed_in("globex.localhost", OWNERS["globex"])
    page = globex.get(PAGE)
    assert page.status_code == 200 and page.context["rows"] == [] and page.context["has_payments"] is False
    assert "Acme 饮料集团" not in page.content.decode()
    # acme's payment posted on globex's host is not globex's to invoice
    response = globex.post(PAGE, _form(payment))
    assert response.status_code == 400 and list(response.context["form"].errors) == ["payment_ref"]
    assert InvoiceRequest.objects.count() == 1


def test_a_paid_stripe_invoice_is_offered_and_invoiced_with_its_amount(owner, subscription_a, stripe_fake, provider,
                                                                       django_capture_on_commit_callbacks):
    """The card's invoices are read from Stripe (the fake Stripe of tests/billing/conftest.py): a paid one is offered
    with Stripe's id and amount, and invoiced as any payment."""
    from billing_saas import stripe_gateway
    from billing_saas.models import Plan
    from billing_saas.stripe_fake import CARD_OK
    from tests.billing.conftest import hosted_post

    url = stripe_gateway.checkout_url(subscription=subscription_a, plan=Plan.objects.get(code="growth"),
                                      interval="month", success_url="http://acme.localhost/console/billing/",
                                      cancel_url="http://acme.localhost/console/billing/")
    assert hosted_post(url, {"action": "pay", "card": CARD_OK})[0] == 303
    stripe_fake.deliver()
    subscription_a.refresh_from_db()
    [paid] = [i for i in stripe_gateway.invoices(subscription=subscription_a) if i["status"] == "paid"]
    page = owner.get(PAGE)
    assert [value for value, _label in page.context["form"].fields["payment_ref"].choices] == [paid["id"]]
    with django_capture_on_commit_callbacks(execute=True):
        assert owner.post(PAGE, {**_form(None), "payment_ref": paid["id"]}).status_code == 302
    request = InvoiceRequest.objects.get()
    assert (request.payment_ref, request.amount, request.currency, request.status) == (
        paid["id"], Decimal("6999.00"), "CNY", "issued")
    # Stripe out of reach: the page says so and still answers
    stripe_fake.stop()
    again = owner.get(PAGE)
    assert again.status_code == 200 and 'id="fapiao-card-problem"' in again.content.decode()
