"""A supplier's own promotions for its sub-dealers (S2B2B) and the price floor (乱价) on them: a promotion that would
make a SKU's unit cheaper to a sub-dealer than its minimum resale price is refused, naming the SKU, the floor and
the unit, on the page and the API, with nothing written but the attempt kept for headquarters; at or above the floor
it is made. Headquarters' own promotions are not resale and not checked. Siblings never see each other's (404)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tenant_apps.pricing import services as pricing
from tenant_apps.pricing.models import FloorViolation
from tenant_apps.promotions import services
from tenant_apps.promotions.errors import PromotionBelowFloor
from tenant_apps.promotions.models import Promotion
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD
from tests.factories.ordering import store as make_store
from tests.factories.suppliers import chain as make_chain

HOST = "acme.localhost"


@pytest.fixture
def chain(tenant_a, in_tenant):
    """江苏 (JS) sells RB-250 at 5.50 a can and RB-330 at 7.00 to its sub-dealer; RB-250's floor is 5.00 a can."""
    with in_tenant(tenant_a):
        shop = make_store()
        made = make_chain(shop, tenant_a)
        pricing.resale_price_set(actor=None, sku=shop.sku, price="5.00")
        for agent in (made.js, made.zj):
            agent.token = Token.objects.create(user=agent.owner).key
        made.tenant = tenant_a
        yield made


def _page(user):
    client = host_client(HOST)
    assert client.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def _api(agent):
    return host_client(HOST, HTTP_AUTHORIZATION=f"Token {agent.token}")


def _create(chain, kind, rule, *, owner, code="P1", **extra):
    return services.promotion_create(actor=chain.js.owner, code=code, name="促销", kind=kind, rule=rule,
                                     starts_at=timezone.now(), owner=owner, **extra)


# (kind, rule refused, field, what RB-250's can would cost, rule at or above the floor)
KINDS = [
    ("percent", {"percent": "10"}, "rule.percent", "4.95", {"percent": "9"}),  # 5.50 x 0.91 = 5.005
    ("tiered", {"tiers": [{"min_quantity": 10, "percent": "5"}, {"min_quantity": 100, "percent": "10"}]},
     "rule.tiers", "4.95", {"tiers": [{"min_quantity": 10, "percent": "9"}]}),
    ("fixed", {"amount": "0.60", "per": "unit"}, "rule.amount", "4.90", {"amount": "0.50", "per": "unit"}),
    ("fixed", {"amount": "0.60", "per": "line"}, "rule.amount", "4.90", {"amount": "0.50", "per": "line"}),
    # 满减: 100 off 1,000 is 10 % off every line of an order that just reaches it; 50 off is 5 % (5.225)
    ("threshold", {"steps": [{"threshold": "1000", "off": "50"}, {"threshold": "3000", "off": "300"}]},
     "rule.steps", "4.95", {"steps": [{"threshold": "1000", "off": "50"}, {"threshold": "3000", "off": "150"}]}),
    # 2 x 5.50 + 7.00 = 18.00 a set: 2.00 off is 1/9 off each (4.89); 1.00 off is 1/18 (5.19)
    ("bundle", {"items": "{items}", "amount_off": "2"}, "rule.amount_off", "4.89",
     {"items": "{items}", "amount_off": "1"}),
    # a 7.00 can given for every 10 bought: 0.70 off each (4.80); for every 20: 0.35 (5.15)
    ("gift", {"buy_quantity": 10, "gift_sku_id": "{water}", "gift_quantity": 1}, "rule.gift_quantity", "4.80",
     {"buy_quantity": 20, "gift_sku_id": "{water}", "gift_quantity": 1}),
]


def _rule(rule, store):
    items = [{"sku_id": store.sku.pk, "quantity": 2}, {"sku_id": store.water.pk, "quantity": 1}]
    return {key: items if value == "{items}" else store.water.pk if value == "{water}" else value
            for key, value in rule.items()}


@pytest.mark.parametrize(("kind", "below", "field", "price", "above"), KINDS,
                         ids=[f"{k[0]}-{i}" for i, k in enumerate(KINDS)])
