"""The dealer's catalog list on a phone: filters (series, in stock where the dealer is served, on promotion for
the dealer) combined with search in the URL, add to cart from each row (a plain POST back to the list, or htmx
with a toast), the quantity in the chosen unit (1 case is 24 cans, never 24 cases), and the frequently ordered
list with its one-tap add. Each page in a constant number of queries."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tenant_apps.catalog import services as catalog
from tenant_apps.dealers import services as dealers
from tenant_apps.inventory import services as inventory
from tenant_apps.ordering import quick
from tenant_apps.ordering.models import CartLine
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tenant_apps.ordering.templatetags.ordering_cart import first_valid_quantity
from tenant_apps.promotions import services as promotions
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD

HX = {"HTTP_HX_REQUEST": "true"}


def _buyer(store):
    client = host_client("acme.localhost")
    assert client.post("/accounts/login/",
                       {"username": store.buyer.email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def _codes(page: str) -> list[str]:
    import re

    return re.findall(r'<div class="card sf-row" data-sku="([^"]+)"', page)


@pytest.fixture
def shelf(store, tenant_a, in_tenant):
    """Beside the store's two cans (stocked in the East warehouse that serves the dealer): a series with a product
    stocked only in the West (not serving the dealer), one stocked nowhere, one in a warehouse serving every
    region, and promotions: one on RB-250 for everyone, one on the series' SKU for another tier only."""
    with in_tenant(tenant_a):
        series = catalog.series_create(actor=None, code="GOLD", name="金罐系列")
        root = store.sku.product.category
        gold = catalog.product_create(actor=None, category=root, code="GOLD", name="红牛金罐", series=series,
                                      status="on_sale")
        west_only = catalog.sku_create(actor=None, product=gold, code="GOLD-W", name="红牛金罐 西部",
                                       base_unit=store.can)
        catalog.sku_create(actor=None, product=gold, code="GOLD-0", name="红牛金罐 缺货", base_unit=store.can)
        everywhere = catalog.sku_create(actor=None, product=gold, code="GOLD-E", name="红牛金罐 总仓",
                                        base_unit=store.can)
        inventory.stock_receive(actor=None, sku_id=west_only.pk, warehouse_id=store.west.pk, quantity=40)
        central = inventory.warehouse_create(actor=None, code="C", name="总仓")  # no regions: serves everyone
        inventory.stock_receive(actor=None, sku_id=everywhere.pk, warehouse_id=central.pk, quantity=5)
        start = timezone.now() - timedelta(days=1)
        mine = promotions.promotion_create(actor=None, code="RB5", name="红牛 95 折", kind="percent",
                                           rule={"percent": "5"}, starts_at=start, skus=[store.sku])
        promotions.promotion_publish(actor=None, promotion=mine)
        other_tier = dealers.tier_create(actor=None, code="Z", name="Z")
        theirs = promotions.promotion_create(actor=None, code="Z5", name="Z 级", kind="percent",
                                             rule={"percent": "5"}, starts_at=start, tiers=[other_tier],
                                             skus=[west_only])
        promotions.promotion_publish(actor=None, promotion=theirs)
    return store, series


def test_filters_combine_with_search_and_live_in_the_url(shelf):
    store, series = shelf
    buyer = _buyer(store)
    everything = _codes(buyer.get("/catalog/").content.decode())
    assert set(everything) == {"RB-250", "RB-330", "GOLD-W", "GOLD-0", "GOLD-E"}
    # In stock: where the dealer is served (East, and the central warehouse that serves every region).
    assert set(_codes(buyer.get("/catalog/", {"in_stock": "1"}).content.decode())) == {"RB-250", "RB-330", "GOLD-E"}
    # On promotion: only a promotion this dealer qualifies for counts.
    assert _codes(buyer.get("/catalog/", {"promotion": "1"}).content.decode()) == ["RB-250"]
    assert set(_codes(buyer.get("/catalog/", {"series": series.pk}).content.decode())) == {"GOLD-W", "GOLD-0", "GOLD-E"}
    page = buyer.get("/catalog/", {"series": series.pk, "in_stock": "1", "q": "jg"}).content.decode()  # 金罐
    assert _codes(page) == ["GOLD-E"]
    # The chips show what is on and toggle it off again, keeping the rest of the query.
    chip = page.split('data-chip="in_stock"')[0].rsplit("<a ", 1)[1]
    assert "active" in chip and "in_stock" not in chip.split('href="')[1].split('"')[0]
    assert buyer.get("/catalog/", {"series": "nonsense", "in_stock": "yes"}).status_code == 200  # ignored, not a 500


