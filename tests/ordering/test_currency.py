"""Money in the brand's own currency, end to end: a brand that signs up in USD prices, quotes, orders, approves,
ships and exports in USD ("$" in English, "US$" in Chinese; "USD" in the API and the exports), a price list in
another currency is not used for its dealers, and the CNY brand (acme) keeps its ¥."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django_tenants.utils import tenant_context
from rest_framework.authtoken.models import Token

from tenant_apps.accounts.models import User
from tenant_apps.approvals import services as approvals
from tenant_apps.approvals.models import ApprovalWorkflow
from tenant_apps.core.money import tenant_currency
from tenant_apps.ordering.models import Order, OrderStatus
from tenant_apps.pricing import services as pricing
from tenant_apps.pricing.models import PriceList, PurchaseRecord
from tenant_apps.pricing.quote_types import CartLine
from tenant_apps.promotions import services as promotions
from tenant_apps.quoting.quote import quote_cart
from tenants.models import Tenant
from tests.conftest import fresh, host_client, rolled_back
from tests.factories import DEFAULT_PASSWORD
from tests.ordering.conftest import make_store

HOST = "dollar.localhost"
OWNER = "owner@dollar.test"


def _login(email: str, language: str = "en", host: str = HOST):
    """Signed in, reading `language` as chosen by the switch (the owner's sign-up language would win otherwise)."""
    client = host_client(host, language=language)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    assert client.post("/accounts/login/", {"username": email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


@pytest.fixture(scope="module")
def _usd(django_db_setup, django_db_blocker):
    """Made once for the module, inside a transaction rolled back at its end, schema included (each test runs in
    a savepoint rolled back after it: tests/conftest.py `rolled_back`)."""
    with rolled_back(django_db_blocker):
        with translation.override("en"):
            made = _usd_make(host_client("localhost"))
            connection.check_constraints()  # once, not again at the end of every test (tests/conftest.building_in)
        connection.set_schema_to_public()
        yield made


@pytest.fixture
def usd(_usd, db):
    with tenant_context(_usd.tenant):
        return fresh(_usd)


def _usd_make(public_client):
    """A brand that signs up in USD on the public sign-up page, its workspace then built through the services: a
    dealer, SKUs priced in its base list (the list's currency is the brand's: nobody said USD), stock, a USD
    promotion (spend $50: $5 off) and an approval step for orders from $20."""
    signed_up = public_client.post("/signup/", {  # on growth: its API is used by token (a growth feature)
        "company_name": "Dollar Drinks", "slug": "dollar", "owner_name": "Dana", "email": OWNER,
        "password": DEFAULT_PASSWORD, "locale": "en", "currency": "USD", "plan": "growth"})
    assert signed_up.status_code == 302
    tenant = Tenant.objects.get(slug="dollar")
    with tenant_context(tenant):
        # the workspace's defaults are in the brand's currency
        assert list(PriceList.objects.values_list("code", "currency")) == [("DEFAULT", "USD")]
        assert list(ApprovalWorkflow.objects.values_list("currency", flat=True)) == ["USD"]
        store = make_store()
        owner = User.objects.get(email=OWNER)
        approvals.workflow_create(actor=owner, name="Orders from $20", priority=1, min_total=Decimal("20"), steps=[
            approvals.StepSpec(name="Confirm", approver_roles=["owner"], scope="hq")])
        promotion = promotions.promotion_create(
            actor=owner, code="SPEND50", name="Spend $50", kind="threshold",
            rule={"steps": [{"threshold": "50", "off": "5"}]}, starts_at=timezone.now() - timedelta(days=1))
        promotions.promotion_publish(actor=owner, promotion=promotion)
        store.token = Token.objects.create(user=store.buyer).key
    store.tenant = tenant
    return store


def test_a_usd_brand_prices_orders_approves_and_exports_in_usd(usd):
    tenant = usd.tenant
    with tenant_context(tenant):
        assert tenant_currency() == "USD"
        assert (usd.base.currency, PriceList.objects.get(code="DEFAULT").currency) == ("USD", "USD")
        # A cheaper list for this dealer in another currency: not the dealer's ordering currency, never used.
        cny = pricing.price_list_create(actor=None, code="DEALER-CNY", name="RMB list", kind="dealer",
                                        dealer=usd.dealer, currency="CNY", status="active")
        pricing.price_entry_set(actor=None, price_list=cny, sku=usd.sku, unit=usd.can, price="1.00")

    buyer = host_client(HOST, HTTP_AUTHORIZATION=f"Token {usd.token}")
    added = buyer.post("/api/v1/cart/lines/", {"sku": usd.sku.pk, "unit": usd.case.pk, "quantity": 1},
                       content_type="application/json").json()
    # 24 cans at $5.00 from the USD base list (not $1.00 from the CNY list), $5 off the $120
    assert (added["quote"]["currency"], added["quote"]["subtotal"], added["quote"]["total"]) == ("USD", "120.00",
                                                                                                 "115.00")
    assert "$5.00" in added["quote"]["promotions"][0]["explanation"]

    cart_en = _login(usd.buyer.email).get("/cart/").content.decode()
    assert "$115.00" in cart_en and "$120.00" in cart_en and "¥" not in cart_en
    cart_zh = _login(usd.buyer.email, "zh-hans").get("/cart/").content.decode()
    assert "US$115.00" in cart_zh and "¥" not in cart_zh

    submitted = buyer.post("/api/v1/orders/", {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="usd-1")
    assert submitted.status_code == 201, submitted.content
    body = submitted.json()
    assert (body["currency"], body["total"], body["status"]) == ("USD", "115.00", "in_approval")
    with tenant_context(tenant):
        order = Order.objects.get(pk=body["id"])
        assert (order.currency, order.total) == ("USD", Decimal("115.00"))
        assert list(PurchaseRecord.objects.filter(reference=order.number).values_list("currency", flat=True)) == [
            "USD"]
    assert buyer.get(f"/api/v1/orders/{order.pk}/").json()["currency"] == "USD"
    dealer_page = _login(usd.buyer.email).get(f"/orders/{order.pk}/").content.decode()
    assert "$115.00" in dealer_page and "¥" not in dealer_page

    owner = _login(OWNER)
    owner_token = _owner_token(tenant)
    inbox = host_client(HOST, HTTP_AUTHORIZATION=f"Token {owner_token}").get("/api/v1/approvals/inbox/").json()
    assert [(row["number"], row["currency"], row["total"]) for row in inbox["results"]] == [
        (order.number, "USD", "115.00")]
    approval_page = owner.get(f"/console/approvals/orders/{order.pk}/").content.decode()
    assert "$115.00" in approval_page and "¥" not in approval_page
    approval_zh = _login(OWNER, "zh-hans").get(f"/console/approvals/orders/{order.pk}/").content.decode()
    assert "US$115.00" in approval_zh and "¥" not in approval_zh
    assert owner.post(f"/console/approvals/orders/{order.pk}/approve/").status_code == 302
    with tenant_context(tenant):
        assert Order.objects.get(pk=order.pk).status == OrderStatus.APPROVED

    for path in ("/console/orders/", f"/console/orders/{order.pk}/", "/console/fulfillment/"):
        page = owner.get(path).content.decode()
        assert "$115.00" in page and "¥" not in page, path
    prices = owner.get("/console/pricing/export/", {"format": "csv"}).content.decode("utf-8-sig").splitlines()
    assert prices[0] == "list_code,sku_code,unit_code,min_quantity,price,currency"
    assert "BASE,RB-250,CAN,1,5.00,USD" in prices and "DEALER-CNY,RB-250,CAN,1,1.00,CNY" in prices
    lists = host_client(HOST, HTTP_AUTHORIZATION=f"Token {owner_token}").get("/api/v1/pricing/lists/").json()
    assert {row["code"]: row["currency"] for row in lists["results"]} == {
        "BASE": "USD", "DEFAULT": "USD", "DEALER-CNY": "CNY"}


def _owner_token(tenant) -> str:
    with tenant_context(tenant):
        return Token.objects.get_or_create(user=User.objects.get(email=OWNER))[0].key


def test_a_usd_brands_writes_default_to_its_currency_and_quotes_cost_no_more_queries(usd, count_queries):
    with tenant_context(usd.tenant):
        owner = User.objects.get(email=OWNER)
        made = promotions.promotion_create(actor=owner, code="PCT", name="5%", kind="percent",
                                           rule={"percent": "5"}, starts_at=timezone.now())
        window = pricing.protection_window_create(actor=owner, name="Protect", starts_on=timezone.localdate(),
                                                  ends_on=timezone.localdate())
        resale = pricing.resale_price_set(actor=owner, sku=usd.sku, price="7.00")
        rule = approvals.auto_rule_create(actor=owner, name="Small", max_total="10")
        assert [made.currency, window.currency, resale.currency, rule.currency] == ["USD"] * 4
        one, three = ([CartLine(sku_id=usd.sku.pk, unit_id=usd.can.pk, quantity=n + 1) for n in range(count)]
                      for count in (1, 3))
        with count_queries() as small:
            assert quote_cart(dealer=usd.dealer, lines=one).currency == "USD"
        with count_queries() as large:
            assert quote_cart(dealer=usd.dealer, lines=three).currency == "USD"
        assert len(small.sql) == len(large.sql) == 4
        # a write that forgets its currency is refused by the database, never stored without one
        with pytest.raises(IntegrityError), transaction.atomic():
            PriceList.objects.create(code="NONE", name="no currency", kind="base")


def test_the_cny_brand_keeps_its_yuan(store, tenant_a, in_tenant):
    store.fill((store.sku, store.case, 1))
    with in_tenant(tenant_a):
        assert (tenant_currency(), store.base.currency) == ("CNY", "CNY")
    zh = _login(store.buyer.email, "zh-hans", host="acme.localhost").get("/cart/").content.decode()
    assert "¥120.00" in zh and "US$" not in zh
    en = _login(store.buyer.email, host="acme.localhost").get("/cart/").content.decode()
    assert "CN¥120.00" in en
    with in_tenant(tenant_a):
        from tenant_apps.ordering.submission import order_submit

        order = order_submit(actor=store.buyer, dealer=store.dealer, lines=None).order
        assert (order.currency, order.total) == ("CNY", Decimal("120.00"))
