"""Pass-up (S2B2B, tenant_apps/ordering/pass_up.py, tenant_apps/fulfillment/pass_up.py): the provincial agent ships
part of its sub-dealer's order from its own stock and passes the rest up to headquarters, as a purchase order it
receives into its stock, or as a drop-ship headquarters sends straight to the sub-dealer, which then sees both
shipments on its one order. The sub-dealer never sees the agent's order to headquarters."""

from __future__ import annotations

import pytest

from tenant_apps.approvals.services import approval_decide
from tenant_apps.dealers import services as dealers
from tenant_apps.fulfillment import services
from tenant_apps.fulfillment.errors import FulfillmentConflict
from tenant_apps.fulfillment.models import Shipment
from tenant_apps.fulfillment.pass_up import pass_up_receive, supplier_order_pass_up
from tenant_apps.fulfillment.selectors import picking_lists
from tenant_apps.inventory.models import Stock
from tenant_apps.ordering.errors import OrderInvalid, OrderNotFound
from tenant_apps.ordering.models import Order
from tenant_apps.ordering.selectors import order_get_for
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tests.factories import UserFactory
from tests.factories.fulfillment import carrier as carrier_set_up
from tests.factories.suppliers import chain as make_chain
from tests.ordering.test_pages import signed_in


@pytest.fixture
def chain(store, in_tenant):
    """江苏's sub-dealer orders 10 cans of red bull and 5 of water from 江苏 (which holds 40 of each); 江苏 approves.
    江苏 has a shipping address of its own (headquarters ships its purchases there)."""
    with in_tenant(store.tenant):
        made = make_chain(store, store.tenant)
        js = made.js
        dealers.address_add(actor=None, dealer=js.dealer, kind="shipping", recipient="周", phone="13700000000",
                            territory=store.shanghai, line="南京路 1 号", is_default=True)
        order = order_submit(actor=js.sub_buyer, dealer=js.sub, lines=[
            SubmitLine(store.sku.pk, None, 10), SubmitLine(store.water.pk, None, 5)]).order
        made.order = approval_decide(actor=js.owner, order=order, decision="approve")
        made.lines = {line.sku_id: line for line in made.order.lines.all()}
        made.hq = UserFactory(email="wh@brand.test", full_name="", role="warehouse")
        yield made


def _stock(warehouse, sku) -> tuple[int, int]:
    row = Stock.objects.get(warehouse=warehouse, sku=sku)
    return row.on_hand, row.reserved


def _hq_ships(order: Order, actor, carrier=None, tracking: str = "") -> list[Shipment]:
    """Headquarters approves (if needed), allocates and ships the agent's order, as its console does."""
    order.refresh_from_db()
    if order.status == "approved":
        services.order_allocate(actor=actor, order=order)
    shipped = []
    for pick in picking_lists(order):
        shipment = services.shipment_create(actor=actor, order=order, warehouse_id=pick.warehouse.pk)
        shipped.append(services.shipment_ship(actor=actor, shipment=shipment, carrier=carrier,
                                              tracking_number=tracking))
    order.refresh_from_db()
    return shipped


def test_drop_ship_headquarters_ships_to_the_sub_dealer_and_both_shipments_count_for_its_order(chain, in_tenant):
    store, js, order = chain.store, chain.js, chain.order
    water = chain.lines[store.water.pk]
    passed = supplier_order_pass_up(actor=js.owner, order=order, mode="drop_ship", lines={water.pk: 5})
    order.refresh_from_db()
    # the agent's own order to headquarters, priced by headquarters, shipping to the sub-dealer
    assert (passed.dealer_id, passed.seller_id, passed.passed_up_from_id, passed.pass_up_mode) == (
        js.dealer.pk, None, order.pk, "drop_ship")
    assert passed.shipping_address == order.shipping_address
    assert [(line.sku_id, line.quantity, line.passed_from_id) for line in passed.lines.all()] == [
        (store.water.pk, 5, water.pk)]
    assert passed.status == "approved"  # headquarters' flow: its direct dealers' orders are approved at once
    # the agent keeps its red bull reserved, gives its water back, and the order is allocated
    assert order.status == "allocated"
    assert _stock(js.warehouse, store.sku) == (40, 10) and _stock(js.warehouse, store.water) == (40, 0)
    # the agent ships its part: the order waits for headquarters' part
    own = services.supplier_order_ship(actor=js.owner, order=order, warehouse=js.warehouse)
    order.refresh_from_db()
    assert order.status == "partially_shipped"
    carrier = carrier_set_up()
    (drop,) = _hq_ships(passed, chain.hq, carrier=carrier, tracking="SF123456")
    order.refresh_from_db()
    assert (passed.status, order.status) == ("shipped", "shipped")
    assert drop.drop_ship_for_id == order.pk
    assert {line.sku_id: (line.shipped_base, line.passed_base) for line in order.lines.all()} == {
        store.sku.pk: (10, 0), store.water.pk: (5, 0)}
    # the sub-dealer's order page lists both shipments with the tracking number; the agent's order stays hidden
    page = signed_in(js.sub_buyer).get(f"/orders/{order.pk}/").content.decode()
    shipments = page[page.index('id="order-shipments"'):]
    assert f'data-number="{own.number}"' in shipments and f'data-number="{drop.number}"' in shipments
    assert drop.number == f"{order.number}-D1" and "SF123456" in shipments and passed.number not in page
    # the sub-dealer confirms receipt: its order is completed, and the drop-ship is delivered for both orders
    with in_tenant(store.tenant):
        services.order_receipt_confirm(actor=js.sub_buyer, order=order)
        passed.refresh_from_db()
        drop.refresh_from_db()
        assert (order.status, drop.status, passed.status) == ("completed", "delivered", "delivered")


