"""What the services record: one entry per submitted order (with the order, whichever way it is written), one
compact entry per cart operation, exports, and the entries' dealer for the reader's scope."""

from __future__ import annotations

from decimal import Decimal

from django.test.utils import override_settings

from tenant_apps.audit.models import AuditEntry
from tenant_apps.dealers.transfer import dealers_export
from tenant_apps.ordering import quick
from tenant_apps.ordering import services as cart
from tenant_apps.ordering.models import OrderingSettings
from tenant_apps.ordering.submission import SubmitLine, order_submit


def _entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_a_submitted_order_records_one_entry_with_its_dealer_and_total(store):
    lines = [SubmitLine(store.sku.pk, store.can.pk, 30), SubmitLine(store.water.pk, store.can.pk, 2)]
    order = order_submit(actor=store.buyer, dealer=store.dealer, lines=lines, idempotency_key="a-1").order
    order_submit(actor=store.buyer, dealer=store.dealer, lines=lines, idempotency_key="a-1")  # replayed: none
    [entry] = _entries("ordering.order.submitted")
    assert (entry.target_type, entry.target_id, entry.dealer_id) == (
        "ordering.order", str(order.pk), store.dealer.pk)
    assert (entry.actor_id, entry.actor_label) == (store.buyer.pk, store.buyer.email)
    assert entry.before == {"status": "draft"}
    assert entry.after == {"status": "submitted", "total": "162.00", "lines": 2, "revision": 1}
    assert order.total == Decimal("162.00")


@override_settings(ORDERING_ONE_STATEMENT=False)
def test_step_by_step_submission_records_the_same_entry(store):
    lines = [SubmitLine(store.sku.pk, None, 5)]
    order = order_submit(actor=store.buyer, dealer=store.dealer, lines=lines).order
    assert [(e.target_id, e.dealer_id, e.after["lines"]) for e in _entries("ordering.order.submitted")] == [
        (str(order.pk), store.dealer.pk, 1)]


def test_a_backorder_is_an_order_of_its_own_with_its_own_entry(store):
    OrderingSettings.objects.create(shortage_policy="backorder")
    result = order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(store.sku.pk, None, 160)])
    assert sorted(e.target_id for e in _entries("ordering.order.submitted")) == sorted(
        [str(result.order.pk), str(result.backorder.pk)])


def test_cart_operations_are_one_entry_each(store):
    before = AuditEntry.objects.count()
    cart.cart_line_set(actor=store.buyer, dealer=store.dealer, sku_id=store.sku.pk, unit_id=store.can.pk,
                       quantity=3)
    cart.cart_line_set(actor=store.buyer, dealer=store.dealer, sku_id=store.sku.pk, unit_id=store.can.pk,
                       quantity=5)
    quick.cart_quick_add(actor=store.buyer, dealer=store.dealer, text="RB-330 x 4\nRB-250 x 1")
    cart.cart_clear(actor=store.buyer, dealer=store.dealer)
    entries = list(AuditEntry.objects.order_by("id")[before:])
    assert [(e.action, e.before, e.after) for e in entries] == [
        ("ordering.cart.line_set", {"sku": store.sku.pk, "unit": store.can.pk, "quantity": 0},
         {"sku": store.sku.pk, "unit": store.can.pk, "quantity": 3}),
        ("ordering.cart.line_set", {"sku": store.sku.pk, "unit": store.can.pk, "quantity": 3},
         {"sku": store.sku.pk, "unit": store.can.pk, "quantity": 5}),
        ("ordering.cart.lines_pasted", {}, {"created": 1, "updated": 1, "lines": [
            [store.water.pk, store.can.pk, 4], [store.sku.pk, store.can.pk, 6]]}),
        ("ordering.cart.cleared", {"lines": 2, "coupon_codes": []}, {"lines": 0, "coupon_codes": []}),
    ]
    assert {e.dealer_id for e in entries} == {store.dealer.pk}


def test_an_export_is_recorded_with_whether_it_held_bank_accounts(net, api_client, in_a):
    owner = api_client("owner").user
    with in_a():
        dealers_export(actor=owner, fmt="csv")
        [entry] = _entries("dealers.dealer.exported")
    assert (entry.actor_label, entry.target_type, entry.after["rows"], entry.after["bank_accounts"]) == (
        owner.email, "dealers.dealer", 3, True)
