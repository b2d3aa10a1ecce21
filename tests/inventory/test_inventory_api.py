"""The inventory API: every role against every endpoint, movements, the ERP sync, constant queries."""

import pytest
from rest_framework.authtoken.models import Token

from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import INVENTORY_EDIT, INVENTORY_SYNC, INVENTORY_VIEW, MATRIX, Role
from tenant_apps.accounts.services import user_create
from tenant_apps.inventory import services
from tenant_apps.inventory.models import Stock, StockMovement
from tests.conftest import building_in, fresh, host_client, rolled_back
from tests.factories import DEFAULT_PASSWORD
from tests.inventory.test_stock import _catalog


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    """Built once for the module (each test runs in a savepoint rolled back after it: tests/conftest.py
    `rolled_back`)."""
    with rolled_back(django_db_blocker):
        with building_in("acme") as tenant:
            sku = _catalog()
            east = services.warehouse_create(actor=None, code="SH", name="上海仓")
            south = services.warehouse_create(actor=None, code="GZ", name="广州仓")
            services.stock_receive(actor=None, sku_id=sku.pk, warehouse_id=east.pk, quantity=100)
            tokens = {}
            for role in Role:
                user = (User.objects.get(email="owner@acme.test") if role == Role.OWNER else
                        user_create(actor=None, email=f"{role.value}@acme.test", password=DEFAULT_PASSWORD,
                                    role=role))
                tokens[role.value] = Token.objects.create(user=user).key
        yield {"sku": sku, "east": east, "south": south, "tokens": tokens, "tenant": tenant}


@pytest.fixture
def world(_world, db, in_tenant):
    with in_tenant(_world["tenant"]):
        return fresh(_world)


def _client(world, role):
    auth = {"HTTP_AUTHORIZATION": f"Token {world['tokens'][role]}"} if role else {}
    return host_client("acme.localhost", **auth)


ENDPOINTS = [
    ("get", "/api/v1/warehouses/", None, INVENTORY_VIEW, 200),
    ("post", "/api/v1/warehouses/", {"code": "BJ", "name": "北京仓"}, INVENTORY_EDIT, 201),
    ("get", "/api/v1/stock/", None, INVENTORY_VIEW, 200),
    ("get", "/api/v1/stock/movements/", None, INVENTORY_VIEW, 200),
    ("post", "/api/v1/stock/receipts/", {"sku": "{sku}", "warehouse": "{east}", "quantity": 5}, INVENTORY_EDIT, 201),
    ("post", "/api/v1/stock/adjustments/", {"sku": "{sku}", "warehouse": "{east}", "delta": -1, "reason": "count"},
     INVENTORY_EDIT, 201),
    ("post", "/api/v1/stock/transfers/", {"sku": "{sku}", "warehouse": "{east}", "to_warehouse": "{south}",
                                          "quantity": 3}, INVENTORY_EDIT, 201),
    ("post", "/api/v1/stock/sync/", {"sync_id": "s-1", "warehouse": "SH", "levels": [{"sku": "RB-250",
                                                                                   "on_hand": 80}]},
     INVENTORY_SYNC, 200),
]


def _fill(body, world):
    if body is None:
        return None
    ids = {"{sku}": world["sku"].pk, "{east}": world["east"].pk, "{south}": world["south"].pk}
    return {key: ids.get(value, value) if isinstance(value, str) else value for key, value in body.items()}


@pytest.mark.parametrize("role", [None, *[role.value for role in Role]])
@pytest.mark.parametrize(("method", "url", "body", "capability", "ok"), ENDPOINTS)
def test_every_role_against_every_inventory_endpoint(world, in_tenant, role, method, url, body, capability, ok):
    with in_tenant(world["tenant"]):
        before = StockMovement.objects.count()
    response = getattr(_client(world, role), method)(url, _fill(body, world), content_type="application/json")
    if role is None:
        expected = 401
    else:
        expected = ok if capability in MATRIX[role] else 403
    assert response.status_code == expected, response.content
    if expected != ok:
        with in_tenant(world["tenant"]):
            assert StockMovement.objects.count() == before


def test_movements_and_sync_through_the_api(world, in_tenant):
    owner = _client(world, "owner")
    sku, east = world["sku"], world["east"]
    assert owner.post("/api/v1/stock/adjustments/", {"sku": sku.pk, "warehouse": east.pk, "delta": -200,
                                                      "reason": "count"}, content_type="application/json"
                      ).json()["code"] == "insufficient_stock"
    missing = owner.post("/api/v1/stock/transfers/", {"sku": sku.pk, "warehouse": east.pk, "quantity": 1},
                         content_type="application/json")
    assert missing.status_code == 400 and "to_warehouse" in missing.json()["fields"]
    body = {"sync_id": "erp-7", "warehouse": "SH", "levels": [{"sku": "RB-250", "on_hand": 60}]}
    first = owner.post("/api/v1/stock/sync/", body, content_type="application/json").json()
    repeat = owner.post("/api/v1/stock/sync/", {**body, "levels": [{"sku": "RB-250", "on_hand": 1}]},
                        content_type="application/json").json()
    assert first == repeat == {"sync_id": "erp-7", "adjusted": 1, "unchanged": 0, "refused": {}}
    unknown = owner.post("/api/v1/stock/sync/", {**body, "sync_id": "erp-8", "levels": [{"sku": "NOPE",
                                                                                           "on_hand": 1}]},
                         content_type="application/json")
    assert unknown.status_code == 400 and "levels" in unknown.json()["fields"]
    with in_tenant(world["tenant"]):
        assert Stock.objects.get(sku=sku, warehouse=east).on_hand == 60
    ledger = owner.get("/api/v1/stock/movements/", {"kind": "adjustment"}).json()
    assert [row["on_hand_delta"] for row in ledger["results"]] == [-40]


def test_stock_list_runs_constant_queries(world, in_tenant, count_queries):
    owner = _client(world, "owner")
    owner.get("/api/v1/stock/")
    with count_queries() as few:
        assert owner.get("/api/v1/stock/").json()["count"] == 1
    with in_tenant(world["tenant"]):
        for index in range(20):
            sku = _catalog(str(index))
            services.stock_receive(actor=None, sku_id=sku.pk, warehouse_id=world["east"].pk, quantity=1)
    with count_queries() as many:
        assert owner.get("/api/v1/stock/").json()["count"] == 21
    assert len(many.sql) == len(few.sql)