def test_purchase_the_agent_receives_the_goods_into_its_stock_and_ships_them(chain, in_tenant):
    store, js, order = chain.store, chain.js, chain.order
    red = chain.lines[store.sku.pk]
    passed = supplier_order_pass_up(actor=js.owner, order=order, mode="purchase", lines={str(red.pk): 4})
    agent_address = js.dealer.addresses.get().line
    assert passed.pass_up_mode == "purchase" and passed.shipping_address["line"] == agent_address
    assert _stock(js.warehouse, store.sku) == (40, 6)
    services.supplier_order_ship(actor=js.owner, order=order, warehouse=js.warehouse)
    _hq_ships(passed, chain.hq)
    order.refresh_from_db()
    assert (passed.status, order.status) == ("shipped", "partially_shipped")
    assert not Shipment.objects.filter(drop_ship_for=order).exists()  # a purchase ships to the agent
    page = f"/supplier/orders/{order.pk}/"
    assert 'class="pass-up-receive"' in signed_in(js.owner).get(page).content.decode()
    with in_tenant(store.tenant):
        pass_up_receive(actor=js.owner, source=order, order=passed, warehouse=js.warehouse)
    assert 'class="pass-up-receive"' not in signed_in(js.owner).get(page).content.decode()
    with in_tenant(store.tenant):
        assert _stock(js.warehouse, store.sku) == (40 - 6 + 4, 4)  # booked in, and reserved for the sub-dealer
        with pytest.raises(FulfillmentConflict):  # once
            pass_up_receive(actor=js.owner, source=order, order=passed, warehouse=js.warehouse)
        services.supplier_order_ship(actor=js.owner, order=order, warehouse=js.warehouse)
        order.refresh_from_db()
        assert order.status == "shipped"
        assert {line.sku_id: line.shipped_base for line in order.lines.all()} == {store.sku.pk: 10,
                                                                                   store.water.pk: 5}


def test_more_than_is_open_or_a_second_pass_up_of_the_same_units_is_refused_and_nothing_is_written(chain):
    store, js, order = chain.store, chain.js, chain.order
    red = chain.lines[store.sku.pk]
    before = Order.objects.count()
    with pytest.raises(OrderInvalid) as refused:
        supplier_order_pass_up(actor=js.owner, order=order, mode="airmail", lines={red.pk: 11, 999999: 1})
    assert set(refused.value.fields) == {"mode", "lines.1.quantity", "lines.999999"}
    with pytest.raises(OrderInvalid) as refused:  # every line is covered by the agent's stock: say how much
        supplier_order_pass_up(actor=js.owner, order=order, mode="drop_ship")
    assert set(refused.value.fields) == {"lines"}
    assert Order.objects.count() == before
    assert _stock(js.warehouse, store.sku) == (40, 10)
    supplier_order_pass_up(actor=js.owner, order=order, mode="drop_ship", lines={red.pk: 6})
    with pytest.raises(OrderInvalid) as refused:
        supplier_order_pass_up(actor=js.owner, order=order, mode="drop_ship", lines={red.pk: 5})
    assert "from 0 to 4" in refused.value.fields["lines.1.quantity"][0]
    red.refresh_from_db()
    assert (red.passed_base, red.reserved_base, Order.objects.count()) == (6, 4, before + 1)


