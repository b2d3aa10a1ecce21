"""A backorder waits in "submitted" until the brand sends it through approval from the order page."""

from tenant_apps.ordering.models import Order, OrderingSettings
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD


def test_a_backorder_waits_then_the_brand_starts_its_approval(store, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        OrderingSettings.objects.create(shortage_policy="backorder")
        backorder = order_submit(actor=store.buyer, dealer=store.dealer,
                                 lines=[SubmitLine(store.sku.pk, None, 160)]).backorder
        assert backorder.status == "submitted"
    owner = host_client("acme.localhost")
    owner.post("/accounts/login/", {"username": "owner@acme.test", "password": DEFAULT_PASSWORD})
    page = owner.get(f"/console/orders/{backorder.pk}/")
    assert 'id="start-approval"' in page.content.decode()
    owner.post(f"/console/orders/{backorder.pk}/start-approval/")
    with in_tenant(tenant_a):
        assert Order.objects.get(pk=backorder.pk).status == "approved"  # no workflow applies: approved at once


def test_dealers_and_read_only_staff_cannot_start_an_approval(store, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        OrderingSettings.objects.create(shortage_policy="backorder")
        backorder = order_submit(actor=store.buyer, dealer=store.dealer,
                                 lines=[SubmitLine(store.sku.pk, None, 160)]).backorder
    buyer = host_client("acme.localhost")
    buyer.post("/accounts/login/", {"username": store.buyer.email, "password": DEFAULT_PASSWORD})
    assert buyer.post(f"/console/orders/{backorder.pk}/start-approval/").status_code == 403
    with in_tenant(tenant_a):
        assert Order.objects.get(pk=backorder.pk).status == "submitted"
