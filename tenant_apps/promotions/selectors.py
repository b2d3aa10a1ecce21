"""Reads of promotions: what may apply to a cart (as the engine's plain specs), what a dealer sees now,
badges for catalog pages, and the console's listing. Each costs a constant number of queries."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
)
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _

from tenant_apps.catalog.models import Sku
from tenant_apps.core import prepared
from tenant_apps.pricing.quote_types import DealerContext
from tenant_apps.promotions.engine import CouponState, PromotionSpec, coupon_normalize, covers
from tenant_apps.promotions.errors import PromotionNotFound
from tenant_apps.promotions.models import Coupon, CouponDealerUse, Promotion, PromotionStatus, PromotionUsage

_THROUGH = {
    "skus": Promotion.skus.through, "categories": Promotion.categories.through, "tiers": Promotion.tiers.through,
    "territories": Promotion.territories.through, "dealers": Promotion.dealers.through,
}


def _through(name: str) -> QuerySet:
    return _THROUGH[name].objects.filter(promotion_id=OuterRef("pk"))


def promotions_live(at: datetime) -> QuerySet[Promotion]:
    """Published, inside their window at `at`, with budget left."""
    return Promotion.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=at), status=PromotionStatus.PUBLISHED, starts_at__lte=at,
    ).filter(Q(budget__isnull=True) | Q(budget_used__lt=F("budget")))


def _for_dealer(promotions: QuerySet[Promotion], ctx: DealerContext) -> QuerySet[Promotion]:
    """Every scope the promotion sets matches the dealer (tiers, dealers, regions with their subtree)."""
    tiers, dealers, territories = _through("tiers"), _through("dealers"), _through("territories")
    tier_ok = ~Exists(tiers)
    if ctx.tier_id:
        tier_ok |= Exists(tiers.filter(tier_id=ctx.tier_id))
    dealer_ok = ~Exists(dealers) | Exists(dealers.filter(dealer_id=ctx.dealer_id))
    territory_ok = ~Exists(territories)
    if ctx.territory_paths:
        inside = Q()
        for path in ctx.territory_paths:
            inside |= Q(territory__path__ancestor_of=path)
        territory_ok |= Exists(territories.filter(inside))
    return promotions.filter(tier_ok, dealer_ok, territory_ok, owner_id=ctx.seller_id)


def _for_skus(promotions: QuerySet[Promotion], sku_ids: list[int]) -> QuerySet[Promotion]:
    """Promotions without a product scope, or with one of these SKUs, or a category above one of theirs."""
    skus, categories = _through("skus"), _through("categories")
    cart_in_category = Sku.objects.filter(
        pk__in=sku_ids, product__category__path__descendant_of=OuterRef("category__path"))
    return promotions.filter(
        (~Exists(skus) & ~Exists(categories))
        | Exists(skus.filter(sku_id__in=sku_ids))
        | Exists(categories.filter(Exists(cart_in_category))))


def _with_scopes(promotions: QuerySet[Promotion]) -> QuerySet[Promotion]:
    """Each scope as an array column (subqueries): no query per promotion."""
    def ids(name, column):
        return ArraySubquery(_through(name).order_by(column).values(column))

    def paths(name, relation):
        return ArraySubquery(_through(name).order_by(f"{relation}__path")
                             .values(text=Cast(f"{relation}__path", TextField())))

    return promotions.annotate(
        sku_id_list=ids("skus", "sku_id"), tier_id_list=ids("tiers", "tier_id"),
        dealer_id_list=ids("dealers", "dealer_id"),
        category_path_list=paths("categories", "category"), territory_path_list=paths("territories", "territory"),
    )


def _scopes_load(promotions: list[Promotion]) -> list[Promotion]:
    """The scopes of `promotions` in one query (UNION ALL of the five link tables), set on each as the
    `*_list` attributes `_with_scopes` would annotate: cheaper than correlated subqueries per row when a
    quote loads thousands of promotions."""
    if not promotions:
        return promotions
    sql = """
        SELECT 'sku', l.promotion_id, l.sku_id, NULL FROM promotions_promotion_skus l WHERE l.promotion_id = ANY(%s)
        UNION ALL SELECT 'tier', l.promotion_id, l.tier_id, NULL FROM promotions_promotion_tiers l
            WHERE l.promotion_id = ANY(%s)
        UNION ALL SELECT 'dealer', l.promotion_id, l.dealer_id, NULL FROM promotions_promotion_dealers l
            WHERE l.promotion_id = ANY(%s)
        UNION ALL SELECT 'category', l.promotion_id, NULL, c.path::text FROM promotions_promotion_categories l
            JOIN catalog_category c ON c.id = l.category_id WHERE l.promotion_id = ANY(%s)
        UNION ALL SELECT 'territory', l.promotion_id, NULL, t.path::text FROM promotions_promotion_territories l
            JOIN dealers_territory t ON t.id = l.territory_id WHERE l.promotion_id = ANY(%s)"""
    ids = [promotion.pk for promotion in promotions]
    found: dict[tuple[str, int], list] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids] * 5)
        for kind, promotion_id, number, path in cursor.fetchall():
            found.setdefault((kind, promotion_id), []).append(number if path is None else path)
    for promotion in promotions:
        promotion.sku_id_list = sorted(found.get(("sku", promotion.pk), ()))
        promotion.tier_id_list = sorted(found.get(("tier", promotion.pk), ()))
        promotion.dealer_id_list = sorted(found.get(("dealer", promotion.pk), ()))
        promotion.category_path_list = sorted(found.get(("category", promotion.pk), ()))
        promotion.territory_path_list = sorted(found.get(("territory", promotion.pk), ()))
    return promotions


def _spec(promotion: Promotion, coupons: tuple[CouponState, ...] = ()) -> PromotionSpec:
    return PromotionSpec(
        id=promotion.pk, code=promotion.code, name=promotion.name, kind=promotion.kind, rule=promotion.rule,
        priority=promotion.priority, stacking=promotion.stacking, coupon_required=promotion.coupon_required,
        currency=promotion.currency, sku_ids=frozenset(promotion.sku_id_list),
        category_paths=tuple(promotion.category_path_list), tier_ids=frozenset(promotion.tier_id_list),
        territory_paths=tuple(promotion.territory_path_list), dealer_ids=frozenset(promotion.dealer_id_list),
        starts_at=promotion.starts_at, ends_at=promotion.ends_at,
        remaining_budget=promotion.budget_remaining, coupons=coupons,
    )


# Published promotions in their window with budget left, whose every scope matches the dealer (tier, named
# dealer, a region at or above one of the dealer's) and whose product scope touches the cart (one of its SKUs,
# or a category at or above one of their categories), coupon promotions only with an entered code: one
# statement of array overlaps on the scope id columns, the categories' and regions' ancestors computed here.
_FOR_QUOTE_SQL = """
WITH cart_categories AS (
    SELECT DISTINCT above.id FROM catalog_sku s
    JOIN catalog_product p ON p.id = s.product_id
    JOIN catalog_category c ON c.id = p.category_id
    JOIN catalog_category above ON c.path <@ above.path
    WHERE s.id = ANY(%(skus)s::int[])),
