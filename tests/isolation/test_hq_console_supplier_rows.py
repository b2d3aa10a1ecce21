"""Headquarters' console and API and a supplier's own rows (S2B2B): the price-list, stock and promotion pages list
headquarters' own rows by default and the suppliers' on demand (with whose they are); a supplier's row is read-only
to headquarters' staff: the console refuses a change (403) and the brand's API answers 403 `owned_by_supplier`
saying whose it is, nothing changed. The supplier's own people still change it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from tenant_apps.accounts.models import User
from tenant_apps.inventory.models import Stock
from tenant_apps.pricing.models import PriceEntry
from tenant_apps.pricing.services import price_entry_set
from tenant_apps.promotions.models import Promotion
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD, token_for
from tests.factories.ordering import store as make_store
from tests.factories.promotions import PromotionFactory
from tests.factories.suppliers import chain as make_chain

HOST = "acme.localhost"


@pytest.fixture
def made(tenant_a, in_tenant):
    """The chain (two agents with their own list and warehouse) and a promotion of JS's own and one of HQ's."""
    with in_tenant(tenant_a):
        chain = make_chain(make_store(), tenant_a)
        chain.js.promotion = PromotionFactory(code="JS-5", name="江苏五折", owner=chain.js.node)
        chain.hq_promotion = PromotionFactory(code="HQ-5", name="总部促销")
        chain.owner = User.objects.get(email="owner@acme.test")
        chain.key = token_for(chain.owner)
        chain.tenant = tenant_a
        yield chain


def _console(made):
    client = host_client(HOST)
    assert client.post("/accounts/login/", {"username": made.owner.email,
                                            "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def _back(made, response):
    connection.set_tenant(made.tenant)
    return response


def test_the_console_lists_headquarters_own_rows_and_the_suppliers_on_demand(made):
    client = _console(made)
    js, zj = made.js, made.zj
    lists = _back(made, client.get("/console/pricing/")).content.decode()
    hq_list = f"<code>{made.store.base.code}</code>"
    assert hq_list in lists and js.prices.code not in lists
    theirs = _back(made, client.get("/console/pricing/", {"owner": "suppliers"})).content.decode()
    assert hq_list not in theirs
    assert f'data-owner="{js.node.code}"' in theirs and f'data-owner="{zj.node.code}"' in theirs
    stock = _back(made, client.get("/console/inventory/")).content.decode()
    assert js.warehouse.name not in stock and made.store.east.name in stock
    theirs = _back(made, client.get("/console/inventory/", {"owner": "suppliers"})).content.decode()
    assert js.warehouse.name in theirs and f'data-owner="{js.node.code}"' in theirs
    promotions = _back(made, client.get("/console/promotions/")).content.decode()
    assert 'data-code="HQ-5"' in promotions and 'data-code="JS-5"' not in promotions
    theirs = _back(made, client.get("/console/promotions/", {"owner": "suppliers"})).content.decode()
    assert 'data-code="JS-5"' in theirs and 'data-code="HQ-5"' not in theirs


def test_a_suppliers_rows_are_read_only_in_the_console(made):
    client = _console(made)
    js = made.js
    page = _back(made, client.get(f"/console/pricing/lists/{js.prices.pk}/"))
    body = page.content.decode()
    assert page.status_code == 200 and 'id="supplier-owned"' in body and 'name="action"' not in body
    refused = _back(made, client.post(f"/console/pricing/lists/{js.prices.pk}/", {"action": "deactivate"}))
    assert refused.status_code == 403 and js.prices.__class__.objects.get(pk=js.prices.pk).status == "active"
    detail = _back(made, client.get(f"/console/promotions/{js.promotion.pk}/")).content.decode()
    assert 'id="supplier-owned"' in detail and 'id="publish"' not in detail
    assert _back(made, client.get(f"/console/promotions/{js.promotion.pk}/edit/")).status_code == 403
    _back(made, client.post(f"/console/promotions/{js.promotion.pk}/publish/"))
    assert Promotion.objects.get(pk=js.promotion.pk).status == "draft"
    # the adjustment form offers headquarters' warehouses only: an agent's is not a choice
    adjusted = _back(made, client.post("/console/inventory/", {
        "adjust": "1", "sku_code": made.store.sku.code, "warehouse": js.warehouse.pk, "delta": 5, "reason": "盘点"}))
    assert adjusted.status_code == 200 and Stock.objects.get(warehouse=js.warehouse, sku=made.store.sku).on_hand == 40


def test_the_brand_api_refuses_to_change_a_suppliers_rows_with_a_clear_403(made):
    api = host_client(HOST, HTTP_AUTHORIZATION=f"Token {made.key}")
    js, store = made.js, made.store
    calls = [
        ("patch", f"/api/v1/pricing/lists/{js.prices.pk}/", {"name": "改名"}),
        ("post", f"/api/v1/pricing/lists/{js.prices.pk}/status/", {"status": "inactive"}),
        ("post", "/api/v1/pricing/entries/", {"price_list": js.prices.pk, "sku": store.sku.pk, "unit": "CAN",
                                              "price": "1.00"}),
        ("post", "/api/v1/stock/receipts/", {"sku": store.sku.pk, "warehouse": js.warehouse.pk, "quantity": 5}),
        ("post", "/api/v1/stock/adjustments/", {"sku": store.sku.pk, "warehouse": js.warehouse.pk, "delta": -1,
                                                "reason": "破损"}),
        ("post", "/api/v1/stock/transfers/", {"sku": store.sku.pk, "warehouse": js.warehouse.pk,
                                              "to_warehouse": store.east.pk, "quantity": 1}),
        ("patch", f"/api/v1/promotions/{js.promotion.pk}/", {"name": "改名"}),
        ("post", f"/api/v1/promotions/{js.promotion.pk}/publish/", {}),
    ]
    for method, path, body in calls:
        answer = _back(made, getattr(api, method)(path, body, content_type="application/json"))
        assert (path, answer.status_code, answer.json()["code"]) == (path, 403, "owned_by_supplier")
        assert "belongs to a supplier" in answer.json()["detail"]
    js.prices.refresh_from_db()
    assert (js.prices.name, js.prices.status) == ("江苏省代价", "active")
    assert PriceEntry.objects.get(price_list=js.prices, sku=store.sku).price == Decimal("5.5000")
    assert Stock.objects.get(warehouse=js.warehouse, sku=store.sku).on_hand == 40
    assert Promotion.objects.get(pk=js.promotion.pk).name == "江苏五折"
    # reading stays open to headquarters; the agent's own people still change their list
    assert _back(made, api.get(f"/api/v1/pricing/lists/{js.prices.pk}/")).status_code == 200
    price_entry_set(actor=js.owner, price_list=js.prices, sku=store.sku, unit=store.can, price="5.60")
    assert PriceEntry.objects.get(price_list=js.prices, sku=store.sku).price == Decimal("5.6000")


def test_headquarters_export_of_all_prices_is_its_own_and_imports_again_a_suppliers_list_is_a_row_error(made):
    from tenant_apps.pricing.transfer import prices_export, prices_import

    content, _type, filename = prices_export(actor=made.owner, fmt="csv")
    text = content.decode("utf-8-sig")
    assert made.store.base.code in text and made.js.prices.code not in text
    again = prices_import(actor=made.owner, file=content, filename=filename)
    assert again.applied and not again.errors
    hostile = ("list_code,sku_code,unit_code,min_quantity,price\n"
               f"{made.js.prices.code},{made.store.sku.code},CAN,1,1.00\n")
    refused = prices_import(actor=made.owner, file=hostile.encode(), filename="p.csv")
    assert not refused.applied
    assert [(error.row, error.field) for error in refused.errors] == [(2, "list_code")]
    assert PriceEntry.objects.get(price_list=made.js.prices, sku=made.store.sku).price == Decimal("5.5000")
