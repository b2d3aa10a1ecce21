"""Console pages of inventory: stock per warehouse, adjustments, the ledger; who may see and change."""

import pytest

from tenant_apps.accounts.services import user_create
from tenant_apps.inventory import services
from tenant_apps.inventory.models import Stock, StockMovement
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD
from tests.inventory.test_stock import _catalog


@pytest.fixture
def shop(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        sku = _catalog()
        east = services.warehouse_create(actor=None, code="SH", name="上海仓")
        services.stock_receive(actor=None, sku_id=sku.pk, warehouse_id=east.pk, quantity=100, reference="PO-1")
        for role in ("warehouse", "analyst", "dealer_buyer"):
            user_create(actor=None, email=f"{role}@acme.test", password=DEFAULT_PASSWORD, role=role)
    return {"sku": sku, "east": east, "tenant": tenant_a}


def _as(role):
    client = host_client("acme.localhost")
    email = "owner@acme.test" if role == "owner" else f"{role}@acme.test"
    client.post("/accounts/login/", {"username": email, "password": DEFAULT_PASSWORD})
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("warehouse", 200), ("analyst", 200),
                                              ("dealer_buyer", 403)])
def test_stock_and_ledger_pages_by_role(shop, role, status):
    client = _as(role)
    assert client.get("/console/inventory/").status_code == status
    assert client.get("/console/inventory/ledger/").status_code == status
    assert host_client("acme.localhost").get("/console/inventory/").status_code == 302  # anonymous


def test_adjust_from_the_console_and_see_it_in_the_ledger(shop, in_tenant):
    warehouse = _as("warehouse")
    bad = warehouse.post("/console/inventory/", {"adjust": "1", "sku_code": "NOPE", "warehouse": shop["east"].pk,
                                                 "delta": -3, "reason": "count"})
    assert "No SKU with this code." in bad.content.decode()
    done = warehouse.post("/console/inventory/", {"adjust": "1", "sku_code": "RB-250", "warehouse": shop["east"].pk,
                                                  "delta": -3, "reason": "broken cans"})
    assert done.status_code == 302
    with in_tenant(shop["tenant"]):
        assert Stock.objects.get(sku=shop["sku"]).on_hand == 97
    ledger = warehouse.get("/console/inventory/ledger/", {"kind": "adjustment"}).content.decode()
    assert "broken cans" in ledger and "-3" in ledger


def test_analysts_may_look_but_not_adjust(shop, in_tenant):
    refused = _as("analyst").post("/console/inventory/", {"adjust": "1", "sku_code": "RB-250",
                                                          "warehouse": shop["east"].pk, "delta": 5, "reason": "x"})
    assert refused.status_code == 403
    with in_tenant(shop["tenant"]):
        assert StockMovement.objects.count() == 1


def test_stock_page_queries_are_constant(shop, in_tenant, count_queries):
    owner = _as("owner")
    owner.get("/console/inventory/")
    with count_queries() as few:
        owner.get("/console/inventory/")
    with in_tenant(shop["tenant"]):
        for index in range(15):
            sku = _catalog(str(index))
            services.stock_receive(actor=None, sku_id=sku.pk, warehouse_id=shop["east"].pk, quantity=2)
    with count_queries() as many:
        assert "RB-2504" in owner.get("/console/inventory/").content.decode()
    assert len(many.sql) == len(few.sql)