dealer_regions AS (
    SELECT DISTINCT above.id FROM dealers_territory t
    JOIN dealers_territory above ON t.path <@ above.path
    WHERE t.path::text = ANY(%(paths)s::text[]))
SELECT p.id, p.code, p.name, p.kind, p.rule, p.priority, p.stacking, p.coupon_required, p.currency,
       p.scope_sku_ids, p.scope_tier_ids, p.scope_dealer_ids, p.starts_at, p.ends_at, p.budget, p.budget_used,
       ARRAY(SELECT c.path::text FROM catalog_category c WHERE c.id = ANY(p.scope_category_ids) ORDER BY 1),
       ARRAY(SELECT t.path::text FROM dealers_territory t WHERE t.id = ANY(p.scope_territory_ids) ORDER BY 1)
FROM promotions_promotion p
WHERE p.status = 'published' AND p.starts_at <= %(at)s AND (p.ends_at IS NULL OR p.ends_at > %(at)s)
  AND (p.budget IS NULL OR p.budget_used < p.budget) AND p.currency = %(currency)s
  AND p.owner_id IS NOT DISTINCT FROM %(seller)s::bigint
  AND (cardinality(p.scope_tier_ids) = 0 OR %(tier)s = ANY(p.scope_tier_ids))
  AND (cardinality(p.scope_dealer_ids) = 0 OR %(dealer)s = ANY(p.scope_dealer_ids))
  AND (cardinality(p.scope_territory_ids) = 0 OR p.scope_territory_ids && ARRAY(SELECT id::int FROM dealer_regions))
  AND ((cardinality(p.scope_sku_ids) = 0 AND cardinality(p.scope_category_ids) = 0)
       OR p.scope_sku_ids && %(skus)s::int[]
       OR p.scope_category_ids && ARRAY(SELECT id::int FROM cart_categories))
  AND (NOT p.coupon_required OR EXISTS (
       SELECT 1 FROM promotions_coupon k
       WHERE k.promotion_id = p.id AND k.is_active AND k.code = ANY(%(codes)s::text[])))
