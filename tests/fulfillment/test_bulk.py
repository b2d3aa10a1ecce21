"""Bulk actions of the fulfilment queues: allocate, ship (a carrier and tracking number per order, or own
delivery) and print the picking lists of several orders. Each order goes in its own transaction: one that fails
is left exactly as it was, the others go through, and the result says which did and why not."""

import pytest

from tenant_apps.fulfillment import bulk, services
from tenant_apps.fulfillment.errors import FulfillmentForbidden, FulfillmentInvalid
from tenant_apps.fulfillment.models import Carrier, Shipment
from tenant_apps.inventory.models import Stock
from tenant_apps.ordering.models import OrderEvent, OrderStatus
from tenant_apps.ordering.submission import SubmitLine
from tenants.workspace import OWN_DELIVERY
from tests.fulfillment.conftest import approved_order, client_for


def page(user):
    return client_for(user, token=False)


def small(store, people, quantity=10):
    return approved_order(store, people, lines=[SubmitLine(store.sku.pk, None, quantity)])


@pytest.fixture
def three(store, people):
    return [small(store, people, quantity) for quantity in (10, 11, 12)]


def test_bulk_allocate_goes_on_past_an_order_that_cannot_be(store, people, three):
    first, second, third = three
    services.order_allocate(actor=people.warehouse, order=second)  # already allocated: allocating again is a 409
    outcomes = bulk.orders_bulk_allocate(actor=people.warehouse, order_ids=[first.pk, second.pk, third.pk, 999999])
    assert [(o.number, o.ok) for o in outcomes] == [(first.number, True), (second.number, False),
                                                   (third.number, True), ("999999", False)]
    assert "it cannot be allocated now" in outcomes[1].detail and outcomes[3].detail == "No such order."
    for order in three:
        order.refresh_from_db()
        assert order.status == OrderStatus.ALLOCATED


def test_bulk_ship_rolls_back_only_the_order_that_fails(store, people, three, carrier):
    for order in three:
        services.order_allocate(actor=people.warehouse, order=order)
    first, second, third = three
    events_before = OrderEvent.objects.filter(order=second).count()
    outcomes = bulk.orders_bulk_ship(actor=people.warehouse, instructions={
        first.pk: bulk.ShipInstruction(carrier=carrier.pk, tracking_number="SF001"),
        second.pk: bulk.ShipInstruction(carrier=carrier.pk, tracking_number=""),  # this carrier needs a number
        third.pk: bulk.ShipInstruction()})  # own delivery, no tracking
    assert [o.ok for o in outcomes] == [True, False, True]
    assert "Enter the carrier's tracking number." in outcomes[1].detail
    for order in three:
        order.refresh_from_db()
    assert (first.status, second.status, third.status) == (OrderStatus.SHIPPED, OrderStatus.ALLOCATED,
                                                            OrderStatus.SHIPPED)
    # Nothing of the failed order was written: no shipment picked for it, no timeline event, its stock reserved.
    assert not Shipment.objects.filter(order=second).exists()
    assert OrderEvent.objects.filter(order=second).count() == events_before
    assert second.lines.get().reserved_base == 11 and second.lines.get().shipped_base == 0
    assert Shipment.objects.get(order=first).tracking_number == "SF001"
    assert Shipment.objects.get(order=third).carrier is None
    assert Stock.objects.get(sku=store.sku, warehouse=store.east).on_hand == 100 - 10 - 12


def test_a_carrier_without_tracking_links_ships_without_a_number(store, people, order):
    # the workspace's own delivery (tenants.workspace): no tracking page, so no number to ask for
    own = Carrier.objects.get(code=OWN_DELIVERY, tracking_url_template="")
    services.order_allocate(actor=people.warehouse, order=order)
    [outcome] = bulk.orders_bulk_ship(actor=people.warehouse,
                                      instructions={order.pk: bulk.ShipInstruction(carrier=own.pk)})
    assert outcome.ok and set(Shipment.objects.filter(order=order).values_list("carrier__code", flat=True)) == {"own"}


def test_bulk_actions_check_the_role_and_the_input(store, people, order):
    with pytest.raises(FulfillmentForbidden):
        bulk.orders_bulk_allocate(actor=people.sales, order_ids=[order.pk])
    with pytest.raises(FulfillmentInvalid):
        bulk.orders_bulk_allocate(actor=people.warehouse, order_ids=["x", ""])
    with pytest.raises(FulfillmentInvalid):
        bulk.orders_bulk_allocate(actor=people.warehouse, order_ids=list(range(1, bulk.MAX_ORDERS + 2)))
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED


