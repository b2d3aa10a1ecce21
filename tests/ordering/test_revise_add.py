"""The dealer's order edit page adds products by code (resolved as the quick order resolves them): the
order is revised with the new line and its stock reserved; a bad row is a 400 and changes nothing."""

from __future__ import annotations

import pytest
from django.conf import settings

from tenant_apps.inventory.models import Stock
from tenant_apps.ordering.models import Order, OrderLine
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD


@pytest.fixture
def order(store, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        return order_submit(actor=store.buyer, dealer=store.dealer,
                            lines=[SubmitLine(store.sku.pk, store.can.pk, 10)]).order


@pytest.fixture
def buyer(store):
    client = host_client("acme.localhost")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.post("/accounts/login/", {"username": store.buyer.email,
                                            "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def _state(order, store, tenant, in_tenant):
    """(status, revision, lines as (sku code, unit code, quantity), reserved per SKU code)."""
    with in_tenant(tenant):
        current = Order.objects.get(pk=order.pk)
        lines = [(line.sku.code, line.unit.code, line.quantity) for line in
                 OrderLine.objects.filter(order=order).select_related("sku", "unit").order_by("line_no")]
        reserved = {sku.code: sum(Stock.objects.filter(sku=sku).values_list("reserved", flat=True))
                    for sku in (store.sku, store.water)}
        return current.status, current.revision, lines, reserved


def _edit(buyer, order, store, tenant, in_tenant, **add):
    with in_tenant(tenant):
        line = OrderLine.objects.get(order=order)
    return buyer.post(f"/orders/{order.pk}/edit/", {f"quantity-{line.pk}": "10", "note": "",
                                                   **{f"add-{name}": value for name, value in add.items()}})


def test_the_edit_page_has_an_add_a_product_row(buyer, order):
    body = buyer.get(f"/orders/{order.pk}/edit/").content.decode()
    assert 'id="add-line"' in body and 'name="add-code"' in body and 'name="add-quantity"' in body


def test_the_dealer_adds_a_product_and_its_stock_is_reserved(buyer, order, store, tenant_a, in_tenant):
    assert _state(order, store, tenant_a, in_tenant) == ("approved", 1, [("RB-250", "CAN", 10)],
                                                         {"RB-250": 10, "RB-330": 0})
    done = _edit(buyer, order, store, tenant_a, in_tenant, code="rb-330", quantity="6")
    assert (done.status_code, done["Location"]) == (302, f"/orders/{order.pk}/")
    assert _state(order, store, tenant_a, in_tenant) == ("approved", 2, [("RB-250", "CAN", 10), ("RB-330", "CAN", 6)],
                                                         {"RB-250": 10, "RB-330": 6})
    with in_tenant(tenant_a):
        assert Order.objects.get(pk=order.pk).total == 10 * 5 + 6 * 6


def test_a_product_added_in_another_unit_is_a_line_of_its_own(buyer, order, store, tenant_a, in_tenant):
    done = _edit(buyer, order, store, tenant_a, in_tenant, code="RB-250", quantity="2", unit="case")
    assert done.status_code == 302
    assert _state(order, store, tenant_a, in_tenant)[2:] == (
        [("RB-250", "CAN", 10), ("RB-250", "CASE", 2)], {"RB-250": 10 + 48, "RB-330": 0})


def test_a_product_already_on_the_order_in_that_unit_gets_the_added_quantity(buyer, order, store, tenant_a,
                                                                             in_tenant):
    done = _edit(buyer, order, store, tenant_a, in_tenant, code="RB-250", quantity="5")
    assert done.status_code == 302
    assert _state(order, store, tenant_a, in_tenant)[2:] == ([("RB-250", "CAN", 15)], {"RB-250": 15, "RB-330": 0})


@pytest.mark.parametrize(("add", "message"), [
    ({"code": "NOPE-1", "quantity": "3"}, "No product with the code “NOPE-1” can be ordered by your company."),
    ({"code": "RB-330", "quantity": "two"}, "“two” is not a whole number from 1 to 1,000,000."),
    ({"code": "RB-330", "quantity": "0"}, "“0” is not a whole number from 1 to 1,000,000."),
    ({"code": "RB-330", "quantity": "3", "unit": "PALLET"}, "RB-330 is sold in: 罐."),
    ({"code": "", "quantity": "3"}, "Give the product&#x27;s code."),
])
def test_a_row_that_cannot_be_added_is_a_400_beside_the_row_and_nothing_changes(buyer, order, store, tenant_a,
                                                                                in_tenant, add, message):
    before = _state(order, store, tenant_a, in_tenant)
    page = _edit(buyer, order, store, tenant_a, in_tenant, **add)
    body = page.content.decode()
    assert page.status_code == 400
    assert f'<ul class="ord-errors" id="add-errors" style="flex-basis:100%"><li>{message}</li></ul>' in body
    assert f'name="add-code" value="{add["code"]}"' in body  # what was typed is kept
    assert _state(order, store, tenant_a, in_tenant) == before


def test_an_added_line_the_stock_cannot_cover_changes_nothing(buyer, order, store, tenant_a, in_tenant):
    before = _state(order, store, tenant_a, in_tenant)
    page = _edit(buyer, order, store, tenant_a, in_tenant, code="RB-330", quantity="999")
    assert page.status_code == 409
    assert _state(order, store, tenant_a, in_tenant) == before


def test_an_added_line_below_its_minimum_is_named_beside_the_row_and_changes_nothing(buyer, order, store, tenant_a,
                                                                                      in_tenant):
    from tenant_apps.catalog import services as catalog
    from tenant_apps.inventory import services as inventory
    from tenant_apps.pricing import services as pricing

    with in_tenant(tenant_a):
        big = catalog.sku_create(actor=None, product=store.sku.product, code="RB-1L", name="红牛 1L",
                                 base_unit=store.can, min_order_qty=12)
        pricing.price_entry_set(actor=None, price_list=store.base, sku=big, unit=store.can, price="9.00")
        inventory.stock_receive(actor=None, sku_id=big.pk, warehouse_id=store.east.pk, quantity=100)
    before = _state(order, store, tenant_a, in_tenant)
    page = _edit(buyer, order, store, tenant_a, in_tenant, code="RB-1L", quantity="5")
    assert page.status_code == 400
    assert '<ul class="ord-errors" id="add-errors" style="flex-basis:100%"><li>The minimum order is 12 罐.</li></ul>' \
        in page.content.decode()
    assert _state(order, store, tenant_a, in_tenant) == before
