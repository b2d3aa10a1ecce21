"""The supplier console (S2B2B) as the agent's people use it: the order placed with them, approved and shipped from
their own warehouse; their price list, with the price floor (乱价) shown on the form; stock received; and
headquarters' page that makes a dealer a supplier."""

from __future__ import annotations

import pytest

from tenant_apps.inventory.models import Stock
from tenant_apps.ordering.models import Order
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tenant_apps.pricing import services as pricing
from tenant_apps.pricing.models import PriceEntry, PriceList
from tests.factories.suppliers import chain as make_chain
from tests.ordering.test_pages import signed_in


@pytest.fixture
def chain(store, in_tenant):
    with in_tenant(store.tenant):
        made = make_chain(store, store.tenant)
        made.order = order_submit(actor=made.js.sub_buyer, dealer=made.js.sub,
                                  lines=[SubmitLine(store.sku.pk, None, 10)]).order
        yield made


def test_the_agent_approves_and_ships_the_order_placed_with_it(chain, in_tenant):
    js, order = chain.js, chain.order
    owner = signed_in(js.owner)
    assert "Supplier console" in owner.get("/").content.decode()
    listing = owner.get("/supplier/").content.decode()
    assert order.number in listing and chain.js.sub.name in listing
    url = f"/supplier/orders/{order.pk}/"
    page = owner.get(url).content.decode()
    assert "代理商确认" in page and 'value="approve"' in page
    assert owner.post(url, {"action": "approve"}).status_code == 302
    page = owner.get(url).content.decode()
    assert 'value="ship"' in page
    assert owner.post(url, {"action": "ship", "warehouse": js.warehouse.pk}).status_code == 302
    with in_tenant(chain.store.tenant):
        assert Order.objects.get(pk=order.pk).status == "shipped"
        stock = Stock.objects.get(warehouse=js.warehouse, sku=chain.store.sku)
        assert (stock.on_hand, stock.reserved) == (30, 0)


def test_a_buyer_of_the_agent_sees_the_orders_but_not_its_prices_or_stock(chain):
    buyer = signed_in(chain.js.buyer)
    assert buyer.get("/supplier/").status_code == 200
    assert buyer.get("/supplier/prices/").status_code == 403
    assert buyer.get("/supplier/stock/").status_code == 403


def test_the_agent_prices_for_its_sub_dealers_and_the_floor_is_shown_on_the_form(chain, in_tenant):
    store, js = chain.store, chain.js
    with in_tenant(store.tenant):
        pricing.resale_price_set(actor=None, sku=store.water, price="6.50")
    owner = signed_in(js.owner)
    made = owner.post("/supplier/prices/", {"code": "JS-T-A", "name": "江苏 A 级", "kind": "tier",
                                            "tier": store.tier.pk})
    assert made.status_code == 302
    with in_tenant(store.tenant):
        new = PriceList.objects.get(code="JS-T-A")
        assert (new.owner_id, new.kind, new.tier_id, new.status) == (js.node.pk, "tier", store.tier.pk, "active")
    refused = owner.post(f"/supplier/prices/{new.pk}/", {"sku_code": store.water.code, "min_quantity": 1,
                                                         "price": "6.00"})
    assert refused.status_code == 200
    assert "RB-330 may not be resold below its minimum resale price of 6.50 per 罐." in refused.content.decode()
    assert owner.post(f"/supplier/prices/{new.pk}/", {"sku_code": store.water.code, "min_quantity": 1,
                                                      "price": "6.60"}).status_code == 302
    with in_tenant(store.tenant):
        assert [str(p) for p in PriceEntry.objects.filter(price_list=new).values_list("price", flat=True)] == [
            "6.6000"]


def test_the_agent_receives_stock_into_its_own_warehouse(chain, in_tenant):
    store, js = chain.store, chain.js
    owner = signed_in(js.owner)
    assert owner.post(f"/supplier/stock/{js.warehouse.pk}/", {"sku_code": store.sku.code, "quantity": 15,
                                                              "reference": "IN-1"}).status_code == 302
    page = owner.get(f"/supplier/stock/{js.warehouse.pk}/").content.decode()
    assert store.sku.code in page
    with in_tenant(store.tenant):
        assert Stock.objects.get(warehouse=js.warehouse, sku=store.sku).on_hand == 55


def test_headquarters_makes_and_stops_suppliers_on_its_page(chain, in_tenant):
    from tenant_apps.dealers.models import Supplier
    from tests.factories.dealers import DealerFactory

    with in_tenant(chain.store.tenant):
        third = DealerFactory(code="AH", legal_name="安徽省代", status="active")
    admin = signed_in("owner@acme.test")
    page = admin.get("/console/suppliers/").content.decode()
    assert "江苏省代" in page and "浙江省代" in page
    assert admin.post("/console/suppliers/", {"action": "designate", "dealer_code": "AH"}).status_code == 302
    refused = admin.post("/console/suppliers/", {"action": "stop", "node": chain.js.node.pk}, follow=True)
    assert "仍有 1 家经销商向 江苏省代 订货" in refused.content.decode()  # the owner reads Chinese
    assert admin.post("/console/suppliers/", {"action": "stop", "node": third.node_id}).status_code == 302
    with in_tenant(chain.store.tenant):
        assert dict(Supplier.objects.values_list("node__code", "active")) == {"JS": True, "ZJ": True, "AH": False}


def test_a_sub_dealer_sees_its_agents_stock_in_the_catalog_not_headquarters(chain, in_tenant):
    from tests.factories.catalog import SkuFactory
    from tests.factories.inventory import stock_receive

    store = chain.store
    with in_tenant(store.tenant):
        big = SkuFactory(product=store.sku.product, code="RB-500", name="红牛 500ml", base_unit=store.can)
        stock_receive(sku=big, warehouse=store.east, quantity=80)  # headquarters' stock only
    sub, direct = signed_in(chain.js.sub_buyer), signed_in(store.buyer)
    in_stock_for_sub = sub.get("/catalog/?in_stock=1").content.decode()
    in_stock_for_direct = direct.get("/catalog/?in_stock=1").content.decode()
    assert "RB-250" in in_stock_for_sub and "RB-500" not in in_stock_for_sub
    assert "RB-250" in in_stock_for_direct and "RB-500" in in_stock_for_direct
