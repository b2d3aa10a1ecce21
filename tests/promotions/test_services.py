"""Promotion services and selectors on the database: validation with field errors, publish/unpublish
with audit, what a quote loads (scopes, window, budget, coupons) in constant queries, usage recording."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tenant_apps.audit.models import AuditEntry
from tenant_apps.pricing.quote_types import AppliedPromotion, DealerContext, Quote
from tenant_apps.promotions import selectors, services
from tenant_apps.promotions.errors import (
    CouponUsedUp,
    IllegalPromotionTransition,
    PromotionBudgetExhausted,
    PromotionInvalid,
)
from tenant_apps.promotions.models import Coupon, CouponRedemption, Promotion, PromotionUsage
from tests.promotions.conftest import START

NOW = datetime(2026, 3, 1, tzinfo=UTC)
STEPS = {"steps": [{"threshold": "1000", "off": "50"}, {"threshold": "3000", "off": "200"}]}


def make(code="P1", kind="threshold", rule=None, publish=True, **kw):
    promotion = services.promotion_create(actor=None, code=code, name=f"促销 {code}", kind=kind,
                                          rule=STEPS if rule is None else rule, starts_at=START, **kw)
    if kw.get("coupon_required"):
        services.coupon_create(actor=None, promotion=promotion, code=f"{code}-CODE", per_dealer_limit=1,
                               total_limit=2)
    if publish:
        services.promotion_publish(actor=None, promotion=promotion)
    return promotion


def ctx_for(dealer, at=NOW):
    return DealerContext(dealer_id=dealer.pk, tier_id=dealer.tier_id,
                         territory_paths=tuple(dealer.territories.values_list("path", flat=True)),
                         node_path=dealer.node.path, at=at, currency="CNY")


def test_create_validates_rules_per_kind_with_field_errors_and_writes_nothing(world):
    with pytest.raises(PromotionInvalid) as error:
        services.promotion_create(actor=None, code="bad code", name="", kind="threshold",
                                  rule={"steps": [{"threshold": "100", "off": "150"}]}, starts_at=START,
                                  ends_at=START - timedelta(days=1), budget=Decimal("-1"))
    assert set(error.value.fields) == {"code", "name", "rule.steps", "ends_at", "budget"}
    with pytest.raises(PromotionInvalid) as error:
        services.promotion_create(actor=None, code="T", name="t", kind="tiered",
                                  rule={"tiers": [{"min_quantity": 500, "percent": "5"},
                                                  {"min_quantity": 100, "percent": "120"}]}, starts_at=START)
    assert error.value.fields == {"rule.tiers": ["Tier 2: the percentage must be above 0 and at most 100."]}
    with pytest.raises(PromotionInvalid) as error:
        services.promotion_create(actor=None, code="G", name="g", kind="gift",
                                  rule={"buy_quantity": 10, "gift_sku_id": 999999, "gift_quantity": 1},
                                  starts_at=START)
    assert error.value.fields == {"rule.gift_sku_id": ["No such SKU."]}
    assert Promotion.objects.count() == 0


def test_bundle_scope_is_its_items_and_gift_unit_defaults_to_base_unit(world):
    bundle = make("B1", "bundle", {"items": [{"sku_id": world["RB"].pk, "quantity": 2},
                                             {"sku_id": world["DP"].pk, "quantity": 1}], "price": "9.90"},
                  publish=False, categories=[world["water"]])
    assert sorted(bundle.skus.values_list("pk", flat=True)) == sorted([world["RB"].pk, world["DP"].pk])
    assert not bundle.categories.exists()
    gift = make("G1", "gift", {"buy_quantity": "24", "gift_sku_id": world["NF"].pk, "gift_quantity": 1},
                publish=False)
    assert gift.rule == {"buy_quantity": 24, "gift_sku_id": world["NF"].pk, "gift_unit_id": world["piece"].pk,
                         "gift_quantity": 1, "repeat": True}


def test_publish_unpublish_transitions_are_audited(world):
    promotion = make(publish=False)
    services.promotion_publish(actor=world["owner"], promotion=promotion, reason="spring")
    with pytest.raises(IllegalPromotionTransition):
        services.promotion_publish(actor=world["owner"], promotion=promotion)
    with pytest.raises(IllegalPromotionTransition):
        services.promotion_update(actor=world["owner"], promotion=promotion, name="changed")
    with pytest.raises(PromotionInvalid) as error:
        services.promotion_unpublish(actor=world["owner"], promotion=promotion, reason=" ")
    assert "reason" in error.value.fields
    services.promotion_unpublish(actor=world["owner"], promotion=promotion, reason="price error")
    entries = list(AuditEntry.objects.filter(target_type="promotions.promotion", target_id=str(promotion.pk))
                   .order_by("id").values_list("action", "actor_label", "before", "after", "reason"))
    assert entries == [
        ("promotions.promotion.created", "system", {}, entries[0][3], ""),
        ("promotions.promotion.published", "admin@promo.test", {"status": "draft"}, {"status": "published"},
         "spring"),
        ("promotions.promotion.unpublished", "admin@promo.test", {"status": "published"},
         {"status": "unpublished"}, "price error"),
    ]
    services.promotion_update(actor=world["owner"], promotion=promotion, name="changed", priority=3)
    promotion.refresh_from_db()
    assert (promotion.name, promotion.priority, promotion.status) == ("changed", 3, "unpublished")


def test_a_coupon_promotion_needs_a_code_before_publishing_and_past_ends_are_refused(world):
    promotion = make("C", "percent", {"percent": "5"}, publish=False)
    promotion.coupon_required = True
    with pytest.raises(PromotionInvalid):
        services.promotion_publish(actor=None, promotion=promotion)
    ended = make("E", "percent", {"percent": "5"}, publish=False, ends_at=START + timedelta(days=1))
    with pytest.raises(PromotionInvalid):
        services.promotion_publish(actor=None, promotion=ended)


def test_quote_selector_applies_scopes_window_budget_and_coupons(world, count_queries):
    gold, silver = world["gold"], world["silver"]
    make("ALL")
    make("TIER-A", "percent", {"percent": "3"}, tiers=[world["A"]])
    make("EAST", "percent", {"percent": "2"}, territories=[world["china"]])  # a parent of both regions
    make("SOUTH", "percent", {"percent": "2"}, territories=[world["south"]])
    make("GOLD", "percent", {"percent": "1"}, dealers=[gold])
    make("WATER", "percent", {"percent": "4"}, categories=[world["water"]])
    make("ENERGY", "percent", {"percent": "4"}, categories=[world["root"]])
    make("LATER", "percent", {"percent": "4"}, publish=False)
    make("SPENT", "percent", {"percent": "4"}, budget=Decimal("10"))
    Promotion.objects.filter(code="SPENT").update(budget_used=Decimal("10"))
    make("ENDED", "percent", {"percent": "4"})
    Promotion.objects.filter(code="ENDED").update(ends_at=NOW - timedelta(days=1))
    make("CPN", "percent", {"percent": "10"}, coupon_required=True)
    rb = [world["RB"].pk]
    codes = lambda specs: sorted(spec.code for spec in specs)  # noqa: E731
    gold_ctx = ctx_for(gold)
    with count_queries() as queries:
        gold_specs = selectors.promotions_for_quote(gold_ctx, sku_ids=rb)
    assert len(queries.sql) == 1  # the promotions with their scopes
    assert codes(gold_specs) == ["ALL", "EAST", "ENERGY", "GOLD", "TIER-A"]
    assert codes(selectors.promotions_for_quote(ctx_for(silver), sku_ids=rb)) == ["ALL", "EAST", "ENERGY", "SOUTH"]
    with count_queries() as queries:
        with_code = selectors.promotions_for_quote(gold_ctx, sku_ids=rb + [world["NF"].pk],
                                                   coupon_codes=frozenset({"cpn-code"}))
    assert len(queries.sql) == 2  # and the coupons entered
    assert codes(with_code) == ["ALL", "CPN", "EAST", "ENERGY", "GOLD", "TIER-A", "WATER"]
    [coupon] = next(spec for spec in with_code if spec.code == "CPN").coupons
    assert (coupon.code, coupon.remaining_total, coupon.remaining_for_dealer) == ("CPN-CODE", 2, 1)
    gold_spec = next(spec for spec in with_code if spec.code == "GOLD")
    assert gold_spec.dealer_ids == frozenset({gold.pk}) and gold_spec.remaining_budget is None


def test_quote_selector_queries_do_not_grow_with_cart_or_rules(world, count_queries):
    for index in range(30):
        make(f"R{index:02d}", "percent", {"percent": "1"}, skus=[world["RB"], world["DP"]],
             coupon_required=index % 3 == 0)
    skus = [world["RB"].pk, world["DP"].pk, world["NF"].pk]
    ctx = ctx_for(world["gold"])
    with count_queries() as queries:
        specs = selectors.promotions_for_quote(ctx, sku_ids=skus,
                                               coupon_codes=frozenset({"R00-CODE", "R03-CODE"}))
    assert len(queries.sql) == 2 and len(specs) == 22


def _quote(dealer, *applied):
    total = sum((a.discount for a in applied), Decimal(0))
    return Quote(currency="CNY", at=NOW, dealer_id=dealer.pk, lines=(), promotions=applied, gifts=(),
                 subtotal=total, discount_total=total, total=Decimal(0))


def _applied(promotion, discount, coupon=""):
    return AppliedPromotion(promotion_id=promotion.pk, name=promotion.name, kind=promotion.kind,
                            discount=Decimal(discount), coupon_code=coupon)


def test_usage_recording_consumes_budget_and_coupons_once_per_order(world):
    capped = make("CAP", "percent", {"percent": "10"}, budget=Decimal("100"))
    coupon_promo = make("CPN", "percent", {"percent": "5"}, coupon_required=True)
    gold, silver = world["gold"], world["silver"]
    services.promotion_usage_record(quote=_quote(gold, _applied(capped, "60"), _applied(coupon_promo, "5",
                                                                                         "CPN-CODE")),
                                    order_ref="SO-1")
    again = services.promotion_usage_record(quote=_quote(gold, _applied(capped, "60")), order_ref="SO-1")
    assert len(again) == 2  # the first record, nothing consumed twice
    capped.refresh_from_db()
    assert capped.budget_used == Decimal("60.00")
    with pytest.raises(PromotionBudgetExhausted):
        services.promotion_usage_record(quote=_quote(silver, _applied(capped, "40.01")), order_ref="SO-2")
    # Per dealer: gold has used its one use; the refusal rolls back the budget taken in the same call.
    with pytest.raises(CouponUsedUp):
        services.promotion_usage_record(quote=_quote(gold, _applied(capped, "10"), _applied(coupon_promo, "5",
                                                                                              "CPN-CODE")),
                                        order_ref="SO-3")
    capped.refresh_from_db()
    assert capped.budget_used == Decimal("60.00")
    services.promotion_usage_record(quote=_quote(silver, _applied(coupon_promo, "5", "CPN-CODE")), order_ref="SO-4")
    # Total limit 2: used up now, for everyone.
    with pytest.raises(CouponUsedUp):
        services.promotion_usage_record(quote=_quote(silver, _applied(coupon_promo, "5", "CPN-CODE")),
                                        order_ref="SO-5")
    assert Coupon.objects.get(code="CPN-CODE").used == 2
    assert CouponRedemption.objects.count() == 2
    assert sorted(PromotionUsage.objects.values_list("order_ref", flat=True)) == ["SO-1", "SO-1", "SO-4"]
    [spec] = [s for s in selectors.promotions_for_quote(ctx_for(gold), sku_ids=[world["RB"].pk],
                                                       coupon_codes=frozenset({"CPN-CODE"})) if s.code == "CPN"]
    assert [(c.remaining_total, c.remaining_for_dealer) for c in spec.coupons] == [(0, 0)]


def test_an_uncapped_promotion_keeps_no_running_total_its_ledger_says_what_it_gave(world):
    """(tests/promotions/test_concurrency.py: no order waits for an uncapped promotion's row either.)"""
    uncapped = make("OPEN", "percent", {"percent": "10"})
    capped = make("CAP", "percent", {"percent": "10"}, budget=Decimal("100"))
    services.promotion_usage_record(quote=_quote(world["gold"], _applied(uncapped, "25"), _applied(capped, "7")),
                                    order_ref="SO-1")
    services.promotion_usage_record(quote=_quote(world["silver"], _applied(uncapped, "5.50")), order_ref="SO-2")
    assert Promotion.objects.get(pk=uncapped.pk).budget_used == 0
    assert Promotion.objects.get(pk=capped.pk).budget_used == Decimal("7.00")
    assert selectors.promotion_get(promotion_id=uncapped.pk).discount_given == Decimal("30.50")
    assert selectors.promotion_get(promotion_id=capped.pk).discount_given == Decimal("7.00")
    assert services.promotion_usage_release(order_ref="SO-1") == 2
    assert selectors.promotion_get(promotion_id=uncapped.pk).discount_given == Decimal("5.50")
    assert Promotion.objects.get(pk=capped.pk).budget_used == Decimal("0")


def test_a_cap_set_later_starts_from_what_the_ledger_holds(world):
    promotion = make("OPEN", "percent", {"percent": "10"})
    services.promotion_usage_record(quote=_quote(world["gold"], _applied(promotion, "30")), order_ref="SO-1")
    services.promotion_unpublish(actor=None, promotion=promotion, reason="add a cap")
    with pytest.raises(PromotionInvalid) as refused:
        services.promotion_update(actor=None, promotion=promotion, budget=Decimal("29.99"))
    assert "30.00" in refused.value.fields["budget"][0]
    assert Promotion.objects.get(pk=promotion.pk).budget is None
    services.promotion_update(actor=None, promotion=promotion, budget=Decimal("50"))
    services.promotion_publish(actor=None, promotion=promotion)
    capped = Promotion.objects.get(pk=promotion.pk)
    assert (capped.budget, capped.budget_used, capped.budget_remaining) == (Decimal("50"), Decimal("30"),
                                                                           Decimal("20"))
    with pytest.raises(PromotionBudgetExhausted):
        services.promotion_usage_record(quote=_quote(world["silver"], _applied(promotion, "20.01")), order_ref="SO-2")
    services.promotion_usage_record(quote=_quote(world["silver"], _applied(promotion, "20")), order_ref="SO-3")
    assert Promotion.objects.get(pk=promotion.pk).budget_used == Decimal("50")


def test_coupon_codes_generated_unique_and_validated(world):
    promotion = make("CPN", "percent", {"percent": "5"}, coupon_required=True)
    made = services.coupons_generate(actor=None, promotion=promotion, count=50, prefix="spring")
    assert len({c.code for c in made}) == 50 and all(c.code.startswith("SPRING-") for c in made)
    with pytest.raises(PromotionInvalid) as error:
        services.coupon_create(actor=None, promotion=promotion, code="cpn-code")
    assert error.value.fields == {"code": ["This code is already in use."]}
    with pytest.raises(PromotionInvalid) as error:
        services.coupons_generate(actor=None, promotion=promotion, count=0, total_limit=0)
    assert set(error.value.fields) == {"count", "total_limit"}
