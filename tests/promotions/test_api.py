"""The promotions API: every role against every endpoint (denied writes change nothing), CRUD with field
errors, publish/unpublish, coupons, what applies to a dealer now, constant queries on the list."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import CATALOG_VIEW, MATRIX, PROMOTIONS_EDIT, PROMOTIONS_VIEW, Role
from tenant_apps.accounts.services import user_create
from tenant_apps.audit.models import AuditEntry
from tenant_apps.promotions import services
from tenant_apps.promotions.models import Coupon, Promotion
from tests.conftest import building_in, fresh, host_client, rolled_back
from tests.factories import DEFAULT_PASSWORD
from tests.promotions.conftest import START, world_make

STEPS = {"steps": [{"threshold": "1000", "off": "50"}, {"threshold": "3000", "off": "200"}]}


@pytest.fixture(scope="module")
def _api(django_db_setup, django_db_blocker):
    """The world, a token per role, a draft and a live promotion: built once for the module (each test runs in a
    savepoint rolled back after it: tests/conftest.py `rolled_back`)."""
    with rolled_back(django_db_blocker):
        with building_in("acme") as tenant:
            made = _api_make(tenant)
        yield made


def _api_make(tenant) -> dict:
    world = world_make()
    tokens = {}
    for role in Role:
        user = (User.objects.get(email="owner@acme.test") if role == Role.OWNER else
                user_create(actor=None, email=f"{role.value}@api.test", password=DEFAULT_PASSWORD, role=role,
                            dealer=world["gold"] if role.value.startswith("dealer") else None))
        tokens[role.value] = Token.objects.create(user=user).key
    draft = services.promotion_create(actor=None, code="DRAFT", name="草稿", kind="threshold", rule=STEPS,
                                      starts_at=START)
    live = services.promotion_create(actor=None, code="LIVE", name="A 级 95 折", kind="percent",
                                     rule={"percent": "5"}, starts_at=START, tiers=[world["A"]],
                                     coupon_required=True)
    services.coupon_create(actor=None, promotion=live, code="LIVE5", total_limit=10)
    services.promotion_publish(actor=None, promotion=live)
    return {**world, "tokens": tokens, "draft": draft, "live": live, "tenant": tenant}


@pytest.fixture
def api(_api, db, in_tenant):
    with in_tenant(_api["tenant"]):
        yield fresh(_api)


def _client(api, role):
    auth = {"HTTP_AUTHORIZATION": f"Token {api['tokens'][role]}"} if role else {}
    return host_client("acme.localhost", **auth)


BODY = {"code": "NEW", "name": "满减", "kind": "threshold", "rule": STEPS, "starts_at": "2026-01-01T00:00:00Z"}
ENDPOINTS = [
    ("get", "/api/v1/promotions/", None, PROMOTIONS_VIEW, 200),
    ("get", "/api/v1/promotions/{draft}/", None, PROMOTIONS_VIEW, 200),
    ("post", "/api/v1/promotions/", BODY, PROMOTIONS_EDIT, 201),
    ("patch", "/api/v1/promotions/{draft}/", {"name": "改名"}, PROMOTIONS_EDIT, 200),
    ("post", "/api/v1/promotions/{draft}/publish/", {}, PROMOTIONS_EDIT, 200),
    ("post", "/api/v1/promotions/{live}/unpublish/", {"reason": "stop"}, PROMOTIONS_EDIT, 200),
    ("get", "/api/v1/promotions/{live}/coupons/", None, PROMOTIONS_VIEW, 200),
    ("post", "/api/v1/promotions/{live}/coupons/", {"code": "NEWCODE"}, PROMOTIONS_EDIT, 201),
    ("post", "/api/v1/promotions/{live}/coupons/generate/", {"count": 3}, PROMOTIONS_EDIT, 201),
]


@pytest.mark.parametrize("role", [None, *[role.value for role in Role]])
@pytest.mark.parametrize(("method", "url", "body", "capability", "ok"), ENDPOINTS)
def test_every_role_against_every_promotions_endpoint(api, in_tenant, role, method, url, body, capability, ok):
    def state():
        with in_tenant(api["tenant"]):
            return (list(Promotion.objects.order_by("pk").values_list("code", "name", "status")),
                    Coupon.objects.count(), AuditEntry.objects.count())

    before = state()
    url = url.format(draft=api["draft"].pk, live=api["live"].pk)
    response = getattr(_client(api, role), method)(url, body, content_type="application/json")
    expected = 401 if role is None else (ok if capability in MATRIX[role] else 403)
    assert response.status_code == expected, response.content
    if expected != ok or method == "get":
        assert state() == before


def test_create_update_publish_with_field_errors(api):
    owner = _client(api, "owner")
    bad = owner.post("/api/v1/promotions/", {**BODY, "rule": {"steps": [{"threshold": "100", "off": "200"}]},
                                              "tiers": [999999]}, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["code"] == "promotion_invalid"
    assert set(bad.json()["fields"]) == {"rule.steps", "tiers"}
    shape = owner.post("/api/v1/promotions/", {"code": "X"}, content_type="application/json")
    assert shape.status_code == 400 and {"name", "kind", "rule", "starts_at"} <= set(shape.json()["fields"])
    made = owner.post("/api/v1/promotions/", {**BODY, "categories": [api["energy"].pk], "tiers": [api["A"].pk]},
                      content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["status"], body["tiers"], body["categories"]) == ("draft", [api["A"].pk], [api["energy"].path])
    pk = body["id"]
    assert owner.post(f"/api/v1/promotions/{pk}/publish/", {}, content_type="application/json").json()[
        "status"] == "published"
    conflict = owner.patch(f"/api/v1/promotions/{pk}/", {"name": "x"}, content_type="application/json")
    assert conflict.status_code == 409 and conflict.json()["code"] == "illegal_transition"
    no_reason = owner.post(f"/api/v1/promotions/{pk}/unpublish/", {}, content_type="application/json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    assert owner.get("/api/v1/promotions/999999/").status_code == 404
    assert owner.get("/api/v1/promotions/", {"status": "published"}).json()["count"] == 2


def test_list_runs_constant_queries(api, in_tenant, django_assert_max_num_queries, count_queries):
    owner = _client(api, "owner")
    owner.get("/api/v1/promotions/")  # warm up (session, token)
    with count_queries() as few:
        assert owner.get("/api/v1/promotions/").status_code == 200
    with in_tenant(api["tenant"]):
        for index in range(20):
            services.promotion_create(actor=None, code=f"BULK{index}", name="bulk", kind="percent",
                                      rule={"percent": "1"}, starts_at=START, skus=[api["RB"], api["DP"]],
                                      tiers=[api["A"]])
    with count_queries() as many:
        response = owner.get("/api/v1/promotions/")
    assert response.json()["count"] == 22
    assert len(many.sql) == len(few.sql)


def test_current_for_a_dealer_and_for_brand_staff_in_scope(api):
    gold = _client(api, "dealer_buyer").get("/api/v1/promotions/current/")
    assert gold.status_code == 200
    assert [row["code"] for row in gold.json()] == ["LIVE"]
    assert gold.json()[0]["summary"] == "5% off"
    owner = _client(api, "owner")
    assert owner.get("/api/v1/promotions/current/").status_code == 400
    silver = owner.get("/api/v1/promotions/current/", {"dealer": api["silver"].pk})
    assert silver.status_code == 200 and silver.json() == []  # the promotion is for tier A
    # A sales rep sees only their assigned dealers: another one is a 404.
    assert _client(api, "sales_rep").get("/api/v1/promotions/current/", {"dealer": api["gold"].pk}
                                         ).status_code == 404
    assert CATALOG_VIEW in MATRIX[Role.DEALER_FINANCE]


def test_schema_lists_the_promotions_endpoints(api):
    schema = _client(api, "owner").get("/api/schema/", {"format": "json"}).json()
    assert {"/api/v1/promotions/", "/api/v1/promotions/{id}/publish/", "/api/v1/promotions/current/",
            "/api/v1/promotions/{id}/coupons/generate/"} <= set(schema["paths"])
