"""What the warehouse and the dealer read on an order: quantities in the pack ordered as well as in base units,
one name for the dealer on every page, and a timeline in which each kind of event has its own name."""

import pytest

from tenant_apps.dealers.models import Dealer
from tenant_apps.fulfillment import services
from tenant_apps.ordering.models import OrderEvent
from tenant_apps.ordering.presentation import EVENT_LABEL, pack_quantity, timeline
from tenant_apps.ordering.selectors import order_detail
from tenant_apps.ordering.submission import SubmitLine
from tests.fulfillment.conftest import approved_order, client_for, ship_everything


def page(user):
    return client_for(user, token=False)


@pytest.mark.parametrize(("base", "factor", "shown"), [
    (240, 24, "10 箱 (240 罐)"),
    (53, 24, "2 箱 5 罐 (53 罐)"),
    (20, 24, "20 罐"),
    (1200, 1, "1,200 罐"),
    (0, 24, "0 罐"),
])
def test_a_quantity_is_said_in_the_pack_with_its_base_units(base, factor, shown):
    assert pack_quantity(base, factor=factor, unit="箱", base_unit="罐") == shown


@pytest.fixture
def cases(store, people):
    """An order of 5 cases (120 cans) of red bull, allocated: 100 cans reserved in Shanghai, 20 in Chengdu."""
    order = approved_order(store, people, lines=[SubmitLine(store.sku.pk, store.case.pk, 5)])
    return services.order_allocate(actor=people.warehouse, order=order)


def test_warehouse_pages_show_the_ordered_pack_beside_base_units(store, people, cases):
    console = page(people.warehouse)
    detail = console.get(f"/console/fulfillment/orders/{cases.pk}/").content.decode()
    assert "5 箱 (120 罐)" in detail  # ordered and reserved
    assert "4 箱 4 罐 (100 罐)" in detail  # reserved in Shanghai, on its picking list
    printable = console.get(f"/console/fulfillment/orders/{cases.pk}/picking/{store.east.pk}/").content.decode()
    assert "4 箱 4 罐 (100 罐)" in printable
    ship_everything(cases, people)
    shipped = console.get(f"/console/fulfillment/orders/{cases.pk}/").content.decode()
    assert "× 4 箱 4 罐 (100 罐)" in shipped and "× 20 罐" in shipped  # the shipments' lines
    orders_console = page(people.owner).get(f"/console/orders/{cases.pk}/").content.decode()
    assert "5 箱 (120 罐)" in orders_console  # shipped, on the console's order page


def test_the_dealer_has_one_name_on_every_page(store, people, cases):
    Dealer.objects.filter(pk=store.dealer.pk).update(name="上海红牛", legal_name="上海红牛饮料贸易有限公司")
    assert Dealer.objects.get(pk=store.dealer.pk).display_name == "上海红牛"
    ship = page(people.warehouse)
    owner = page(people.owner)
    pages = [ship.get("/console/fulfillment/"), ship.get(f"/console/fulfillment/orders/{cases.pk}/"),
             ship.get(f"/console/fulfillment/orders/{cases.pk}/picking/{store.east.pk}/"),
             owner.get("/console/orders/"), owner.get(f"/console/orders/{cases.pk}/")]
    ship_everything(cases, people)
    pages.append(ship.get("/console/fulfillment/shipments/"))
    for shown in pages:
        body = shown.content.decode()
        assert shown.status_code == 200 and "上海红牛" in body and "上海红牛饮料贸易有限公司" not in body
    found = ship.get("/console/fulfillment/shipments/?q=上海红牛").content.decode()  # searched by that name too
    assert found.count('data-number="') == 2


def test_confirming_receipt_returns_to_the_order_page(store, people, cases):
    ship_everything(cases, people)
    buyer = page(store.buyer)
    order_page = buyer.get(f"/orders/{cases.pk}/").content.decode()
    assert 'id="confirm-receipt"' in order_page and f'name="next" value="/orders/{cases.pk}/"' in order_page
    done = buyer.post(f"/shipments/orders/{cases.pk}/confirm/", {"next": f"/orders/{cases.pk}/"})
    assert (done.status_code, done["Location"]) == (302, f"/orders/{cases.pk}/")
    cases.refresh_from_db()
    assert cases.status == "completed"


def test_confirming_receipt_without_next_also_lands_on_the_order_page(store, people, cases):
    ship_everything(cases, people)
    done = page(store.buyer).post(f"/shipments/orders/{cases.pk}/confirm/")
    assert (done.status_code, done["Location"]) == (302, f"/orders/{cases.pk}/")


def test_each_kind_of_timeline_event_has_its_own_name(store, people, cases, carrier):
    shipments = ship_everything(cases, people, carrier)
    services.order_receipt_confirm(actor=store.buyer, order=cases)
    rows = timeline(order_detail(cases))
    codes = [row["code"] for row in reversed(rows)]
    assert codes[:3] == ["order.submitted", "order.approved", "order.allocated"]
    assert {"shipment.picking", "shipment.shipped", "order.partially_shipped", "order.shipped", "tracking",
            "order.delivered", "order.completed"} <= set(codes)
    labels = {row["code"]: row["label"] for row in rows}
    assert len(set(labels.values())) == len(labels)  # distinct events, distinct names
    assert all(code in EVENT_LABEL for code in labels)
    assert len(shipments) == 2 and OrderEvent.objects.filter(order=cases, kind="shipment").count() == 4


def test_every_event_label_is_distinct_and_translated():
    from django.utils import translation

    english = [str(label) for label in EVENT_LABEL.values()]
    assert len(set(english)) == len(english)
    with translation.override("zh-hans"):
        chinese = [str(label) for label in EVENT_LABEL.values()]
    assert len(set(chinese)) == len(chinese)
    assert not set(chinese) & set(english)


def test_the_dealers_order_page_names_its_events(store, people, cases):
    ship_everything(cases, people)
    body = page(store.buyer).get(f"/orders/{cases.pk}/").content.decode()
    for label in ("Order submitted", "Order approved", "Stock allocated", "Picking started", "Shipment dispatched",
                  "Everything shipped"):
        assert f"<strong>{label}</strong>" in body
