"""Fulfilment services: allocation, shipments from two warehouses, tracking by hand, receipt, auto-complete,
returns with stock back in. State is built through the real services; stock is checked against the ledger."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tenant_apps.audit.models import AuditEntry
from tenant_apps.fulfillment import selectors, services
from tenant_apps.fulfillment.errors import FulfillmentConflict, FulfillmentInvalid
from tenant_apps.fulfillment.models import ReturnStatus, ShipmentStatus
from tenant_apps.inventory.models import Stock, StockMovement
from tenant_apps.inventory.selectors import ledger_mismatches
from tenant_apps.ordering.lifecycle import IllegalOrderTransition, order_transition
from tenant_apps.ordering.models import OrderEvent, OrderingSettings, OrderLine, OrderReservation, OrderStatus
from tests.fulfillment.conftest import ship_everything


def _stock(store, sku, warehouse) -> tuple[int, int]:
    row = Stock.objects.get(sku=sku, warehouse=warehouse)
    return row.on_hand, row.reserved


def test_allocation_gives_picking_lists_per_warehouse(store, people, allocated):
    assert allocated.status == OrderStatus.ALLOCATED
    lists = selectors.picking_lists(allocated)
    assert [(p.warehouse.code, [(r.line.sku.code, r.to_pick) for r in p.rows]) for p in lists] == [
        ("E", [("RB-250", 100), ("RB-330", 10)]), ("W", [("RB-250", 20)])]
    with pytest.raises(IllegalOrderTransition):
        services.order_allocate(actor=people.warehouse, order=allocated)


def test_partial_shipments_from_two_warehouses_then_the_rest(store, people, allocated, carrier):
    red_bull = OrderLine.objects.get(order=allocated, sku=store.sku)
    # Shanghai ships 60 of its 100 red bull first.
    first = services.shipment_create(actor=people.warehouse, order=allocated, warehouse_id=store.east.pk,
                                     lines={red_bull.pk: 60})
    assert first.number == f"{allocated.number}-S1" and first.status == ShipmentStatus.PICKING
    # While picked, the 60 are no longer offered for another shipment; stock has not moved yet.
    east = next(p for p in selectors.picking_lists(allocated) if p.warehouse == store.east)
    assert [(r.line.sku.code, r.in_picking, r.to_pick) for r in east.rows] == [("RB-250", 60, 40), ("RB-330", 0, 10)]
    assert _stock(store, store.sku, store.east) == (100, 100)
    services.shipment_ship(actor=people.warehouse, shipment=first, carrier=carrier.pk, tracking_number="SF001")
    allocated.refresh_from_db()
    assert allocated.status == OrderStatus.PARTIALLY_SHIPPED
    assert _stock(store, store.sku, store.east) == (40, 40)
    # Chengdu ships its 20.
    second = services.shipment_create(actor=people.warehouse, order=allocated, warehouse_id=store.west.pk)
    services.shipment_ship(actor=people.warehouse, shipment=second)
    allocated.refresh_from_db()
    assert allocated.status == OrderStatus.PARTIALLY_SHIPPED
    assert _stock(store, store.sku, store.west) == (30, 0)
    # The rest of Shanghai: the order is shipped.
    third = services.shipment_create(actor=people.warehouse, order=allocated, warehouse_id=store.east.pk)
    assert {line.order_line.sku_id: line.quantity for line in third.lines.select_related("order_line")} == {
        store.sku.pk: 40, store.water.pk: 10}
    services.shipment_ship(actor=people.warehouse, shipment=third, carrier=carrier, tracking_number="SF003")
    allocated.refresh_from_db()
    assert allocated.status == OrderStatus.SHIPPED
    assert _stock(store, store.sku, store.east) == (0, 0)
    assert _stock(store, store.water, store.east) == (90, 0)
    assert _stock(store, store.water, store.west) == (50, 0)
    lines = {line.sku_id: (line.reserved_base, line.shipped_base) for line in OrderLine.objects.filter(order=allocated)}
    assert lines == {store.sku.pk: (0, 120), store.water.pk: (0, 10)}
    assert not OrderReservation.objects.filter(order=allocated, quantity__gt=0).exists()
    assert StockMovement.objects.filter(kind="shipment", reference__startswith=allocated.number).count() == 4
    assert ledger_mismatches() == []
    assert [e.to_status for e in OrderEvent.objects.filter(order=allocated, kind="transition")][-3:] == [
        "partially_shipped", "partially_shipped", "shipped"]
    assert OrderEvent.objects.filter(order=allocated, kind="shipment").count() == 6  # picked and left, x3
    assert AuditEntry.objects.filter(action="fulfillment.shipment.shipped").count() == 3
    # Nothing more to ship; shipping again is refused.
    with pytest.raises(FulfillmentConflict):
        services.shipment_ship(actor=people.warehouse, shipment=third)


def test_shipment_quantities_are_checked_before_anything_is_written(store, people, allocated):
    red_bull = OrderLine.objects.get(order=allocated, sku=store.sku)
    with pytest.raises(FulfillmentInvalid) as bad:
        services.shipment_create(actor=people.warehouse, order=allocated, warehouse_id=store.west.pk,
                                 lines={red_bull.pk: 21})
    assert bad.value.fields == {"lines.1.quantity": ["Enter a whole number from 0 to 20."]}
    with pytest.raises(FulfillmentInvalid) as bad:
        services.shipment_create(actor=people.warehouse, order=allocated, warehouse_id=store.west.pk,
                                 lines={red_bull.pk: 0})
    assert "lines" in bad.value.fields
    assert not allocated.shipments.exists()


def test_a_carrier_needs_a_tracking_number_and_an_unallocated_order_cannot_ship(store, people, order, carrier):
    with pytest.raises(FulfillmentConflict):
        services.shipment_create(actor=people.warehouse, order=order, warehouse_id=store.east.pk)
    services.order_allocate(actor=people.warehouse, order=order)
    shipment = services.shipment_create(actor=people.warehouse, order=order, warehouse_id=store.west.pk)
    with pytest.raises(FulfillmentInvalid) as bad:
        services.shipment_ship(actor=people.warehouse, shipment=shipment, carrier=carrier, tracking_number=" ")
    assert list(bad.value.fields) == ["tracking_number"]
    assert _stock(store, store.sku, store.west) == (50, 20)


def test_cancelling_a_picked_shipment_puts_its_quantities_back_to_waiting(store, people, allocated):
    shipment = services.shipment_create(actor=people.warehouse, order=allocated, warehouse_id=store.west.pk)
    services.shipment_cancel(actor=people.warehouse, shipment=shipment)
    west = next(p for p in selectors.picking_lists(allocated) if p.warehouse == store.west)
    assert [r.to_pick for r in west.rows] == [20]


def test_a_shipment_after_a_cancelled_one_gets_a_number_of_its_own(store, people, allocated):
    west = services.shipment_create(actor=people.warehouse, order=allocated, warehouse_id=store.west.pk)
    east = services.shipment_create(actor=people.warehouse, order=allocated, warehouse_id=store.east.pk)
    services.shipment_cancel(actor=people.warehouse, shipment=west)
    again = services.shipment_create(actor=people.warehouse, order=allocated, warehouse_id=store.west.pk)
    assert (east.number, again.number) == (f"{allocated.number}-S2", f"{allocated.number}-S3")


def test_allocating_a_backorder_reserves_its_stock_or_refuses_whole(store, people, order):
    # Pretend the lines were never reserved (a backorder): allocation reserves them now.
    from tenant_apps.inventory.services import Allocation, stock_release_allocations

    held = list(OrderReservation.objects.filter(order=order))
    stock_release_allocations(actor=None, allocations=[Allocation(
        r.sku_id, r.warehouse_id, Stock.objects.get(sku_id=r.sku_id, warehouse_id=r.warehouse_id).pk, r.quantity)
        for r in held], reference="test")
    OrderReservation.objects.filter(order=order).delete()
    OrderLine.objects.filter(order=order).update(reserved_base=0)
    services.order_allocate(actor=people.warehouse, order=order)
    assert sorted(OrderReservation.objects.filter(order=order).values_list("warehouse__code", "quantity")) == [
        ("E", 10), ("E", 100), ("W", 20)]
    assert ledger_mismatches() == []


def test_tracking_by_hand_delivers_and_the_dealer_confirmation_completes(store, people, allocated):
    shipments = ship_everything(allocated, people)
    assert allocated.status == OrderStatus.SHIPPED
    services.tracking_event_add(actor=people.warehouse, shipment=shipments[0], status="in_transit", location="上海")
    shipments[0].refresh_from_db()
    assert shipments[0].status == ShipmentStatus.IN_TRANSIT
    services.tracking_event_add(actor=people.warehouse, shipment=shipments[0], status="delivered")
    allocated.refresh_from_db()
    assert allocated.status == OrderStatus.SHIPPED  # the other shipment is still under way
    done = services.order_receipt_confirm(actor=store.buyer, order=allocated)
    assert done.status == OrderStatus.COMPLETED and done.closed_at is not None
    assert all(s.status == ShipmentStatus.DELIVERED for s in allocated.shipments.all())
    assert [e.to_status for e in OrderEvent.objects.filter(order=allocated, kind="transition")][-2:] == [
        "delivered", "completed"]
    with pytest.raises(IllegalOrderTransition):
        services.order_receipt_confirm(actor=store.buyer, order=allocated)


def test_receipt_cannot_be_confirmed_before_everything_shipped(store, people, allocated):
    shipment = services.shipment_create(actor=people.warehouse, order=allocated, warehouse_id=store.west.pk)
    services.shipment_ship(actor=people.warehouse, shipment=shipment)
    with pytest.raises(IllegalOrderTransition) as illegal:
        services.order_receipt_confirm(actor=store.buyer, order=allocated)
    assert illegal.value.status == 409 and "Partially shipped" in illegal.value.detail


def test_auto_complete_after_the_configured_days_once(store, people, allocated):
    OrderingSettings.objects.all().delete()
    OrderingSettings.objects.create(auto_complete_days=7)
    for shipment in ship_everything(allocated, people):
        services.tracking_event_add(actor=people.warehouse, shipment=shipment, status="delivered")
    allocated.refresh_from_db()
    assert allocated.status == OrderStatus.DELIVERED
    now = timezone.now()
    assert services.orders_auto_complete(now=now + timedelta(days=6)) == 0
    from tenants.tasks import for_each_tenant

    OrderEvent.objects.filter(order=allocated, to_status="delivered").update(at=now - timedelta(days=8))
    # The beat entry's task: run in each active tenant's schema (in-process without a broker).
    assert for_each_tenant("fulfillment.tasks.orders_auto_complete") >= 2
    allocated.refresh_from_db()
    assert allocated.status == OrderStatus.COMPLETED
    assert services.orders_auto_complete() == 0  # idempotent
    last = OrderEvent.objects.filter(order=allocated, kind="transition").last()
    assert last.to_status == "completed" and last.data == {"auto": True}


def test_return_flow_puts_stock_back_through_the_ledger(store, people, allocated):
    ship_everything(allocated, people)
    red_bull = OrderLine.objects.get(order=allocated, sku=store.sku)
    rma = services.return_request_create(actor=store.buyer, order=allocated, reason_code="damaged",
                                         reason_text="5 罐破损", lines={red_bull.pk: 5})
    assert rma.number == f"{allocated.number}-R1" and rma.status == ReturnStatus.REQUESTED
    with pytest.raises(FulfillmentConflict):
        services.return_receive(actor=people.warehouse, rma=rma)  # not approved yet
    with pytest.raises(FulfillmentInvalid):
        services.return_decide(actor=people.sales, rma=rma, approve=False, note="")
    services.return_decide(actor=people.sales, rma=rma, approve=True, note="ok")
    services.return_receive(actor=people.warehouse, rma=rma)
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.RECEIVED and rma.warehouse == store.east
    assert OrderLine.objects.get(pk=red_bull.pk).returned_base == 5
    assert _stock(store, store.sku, store.east) == (5, 0)
    movement = StockMovement.objects.get(kind="return")
    assert (movement.on_hand_delta, movement.reference) == (5, rma.number)
    assert ledger_mismatches() == []
    assert list(AuditEntry.objects.filter(action__startswith="fulfillment.return.").values_list(
        "action", flat=True).order_by("id")) == ["fulfillment.return.requested", "fulfillment.return.approved",
                                                 "fulfillment.return.received"]
    assert OrderEvent.objects.filter(order=allocated, kind="return").count() == 3
    from tenant_apps.events.models import OutboxEvent

    assert list(OutboxEvent.objects.filter(subject_type="return", subject_id=str(rma.pk)).values_list(
        "kind", "dealer_id").order_by("id")) == [("return.requested", allocated.dealer_id),
                                                 ("return.received", allocated.dealer_id)]


def test_over_return_is_refused_counting_open_requests(store, people, allocated):
    ship_everything(allocated, people)
    red_bull = OrderLine.objects.get(order=allocated, sku=store.sku)
    services.return_request_create(actor=store.buyer, order=allocated, reason_code="surplus", lines={red_bull.pk: 100})
    with pytest.raises(FulfillmentInvalid) as bad:
        services.return_request_create(actor=store.buyer, order=allocated, reason_code="surplus",
                                       lines={red_bull.pk: 21})
    assert bad.value.status == 400
    assert bad.value.fields["lines.1.quantity"][0].startswith("At most 20 can be returned")
    rejected = services.return_request_create(actor=store.buyer, order=allocated, reason_code="surplus",
                                              lines={red_bull.pk: 20})
    services.return_decide(actor=people.owner, rma=rejected, approve=False, note="过期不退")
    # A rejected request frees its quantity again.
    assert [r.returnable for r in selectors.returnable_lines(allocated)] == [20, 10]


def test_nothing_shipped_nothing_to_return(store, people, allocated):
    with pytest.raises(FulfillmentConflict):
        services.return_request_create(actor=store.buyer, order=allocated, reason_code="other", reason_text="x",
                                       lines={})


def test_a_cancelled_order_after_allocation_releases_what_was_not_picked(store, people, allocated):
    order_transition(actor=people.owner, order=allocated, action="cancel", reason="dealer changed mind")
    assert _stock(store, store.sku, store.east) == (100, 0)
    assert ledger_mismatches() == []