def test_brand_staff_filter_stock_over_every_warehouse_and_see_no_promotion_filter(shelf):
    store, _series = shelf
    owner = host_client("acme.localhost")
    owner.post("/accounts/login/", {"username": "owner@acme.test", "password": DEFAULT_PASSWORD})
    page = owner.get("/catalog/", {"in_stock": "1", "promotion": "1"}).content.decode()
    assert set(_codes(page)) == {"RB-250", "RB-330", "GOLD-W", "GOLD-E"}
    assert 'id="on-promotion"' not in page and "add-to-cart" not in page


def test_the_list_runs_the_same_queries_for_2_and_14_products(shelf, tenant_a, in_tenant, count_queries):
    store, series = shelf
    buyer = _buyer(store)
    query = {"in_stock": "1", "promotion": "1", "q": "hn"}
    buyer.get("/catalog/", query)
    with count_queries() as few:
        buyer.get("/catalog/", query)
    with in_tenant(tenant_a):
        for number in range(12):
            sku = catalog.sku_create(actor=None, product=store.sku.product, code=f"RB-X{number}",
                                     name=f"红牛 {number}", base_unit=store.can, units=[(store.case, 24, "")])
            inventory.stock_receive(actor=None, sku_id=sku.pk, warehouse_id=store.east.pk, quantity=10)
    promotions_for_all = {"in_stock": "1", "q": "hn"}
    buyer.get("/catalog/", promotions_for_all)
    with count_queries() as many:
        page = buyer.get("/catalog/", query).content.decode()
    assert _codes(page) == ["RB-250"]
    with count_queries() as more:
        page = buyer.get("/catalog/", promotions_for_all).content.decode()
    assert len(_codes(page)) == 15
    assert len(many.sql) == len(few.sql)
    with count_queries() as fewer_rows:
        buyer.get("/catalog/", {"in_stock": "1", "q": "RB-250"})
    assert len(more.sql) == len(fewer_rows.sql)


def test_a_row_adds_to_the_cart_and_comes_back_to_the_list(shelf, tenant_a, in_tenant):
    store, _series = shelf
    buyer = _buyer(store)
    page = buyer.get("/catalog/", {"q": "hn"}).content.decode()
    row = page.split('data-sku="RB-250">')[1].split("</form>")[0]
    assert 'name="quantity" value="1"' in row and 'data-factor="24"' in row
    assert 'name="next" value="/catalog/?q=hn"' in row
    # Without script: a POST, back to the same list with a message.
    answer = buyer.post("/cart/add/", {"sku": store.sku.pk, "unit": store.case.pk, "quantity": "2",
                                       "next": "/catalog/?q=hn"})
    assert answer.status_code == 302 and answer["Location"] == "/catalog/?q=hn"
    assert "Added to the cart" in buyer.get(answer["Location"]).content.decode()
    # With htmx: nothing to swap, a toast.
    answer = buyer.post("/cart/add/", {"sku": store.water.pk, "unit": store.can.pk, "quantity": "3"}, **HX)
    assert answer.status_code == 204
    assert json.loads(answer["HX-Trigger"])["toast"]["level"] == "success"
    answer = buyer.post("/cart/add/", {"sku": store.water.pk, "quantity": "0"}, **HX)
    assert answer.status_code == 400 and json.loads(answer["HX-Trigger"])["toast"]["level"] == "error"
    with in_tenant(tenant_a):
        lines = {(line.sku.code, line.unit.name, line.quantity)
                 for line in CartLine.objects.select_related("sku", "unit")}
    assert lines == {("RB-250", "箱", 2), ("RB-330", "罐", 3)}  # 2 cases (48 cans), not 2 cans


def test_the_quantity_is_in_the_chosen_unit_and_starts_valid_in_each(store, tenant_a, in_tenant):
    # The first valid quantity of each unit, as the list and the product page start it and storefront.js converts.
    assert first_valid_quantity(factor=1, min_order_qty=24, order_step=24) == 24
    assert first_valid_quantity(factor=24, min_order_qty=24, order_step=24) == 1
    assert first_valid_quantity(factor=6, min_order_qty=24, order_step=12) == 4
    assert first_valid_quantity(factor=12, min_order_qty=1, order_step=1, at_least=3) == 3
    with in_tenant(tenant_a):
        catalog.sku_update(actor=None, sku=store.sku, min_order_qty=24, order_step=24)
    buyer = _buyer(store)
    page = buyer.get(f"/catalog/products/{store.sku.product_id}/").content.decode()
    form = page.split('data-sku="RB-250"')[2].split("</form>")[0]
    assert 'name="quantity" value="24"' in form and 'data-min="24" data-step="24"' in form
    # The server reads the quantity in the unit sent with it: 1 case is 24 cans and meets the minimum of 24.
    assert buyer.post("/cart/add/", {"sku": store.sku.pk, "unit": store.case.pk, "quantity": "1"}).status_code == 302
    refused = buyer.post("/cart/add/", {"sku": store.sku.pk, "unit": store.can.pk, "quantity": "1"}, **HX)
    assert refused.status_code == 400 and "minimum order is 24" in json.loads(refused["HX-Trigger"])["toast"]["text"]
    with in_tenant(tenant_a):
        assert [(line.unit_id, line.quantity) for line in CartLine.objects.all()] == [(store.case.pk, 1)]


