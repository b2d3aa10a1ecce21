"""Quantities past what a stock level holds (PostgreSQL integer): a 400 naming the field, nothing written, through
the API and the console page alike; never the database's "integer out of range" as a 500."""

import pytest

from tenant_apps.inventory.models import Stock, StockMovement
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD
from tests.inventory.test_inventory_api import _client, _world, world  # noqa: F401 (the fixtures)

BIGINT_PAST = 2**63
INTEGER_MAX = 2**31 - 1


def _unchanged(world, in_tenant, movements: int):  # noqa: F811
    with in_tenant(world["tenant"]):
        assert Stock.objects.get(sku=world["sku"], warehouse=world["east"]).on_hand == 100
        assert StockMovement.objects.count() == movements


@pytest.mark.parametrize(("url", "body", "field"), [
    ("/api/v1/stock/receipts/", {"quantity": BIGINT_PAST}, "quantity"),
    ("/api/v1/stock/receipts/", {"quantity": INTEGER_MAX + 1}, "quantity"),
    ("/api/v1/stock/receipts/", {"quantity": INTEGER_MAX}, "quantity"),  # fits alone, not on top of the 100 there
    ("/api/v1/stock/adjustments/", {"delta": BIGINT_PAST, "reason": "count"}, "delta"),
    ("/api/v1/stock/adjustments/", {"delta": -BIGINT_PAST, "reason": "count"}, "delta"),
    ("/api/v1/stock/adjustments/", {"delta": INTEGER_MAX, "reason": "count"}, "delta"),
    ("/api/v1/stock/transfers/", {"quantity": BIGINT_PAST, "to_warehouse": "{south}"}, "quantity"),
])
def test_huge_movements_are_refused_with_a_field_error(world, in_tenant, url, body, field):  # noqa: F811
    with in_tenant(world["tenant"]):
        movements = StockMovement.objects.count()
    body = {"sku": world["sku"].pk, "warehouse": world["east"].pk,
            **{key: world["south"].pk if value == "{south}" else value for key, value in body.items()}}
    response = _client(world, "owner").post(url, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["fields"] == {field: ["At most 2,147,483,647."]}
    _unchanged(world, in_tenant, movements)


def test_a_sync_level_past_the_column_is_a_field_error(world, in_tenant):  # noqa: F811
    with in_tenant(world["tenant"]):
        movements = StockMovement.objects.count()
    response = _client(world, "owner").post("/api/v1/stock/sync/", {
        "sync_id": "erp-huge", "warehouse": "SH", "levels": [{"sku": "RB-250", "on_hand": 2**40}]},
        content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["levels.1.on_hand"]
    _unchanged(world, in_tenant, movements)


def test_the_adjustment_page_shows_the_limit_instead_of_failing(world, in_tenant):  # noqa: F811
    with in_tenant(world["tenant"]):
        movements = StockMovement.objects.count()
    page = host_client("acme.localhost")
    assert page.post("/accounts/login/", {"username": "owner@acme.test", "password": DEFAULT_PASSWORD}
                     ).status_code == 302
    response = page.post("/console/inventory/", {"adjust": "1", "sku_code": "RB-250", "warehouse": world["east"].pk,
                                                 "delta": str(BIGINT_PAST), "reason": "count"})
    assert response.status_code == 200
    assert "2,147,483,647" in response.content.decode()  # the limit, in the owner's language
    _unchanged(world, in_tenant, movements)
