"""An unpaid workspace: past due, the brand's staff see a banner with the date to pay by; read-only, every write is
refused with 402 (a page that says why, or JSON under /api/) but signing in and out and the plan pages, while every
page can still be read (dealers see their orders)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from billing_saas import services as billing
from tenant_apps.dealers.models import Dealer
from tests.billing.conftest import signed_in
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD
from tests.factories.ordering import store

HOST = "acme.localhost"



@pytest.fixture
def world(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        shop = store()
    return SimpleNamespace(tenant=tenant_a, shop=shop, owner=signed_in("owner@acme.test"),
                           buyer=signed_in(shop.buyer.email))


def _past_due(tenant):
    billing.subscription_payment_failed(actor=None, subscription=tenant.subscription, reason="card declined")
    tenant.refresh_from_db()
    return tenant.subscription


def _read_only(tenant):
    subscription = _past_due(tenant)
    billing.dunning_run(now=timezone.now() + timedelta(days=8))
    tenant.refresh_from_db()
    assert tenant.billing_state == "read_only"
    return subscription


def test_past_due_shows_the_staff_a_banner_with_the_date_to_pay_by(world):
    subscription = _past_due(world.tenant)
    assert world.tenant.billing_state == "past_due"
    subscription.refresh_from_db()
    pay_by = date_format(timezone.localtime(subscription.state_changed_at + timedelta(days=7)), "DATE_FORMAT")
    page = world.owner.get("/console/").content.decode()
    assert (f'Payment overdue: pay by {pay_by} to keep the workspace writable. <a href="/console/billing/">Pay now</a>'
            in page)
    assert 'id="billing-banner"' not in world.buyer.get("/orders/").content.decode()  # the brand's staff only
    # still writable
    assert world.owner.post("/console/network/dealers/new/", {
        "parent": world.shop.dealer.node.parent_id, "code": "SH-2", "legal_name": "二号经销商"}).status_code == 302


def test_read_only_refuses_writes_with_a_page_and_json_and_keeps_reading(world, in_tenant):
    _read_only(world.tenant)
    parent = world.shop.dealer.node.parent_id
    page = world.owner.post("/console/network/dealers/new/", {"parent": parent, "code": "SH-2",
                                                              "legal_name": "二号经销商"})
    assert page.status_code == 402
    html = page.content.decode()
    assert "This workspace is read-only" in html and 'href="/console/billing/"' in html
    assert "What you just sent was not saved." in html
    api = world.owner.post("/api/v1/dealers/", {"parent": parent, "code": "SH-2", "legal_name": "二号经销商"},
                           content_type="application/json")
    assert api.status_code == 402
    assert api.json()["code"] == "workspace_read_only" and "/console/billing/" in api.json()["detail"]
    order = world.buyer.post("/api/v1/orders/", {"lines": [{"sku": world.shop.sku.pk, "quantity": 1}]},
                             content_type="application/json")
    assert order.status_code == 402
    dealer_page = world.buyer.post("/cart/checkout/", {"action": "submit"})
    assert dealer_page.status_code == 402 and "The workspace owner can pay on the plan page" in \
        dealer_page.content.decode()
    with in_tenant(world.tenant):
        assert not Dealer.objects.filter(code="SH-2").exists()
    # reading goes on, with the banner
    orders = world.buyer.get("/orders/")
    assert orders.status_code == 200 and 'id="billing-banner"' in orders.content.decode()
    assert world.owner.get("/console/network/").status_code == 200
    assert world.buyer.get("/api/v1/orders/").status_code == 200


def test_read_only_still_signs_in_and_out_and_reaches_the_plan_pages(world):
    _read_only(world.tenant)
    fresh = host_client(HOST)
    assert fresh.post("/accounts/login/", {"username": "owner@acme.test",
                                           "password": DEFAULT_PASSWORD}).status_code == 302
    # the plan pages are not refused by the read-only switch (whatever they answer themselves)
    assert world.owner.post("/console/billing/", {}).status_code != 402
    assert world.owner.post("/console/billing/checkout/", {}).status_code != 402
    assert world.owner.post("/accounts/logout/", {"next": "/accounts/login/"}).status_code == 302
    api = host_client(HOST).post("/api/v1/auth/login/", {"email": "owner@acme.test", "password": DEFAULT_PASSWORD},
                                 content_type="application/json")
    assert api.status_code == 200


def test_paying_makes_the_workspace_writable_again(world):
    subscription = _read_only(world.tenant)
    now = timezone.now()
    billing.subscription_paid(actor=None, subscription=subscription, period_start=now,
                              period_end=now + timedelta(days=30), renewal="card")
    created = world.owner.post("/console/network/dealers/new/", {
        "parent": world.shop.dealer.node.parent_id, "code": "SH-2", "legal_name": "二号经销商"})
    assert created.status_code == 302
    assert 'id="billing-banner"' not in world.owner.get("/console/").content.decode()
