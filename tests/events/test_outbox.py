"""The outbox: an order's changes write their events in the same transaction (none when it rolls back), and the
relay hands committed events to each consumer once, in id order, and marks them relayed."""

import pytest
from django.db import transaction

from tenant_apps.events import registry
from tenant_apps.events.models import OutboxEvent
from tenant_apps.events.services import event_record, outbox_relay
from tenant_apps.ordering.lifecycle import order_cancel
from tests.factories import UserFactory
from tests.factories.ordering import OrderFactory
from tests.factories.ordering import store as make_store_for_tests


@pytest.fixture
def store(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        yield make_store_for_tests()


def test_an_order_writes_its_events_with_its_changes(store):
    owner = UserFactory(email="owner-ev@brand.test", role="owner")
    order = OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 2)])
    order_cancel(actor=owner, order=order, reason="changed my mind")
    events = list(OutboxEvent.objects.filter(subject_type="order", subject_id=str(order.pk)).order_by("id"))
    assert [event.kind for event in events] == ["order.submitted", "order.approved", "order.cancelled"]
    assert events[0].subject_ref == order.number and events[0].dealer_id == store.dealer.pk
    assert events[0].actor_id == store.buyer.pk and events[2].actor_id == owner.pk
    assert events[2].payload["reason"] == "changed my mind" and events[2].payload["to"] == "cancelled"


def test_a_transaction_that_rolls_back_emits_nothing(store):
    before = OutboxEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 1)])
        event_record(kind="stock.low", subject_id=store.sku.pk)
        assert OutboxEvent.objects.count() > before  # written inside...
        raise RuntimeError("the change fails")
    assert OutboxEvent.objects.count() == before  # ...and gone with the rollback


def test_the_relay_hands_each_event_once_in_order_and_marks_it(store):
    seen = []
    registry.consumer_register("test", lambda events: seen.extend(event.id for event in events))
    try:
        outbox_relay()
        seen.clear()
        first = event_record(kind="stock.low", subject_id=store.sku.pk)
        second = event_record(kind="promotion.published", subject_id=7)
        assert outbox_relay() == 2
        assert seen == [first.id, second.id]
        assert outbox_relay() == 0 and seen == [first.id, second.id]
        assert OutboxEvent.objects.filter(id__in=seen, relayed_at__isnull=True).count() == 0
    finally:
        registry._CONSUMERS.pop("test", None)
