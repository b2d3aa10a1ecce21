"""Pricing API: who may read and write, the quote for one's own dealer only, scope (404), bad lines (400),
constant queries on the listings."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.authtoken.models import Token

from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import MATRIX, PRICING_EDIT, PRICING_VIEW, Role
from tenant_apps.accounts.services import user_create
from tenant_apps.dealers import services as dealers
from tenant_apps.pricing import services
from tenant_apps.pricing.models import PriceEntry, PriceList
from tests.conftest import building_in, fresh, host_client, rolled_back
from tests.factories import DEFAULT_PASSWORD
from tests.pricing.conftest import world_make


def _priced(world):
    base = services.price_list_create(actor=None, code="BASE", name="基础价", kind="base",
                                      valid_from=date(2026, 1, 1), status="active")
    services.price_entry_set(actor=None, price_list=base, sku=world.rb, unit=world.piece, price="6.00")
    services.price_entry_set(actor=None, price_list=base, sku=world.dp, unit=world.piece, price="4.00")
    tier = services.price_list_create(actor=None, code="TIER-A", name="A", kind="tier", tier=world.tier_a,
                                      valid_from=date(2026, 1, 1), status="active")
    services.price_entry_set(actor=None, price_list=tier, sku=world.rb, unit=world.piece, price="5.50")
    return base


def _tokens(world):
    keys = {}
    region = dealers.region_create(actor=None, parent=world.hq, name="华北", code="NORTH")
    for role in Role:
        if role == Role.OWNER:
            user = User.objects.get(email="owner@acme.test")
        elif role == Role.DEALER_BUYER:
            user = world.buyer
        else:
            user = user_create(actor=None, email=f"{role.value}@acme.test", password=DEFAULT_PASSWORD, role=role,
                               dealer=world.dealer if role.value.startswith("dealer") else None,
                               scope_node=region if role == Role.REGIONAL_MANAGER else None)
        keys[role.value] = Token.objects.create(user=user).key
    return keys


@pytest.fixture(scope="module")
def _made(django_db_setup, django_db_blocker):
    """The world (tests/pricing/conftest.py), its price lists and a token per role: built once for the module
    (each test runs in a savepoint rolled back after it: tests/conftest.py `rolled_back`)."""
    with rolled_back(django_db_blocker):
        with building_in("acme") as tenant:
            world = world_make()
            made = world, _priced(world), _tokens(world), tenant
        yield made


@pytest.fixture
def world(_made, db, in_tenant):
    with in_tenant(_made[3]):
        return fresh(_made[0])


@pytest.fixture
def priced(_made, db, in_tenant):
    with in_tenant(_made[3]):
        _made[1].refresh_from_db()
    return _made[1]


@pytest.fixture
def tokens(_made, db):
    return _made[2]


def _as(tokens, role):
    headers = {"HTTP_AUTHORIZATION": f"Token {tokens[role]}"} if role else {}
    return host_client("acme.localhost", **headers)


ENDPOINTS = [
    ("get", "/api/v1/pricing/lists/", None, PRICING_VIEW, 200),
    ("get", "/api/v1/pricing/entries/", None, PRICING_VIEW, 200),
    ("get", "/api/v1/pricing/protections/", None, PRICING_VIEW, 200),
    ("get", "/api/v1/pricing/compensations/", None, PRICING_VIEW, 200),
    ("get", "/api/v1/pricing/resale-prices/", None, PRICING_VIEW, 200),
    ("post", "/api/v1/pricing/lists/", {"code": "NEW", "name": "新", "kind": "base"}, PRICING_EDIT, 201),
]


@pytest.mark.parametrize("role", [None, *[r.value for r in Role]])
@pytest.mark.parametrize(("method", "url", "body", "capability", "ok"), ENDPOINTS)
def test_every_role_against_the_pricing_api(tokens, tenant_a, in_tenant, role, method, url, body, capability, ok):
    response = getattr(_as(tokens, role), method)(url, body, content_type="application/json")
    expected = 401 if role is None else (ok if capability in MATRIX[role] else 403)
    assert response.status_code == expected, response.content
    if method == "post" and expected != ok:
        with in_tenant(tenant_a):
            assert not PriceList.objects.filter(code="NEW").exists()  # denied: nothing changed


def test_dealer_gets_their_own_quote_only(tokens, world):
    buyer = _as(tokens, "dealer_buyer")
    body = {"lines": [{"sku_code": "RB-250", "unit": "case", "quantity": 2}, {"sku_id": world.dp.pk, "unit": "pc",
                                                                               "quantity": 3}]}
    response = buyer.post("/api/v1/quote/", body, content_type="application/json")
    assert response.status_code == 200, response.content
    quote = response.json()
    assert quote["dealer_id"] == world.dealer.pk
    assert [(line["unit_price"], line["price_source"], line["gross"]) for line in quote["lines"]] == [
        ("132.0000", "tier", "264.00"), ("4.0000", "base", "12.00")]
    assert quote["total"] == "276.00" and quote["unpriced"] == []
    other = buyer.post("/api/v1/quote/", {**body, "dealer_id": world.other.pk}, content_type="application/json")
    assert other.status_code == 404
    same = buyer.post("/api/v1/quote/", {**body, "dealer_id": world.dealer.pk}, content_type="application/json")
    assert same.status_code == 200


def test_brand_staff_quote_for_dealers_in_scope(tokens, world):
    body = {"dealer_id": world.other.pk, "lines": [{"sku_code": "RB-250", "unit": "pc", "quantity": 1}]}
    owner = _as(tokens, "owner").post("/api/v1/quote/", body, content_type="application/json")
    assert owner.status_code == 200 and owner.json()["lines"][0]["unit_price"] == "6.0000"  # tier B: base
    manager = _as(tokens, "regional_manager").post("/api/v1/quote/", body, content_type="application/json")
    assert manager.status_code == 404  # the dealer is outside the manager's region
    missing = _as(tokens, "owner").post("/api/v1/quote/", {"lines": body["lines"]}, content_type="application/json")
    assert missing.status_code == 400 and "dealer_id" in missing.json()["fields"]


def test_bad_lines_are_400_with_field_errors(tokens):
    response = _as(tokens, "dealer_buyer").post("/api/v1/quote/", {"lines": [
        {"sku_code": "RB-250", "unit": "pc", "quantity": 1}, {"sku_code": "NOPE", "unit": "pc", "quantity": 1},
        {"sku_code": "RB-250", "unit": "kg", "quantity": 1}]}, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"lines.1.sku_code", "lines.2.unit"}
    zero = _as(tokens, "dealer_buyer").post("/api/v1/quote/", {"lines": [{"sku_code": "RB-250", "unit": "pc",
                                                                           "quantity": 0}]},
                                            content_type="application/json")
    assert zero.status_code == 400 and zero.json()["code"] == "invalid"


def test_read_only_staff_cannot_edit_and_editors_can(tokens, priced, tenant_a, in_tenant, world):
    entry_body = {"price_list": priced.pk, "sku": world.rb.pk, "unit": "pc", "price": "5.00"}
    denied = _as(tokens, "analyst").post("/api/v1/pricing/entries/", entry_body, content_type="application/json")
    assert denied.status_code == 403
    with in_tenant(tenant_a):
        assert PriceEntry.objects.get(price_list=priced, sku=world.rb).price == 6
    done = _as(tokens, "finance").post("/api/v1/pricing/entries/", entry_body, content_type="application/json")
    assert done.status_code == 201, done.content
    with in_tenant(tenant_a):
        assert PriceEntry.objects.get(price_list=priced, sku=world.rb).price == 5
    bad = _as(tokens, "owner").post("/api/v1/pricing/lists/", {"code": "T", "name": "T", "kind": "tier"},
                                    content_type="application/json")
    assert bad.status_code == 400 and "tier" in bad.json()["fields"]


def test_list_endpoints_run_constant_queries(tokens, priced, world, tenant_a, in_tenant, count_queries):
    owner = _as(tokens, "owner")
    # warm up: what a worker reads once and keeps (the plan of the limit checks, forgotten after every test) is
    # not what this counts
    assert owner.get("/api/v1/pricing/lists/").status_code == owner.get("/api/v1/pricing/entries/").status_code == 200
    counts = []
    for extra in (0, 30):
        with in_tenant(tenant_a):
            for number in range(extra):
                price_list = services.price_list_create(actor=None, code=f"L{number}", name="x", kind="dealer",
                                                        dealer=world.dealer)
                services.price_entry_set(actor=None, price_list=price_list, sku=world.rb, unit=world.piece, price="1")
        with count_queries() as lists:
            assert owner.get("/api/v1/pricing/lists/").status_code == 200
        with count_queries() as entries:
            assert owner.get("/api/v1/pricing/entries/").status_code == 200
        counts.append((len(lists.sql), len(entries.sql)))
    assert counts[0] == counts[1]


def test_an_entry_names_only_a_price_list_its_writer_may_see(tokens, world, tenant_a, in_tenant):
    """Every id from a client goes through a scoped getter, serializer fields included: a dealer's own price list
    outside the writer's data scope does not exist for an entry, whoever holds the capability to edit prices."""
    from types import SimpleNamespace

    from tenant_apps.pricing.api.views import PriceEntrySerializer

    with in_tenant(tenant_a):
        contract = services.price_list_create(actor=None, code="D-PD-1", name="经销商价", kind="dealer",
                                              dealer=world.dealer, valid_from=date(2026, 1, 1), status="active")
        body = {"price_list": contract.pk, "sku": world.rb.pk, "unit": world.piece.code, "price": "5.00"}
        outside = User.objects.get(email="regional_manager@acme.test")  # scope: a region without that dealer
        owner = User.objects.get(email="owner@acme.test")
        refused = PriceEntrySerializer(data=body, context={"request": SimpleNamespace(user=outside)})
        allowed = PriceEntrySerializer(data=body, context={"request": SimpleNamespace(user=owner)})
        assert not refused.is_valid() and list(refused.errors) == ["price_list"]
        assert allowed.is_valid(), allowed.errors
