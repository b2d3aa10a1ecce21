"""The demand roll-up of a supplier (S2B2B): its sub-dealers' open demand against its own stock, what it has on order
from headquarters and the safety stock it sets, with the purchase it should make; that purchase put into its own
cart; the figures of a scenario worked out by hand, the query count, bad safety stock input, and sibling agents."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from tenant_apps.approvals.services import approval_decide
from tenant_apps.catalog.models import Sku
from tenant_apps.fulfillment.services import order_allocate, shipment_create, shipment_ship
from tenant_apps.inventory.models import SafetyStock
from tenant_apps.inventory.services import safety_stock_set
from tenant_apps.ordering import services as ordering
from tenant_apps.ordering.demand import demand_rollup, demand_to_cart, suggested_quantity
from tenant_apps.ordering.models import CartLine, OrderStatus
from tenant_apps.ordering.quick import order_cancel_by_dealer
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tests.conftest import host_client
from tests.factories.accounts import UserFactory
from tests.factories.catalog import SkuFactory
from tests.factories.dealers import DealerFactory, address
from tests.factories.inventory import stock_receive
from tests.factories.ordering import OrderFactory
from tests.factories.pricing import PriceEntryFactory
from tests.factories.suppliers import chain as make_chain
from tests.ordering.test_pages import signed_in

HOST = "acme.localhost"


def _approved(order, owner):
    approval_decide(actor=owner, order=order, decision="approve", reason="")
    order.refresh_from_db()
    return order


@pytest.fixture
def world(store, in_tenant):
    """江苏省代 (JS, 40 cans of RB-250 and of RB-330 in its warehouse) supplies two sub-dealers:
    - sub 1 ordered 30 RB-250, approved, 12 of it shipped (18 still to ship, reserved);
    - sub 2 ordered 8 RB-250 (in approval, reserved), and 50 RB-330 though the brand backorders shortfalls: an order
      placed with a supplier keeps its shortfall, so 40 are reserved and 10 wait on the same order, unreserved;
    JS itself has 20 RB-250 on order from headquarters (approved; another 5 cancelled), safety stock of 70 RB-250,
    and of 5 RB-500, a SKU headquarters has no price for; RB-330 is sold from 10, in steps of 6."""
    with in_tenant(store.tenant):
        made = make_chain(store, store.tenant)
        js = made.js
        address(dealer=js.dealer, territory=store.shanghai)
        sub2 = DealerFactory(code="JS-SUB2", legal_name="江苏省代下级二", parent=js.node, supplier=js.node,
                             status="active", territories=[store.shanghai], tier=store.tier)
        address(dealer=sub2, territory=store.shanghai)
        sub2_buyer = UserFactory(email="buyer@js-sub2.test", role="dealer_buyer", dealer=sub2, full_name="")
        first = _approved(OrderFactory(actor=js.sub_buyer, dealer=js.sub, lines=[(store.sku, 30)]), js.owner)
        order_allocate(actor=js.owner, order=first)
        line = first.lines.get()
        shipment_ship(actor=js.owner, shipment=shipment_create(actor=js.owner, order=first,
                                                               warehouse_id=js.warehouse.pk, lines={line.pk: 12}))
        first.refresh_from_db()
        assert first.status == OrderStatus.PARTIALLY_SHIPPED
        second = OrderFactory(actor=sub2_buyer, dealer=sub2, lines=[(store.sku, 8)])
        assert second.status == OrderStatus.IN_APPROVAL
        ordering.ordering_settings_update(actor=None, shortage_policy="backorder")
        water = order_submit(actor=sub2_buyer, dealer=sub2, lines=[SubmitLine(store.water.pk, None, 50)])
        assert water.backorder is None and water.order.lines.get().reserved_base == 40
        Sku.objects.filter(pk=store.water.pk).update(min_order_qty=10, order_step=6)
        bought = OrderFactory(actor=js.buyer, dealer=js.dealer, lines=[(store.sku, 20)])
        assert (bought.seller_id, bought.status) == (None, OrderStatus.APPROVED)
        order_cancel_by_dealer(actor=js.buyer, order=OrderFactory(actor=js.buyer, dealer=js.dealer,
                                                                  lines=[(store.sku, 5)]))
        unpriced = SkuFactory(product=store.sku.product, code="RB-500", name="红牛 500ml", base_unit=store.can)
        safety_stock_set(actor=js.owner, owner=js.node, sku_id=store.sku.pk, quantity=70)
        safety_stock_set(actor=js.owner, owner=js.node, sku_id=unpriced.pk, quantity=5)
        made.sub2, made.unpriced, made.first = sub2, unpriced, first
        made.js.token = Token.objects.create(user=js.owner).key
        made.zj.token = Token.objects.create(user=made.zj.owner).key
        yield made


def _by_code(rollup):
    return {row.sku.code: row for row in rollup.rows}


def test_the_suggestion_matches_the_scenario_worked_out_by_hand(world, in_tenant):
    store, js = world.store, world.js
    with in_tenant(store.tenant):
        rollup = demand_rollup(dealer=js.dealer)
    rows = _by_code(rollup)
    assert (rollup.orders, rollup.dealers) == (3, 2)  # sub 1's order; sub 2's and its water order
    can = rows["RB-250"]
    # 18 + 8 still to ship, all reserved; on hand 40 - 12 shipped = 28, of it 26 reserved; 20 on order (the
    # cancelled 5 do not count); 70 to keep: 0 + 70 - 2 - 20 = 48, two cases of 24
    assert (can.open_demand, can.reserved, can.orders, can.on_hand, can.available, can.on_order, can.safety,
            can.needed, can.suggested) == (26, 26, 2, 28, 2, 20, 70, 48, 48)
    assert (can.unit_id, can.unit_quantity) == (store.case.pk, 2)
    assert [(d.code, d.orders, d.to_ship) for d in can.dealers] == [("JS-SUB", 1, 18), ("JS-SUB2", 1, 8)]
    assert (str(can.price.unit_price), str(can.line_price.unit_price)) == ("5.0000", "120.0000")  # a case of 24
    water = rows["RB-330"]
    # 50 to ship, 40 reserved (the 10 short are not): 10 + 0 - 0 - 0 = 10, raised to steps of 6: 12
    assert (water.open_demand, water.reserved, water.available, water.needed, water.suggested) == (50, 40, 0, 10, 12)
    assert water.reasons[-1] == "Rounded up to 12 罐 (minimum order 10, in steps of 6)."
    big = rows["RB-500"]
    assert (big.open_demand, big.on_hand, big.safety, big.suggested, big.price) == (0, 0, 5, 5, None)
    assert [row.sku.code for row in rollup.unpriced] == ["RB-500"]


def test_the_rounding_follows_the_catalogs_minimum_and_step():
    assert [suggested_quantity(n, min_order_qty=10, order_step=6) for n in (0, 1, 10, 12, 13)] == [0, 12, 12, 12, 18]
    assert suggested_quantity(7, min_order_qty=1, order_step=1) == 7


def test_the_roll_up_costs_the_same_queries_for_one_sku_or_many(world, in_tenant):
    store, js = world.store, world.js
    with in_tenant(store.tenant):
        SafetyStock.objects.filter(owner=js.node).exclude(sku=world.unpriced).delete()
        with CaptureQueriesContext(connection) as one:
            assert len(demand_rollup(dealer=js.dealer).rows) == 3  # RB-500's safety; RB-250, RB-330 demanded
        for n in range(6):
            sku = SkuFactory(product=store.sku.product, code=f"RB-X{n}", name=f"红牛 X{n}", base_unit=store.can)
            stock_receive(sku=sku, warehouse=js.warehouse, quantity=3)
            safety_stock_set(actor=js.owner, owner=js.node, sku_id=sku.pk, quantity=10)
        extra = Sku.objects.get(code="RB-X0")
        PriceEntryFactory(price_list=js.prices, sku=extra, unit=store.can, price="5.00")
        OrderFactory(actor=js.sub_buyer, dealer=js.sub, lines=[(extra, 2)])
        with CaptureQueriesContext(connection) as many:
            assert len(demand_rollup(dealer=js.dealer).rows) == 9
    assert len(many.captured_queries) == len(one.captured_queries)


def test_create_purchase_order_fills_the_agents_own_cart_once(world, in_tenant):
    store, js = world.store, world.js
    owner = signed_in(js.owner)
    page = owner.get("/supplier/demand/").content.decode()
    assert "Create purchase order" in page and "No price from headquarters" in page and "RB-500" in page
    assert owner.post("/supplier/demand/", {"action": "to_cart"}).status_code == 302
    with in_tenant(store.tenant):
        lines = {(line.sku.code, line.unit.code, line.quantity)
                 for line in CartLine.objects.filter(cart__dealer=js.dealer).select_related("sku", "unit")}
        assert lines == {("RB-250", "CASE", 2), ("RB-330", "CAN", 12), ("RB-500", "CAN", 5)}
        assert not CartLine.objects.filter(cart__dealer__in=[js.sub, world.sub2]).exists()
    api = host_client(HOST, HTTP_AUTHORIZATION=f"Token {js.token}")
    again = api.post("/api/v1/supplier/demand/to-cart/")
    assert again.status_code == 400 and again.json()["fields"]["lines"][0] == "RB-250: already in the cart."
    with in_tenant(store.tenant):
        assert CartLine.objects.filter(cart__dealer=js.dealer).count() == 3


def test_the_cart_counts_toward_the_suggestion(world, in_tenant):
    store, js = world.store, world.js
    with in_tenant(store.tenant):
        ordering.cart_line_set(actor=js.owner, dealer=js.dealer, sku_id=store.sku.pk, quantity=30)
        added = demand_to_cart(actor=js.owner, dealer=js.dealer)
        assert added.lines == 3
        quantities = dict(CartLine.objects.filter(cart__dealer=js.dealer, sku=store.sku).values_list(
            "unit__code", "quantity"))
    assert quantities == {"CAN": 48}  # 30 there, the 18 still missing added to them


def test_the_api_reads_the_roll_up_and_sets_safety_stock(world, in_tenant):
    store, js = world.store, world.js
    api = host_client(HOST, HTTP_AUTHORIZATION=f"Token {js.token}")
    body = api.get("/api/v1/supplier/demand/").json()
    can = next(row for row in body["rows"] if row["code"] == "RB-250")
    assert (can["open_demand"], can["available"], can["on_order"], can["safety_stock"], can["suggested"],
            can["unit_quantity"], can["hq_price"], can["hq_line_price"]) == (26, 2, 20, 70, 48, 2, "5.0000",
                                                                             "120.0000")
    assert [d["code"] for d in can["dealers"]] == ["JS-SUB", "JS-SUB2"]
    assert next(row for row in body["rows"] if row["code"] == "RB-500")["hq_price"] is None
    assert api.post("/api/v1/supplier/safety-stock/", {"sku": store.sku.pk, "quantity": 100},
                    content_type="application/json").json() == {"sku": store.sku.pk, "quantity": 100,
                                                                "code": "RB-250"}
    assert api.post("/api/v1/supplier/safety-stock/", {"sku": world.unpriced.pk, "quantity": 0},
                    content_type="application/json").status_code == 200
    assert [(row["code"], row["quantity"]) for row in api.get("/api/v1/supplier/safety-stock/").json()] == [
        ("RB-250", 100)]
    can = next(row for row in api.get("/api/v1/supplier/demand/").json()["rows"] if row["code"] == "RB-250")
    assert can["suggested"] == 78


@pytest.mark.parametrize(("body", "fields"), [
    ({"sku": "abc", "quantity": 5}, {"sku"}),
    ({"sku": 1, "quantity": -1}, {"quantity"}),
    ({"quantity": 5}, {"sku"}),
    ({"sku": 2 ** 62, "quantity": 5}, {"sku"}),  # no such SKU
])
def test_bad_safety_stock_input_is_a_400_naming_the_field_and_writes_nothing(world, in_tenant, body, fields):
    api = host_client(HOST, HTTP_AUTHORIZATION=f"Token {world.js.token}")
    answer = api.post("/api/v1/supplier/safety-stock/", body, content_type="application/json")
    assert answer.status_code == 400 and set(answer.json()["fields"]) == fields
    with in_tenant(world.store.tenant):
        assert sorted(SafetyStock.objects.values_list("quantity", flat=True)) == [5, 70]


def test_bad_safety_stock_on_the_page_is_a_field_error(world, in_tenant):
    owner = signed_in(world.js.owner)
    for data, message in [({"sku_code": "RB-250", "quantity": "-3"}, "greater than or equal to 0"),
                          ({"sku_code": "NOPE", "quantity": "3"}, "No SKU with this code.")]:
        page = owner.post("/supplier/demand/", {"action": "safety", **data})
        assert page.status_code == 200 and message in page.content.decode()
    assert owner.post("/supplier/demand/", {"action": "safety", "sku_code": "RB-330", "quantity": "9"}
                      ).status_code == 302
    with in_tenant(world.store.tenant):
        assert dict(SafetyStock.objects.values_list("sku__code", "quantity")) == {
            "RB-250": 70, "RB-500": 5, "RB-330": 9}


def test_a_sibling_agent_never_sees_the_demand_and_its_writes_stay_its_own(world, in_tenant):
    store, js, zj = world.store, world.js, world.zj
    page = signed_in(zj.owner).get("/supplier/demand/").content.decode()
    assert "JS-SUB" not in page and "RB-500" not in page and "RB-250" not in page
    api = host_client(HOST, HTTP_AUTHORIZATION=f"Token {zj.token}")
    assert api.get("/api/v1/supplier/demand/").json() == {"orders": 0, "dealers": 0, "rows": []}
    assert api.get("/api/v1/supplier/safety-stock/").json() == []
    assert api.post("/api/v1/supplier/demand/to-cart/").status_code == 400  # nothing to buy for ZJ
    assert api.post("/api/v1/supplier/safety-stock/", {"sku": store.sku.pk, "quantity": 1},
                    content_type="application/json").status_code == 200
    with in_tenant(store.tenant):
        assert SafetyStock.objects.get(owner=js.node, sku=store.sku).quantity == 70
        assert not CartLine.objects.filter(cart__dealer=js.dealer).exists()
    rows = _by_code(demand_rollup_for(js, in_tenant, store))
    assert rows["RB-250"].safety == 70


def demand_rollup_for(agent, in_tenant, store):
    with in_tenant(store.tenant):
        return demand_rollup(dealer=agent.dealer)


def test_the_agents_buyer_and_a_sub_dealer_are_refused(world):
    assert signed_in(world.js.buyer).get("/supplier/demand/").status_code == 403  # supplier.orders only
    assert signed_in(world.js.sub_buyer).get("/supplier/demand/").status_code == 403