@pytest.mark.parametrize(("who", "status"), [("warehouse", 200), ("owner", 200), ("sales", 403), ("analyst", 403),
                                             ("buyer", 403)])
def test_who_may_use_the_bulk_pages(store, people, order, who, status):
    client = page(getattr(people, who))
    assert client.get(f"/console/fulfillment/bulk/allocate/?order={order.pk}").status_code == status
    assert client.post("/console/fulfillment/bulk/allocate/", {"order": [order.pk]}).status_code == status
    order.refresh_from_db()
    assert order.status == (OrderStatus.ALLOCATED if status == 200 else OrderStatus.APPROVED)


def test_allocate_from_the_queue_and_read_what_failed(store, people, three):
    console = page(people.warehouse)
    home = console.get("/console/fulfillment/").content.decode()
    assert 'id="allocate-queue"' in home and home.count('name="order"') == 3
    first, second, third = three
    confirm = console.get(f"/console/fulfillment/bulk/allocate/?order={first.pk}&order={second.pk}")
    assert confirm.status_code == 200 and "Allocate 2 orders" in confirm.content.decode()
    services.order_allocate(actor=people.warehouse, order=second)  # someone was quicker
    result = console.post("/console/fulfillment/bulk/allocate/", {"order": [first.pk, second.pk]})
    body = result.content.decode()
    assert result.status_code == 200 and "1 order done" in body and "1 order failed" in body
    assert f'data-order="{second.number}"' in body and "it cannot be allocated now" in body
    nothing = console.post("/console/fulfillment/bulk/allocate/", {"order": [second.pk]})
    assert nothing.status_code == 409 and "1 order failed" in nothing.content.decode()
    empty = console.post("/console/fulfillment/bulk/allocate/", {})
    assert empty.status_code == 400 and "Select at least one order." in empty.content.decode()


def test_ship_from_the_queue_with_a_tracking_number_each(store, people, three, carrier):
    for order in three:
        services.order_allocate(actor=people.warehouse, order=order)
    first, second, third = three
    console = page(people.warehouse)
    home = console.get("/console/fulfillment/").content.decode()
    assert 'id="ship-queue"' in home and 'id="bulk-ship"' in home
    form = console.get(f"/console/fulfillment/bulk/ship/?order={first.pk}&order={second.pk}").content.decode()
    assert f'name="carrier_{first.pk}"' in form and f'name="tracking_{second.pk}"' in form and "顺丰速运" in form
    result = console.post("/console/fulfillment/bulk/ship/", {
        "order": [first.pk, second.pk], f"carrier_{first.pk}": carrier.pk, f"tracking_{first.pk}": "SF777",
        f"carrier_{second.pk}": carrier.pk, f"tracking_{second.pk}": ""})
    body = result.content.decode()
    assert result.status_code == 200 and "SF777" not in body and "Enter the carrier&#x27;s tracking number." in body
    assert Shipment.objects.get(order=first).tracking_number == "SF777"
    assert not Shipment.objects.filter(order=second).exists()
    own = console.post("/console/fulfillment/bulk/ship/", {"order": [second.pk, third.pk], "without_tracking": "1",
                                                         f"carrier_{second.pk}": carrier.pk})
    assert own.status_code == 200 and "2 orders done" in own.content.decode()
    assert set(Shipment.objects.filter(order__in=[second, third]).values_list("carrier", flat=True)) == {None}


def test_print_the_picking_lists_of_several_orders_on_one_page(store, people, count_queries):
    console = page(people.warehouse)
    first = approved_order(store, people)  # 120 cans: 100 in Shanghai, 20 in Chengdu; 10 of the 330 ml
    url = f"/console/fulfillment/bulk/picking/?order={first.pk}"
    with count_queries() as few:
        one = console.get(url).content.decode()
    assert one.count('class="sheet"') == 2 and "RB-330" in one
    others = [small(store, people, quantity) for quantity in (3, 4, 5)]
    url += "".join(f"&order={order.pk}" for order in others)
    with count_queries() as more:
        printed = console.get(url).content.decode()
    assert printed.count('class="sheet"') == 5 and all(order.number in printed for order in others)
    assert len(more.sql) == len(few.sql)
    assert console.get("/console/fulfillment/bulk/picking/?order=999999").status_code == 404
