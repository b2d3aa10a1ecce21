"""Sibling agents (S2B2B) never see each other's prices, stock, dealers or orders: by id through the supplier pages
and the API they do not exist (404), and their lists show only their own, their demand roll-up and safety stock too. A
sub-dealer is no supplier (403)."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from tenant_apps.ordering.submission import SubmitLine, order_submit
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD
from tests.factories.ordering import store as make_store
from tests.factories.suppliers import chain as make_chain

HOST = "acme.localhost"


@pytest.fixture
def chain(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        shop = make_store()
        made = make_chain(shop, tenant_a)
        for agent in (made.js, made.zj):
            agent.order = order_submit(actor=agent.sub_buyer, dealer=agent.sub,
                                       lines=[SubmitLine(shop.sku.pk, None, 2)]).order
            agent.token = Token.objects.create(user=agent.owner).key
        yield made


def _page(user):
    client = host_client(HOST)
    assert client.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def _objects(agent) -> dict[str, int]:
    return {"orders": agent.order.pk, "dealers": agent.sub.pk, "prices": agent.prices.pk,
            "stock": agent.warehouse.pk, "receivables": agent.sub.pk}


PAGES = {"orders": "/supplier/orders/{}/", "dealers": "/supplier/dealers/{}/", "prices": "/supplier/prices/{}/",
         "stock": "/supplier/stock/{}/", "receivables": "/supplier/receivables/{}/"}
API = {"orders": "/api/v1/supplier/orders/{}/", "dealers": "/api/v1/supplier/dealers/{}/",
       "prices": "/api/v1/supplier/price-lists/{}/", "stock": "/api/v1/supplier/warehouses/{}/",
       "receivables": "/api/v1/supplier/receivables/{}/"}


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_an_agent_opens_its_own_objects_and_gets_404_for_its_siblings(chain, kind):
    js, zj = chain.js, chain.zj
    page, api = _page(js.owner), host_client(HOST, HTTP_AUTHORIZATION=f"Token {js.token}")
    assert page.get(PAGES[kind].format(_objects(js)[kind])).status_code == 200
    assert api.get(API[kind].format(_objects(js)[kind])).status_code == 200
    assert page.get(PAGES[kind].format(_objects(zj)[kind])).status_code == 404
    answer = api.get(API[kind].format(_objects(zj)[kind]))
    assert answer.status_code == 404 and answer.json()["code"].endswith("not_found")


def test_a_write_on_a_siblings_price_list_is_a_404_and_changes_nothing(chain, in_tenant, tenant_a):
    js, zj = chain.js, chain.zj
    api = host_client(HOST, HTTP_AUTHORIZATION=f"Token {js.token}")
    answer = api.post(API["prices"].format(zj.prices.pk) + "prices/", {"sku": chain.store.sku.pk, "price": "9.00"},
                      content_type="application/json")
    assert answer.status_code == 404
    assert _page(js.owner).post(PAGES["prices"].format(zj.prices.pk), {
        "sku_code": chain.store.sku.code, "min_quantity": 1, "price": "9.00"}).status_code == 404
    assert _page(js.owner).post(PAGES["stock"].format(zj.warehouse.pk), {
        "sku_code": chain.store.sku.code, "quantity": 5}).status_code == 404
    with in_tenant(tenant_a):
        assert [str(p) for p in zj.prices.entries.order_by("sku__code").values_list("price", flat=True)] == [
            "5.8000", "7.0000"]
        assert sorted(zj.warehouse.stock.values_list("on_hand", flat=True)) == [30, 30]


def test_an_agents_lists_show_only_its_own(chain):
    js, zj = chain.js, chain.zj
    page, api = _page(js.owner), host_client(HOST, HTTP_AUTHORIZATION=f"Token {js.token}")
    text = "".join(page.get(url).content.decode()
                   for url in ("/supplier/", "/supplier/dealers/", "/supplier/prices/", "/supplier/stock/"))
    assert [marker for marker in (js.order.number, js.sub.code, js.prices.code, js.warehouse.code)
            if marker not in text] == []
    assert [marker for marker in (zj.order.number, zj.sub.code, zj.prices.code, zj.warehouse.code)
            if marker in text] == []
    for url, key, mine in [("/api/v1/supplier/orders/", "number", js.order.number),
                           ("/api/v1/supplier/dealers/", "code", js.sub.code),
                           ("/api/v1/supplier/price-lists/", "code", js.prices.code),
                           ("/api/v1/supplier/warehouses/", "code", js.warehouse.code)]:
        assert [row[key] for row in api.get(url).json()["results"]] == [mine]


def test_an_agent_records_no_payment_and_sets_no_terms_for_a_siblings_sub_dealer(chain, in_tenant, tenant_a):
    from tenant_apps.finance.models import DealerAccount, SupplierTerms

    js, zj = chain.js, chain.zj
    api = host_client(HOST, HTTP_AUTHORIZATION=f"Token {js.token}")
    for suffix, body in [("payments/", {"amount": "1.00", "method": "cash"}), ("terms/", {"credit_limit": "9.00"})]:
        assert api.post(API["receivables"].format(zj.sub.pk) + suffix, body,
                        content_type="application/json").status_code == 404
    assert _page(js.owner).post(PAGES["receivables"].format(zj.sub.pk), {
        "action": "payment", "amount": "1.00", "method": "cash"}).status_code == 404
    rows = api.get("/api/v1/supplier/receivables/").json()
    assert [row["code"] for row in rows] == [js.sub.code]
    assert js.sub.code in _page(js.owner).get("/supplier/receivables/").content.decode()
    assert zj.sub.code not in _page(js.owner).get("/supplier/receivables/").content.decode()
    with in_tenant(tenant_a):
        assert [(a.creditor_id, str(a.credit_used)) for a in DealerAccount.objects.filter(dealer=zj.sub)] == [
            (zj.node.pk, "11.60")]
        assert not SupplierTerms.objects.exists()


def test_a_sub_dealer_is_no_supplier(chain):
    js = chain.js
    page = _page(js.sub_buyer)
    assert page.get("/supplier/").status_code == 403
    assert page.get(PAGES["orders"].format(js.order.pk)).status_code == 403


def test_an_agent_adds_its_own_warehouse_and_receives_stock_into_it(chain, in_tenant, tenant_a):
    """An agent that signed on without the brand's help sets up its stock itself: the warehouse it adds is its
    own (only its sub-dealers' orders reserve from it) and its sibling never sees it."""
    from tenant_apps.inventory.models import Warehouse

    js, zj = chain.js, chain.zj
    page = _page(js.owner)
    assert page.post("/supplier/stock/", {"code": "bad code!", "name": "x"}).status_code == 200  # form again
    added = page.post("/supplier/stock/", {"code": "JS-2", "name": "江苏二仓"})
    assert added.status_code == 302
    api = host_client(HOST, HTTP_AUTHORIZATION=f"Token {js.token}")
    refused = api.post("/api/v1/supplier/warehouses/", {"code": "JS-2", "name": "again"},
                       content_type="application/json")
    assert refused.status_code == 400 and "code" in refused.json()["fields"]
    made = api.post("/api/v1/supplier/warehouses/", {"code": "JS-3", "name": "江苏三仓"},
                    content_type="application/json")
    assert made.status_code == 201
    received = api.post(f"/api/v1/supplier/warehouses/{made.json()['id']}/receive/",
                        {"sku": chain.store.sku.pk, "quantity": 12, "reference": "GRN-1"},
                        content_type="application/json")
    assert received.status_code == 200 and [row["on_hand"] for row in received.json()["stock"]] == [12]
    sibling = host_client(HOST, HTTP_AUTHORIZATION=f"Token {zj.token}")
    assert sibling.post(f"/api/v1/supplier/warehouses/{made.json()['id']}/receive/",
                        {"sku": chain.store.sku.pk, "quantity": 1}, content_type="application/json").status_code == 404
    assert "JS-3" not in _page(zj.owner).get("/supplier/stock/").content.decode()
    with in_tenant(tenant_a):
        assert dict(Warehouse.objects.filter(code__in=["JS-2", "JS-3"]).values_list("code", "owner_id")) == {
            "JS-2": js.node.pk, "JS-3": js.node.pk}


def test_a_sub_dealer_is_told_its_order_goes_to_its_supplier(chain, in_tenant, tenant_a):
    from tests.factories.ordering import cart_line

    js, store = chain.js, chain.store
    with in_tenant(tenant_a):
        cart_line(buyer=js.sub_buyer, dealer=js.sub, sku=store.sku, quantity=2)
        cart_line(buyer=store.buyer, dealer=store.dealer, sku=store.sku, quantity=2)
    page = _page(js.sub_buyer)
    checkout = page.get("/cart/checkout/").content.decode()
    assert 'id="checkout-seller"' in checkout and js.node.name in checkout
    order = page.get(f"/orders/{js.order.pk}/").content.decode()
    assert f'<dd id="order-seller">{js.node.name}</dd>' in order
    direct = _page(chain.store.buyer).get("/cart/checkout/").content.decode()  # headquarters' own dealer
    assert 'id="checkout-seller"' not in direct and "Note for the brand" in direct


def test_an_agents_demand_and_safety_stock_are_its_own(chain):
    js, zj = chain.js, chain.zj
    mine = host_client(HOST, HTTP_AUTHORIZATION=f"Token {js.token}")
    sibling = host_client(HOST, HTTP_AUTHORIZATION=f"Token {zj.token}")
    assert mine.post("/api/v1/supplier/safety-stock/", {"sku": chain.store.water.pk, "quantity": 99},
                     content_type="application/json").status_code == 200
    theirs = sibling.get("/api/v1/supplier/demand/").json()
    assert [(row["code"], row["open_demand"], row["safety_stock"], [d["code"] for d in row["dealers"]])
            for row in theirs["rows"]] == [(chain.store.sku.code, 2, 0, [zj.sub.code])]
    assert sibling.get("/api/v1/supplier/safety-stock/").json() == []
    page = _page(js.owner).get("/supplier/demand/").content.decode()
    assert js.sub.code in page and zj.sub.code not in page