def test_the_sub_dealer_cannot_read_the_agents_order_to_headquarters(chain):
    store, js, order = chain.store, chain.js, chain.order
    passed = supplier_order_pass_up(actor=js.owner, order=order, mode="drop_ship",
                                    lines={chain.lines[store.water.pk].pk: 5})
    with pytest.raises(OrderNotFound):
        order_get_for(actor=js.sub_buyer, order_id=passed.pk)
    assert order_get_for(actor=js.buyer, order_id=passed.pk).pk == passed.pk  # the agent's own purchase
    client = signed_in(js.sub_buyer)
    assert client.get(f"/orders/{passed.pk}/").status_code == 404
    assert client.get(f"/api/v1/orders/{passed.pk}/").status_code == 404


def test_the_agent_passes_up_through_the_api_and_its_page(chain, in_tenant):
    store, js, order = chain.store, chain.js, chain.order
    red, water = chain.lines[store.sku.pk], chain.lines[store.water.pk]
    api = signed_in(js.owner)
    url = f"/api/v1/supplier/orders/{order.pk}/pass-up/"
    bad = api.post(url, {"mode": "drop_ship", "lines": {str(red.pk): 11}}, content_type="application/json")
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"lines.1.quantity"}
    made = api.post(url, {"mode": "drop_ship", "lines": {str(water.pk): 5}}, content_type="application/json",
                    headers={"Idempotency-Key": "pass-1"})
    again = api.post(url, {"mode": "drop_ship", "lines": {str(water.pk): 5}}, content_type="application/json",
                     headers={"Idempotency-Key": "pass-1"})
    assert (made.status_code, again.status_code, made.json()["id"]) == (201, 201, again.json()["id"])
    detail = api.get(f"/api/v1/supplier/orders/{order.pk}/").json()
    assert [(p["number"], p["mode"], p["lines"]) for p in detail["pass_ups"]] == [
        (made.json()["number"], "drop_ship", {str(water.pk): 5})]
    assert [(line["passed_up"], line["open"]) for line in detail["lines"]] == [(0, 10), (5, 0)]
    # a sub-dealer's buyer, or the sibling agent, cannot pass the order up (403 / 404)
    assert signed_in(js.sub_buyer).post(url, {"mode": "drop_ship"}, content_type="application/json").status_code == 403
    assert signed_in(chain.zj.owner).post(url, {"mode": "drop_ship"},
                                          content_type="application/json").status_code == 404
    # the supplier console page: the pass-up, then a purchase of 3 cans of red bull through the form
    page = api.get(f"/supplier/orders/{order.pk}/").content.decode()
    assert 'id="pass-ups"' in page and made.json()["number"] in page and f'name="line-{red.pk}"' in page
    posted = api.post(f"/supplier/orders/{order.pk}/", {"action": "pass_up", "mode": "purchase",
                                                         f"line-{red.pk}": "3"})
    assert posted.status_code == 302
    with in_tenant(store.tenant):
        red.refresh_from_db()
        assert (red.passed_base, red.reserved_base) == (3, 7)
        assert Order.objects.filter(passed_up_from=order).count() == 2
    # headquarters' console page of the drop-ship says whose order it serves and where it ships
    with in_tenant(store.tenant):
        admin = UserFactory(email="admin@brand.test", full_name="", role="owner")
    hq_page = signed_in(admin).get(f"/console/orders/{made.json()['id']}/").content.decode()
    assert 'id="passed-up-from"' in hq_page and order.number in hq_page


def test_headquarters_cancelling_the_pass_up_order_gives_the_units_back_to_the_sub_dealers_order(chain):
    from tenant_apps.ordering.lifecycle import order_cancel

    store, js, order = chain.store, chain.js, chain.order
    water = chain.lines[store.water.pk]
    passed = supplier_order_pass_up(actor=js.owner, order=order, mode="drop_ship", lines={water.pk: 5})
    order_cancel(actor=chain.hq, order=passed, reason="缺货")
    water.refresh_from_db()
    assert water.passed_base == 0
    assert order.events.filter(kind="pass_up").count() == 2
    again = supplier_order_pass_up(actor=js.owner, order=order, mode="drop_ship", lines={water.pk: 5})
    assert (again.passed_up_from_id, again.status) == (order.pk, "approved")