ORDER BY p.priority DESC, p.code
"""


def promotions_for_quote(ctx: DealerContext, *, sku_ids, coupon_codes=frozenset()) -> list[PromotionSpec]:
    """The published promotions that may apply to a cart of `sku_ids` for the dealer at ctx.at, as the plain
    specs the engine takes: one query (_FOR_QUOTE_SQL), one more for the coupons when codes were entered."""
    sku_ids = sorted(set(sku_ids))
    if not sku_ids:
        return []
    codes = sorted({coupon_normalize(code) for code in coupon_codes if coupon_normalize(code)})
    with connection.cursor() as cursor:
        prepared.execute(cursor, "promotions_for_quote", _FOR_QUOTE_SQL, {
            "skus": sku_ids, "paths": list(ctx.territory_paths), "at": ctx.at, "currency": ctx.currency,
            "tier": ctx.tier_id, "dealer": ctx.dealer_id, "codes": codes, "seller": ctx.seller_id})
        rows = cursor.fetchall()
    coupons: dict[int, list[CouponState]] = {}
    needing = [row[0] for row in rows if row[7]]
    if needing:
        dealer_used = CouponDealerUse.objects.filter(coupon_id=OuterRef("pk"), dealer_id=ctx.dealer_id)
        for coupon in Coupon.objects.filter(promotion_id__in=needing, code__in=codes).annotate(
                dealer_used=Subquery(dealer_used.values("used")[:1], output_field=IntegerField())):
            used_by_dealer = coupon.dealer_used or 0
            coupons.setdefault(coupon.promotion_id, []).append(CouponState(
                code=coupon.code, active=coupon.is_active,
                remaining_total=None if coupon.total_limit is None else coupon.total_limit - coupon.used,
                remaining_for_dealer=(None if coupon.per_dealer_limit is None
                                      else coupon.per_dealer_limit - used_by_dealer)))
    return [PromotionSpec(
        id=pk, code=code, name=name, kind=kind, rule=rule if isinstance(rule, dict) else json.loads(rule),
        priority=priority, stacking=stacking, coupon_required=coupon_required, currency=currency,
        sku_ids=frozenset(skus), category_paths=tuple(category_paths), tier_ids=frozenset(tiers),
        territory_paths=tuple(territory_paths), dealer_ids=frozenset(dealers), starts_at=starts_at, ends_at=ends_at,
        remaining_budget=None if budget is None else budget - budget_used, coupons=tuple(coupons.get(pk, ())))
        for (pk, code, name, kind, rule, priority, stacking, coupon_required, currency, skus, tiers, dealers,
             starts_at, ends_at, budget, budget_used, category_paths, territory_paths) in rows]


def promotions_current_page(ctx: DealerContext) -> list[Promotion]:
    """What applies to the dealer now, whatever they buy (coupon promotions included: the dealer may hold a
    code), as model rows (for pages and the API) with budget and scopes. One query."""
    promotions = _for_dealer(promotions_live(ctx.at), ctx).filter(currency=ctx.currency)
    return list(_with_scopes(promotions).order_by("-priority", "code"))


def promotion_badges(ctx: DealerContext, skus: Iterable[tuple[int, str]]) -> dict[int, list[PromotionSpec]]:
    """For (sku_id, category_path) pairs, the promotions that may apply to each for this dealer now
    (coupon-only promotions left out): two queries whatever the number of SKUs."""
    skus = list(skus)
    if not skus:
        return {}
    promotions = _for_skus(_for_dealer(promotions_live(ctx.at), ctx), [sku_id for sku_id, _path in skus])
    specs = [_spec(promotion) for promotion in _scopes_load(list(
        promotions.filter(currency=ctx.currency, coupon_required=False).order_by("-priority", "code")))]
    return {sku_id: [spec for spec in specs if covers(spec, sku_id=sku_id, category_path=path)]
            for sku_id, path in skus}


def promotions_for_console(*, q: str = "", status: str = "", kind: str = "") -> QuerySet[Promotion]:
    promotions = Promotion.objects.all()
    if q:
        promotions = promotions.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if status in PromotionStatus.values:
        promotions = promotions.filter(status=status)
    if kind:
        promotions = promotions.filter(kind=kind)
    orders = (PromotionUsage.objects.filter(promotion_id=OuterRef("pk")).order_by().values("promotion_id")
              .annotate(n=Count("pk")).values("n"))
    return _with_given(_with_scopes(promotions)).annotate(
        orders_count=Coalesce(Subquery(orders, output_field=IntegerField()), 0))


def _with_given(promotions: QuerySet[Promotion]) -> QuerySet[Promotion]:
    """`discount_given`: the sum of the usage ledger (capped promotions also keep it as budget_used)."""
    given = (PromotionUsage.objects.filter(promotion_id=OuterRef("pk")).order_by().values("promotion_id")
             .annotate(total=Sum("discount")).values("total"))
    return promotions.annotate(discount_given=Coalesce(Subquery(given, output_field=DecimalField()), Decimal(0)))


def promotion_get(*, promotion_id) -> Promotion:
    promotion = _with_given(_with_scopes(Promotion.objects.filter(pk=promotion_id))).first() \
        if str(promotion_id).isdigit() else None
    if promotion is None:
        raise PromotionNotFound(_("No such promotion."))
    return promotion


def sku_on_promotion_for(ctx: DealerContext):
    """A filter for a Sku queryset: a live promotion this dealer qualifies for, without a coupon, in its
    currency, covers the SKU (no product scope, the SKU itself, or a category above the SKU's). As the
    catalog's promotion badges decide it; a subquery, no query of its own."""
    skus, categories = _through("skus"), _through("categories")
    covered = ((~Exists(skus) & ~Exists(categories))
               | Exists(skus.filter(sku_id=OuterRef(OuterRef("pk"))))
               | Exists(categories.filter(category__path__ancestor_of=OuterRef(OuterRef("product__category__path")))))
    live = _for_dealer(promotions_live(ctx.at), ctx).filter(currency=ctx.currency, coupon_required=False)
    return Exists(live.filter(covered))


# --- a supplier's own promotions (S2B2B) ---------------------------------------------------------------------


def supplier_promotions(*, node_id: int, status: str = "") -> QuerySet[Promotion]:
    """The promotions the supplier `node_id` gives its sub-dealers, with their scopes and discount given; newest
    first."""
    promotions = Promotion.objects.filter(owner_id=node_id)
    if status in PromotionStatus.values:
        promotions = promotions.filter(status=status)
    return _with_given(_with_scopes(promotions)).order_by("-created_at", "-id")


def supplier_promotion_get(*, node_id: int, promotion_id) -> Promotion:
    """One of the supplier's promotions; PromotionNotFound (404) for any other, existing or not."""
    found = supplier_promotions(node_id=node_id).filter(
        pk=promotion_id if str(promotion_id).isdigit() and int(promotion_id) < 2 ** 62 else -1).first()
    if found is None:
        raise PromotionNotFound(_("No such promotion."))
    return found