# --- frequently ordered ---------------------------------------------------------------------------------


def _order(store, *lines, key):
    return order_submit(actor=store.buyer, dealer=store.dealer, idempotency_key=key,
                        lines=[SubmitLine(sku.pk, unit.pk, quantity) for sku, unit, quantity in lines]).order


def test_frequently_ordered_lists_the_most_ordered_with_their_latest_quantity(store, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        _order(store, (store.sku, store.can, 24), (store.water, store.can, 6), key="f1")
        _order(store, (store.sku, store.case, 1), key="f2")
        _order(store, (store.sku, store.case, 2), key="f3")
        cancelled = _order(store, (store.water, store.can, 6), key="f4")
        quick.order_cancel_by_dealer(actor=store.buyer, order=cancelled, reason="错了")
    buyer = _buyer(store)
    page = buyer.get("/cart/frequent/").content.decode()
    rows = page.split('class="sf-frequent-row" data-sku="')[1:]
    assert [row.split('"')[0] for row in rows] == ["RB-250", "RB-330"]
    assert "+ 2 箱" in rows[0] and "in 3 orders" in rows[0]  # the latest order's quantity and unit
    assert "+ 6 罐" in rows[1] and "in 1 order" in rows[1]  # the cancelled order does not count
    home = buyer.get("/").content.decode()
    assert 'id="home-frequent"' in home and "+ 2 箱" in home
    # One tap adds the latest quantity again.
    form = rows[0].split("<form")[1]
    assert f'name="unit" value="{store.case.pk}"' in form and 'name="quantity" value="2"' in form
    assert buyer.post("/cart/add/", {"sku": store.sku.pk, "unit": store.case.pk, "quantity": "2"},
                      **HX).status_code == 204
    with in_tenant(tenant_a):
        assert [(line.unit_id, line.quantity) for line in CartLine.objects.all()] == [(store.case.pk, 2)]


def test_frequently_ordered_is_empty_at_first_and_costs_the_same_for_2_and_12_products(store, tenant_a, in_tenant,
                                                                                     count_queries):
    buyer = _buyer(store)
    assert "Nothing ordered yet" in buyer.get("/cart/frequent/").content.decode()
    with in_tenant(tenant_a):
        _order(store, (store.sku, store.can, 1), (store.water, store.can, 1), key="g1")
    buyer.get("/cart/frequent/")
    with count_queries() as few:
        buyer.get("/cart/frequent/")
    with in_tenant(tenant_a):
        more = [catalog.sku_create(actor=None, product=store.sku.product, code=f"RB-F{number}", name=f"红牛 F{number}",
                                   base_unit=store.can) for number in range(10)]
        for sku in more:
            inventory.stock_receive(actor=None, sku_id=sku.pk, warehouse_id=store.east.pk, quantity=10)
        from tenant_apps.pricing import services as pricing

        for sku in more:
            pricing.price_entry_set(actor=None, price_list=store.base, sku=sku, unit=store.can, price="5.00")
        _order(store, *((sku, store.can, 1) for sku in more), key="g2")
    with count_queries() as many:
        page = buyer.get("/cart/frequent/").content.decode()
    assert page.count('class="sf-frequent-row"') == 12
    assert len(many.sql) == len(few.sql)


def test_people_who_do_not_order_have_no_frequently_ordered_page(store, tenant_a, in_tenant):
    from tenant_apps.accounts.services import user_create

    with in_tenant(tenant_a):
        user_create(actor=None, email="fin@sh.test", password=DEFAULT_PASSWORD, role="dealer_finance",
                    dealer=store.dealer)
    finance = host_client("acme.localhost")
    finance.post("/accounts/login/", {"username": "fin@sh.test", "password": DEFAULT_PASSWORD})
    assert finance.get("/cart/frequent/").status_code == 403
    assert host_client("acme.localhost").get("/cart/frequent/").status_code == 302
