"""Changing an order before the warehouse has it: stock, promotions and the approval chain follow."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tenant_apps.inventory import selectors as stock_selectors
from tenant_apps.inventory.models import Stock
from tenant_apps.ordering import lifecycle, submission
from tenant_apps.ordering.models import OrderLine
from tenant_apps.ordering.submission import SubmitLine, order_revise, order_submit
from tenant_apps.promotions import services as promo
from tenant_apps.promotions.models import Promotion, PromotionUsage


def _reserved(store):
    return sum(Stock.objects.filter(sku=store.sku).values_list("reserved", flat=True))


@pytest.fixture
def spring(store):
    """满 300 减 30, with a budget."""
    promotion = promo.promotion_create(actor=None, code="MJ", name="满300减30", kind="threshold",
                                       rule={"steps": [{"threshold": "300", "off": "30"}]},
                                       starts_at=timezone.now() - timedelta(days=1), budget=Decimal("1000"))
    return promo.promotion_publish(actor=None, promotion=promotion)


def test_an_approved_order_changed_is_re_reserved_re_priced_and_approved_again(store, spring):
    order = order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(store.sku.pk, None, 80)]).order
    assert (order.status, order.total, _reserved(store)) == ("approved", Decimal("370.00"), 80)  # 400 - 30
    revised = order_revise(actor=store.buyer, order=order, lines=[SubmitLine(store.sku.pk, None, 40),
                                                                  SubmitLine(store.water.pk, None, 5)])
    assert revised.revision == 2 and revised.status == "approved"  # no workflow: approved again at once
    assert [(line.sku_id, line.quantity) for line in OrderLine.objects.filter(order=order)] == [
        (store.sku.pk, 40), (store.water.pk, 5)]
    assert revised.total == Decimal("230.00")  # 40 x 5.00 + 5 x 6.00 = 230 < 300: no 满减 any more
    assert _reserved(store) == 40 and stock_selectors.ledger_mismatches() == []
    assert Promotion.objects.get(pk=spring.pk).budget_used == Decimal("0")  # its 30 given back
    assert not PromotionUsage.objects.filter(order_ref=order.number).exists()
    messages = [e.message for e in order.events.all()]
    assert any("revision 2" in message for message in messages)


def test_a_shipped_order_cannot_be_changed(store):
    order = order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(store.sku.pk, None, 10)]).order
    for action in ("allocate", "ship_all"):
        lifecycle.order_transition(actor=None, order=order, action=action)
    with pytest.raises(lifecycle.IllegalOrderTransition) as refused:
        order_revise(actor=store.buyer, order=order, lines=[SubmitLine(store.sku.pk, None, 5)])
    assert refused.value.status == 409
    assert OrderLine.objects.get(order=order).quantity == 10


def test_a_change_that_cannot_be_reserved_changes_nothing(store):
    order = order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(store.sku.pk, None, 10)]).order
    with pytest.raises(submission.StockShort):
        order_revise(actor=store.buyer, order=order, lines=[SubmitLine(store.sku.pk, None, 999)])
    order.refresh_from_db()
    assert (order.status, order.revision, _reserved(store)) == ("approved", 1, 10)
    assert OrderLine.objects.get(order=order).quantity == 10


def test_cancelling_gives_the_promotion_budget_back(store, spring):
    order = order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(store.sku.pk, None, 80)]).order
    assert Promotion.objects.get(pk=spring.pk).budget_used == Decimal("30.00")
    lifecycle.order_cancel(actor=store.buyer, order=order, reason="ordered twice")
    assert Promotion.objects.get(pk=spring.pk).budget_used == Decimal("0")


def test_changing_an_order_in_approval_starts_the_chain_again_for_the_new_revision(store):
    from tenant_apps.approvals.models import ApprovalStatus, OrderApproval
    from tenant_apps.approvals.services import StepSpec, workflow_create

    workflow_create(actor=None, name="HQ", steps=[StepSpec(name="总部审批", approver_roles=["admin"], scope="hq")])
    order = order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(store.sku.pk, None, 10)]).order
    assert order.status == "in_approval"
    revised = order_revise(actor=store.buyer, order=order, lines=[SubmitLine(store.sku.pk, None, 20)])
    assert (revised.status, revised.revision) == ("in_approval", 2)
    waiting = OrderApproval.objects.filter(order=order, status=ApprovalStatus.PENDING)
    assert [(a.revision, a.step.name) for a in waiting] == [(2, "总部审批")]
    assert not OrderApproval.objects.filter(order=order, revision=1, status=ApprovalStatus.PENDING).exists()


def test_the_dealer_changes_an_order_on_the_storefront(store, tenant_a, in_tenant):
    from tests.conftest import host_client
    from tests.factories import DEFAULT_PASSWORD

    order = order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(store.sku.pk, None, 10),
                                                                        SubmitLine(store.water.pk, None, 4)]).order
    sku_line, water_line = OrderLine.objects.filter(order=order).order_by("line_no")
    client = host_client("acme.localhost")
    client.post("/accounts/login/", {"username": store.buyer.email, "password": DEFAULT_PASSWORD})
    assert 'id="edit"' in client.get(f"/orders/{order.pk}/").content.decode()
    bad = client.post(f"/orders/{order.pk}/edit/", {f"quantity-{sku_line.pk}": "-2", f"quantity-{water_line.pk}": "4"})
    assert bad.status_code == 400  # nothing changed
    done = client.post(f"/orders/{order.pk}/edit/", {f"quantity-{sku_line.pk}": "12", f"quantity-{water_line.pk}": "0"})
    assert done.status_code == 302
    with in_tenant(tenant_a):
        assert list(OrderLine.objects.filter(order=order).values_list("sku_id", "quantity")) == [(store.sku.pk, 12)]
