"""Catalog API: who may read and write; search for a dealer respects visibility; constant queries."""

import pytest
from rest_framework.authtoken.models import Token

from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import CATALOG_EDIT, CATALOG_VIEW, MATRIX, Role
from tenant_apps.accounts.services import user_create
from tenant_apps.catalog.models import Product, Sku
from tests.catalog.conftest import shop_make
from tests.conftest import building_in, fresh, host_client, rolled_back
from tests.factories import DEFAULT_PASSWORD


def _tokens():
    keys = {}
    for role in Role:
        if role == Role.OWNER:
            user = User.objects.get(email="owner@acme.test")
        elif role == Role.DEALER_BUYER:
            user = User.objects.get(email="buyer@sh.test")
        else:
            buyer = User.objects.get(email="buyer@sh.test")
            user = user_create(actor=None, email=f"{role.value}@acme.test", password=DEFAULT_PASSWORD,
                               role=role, dealer=buyer.dealer if role.value.startswith("dealer") else None)
        keys[role.value] = Token.objects.create(user=user).key
    return keys


@pytest.fixture(scope="module")
def _made(django_db_setup, django_db_blocker):
    """The shop (tests/catalog/conftest.py) and a token per role: built once for the module (each test runs in a
    savepoint rolled back after it: tests/conftest.py `rolled_back`)."""
    with rolled_back(django_db_blocker):
        with building_in("acme") as tenant:
            made = shop_make(), _tokens(), tenant
        yield made


@pytest.fixture
def shop(_made, db, in_tenant):
    with in_tenant(_made[2]):
        return fresh(_made[0])


@pytest.fixture
def tokens(_made, db):
    return _made[1]


def _as(tokens, role):
    headers = {"HTTP_AUTHORIZATION": f"Token {tokens[role]}"} if role else {}
    return host_client("acme.localhost", **headers)


ENDPOINTS = [
    ("get", "/api/v1/catalog/categories/", None, CATALOG_VIEW, 200),
    ("get", "/api/v1/catalog/skus/", None, CATALOG_VIEW, 200),
    ("get", "/api/v1/catalog/products/", None, CATALOG_EDIT, 200),
    ("post", "/api/v1/catalog/categories/", {"code": "TEA", "name": "茶饮料"}, CATALOG_EDIT, 201),
]


@pytest.mark.parametrize("role", [None, *[r.value for r in Role]])
@pytest.mark.parametrize(("method", "url", "body", "capability", "ok"), ENDPOINTS)
def test_every_role_against_the_catalog_api(tokens, role, method, url, body, capability, ok):
    response = getattr(_as(tokens, role), method)(url, body, content_type="application/json")
    expected = 401 if role is None else (ok if capability in MATRIX[role] else 403)
    assert response.status_code == expected, response.content


def test_dealer_search_sees_only_visible_skus_with_stock_levels(tokens):
    results = _as(tokens, "dealer_buyer").get("/api/v1/catalog/skus/", {"q": "红牛"}).json()["results"]
    assert [row["code"] for row in results] == ["RB-250"]
    assert results[0]["stock"] == {"level": "in_stock"}
    staff = _as(tokens, "owner").get("/api/v1/catalog/skus/", {"q": "红牛"}).json()["results"]
    assert sorted(row["code"] for row in staff) == ["RB-250", "VIP-1"]


def test_creating_through_the_api_validates(tokens, shop, tenant_a, in_tenant):
    owner = _as(tokens, "owner")
    bad = owner.post("/api/v1/catalog/skus/", {"product": shop["RB"].pk, "code": "RB-330", "name": "红牛 330ml",
                                               "base_unit": "pc", "barcode": "6900000000000"},
                     content_type="application/json")
    assert bad.status_code == 400 and "barcode" in bad.json()["fields"]
    good = owner.post("/api/v1/catalog/skus/", {"product": shop["RB"].pk, "code": "RB-330", "name": "红牛 330ml",
                                                "base_unit": "pc", "min_order_qty": 24, "order_step": 24},
                      content_type="application/json")
    assert good.status_code == 201, good.content
    with in_tenant(tenant_a):
        assert Sku.objects.filter(code="RB-330").exists()
        assert Product.objects.count() == 4


def test_sku_list_queries_are_constant(tokens, shop, tenant_a, in_tenant, count_queries):
    from tenant_apps.catalog import services as catalog

    buyer = _as(tokens, "dealer_buyer")
    buyer.get("/api/v1/catalog/skus/")
    with count_queries() as few:
        buyer.get("/api/v1/catalog/skus/")
    with in_tenant(tenant_a):
        piece = catalog.unit_ensure(code="pc", name="罐")
        for index in range(10):
            product = catalog.product_create(actor=None, category=shop["energy"], code=f"Y{index}",
                                             name=f"饮料{index}", status="on_sale")
            catalog.sku_create(actor=None, product=product, code=f"Y{index}-1", name=f"饮料{index}", base_unit=piece)
    with count_queries() as many:
        assert buyer.get("/api/v1/catalog/skus/").json()["count"] == 13
    assert len(many.sql) == len(few.sql)


def test_dealer_staff_without_a_dealer_find_nothing(tokens, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        lost = user_create(actor=None, email="lost@acme.test", password=DEFAULT_PASSWORD, role="dealer_buyer")
        key = Token.objects.create(user=lost).key
    client = host_client("acme.localhost", HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/catalog/skus/").json()["count"] == 0
