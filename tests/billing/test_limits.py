"""Every plan limit and feature switch, refused with its message through the API (the error shape: code, a detail
that says what and where to upgrade) and through the page (the message with a link to the plan page); usage
metered per resource and reported against the plan."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from billing_saas import services as billing
from billing_saas.models import Plan, Usage
from billing_saas.usage import usage_now, usage_report, usage_stored
from tenant_apps.catalog.models import ProductImage, Sku
from tenant_apps.catalog.transfer import catalog_import
from tenant_apps.dealers import services as dealer_services
from tenant_apps.dealers.models import Dealer
from tenant_apps.ordering.models import Order
from tests.billing.conftest import signed_in
from tests.conftest import host_client
from tests.factories import token_for
from tests.factories.ordering import store

HOST = "acme.localhost"
LINK = '<a class="upgrade-link" href="/console/billing/">See plans and upgrade</a>'


def _on_plan(tenant, **limits) -> Plan:
    """The workspace put on a small plan by the operator (the subscription, mirrored on the tenant row)."""
    plan = Plan.objects.create(code="tiny", name="Tiny", is_public=False, **limits)
    billing.subscription_plan_set(actor=None, subscription=tenant.subscription, plan=plan, reason="test")
    tenant.refresh_from_db()
    return plan



def _png(name: str = "a.png", size=(64, 48)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def world(tenant_a, in_tenant, media_root):
    with in_tenant(tenant_a):
        shop = store()
        used = usage_now()
    return SimpleNamespace(tenant=tenant_a, shop=shop, used=used, owner=signed_in(),
                           buyer=signed_in(shop.buyer.email))


def _refused(response, status: int, code: str, *words: str) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    for word in (*words, "/console/billing/"):
        assert word in body["detail"]
    return body["detail"]


# --- usage ---------------------------------------------------------------------------------------------------------


def test_usage_is_metered_per_resource_and_reported_against_the_plan(world, in_tenant):
    with in_tenant(world.tenant):
        assert world.used == {"dealers": 1, "users": 2, "skus": 2, "orders_month": 0, "storage_mb": 0}
        _on_plan(world.tenant, max_dealers=1, max_users=10, max_skus=2, max_storage_mb=100)
        rows = {row.resource: row for row in usage_report()}
    assert (rows["dealers"].used, rows["dealers"].limit, rows["dealers"].percent, rows["dealers"].near,
            rows["dealers"].over) == (1, 1, 100, True, False)
    assert (rows["users"].percent, rows["users"].near) == (20, False)
    assert (rows["orders_month"].limit, rows["orders_month"].percent, rows["orders_month"].near) == (None, None, False)
    assert str(rows["storage_mb"].label) == "MB of file storage"


def test_the_measurement_is_stored_for_the_operator(world, in_tenant):
    from billing_saas.tasks import usage_measure

    with in_tenant(world.tenant):
        usage_measure()
    assert usage_stored(world.tenant.pk) == world.used
    assert Usage.objects.get(tenant=world.tenant).measured_at is not None
    over = usage_report(usage={**world.used, "dealers": 3}, plan=Plan(code="x", max_dealers=2))
    assert [(row.resource, row.over) for row in over if row.over] == [("dealers", True)]


# --- each limit: API and page ----------------------------------------------------------------------------------------


def test_dealers_over_the_limit_are_refused_through_the_api_and_the_page(world, in_tenant):
    with in_tenant(world.tenant):
        _on_plan(world.tenant, max_dealers=world.used["dealers"])
        parent = world.shop.dealer.node.parent_id
    api = world.owner.post("/api/v1/dealers/", {"parent": parent, "code": "SH-9", "legal_name": "九号经销商"},
                           content_type="application/json")
    detail = _refused(api, 409, "plan_limit_reached", "Your plan allows 1 dealers; you have 1.")
    page = world.owner.post("/console/network/dealers/new/", {"parent": parent, "code": "SH-9",
                                                              "legal_name": "九号经销商"})
    assert page.status_code == 200
    html = page.content.decode()
    assert detail.replace("/console/billing/", LINK) in html
    with in_tenant(world.tenant):
        assert not Dealer.objects.filter(code="SH-9").exists()


def test_users_over_the_limit_are_refused_through_the_api_and_the_page(world, in_tenant):
    with in_tenant(world.tenant):
        _on_plan(world.tenant, max_users=world.used["users"])
    api = world.owner.post("/api/v1/invitations/", {"email": "rep@acme.test", "role": "sales_rep"},
                           content_type="application/json")
    detail = _refused(api, 409, "plan_limit_reached", "Your plan allows 2 users")
    page = world.owner.post("/accounts/people/", {"email": "rep@acme.test", "role": "sales_rep"})
    assert detail.replace("/console/billing/", LINK) in page.content.decode()


def test_skus_over_the_limit_are_refused_through_the_api_the_page_and_an_import(world, in_tenant):
    shop = world.shop
    with in_tenant(world.tenant):
        _on_plan(world.tenant, max_skus=world.used["skus"] + 1)
    api = world.owner.post("/api/v1/catalog/skus/", {"product": shop.sku.product_id, "code": "RB-500",
                                                     "name": "红牛 500ml", "base_unit": "CAN"},
                           content_type="application/json")
    assert api.status_code == 201, api.content  # the last one the plan allows
    again = world.owner.post("/api/v1/catalog/skus/", {"product": shop.sku.product_id, "code": "RB-600",
                                                       "name": "红牛 600ml", "base_unit": "CAN"},
                             content_type="application/json")
    detail = _refused(again, 409, "plan_limit_reached", "Your plan allows 3 SKUs; you have 3.")
    page = world.owner.post(f"/console/catalog/products/{shop.sku.product_id}/skus/new/", {
        "code": "RB-600", "name": "红牛 600ml", "base_unit": shop.can.pk, "min_order_qty": 1, "order_step": 1})
    assert detail.replace("/console/billing/", LINK) in page.content.decode()
    with in_tenant(world.tenant):
        # an import that would pass the limit: refused for the whole file, nothing written
        rows = "product_code,product_name,category_code,sku_code,sku_name,base_unit\n" + "".join(
            f"RB,红牛,DRINK,RB-{n},红牛 {n},CAN\n" for n in range(700, 702))
        result = catalog_import(actor=None, file=rows.encode(), filename="skus.csv")
        assert not result.applied
        assert [(error.row, error.message) for error in result.errors] == [(0, (
            "Your plan allows 3 SKUs; you have 3 and this would add 2. Upgrade the plan to add more: "
            "/console/billing/"))]
        assert Sku.objects.count() == 3


def test_orders_past_the_month_s_limit_are_refused_through_the_api_and_the_checkout(world, in_tenant):
    shop = world.shop
    with in_tenant(world.tenant):
        _on_plan(world.tenant, max_orders_month=1)
    lines = {"lines": [{"sku": shop.sku.pk, "quantity": 1}]}
    first = world.buyer.post("/api/v1/orders/", lines, content_type="application/json", HTTP_IDEMPOTENCY_KEY="o-1")
    assert first.status_code == 201, first.content
    second = world.buyer.post("/api/v1/orders/", lines, content_type="application/json", HTTP_IDEMPOTENCY_KEY="o-2")
    _refused(second, 409, "plan_limit_reached", "allows 1 orders a month, and 1 have been placed this month")
    # a repeat of the first request still gets its order back
    repeat = world.buyer.post("/api/v1/orders/", lines, content_type="application/json", HTTP_IDEMPOTENCY_KEY="o-1")
    assert repeat.status_code in (200, 201) and repeat.json()["id"] == first.json()["id"]
    assert world.buyer.post("/api/v1/cart/lines/", {"sku": shop.sku.pk, "quantity": 1},
                            content_type="application/json").status_code in (200, 201)
    page = world.buyer.post("/cart/checkout/", {"action": "submit"})
    html = page.content.decode()
    assert page.status_code == 409
    # a dealer cannot open the plan page: the sentence without the link
    assert ("Orders can be placed again from the 1st, or as soon as the brand upgrades its plan.</div>" in html)
    assert "upgrade-link" not in html
    with in_tenant(world.tenant):
        assert Order.objects.count() == 1


def test_the_order_count_costs_nothing_on_an_unlimited_plan(world, in_tenant, count_queries):
    from tenant_apps.ordering.submission import SubmitLine, order_submit

    shop = world.shop
    with in_tenant(world.tenant):
        order_submit(actor=shop.buyer, dealer=shop.dealer, lines=[SubmitLine(shop.sku.pk, None, 1)])
        with count_queries() as limited:
            order_submit(actor=shop.buyer, dealer=shop.dealer, lines=[SubmitLine(shop.sku.pk, None, 1)])
        _on_plan(world.tenant, max_orders_month=None)
        order_submit(actor=shop.buyer, dealer=shop.dealer, lines=[SubmitLine(shop.sku.pk, None, 1)])
        with count_queries() as unlimited:
            order_submit(actor=shop.buyer, dealer=shop.dealer, lines=[SubmitLine(shop.sku.pk, None, 1)])
    # the month's orders are counted inside the submission's context query, not by a query of their own
    assert len(limited.sql) == len(unlimited.sql)
    assert not any("count(*)" in sql.lower() for sql in limited.sql if "ordering_order" in sql.split("FROM")[-1])


def test_uploads_past_the_storage_limit_are_refused_through_the_api_and_the_page(world, in_tenant):
    shop = world.shop
    with in_tenant(world.tenant):
        _on_plan(world.tenant, max_storage_mb=0)
        licence = dealer_services.qualification_type_create(actor=None, code="FOOD", name="Food licence")
    api = world.owner.post(f"/api/v1/dealers/{shop.dealer.pk}/qualifications/", {"type": licence.code,
                                                                                  "file": _png("licence.png")})
    _refused(api, 409, "plan_limit_reached", "Your plan allows 0 MB of file storage")
    page = world.owner.post(f"/console/catalog/products/{shop.sku.product_id}/images/", {"images": [_png()]})
    assert page.status_code == 409 or page.status_code == 400
    html = page.content.decode()
    assert "Your plan allows 0 MB of file storage" in html and LINK in html
    logo = world.owner.post("/console/company/", {"display_name": "Acme", "primary_colour": "#1F6FEB",
                                                  "default_locale": "en", "logo": _png("logo.png")})
    assert "Your plan allows 0 MB of file storage" in logo.content.decode()
    with in_tenant(world.tenant):
        assert not ProductImage.objects.exists()
        assert usage_now()["storage_mb"] == 0


def test_storage_is_metered_from_the_workspace_s_files(world, in_tenant):
    from tenant_apps.catalog import services as catalog

    with in_tenant(world.tenant):
        catalog.product_image_add(actor=None, product=world.shop.sku.product, image=_png(size=(800, 600)))
        assert usage_now()["storage_mb"] == 1  # a few KB: whole MB, rounded up
        _on_plan(world.tenant, max_storage_mb=1)
        catalog.product_image_add(actor=None, product=world.shop.sku.product, image=_png(size=(80, 60)))
        assert ProductImage.objects.count() == 2


# --- features ------------------------------------------------------------------------------------------------------


def test_a_custom_domain_needs_a_plan_with_custom_domains(world, in_tenant):
    with in_tenant(world.tenant):
        _on_plan(world.tenant, features=["api_access"])
    page = world.owner.post("/console/domains/", {"domain": "order.acme-drinks.cn"})
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Custom domain is not in your plan. Upgrade the plan to use it: {LINK}" in html
    assert not world.tenant.domains.filter(domain="order.acme-drinks.cn").exists()


def test_api_tokens_need_a_plan_with_api_access_and_our_own_pages_keep_the_api(world, in_tenant):
    with in_tenant(world.tenant):
        key = token_for(world.shop.buyer)
        _on_plan(world.tenant, features=["custom_domain"])
    by_token = host_client(HOST, HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/orders/")
    _refused(by_token, 402, "feature_not_in_plan", "API access and webhooks is not in your plan")
    assert world.buyer.get("/api/v1/orders/").status_code == 200  # the session: our pages' API
    with in_tenant(world.tenant):
        billing.subscription_plan_set(actor=None, subscription=world.tenant.subscription,
                                      plan=Plan.objects.get(code="growth"), reason="test")
    assert host_client(HOST, HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/orders/").status_code == 200


def test_features_not_built_yet_can_ask_the_switch(world, in_tenant):
    from billing_saas.limits import feature_enabled

    with in_tenant(world.tenant):
        assert (feature_enabled("multi_tier"), feature_enabled("advanced_reports")) == (False, False)
        _on_plan(world.tenant, features=["multi_tier", "advanced_reports"])
        connection.tenant = world.tenant
        assert (feature_enabled("multi_tier"), feature_enabled("advanced_reports")) == (True, True)
