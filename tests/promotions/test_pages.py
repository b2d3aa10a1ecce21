"""Console and storefront pages of promotions: access by role, the builder per kind with field errors,
publish/unpublish with the audit trail, the live preview through the quote engine, the dealer's
promotions page, prices and promotion badges on the storefront catalog in constant queries, the demo seed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from shared_apps.demo.promotions import seed_promotions
from tenant_apps.audit.models import AuditEntry
from tenant_apps.pricing import services as pricing
from tenant_apps.promotions import services
from tenant_apps.promotions.models import Promotion
from tenant_apps.promotions.presentation import rule_summary
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD
from tests.promotions.conftest import START

STEPS = {"steps": [{"threshold": "1000", "off": "50"}, {"threshold": "3000", "off": "200"}]}


def login(email):
    client = host_client("acme.localhost")
    assert client.post("/accounts/login/", {"username": email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


@pytest.fixture
def priced(world, tenant_a, in_tenant):
    """Base prices: RB 5.00, DP 6.00, NF 2.00 a can; tier A pays RB 4.50."""
    with in_tenant(tenant_a):
        base = pricing.price_list_create(actor=None, code="BASE", name="基础价", kind="base",
                                         valid_from=date(2026, 1, 1), status="active")
        for code, price in (("RB", "5.00"), ("DP", "6.00"), ("NF", "2.00")):
            pricing.price_entry_set(actor=None, price_list=base, sku=world[code], unit=world["piece"], price=price)
        tier_a = pricing.price_list_create(actor=None, code="TA", name="A 级价", kind="tier", tier=world["A"],
                                           valid_from=date(2026, 1, 1), status="active")
        pricing.price_entry_set(actor=None, price_list=tier_a, sku=world["RB"], unit=world["piece"], price="4.50")
        threshold = services.promotion_create(actor=None, code="MJ", name="春季满减", kind="threshold", rule=STEPS,
                                              starts_at=START, categories=[world["energy"]])
        services.promotion_publish(actor=None, promotion=threshold)
    return {**world, "threshold": threshold}


@pytest.mark.parametrize(("email", "status"), [("admin@promo.test", 200), ("analyst@promo.test", 200),
                                               ("buyer@promo.test", 403)])
def test_console_list_by_role(world, email, status):
    assert login(email).get("/console/promotions/").status_code == status


@pytest.mark.parametrize("email", ["analyst@promo.test", "buyer@promo.test"])
def test_read_only_staff_and_dealers_cannot_build_or_publish(priced, tenant_a, in_tenant, email):
    client = login(email)
    pk = priced["threshold"].pk
    assert client.get("/console/promotions/new/?kind=percent").status_code == 403
    assert client.post("/console/promotions/new/?kind=percent", {"code": "X", "name": "x"}).status_code == 403
    assert client.post(f"/console/promotions/{pk}/unpublish/", {"reason": "no"}).status_code == 403
    assert client.post(f"/console/promotions/{pk}/coupons/", {"code": "HACK1"}).status_code == 403
    with in_tenant(tenant_a):
        assert Promotion.objects.get(pk=pk).status == "published"
        assert Promotion.objects.count() == 1


def test_builder_makes_a_threshold_promotion_and_shows_field_errors(world, tenant_a, in_tenant):
    admin = login("admin@promo.test")
    assert 'data-kind="threshold"' in admin.get("/console/promotions/new/").content.decode()
    bad = admin.post("/console/promotions/new/?kind=threshold", {
        "code": "MJ1", "name": "满减", "starts_at": "2026-01-01T00:00", "priority": "0", "stacking": "stackable",
        "steps": "1000 1500", "sku_codes": "RB-250 NOPE"})
    assert bad.status_code == 200
    page = bad.content.decode()
    assert "Unknown SKU codes: NOPE" in page
    good = admin.post("/console/promotions/new/?kind=threshold", {
        "code": "MJ1", "name": "满减", "starts_at": "2026-01-01T00:00", "priority": "3", "stacking": "exclusive",
        "steps": "1000 50\n3000 200", "repeat": "on", "sku_codes": "RB-250, DP-250", "tiers": [world["A"].pk]})
    assert good.status_code == 302, good.content.decode()[:2000]
    with in_tenant(tenant_a):
        promotion = Promotion.objects.get(code="MJ1")
        assert promotion.rule == {"steps": [{"threshold": "1000", "off": "50"}, {"threshold": "3000", "off": "200"}],
                                  "repeat": True}
        assert sorted(promotion.skus.values_list("code", flat=True)) == ["DP-250", "RB-250"]
        assert (promotion.stacking, promotion.status) == ("exclusive", "draft")
    invalid = admin.post("/console/promotions/new/?kind=threshold", {
        "code": "MJ2", "name": "满减", "starts_at": "2026-01-01T00:00", "priority": "0", "stacking": "stackable",
        "steps": "1000 1500"})
    assert "the amount off must be above zero and below the spend" in invalid.content.decode()
    detail = admin.get(good["Location"]).content.decode()
    assert "CN¥50.00 off from CN¥1,000.00; CN¥200.00 off from CN¥3,000.00 (again for every multiple)" in detail
    with translation.override("zh-hans"):
        assert rule_summary("threshold", promotion.rule, promotion.currency) == (
            "满 ¥1,000.00 减 ¥50.00; 满 ¥3,000.00 减 ¥200.00 （每满：循环）")


def test_the_rules_help_is_in_the_readers_language(world):
    zh = login("admin@promo.test").get("/console/promotions/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="engine-rules"' in zh and "适用对象与时间" in zh and "买赠" in zh
    assert "Who and when" not in zh and "GiftLine" not in zh


def test_publish_and_unpublish_from_the_console_are_audited(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        promotion = services.promotion_create(actor=None, code="P", name="p", kind="percent", rule={"percent": "5"},
                                              starts_at=START)
    admin = login("admin@promo.test")
    assert admin.post(f"/console/promotions/{promotion.pk}/publish/").status_code == 302
    page = admin.post(f"/console/promotions/{promotion.pk}/unpublish/", {"reason": ""}, follow=True)
    assert "Say why the promotion is withdrawn." in page.content.decode()
    admin.post(f"/console/promotions/{promotion.pk}/unpublish/", {"reason": "wrong price"})
    with in_tenant(tenant_a):
        assert Promotion.objects.get(pk=promotion.pk).status == "unpublished"
        assert list(AuditEntry.objects.filter(target_id=str(promotion.pk), target_type="promotions.promotion")
                    .order_by("id").values_list("action", "reason"))[1:] == [
            ("promotions.promotion.published", ""), ("promotions.promotion.unpublished", "wrong price")]
    history = admin.get(f"/console/promotions/{promotion.pk}/").content.decode()
    assert "wrong price" in history
    assert "Unpublished" in history and "promotions.promotion." not in history  # labels, not audit codes
    zh = admin.get(f"/console/promotions/{promotion.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已下架" in zh and "已发布" in zh
    assert admin.get("/console/promotions/999999/").status_code == 404


def test_console_list_runs_constant_queries(priced, tenant_a, in_tenant, count_queries):
    admin = login("admin@promo.test")
    admin.get("/console/promotions/")
    with count_queries() as few:
        admin.get("/console/promotions/")
    with in_tenant(tenant_a):
        for index in range(15):
            services.promotion_create(actor=None, code=f"B{index}", name="b", kind="percent", rule={"percent": "1"},
                                      starts_at=START, skus=[priced["RB"]], tiers=[priced["A"]])
    with count_queries() as many:
        page = admin.get("/console/promotions/").content.decode()
    assert page.count("data-code=") == 16
    assert len(many.sql) == len(few.sql)


def test_live_preview_prices_a_cart_for_a_dealer(priced):
    admin = login("admin@promo.test")
    page = admin.get("/console/promotions/preview/", {"dealer": "SH-1", "cart": "RB-250 200\nNF-250 10"})
    assert page.status_code == 200
    text = page.content.decode()
    # Tier A: 200 x 4.50 = 900 + 10 x 2.00 = 920; the 满减 is on energy drinks only (900 < 1,000): nothing.
    assert 'id="total">CN¥920.00<' in text
    page = admin.get("/console/promotions/preview/", {"dealer": "SH-1", "cart": "RB-250 300"}).content.decode()
    assert 'id="total">CN¥1,300.00<' in page and "春季满减" in page  # 1,350 - 50
    unknown = admin.get("/console/promotions/preview/", {"dealer": "NOPE", "cart": "RB-250 1"}).content.decode()
    assert "No dealer with this code" in unknown


def test_dealer_sees_their_promotions_page(priced, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        gold_only = services.promotion_create(actor=None, code="GOLD", name="A 级专享", kind="percent",
                                              rule={"percent": "3"}, starts_at=START, tiers=[priced["A"]])
        services.promotion_publish(actor=None, promotion=gold_only)
    gold = login("buyer@promo.test").get("/promotions/").content.decode()
    assert 'data-code="MJ"' in gold and 'data-code="GOLD"' in gold
    silver = login("buyer-b@promo.test").get("/promotions/").content.decode()
    assert 'data-code="MJ"' in silver and 'data-code="GOLD"' not in silver
    assert 'id="staff-note"' in login("admin@promo.test").get("/promotions/").content.decode()


def test_storefront_catalog_shows_own_prices_and_badges_in_constant_queries(priced, tenant_a, in_tenant,
                                                                           count_queries):
    gold, silver = login("buyer@promo.test"), login("buyer-b@promo.test")
    page = gold.get("/catalog/").content.decode()
    assert "CN¥4.50" in page and 'data-promotion="MJ"' in page  # tier A price; 满减 on energy drinks
    other = silver.get("/catalog/").content.decode()
    assert "CN¥5.00" in other and "CN¥4.50" not in other
    product = gold.get(f"/catalog/products/{priced['RB'].product_id}/").content.decode()
    assert "CN¥4.50" in product and 'data-promotion="MJ"' in product
    staff = login("admin@promo.test").get("/catalog/").content.decode()
    assert 'id="staff-price-note"' in staff and "CN¥4.50" not in staff
    with count_queries() as few:
        gold.get("/catalog/")
    with in_tenant(tenant_a):
        from tenant_apps.catalog import services as catalog
        for index in range(10):
            product = catalog.product_create(actor=None, category=priced["energy"], code=f"X{index}",
                                             name=f"饮料{index}", status="on_sale")
            catalog.sku_create(actor=None, product=product, code=f"X{index}-1", name=f"饮料{index}",
                               base_unit=priced["piece"])
    with count_queries() as many:
        assert gold.get("/catalog/").content.decode().count('<div class="card sf-row" data-sku=') == 13
    assert len(many.sql) == len(few.sql)


def test_demo_seed_publishes_the_five_promotions_once(world):
    seed_promotions(brand_slug="acme")
    seed_promotions(brand_slug="acme")
    assert sorted(Promotion.objects.values_list("code", "status")) == [
        ("GIFT-48", "published"), ("MJ-SPRING", "published"), ("TIER-A-3", "published"), ("VOLUME", "published"),
        ("WELCOME5", "published")]
    assert Promotion.objects.get(code="WELCOME5").coupons.get().code == "WELCOME5"
    assert Promotion.objects.get(code="MJ-SPRING").budget is None
    assert Promotion.objects.get(code="WELCOME5").budget == Decimal("10000.00")
