"""Demo promotions per brand: a 满减 with steps, a 买赠 gift, a percentage for tier-A dealers, a tiered
quantity discount on one category, and a coupon promotion (code WELCOME5). Built and published through the
promotions services. Idempotent: does nothing once a promotion exists."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tenant_apps.catalog.models import Category, Sku
from tenant_apps.dealers.models import Tier
from tenant_apps.promotions import services
from tenant_apps.promotions.models import Promotion

WORDS = {
    "acme": {"spring": "春季满减", "spring_text": "满1000减50，满3000减200", "gift": "买赠：满48瓶送6瓶",
             "tier_a": "A 级经销商 97 折", "volume": "量大优惠：100瓶以上97折，500瓶以上95折",
             "welcome": "新客券 95 折"},
    "globex": {"spring": "Spring offer", "spring_text": "CN¥500 off orders of CN¥10,000; CN¥2,000 off CN¥30,000",
               "gift": "Buy 48 tiles, get 6 free", "tier_a": "3% off for tier-A dealers",
               "volume": "Volume discount: 3% off 100 tiles, 5% off 500", "welcome": "Welcome coupon: 5% off"},
}


def seed_promotions(*, brand_slug: str, actor=None) -> None:
    if Promotion.objects.exists():
        return
    skus = list(Sku.objects.order_by("code")[:2])
    if len(skus) < 2:
        return
    scale = 1 if brand_slug == "acme" else 10
    w = WORDS.get(brand_slug, WORDS["acme"])
    start, end = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=90)
    made = []

    def make(code, name, kind, rule, **kw):
        made.append(services.promotion_create(actor=actor, code=code, name=name, kind=kind, rule=rule,
                                              starts_at=start, ends_at=end, **kw))
        return made[-1]

    make("MJ-SPRING", w["spring"], "threshold",
         {"steps": [{"threshold": str(1000 * scale), "off": str(50 * scale)},
                    {"threshold": str(3000 * scale), "off": str(200 * scale)}]},
         description=w["spring_text"], priority=10)
    make("GIFT-48", w["gift"], "gift",
         {"buy_quantity": 48, "gift_sku_id": skus[1].pk, "gift_quantity": 6, "repeat": True}, skus=[skus[0]],
         priority=5)
    tier_a = Tier.objects.filter(code="A").first()
    if tier_a is not None:
        make("TIER-A-3", w["tier_a"], "percent", {"percent": "3"}, tiers=[tier_a], priority=8)
    category = Category.objects.filter(parent__isnull=False).order_by("sort_order", "code").first()
    make("VOLUME", w["volume"], "tiered",
         {"tiers": [{"min_quantity": 100, "percent": "3"}, {"min_quantity": 500, "percent": "5"}], "basis": "sku"},
         categories=[category] if category else [], priority=6)
    coupon = make("WELCOME5", w["welcome"], "percent", {"percent": "5"}, coupon_required=True, priority=1,
                  budget=Decimal(10000 * scale))
    services.coupon_create(actor=actor, promotion=coupon, code="WELCOME5", per_dealer_limit=1, total_limit=100)
    for promotion in made:
        services.promotion_publish(actor=actor, promotion=promotion, reason="demo")