def test_each_kind_is_refused_below_the_floor_and_made_at_or_above_it(chain, in_tenant, kind, below, field, price,
                                                                      above):
    store, js = chain.store, chain.js
    with in_tenant(chain.tenant):
        scope = {} if kind == "bundle" else {"skus": [store.sku]}
        with pytest.raises(PromotionBelowFloor) as refused:
            _create(chain, kind, _rule(below, store), owner=js.node, **scope)
        assert refused.value.status == 400
        assert refused.value.fields == {field: [
            f"RB-250 would be resold at {price} per 罐, below its minimum resale price of 5.00."]}
        assert Promotion.objects.count() == 0
        kept = FloorViolation.objects.get()
        assert (kept.supplier_id, kept.actor_id, kept.sku_id, kept.unit_id, f"{kept.attempted_price:.2f}",
                str(kept.floor), kept.source, kept.source_id, kept.source_ref) == (
            js.node.pk, js.owner.pk, store.sku.pk, store.can.pk, price, "5.0000", "promotion", None, "P1 促销")
        made = _create(chain, kind, _rule(above, store), owner=js.node, **scope)
        assert (made.owner_id, made.status) == (js.node.pk, "draft")
        assert FloorViolation.objects.count() == 1


def test_headquarters_own_promotions_are_not_resale_and_not_checked(chain, in_tenant):
    with in_tenant(chain.tenant):
        made = _create(chain, "percent", {"percent": "50"}, owner=None)
        assert made.owner_id is None
        assert FloorViolation.objects.count() == 0


def test_a_sku_the_supplier_does_not_sell_or_without_a_floor_is_not_checked(chain, in_tenant):
    store = chain.store
    with in_tenant(chain.tenant):  # RB-330 has no floor; the sibling's list is not JS's prices
        made = _create(chain, "percent", {"percent": "50"}, owner=chain.js.node, skus=[store.water])
        assert made.pk and FloorViolation.objects.count() == 0


def test_publishing_is_refused_once_the_floor_has_risen_above_the_promotion(chain, in_tenant):
    store, js = chain.store, chain.js
    with in_tenant(chain.tenant):
        made = _create(chain, "percent", {"percent": "5"}, owner=js.node)  # 5.225
        pricing.resale_price_set(actor=None, sku=store.sku, price="5.30", valid_from=timezone.localdate())
        with pytest.raises(PromotionBelowFloor):
            services.promotion_publish(actor=js.owner, promotion=made)
        made.refresh_from_db()
        kept = FloorViolation.objects.get()
        assert (made.status, kept.source_id, str(kept.floor)) == ("draft", made.pk, "5.3000")


def test_the_page_refuses_below_the_floor_and_makes_a_draft_above_it(chain, in_tenant):
    js = chain.js
    owner = _page(js.owner)
    assert "Our promotions" in owner.get("/supplier/promotions/").content.decode()
    form = {"code": "JS-10", "name": "江苏九折", "starts_at": (timezone.localtime() + timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H:%M"), "priority": 0, "stacking": "stackable", "percent": "10", "sku_codes": "RB-250"}
    refused = owner.post("/supplier/promotions/new/?kind=percent", form)
    assert refused.status_code == 200
    assert "RB-250 would be resold at 4.95 per 罐, below its minimum resale price of 5.00." in refused.content.decode()
    made = owner.post("/supplier/promotions/new/?kind=percent", {**form, "percent": "9"})
    assert made.status_code == 302
    with in_tenant(chain.tenant):
        promotion = Promotion.objects.get()
        assert (promotion.code, promotion.owner_id, promotion.rule) == ("JS-10", js.node.pk, {"percent": "9"})
        assert FloorViolation.objects.count() == 1
    assert made["Location"] == f"/supplier/promotions/{promotion.pk}/"
    assert owner.post(f"/supplier/promotions/{promotion.pk}/publish/").status_code == 302
    assert "Published" in owner.get(f"/supplier/promotions/{promotion.pk}/").content.decode()


def test_the_page_names_only_the_suppliers_own_sub_dealers(chain, in_tenant):
    owner = _page(chain.js.owner)
    form = {"code": "JS-X", "name": "x", "starts_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "priority": 0, "stacking": "stackable", "percent": "1", "dealer_codes": chain.zj.sub.code}
    refused = owner.post("/supplier/promotions/new/?kind=percent", form)
    assert refused.status_code == 200 and f"Not your sub-dealers: {chain.zj.sub.code}" in refused.content.decode()
    with in_tenant(chain.tenant):
        assert Promotion.objects.count() == 0


def test_the_api_refuses_below_the_floor_with_a_field_error_and_writes_nothing(chain, in_tenant):
    store, js = chain.store, chain.js
    body = {"code": "JS-API", "name": "江苏", "kind": "fixed", "rule": {"amount": "0.60", "per": "unit"},
            "starts_at": timezone.now().isoformat(), "skus": [store.sku.pk]}
    refused = _api(js).post("/api/v1/supplier/promotions/", body, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["fields"] == {
        "rule.amount": ["RB-250 would be resold at 4.90 per 罐, below its minimum resale price of 5.00."]}
    made = _api(js).post("/api/v1/supplier/promotions/", {**body, "rule": {"amount": "0.50", "per": "unit"}},
                         content_type="application/json")
    assert made.status_code == 201 and made.json()["rule"] == {"amount": "0.50", "per": "unit"}
    with in_tenant(chain.tenant):
        assert list(Promotion.objects.values_list("code", "owner_id")) == [("JS-API", js.node.pk)]
        assert FloorViolation.objects.get().source == "promotion"
    published = _api(js).post(f"/api/v1/supplier/promotions/{made.json()['id']}/publish/", {},
                              content_type="application/json")
    assert published.status_code == 200 and published.json()["status"] == "published"


def test_the_api_takes_no_regions_coupons_or_other_suppliers_dealers(chain, in_tenant):
    js, zj = chain.js, chain.zj
    body = {"code": "JS-BAD", "name": "x", "kind": "percent", "rule": {"percent": "1"},
            "starts_at": timezone.now().isoformat(), "dealers": [zj.sub.pk], "coupon_required": True,
            "territories": [chain.store.shanghai.pk]}
    refused = _api(js).post("/api/v1/supplier/promotions/", body, content_type="application/json")
    assert refused.status_code == 400 and sorted(refused.json()["fields"]) == ["coupon_required", "dealers",
                                                                               "territories"]
    with in_tenant(chain.tenant):
        assert Promotion.objects.count() == 0


def test_siblings_never_see_or_touch_each_others_promotions(chain, in_tenant):
    js, zj = chain.js, chain.zj
    with in_tenant(chain.tenant):
        theirs = _create(chain, "percent", {"percent": "1"}, owner=zj.node, code="ZJ-1")
        ours = _create(chain, "percent", {"percent": "1"}, owner=js.node, code="JS-1")
        _create(chain, "percent", {"percent": "1"}, owner=None, code="HQ-1")
    page, api = _page(js.owner), _api(js)
    listing = page.get("/supplier/promotions/").content.decode()
    assert "JS-1" in listing and "ZJ-1" not in listing and "HQ-1" not in listing
    assert [row["code"] for row in api.get("/api/v1/supplier/promotions/").json()["results"]] == ["JS-1"]
    assert page.get(f"/supplier/promotions/{ours.pk}/").status_code == 200
    assert page.get(f"/supplier/promotions/{theirs.pk}/").status_code == 404
    assert page.post(f"/supplier/promotions/{theirs.pk}/publish/").status_code == 404
    assert api.get(f"/api/v1/supplier/promotions/{theirs.pk}/").status_code == 404
    answer = api.post(f"/api/v1/supplier/promotions/{theirs.pk}/publish/", {}, content_type="application/json")
    assert answer.status_code == 404 and answer.json()["code"] == "promotion_not_found"
    with in_tenant(chain.tenant):
        assert Promotion.objects.get(pk=theirs.pk).status == "draft"
    # a buyer of the agent (supplier.orders only) and a sub-dealer (no supplier) may not
    assert _page(js.buyer).get("/supplier/promotions/").status_code == 403
    assert _page(js.sub_buyer).get("/supplier/promotions/").status_code == 403


def test_a_refused_change_leaves_the_promotion_as_it_was_and_is_kept_with_its_id(chain, in_tenant):
    js = chain.js
    with in_tenant(chain.tenant):
        made = _create(chain, "percent", {"percent": "5"}, owner=js.node)
        with pytest.raises(PromotionBelowFloor):
            services.promotion_update(actor=js.owner, promotion=made, name="改名", rule={"percent": "20"})
        made.refresh_from_db()
        assert (made.name, made.rule) == ("促销", {"percent": "5"})
        kept = FloorViolation.objects.get()
        assert (kept.source_id, kept.source_ref, f"{kept.attempted_price:.2f}") == (made.pk, "P1 改名", "4.40")


def _queries(count_queries, client, url) -> int:
    with count_queries() as captured:
        assert client.get(url).status_code == 200
    return len(captured.sql)


def test_a_page_of_many_promotions_costs_what_a_page_of_one_does(chain, in_tenant, count_queries):
    page, api = _page(chain.js.owner), _api(chain.js)
    with in_tenant(chain.tenant):
        _create(chain, "percent", {"percent": "1"}, owner=chain.js.node, code="JS-0", skus=[chain.store.sku])
    def costs():
        return (_queries(count_queries, page, "/supplier/promotions/"),
                _queries(count_queries, api, "/api/v1/supplier/promotions/"))

    few = costs()
    with in_tenant(chain.tenant):
        for n in range(1, 20):
            _create(chain, "threshold", {"steps": [{"threshold": "1000", "off": "10"}]}, owner=chain.js.node,
                    code=f"JS-{n}", skus=[chain.store.sku], dealers=[chain.js.sub])
    assert costs() == few
