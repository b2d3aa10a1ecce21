"""Reads of recommendations: the switches, and the blocks a dealer sees (home, product page, cart), each item with
the figures its one-sentence reason is made of (presentation.reason).

Every item is a SKU the dealer may see and buy now: `catalog.selectors.sku_search(dealer=...)` (on sale, its
product on sale, the tier and territory limits of catalog visibility) filters the candidates in one query, and
what is already in the cart is never offered. A constant number of queries whatever the number of items: the
switches, the latest computation, the cart, the anchors, the stored pairs, the dealer's group, the stored
popularity, the dealer's own history, the visible candidates, and the promotions' quote (promotion_gaps). When
nothing is stored yet (a new workspace, before the periodic task's first run) the pairs and popularity are
computed from the history in memory (two more queries), with the same arithmetic (engine)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from tenant_apps.catalog.models import Sku
from tenant_apps.catalog.selectors import sku_search
from tenant_apps.ordering.models import CartLine
from tenant_apps.recommendations import engine, history
from tenant_apps.recommendations.engine import BRAND
from tenant_apps.recommendations.errors import RecommendationBlockNotFound
from tenant_apps.recommendations.models import Block, Computation, PairScore, Popularity, RecommendationSettings
from tenant_apps.recommendations.presentation import reason, title
from tenant_apps.recommendations.promotion_gaps import promotion_gaps
from tenant_apps.recommendations.services import POPULAR_WEEKS

NEW_DAYS = 30
NEW_LIMIT = 30  # new SKUs considered (the block shows LIMIT of them; the rest are promotion candidates)
LIMIT = 6
PLACES = {
    "home": (Block.TOGETHER, Block.PROMOTIONS, Block.LAPSED, Block.SIMILAR, Block.NEW),
    "product": (Block.TOGETHER,),
    "cart": (Block.PROMOTIONS, Block.TOGETHER, Block.SIMILAR),
}


@dataclass
class Recommendation:
    block: str
    sku: Sku | None
    figures: dict
    quantity: int = 1  # in the SKU's base unit: what one tap adds

    @property
    def reason(self) -> str:
        return reason(self.block, self.figures)


@dataclass
class BlockResult:
    block: str
    items: list[Recommendation] = field(default_factory=list)

    @property
    def title(self) -> str:
        return title(self.block)


def recommendation_settings() -> RecommendationSettings:
    return RecommendationSettings.objects.order_by("pk").first() or RecommendationSettings()


@dataclass
class _Inputs:
    """What the blocks are made from, loaded once."""

    cart: dict[int, tuple[int, int]]  # sku id -> (unit id, quantity) of the cart's lines
    anchors: list[int]
    pairs: list[engine.Pair]
    popular: list[engine.Popular]
    group: engine.Group
    names: dict[str, str]
    lapsed: list[engine.Lapsed]


def _baskets_cache(today: date):
    """The history for figures computed on request (nothing stored yet): the last POPULAR_WEEKS weeks only, so
    that a brand with much history whose task has not run yet still answers quickly (the task uses PAIR_WEEKS)."""
    loaded: dict[str, list] = {}

    def baskets() -> list[engine.Basket]:
        if "baskets" not in loaded:
            loaded["baskets"] = history.baskets_load(start=today - timedelta(weeks=POPULAR_WEEKS))
        return loaded["baskets"]
    return baskets


def _pairs(anchors: list[int], *, stored: bool, baskets) -> list[engine.Pair]:
    if not anchors:
        return []
    if stored:
        return [engine.Pair(row.sku_id, row.other_id, row.together, row.with_sku, row.confidence, row.lift)
                for row in PairScore.objects.filter(sku_id__in=anchors, lift__gt=1).order_by(
                    "-confidence", "-lift", "other_id")[:200]]
    computed = engine.pairs_compute(baskets())
    found = [pair for sku in anchors for pair in computed.get(sku, [])]
    return sorted(found, key=lambda pair: (-pair.confidence, -pair.lift, pair.other_id))


def _popular(group: engine.Group, *, stored: bool, baskets, today: date) -> list[engine.Popular]:
    """The group's popularity, then its region's (any tier), then the brand's: in that order of preference."""
    region, tier = group
    levels = [level for level in ((region, tier), (region, None), BRAND) if level == BRAND or level[0] is not None
              or level[1] is not None]
    levels = list(dict.fromkeys(levels))
    if stored:
        match = Q()
        for level_region, level_tier in levels:
            match |= Q(region_id=level_region, tier_id=level_tier)
        rows = [engine.Popular((row.region_id, row.tier_id), row.sku_id, row.dealers, row.group_dealers, row.orders)
                for row in Popularity.objects.filter(match).order_by("-dealers", "-orders", "sku_id")]
    else:
        computed = engine.popularity_compute(baskets(), history.dealer_groups(),
                                             since=today - timedelta(weeks=POPULAR_WEEKS))
        rows = [row for level in levels for row in computed.get(level, [])]
    rank = {level: position for position, level in enumerate(levels)}
    return sorted((row for row in rows if row.group in rank),
                  key=lambda row: (rank[row.group], -row.dealers, -row.orders, row.sku_id))


def _inputs(*, dealer, blocks: set[str], product_id: int | None, today: date) -> _Inputs:
    cart = {sku: (unit, quantity) for sku, unit, quantity in CartLine.objects.filter(cart__dealer=dealer)
            .values_list("sku_id", "unit_id", "quantity")}
    stored = Computation.objects.exists() if blocks & {Block.TOGETHER, Block.SIMILAR} else True
    baskets = _baskets_cache(today)
    anchors: list[int] = []
    pairs: list[engine.Pair] = []
    if Block.TOGETHER in blocks:
        if product_id is not None:
            anchors = list(Sku.objects.filter(product_id=product_id).values_list("pk", flat=True))
        else:
            anchors = sorted(cart) or history.last_order_skus(dealer)
        pairs = _pairs(anchors, stored=stored, baskets=baskets)
    group, names, popular = BRAND, {}, []
    if Block.SIMILAR in blocks:
        group, names = history.dealer_group(dealer)
        popular = _popular(group, stored=stored, baskets=baskets, today=today)
    lapsed = (engine.lapsed_find(history.dealer_history(dealer), today=today) if Block.LAPSED in blocks else [])
    return _Inputs(cart=cart, anchors=anchors, pairs=pairs, popular=popular, group=group, names=names,
                   lapsed=lapsed)


def _visible(dealer, sku_ids: set[int], *, new_since: date | None) -> dict[int, Sku]:
    """The candidates the dealer may see and buy (catalog visibility, on sale), with the NEW_LIMIT newest of the
    products created since `new_since` when asked (a new workspace's whole catalogue is new). One query each."""
    visible = {sku.pk: sku for sku in sku_search(dealer=dealer).filter(pk__in=sorted(sku_ids)).order_by()}
    if new_since is not None:
        newest = sku_search(dealer=dealer).filter(product__created_at__gte=history.day_start(new_since)).order_by(
            "-product__created_at", "code")[:NEW_LIMIT]
        visible |= {sku.pk: sku for sku in newest}
    return visible


def _starting_quantity(sku: Sku) -> int:
    step = max(1, sku.order_step)
    minimum = max(1, sku.min_order_qty)
    return -(-minimum // step) * step


def recommendations_for(*, dealer, place: str = "home", product_id: int | None = None, limit: int = LIMIT,
                        only: str | None = None) -> list[BlockResult]:
    """The blocks the brand switched on for `place` ("home", "product" with `product_id`, "cart"), in their
    order, each with at most `limit` items (a block with none is left out). `only`: that block alone."""
    if place not in PLACES:
        raise RecommendationBlockNotFound(place)
    settings = recommendation_settings()
    blocks = [block for block in PLACES[place] if getattr(settings, block) and (only is None or block == only)]
    if not blocks:
        return []
    today = timezone.localdate()
    inputs = _inputs(dealer=dealer, blocks=set(blocks), product_id=product_id, today=today)
    candidates = ({pair.other_id for pair in inputs.pairs} | {row.sku_id for row in inputs.popular}
                  | {row.sku_id for row in inputs.lapsed} | set(inputs.anchors))
    wants_new = Block.NEW in blocks or Block.PROMOTIONS in blocks
    visible = _visible(dealer, candidates, new_since=today - timedelta(days=NEW_DAYS) if wants_new else None)
    names = {sku_id: visible[sku_id].name for sku_id in inputs.anchors if sku_id in visible}
    taken = set(inputs.cart)
    results: dict[str, BlockResult] = {}

    def offer(block: str, sku_id: int, figures: dict, quantity: int | None = None) -> None:
        result = results.setdefault(block, BlockResult(block))
        sku = visible.get(sku_id)
        if sku is None or sku_id in taken or len(result.items) >= limit:
            return
        taken.add(sku_id)  # one SKU, one block: the first reason is the strongest
        result.items.append(Recommendation(block, sku, figures, quantity or _starting_quantity(sku)))

    for block in blocks:
        if block == Block.TOGETHER:
            anchor_ids = set(inputs.anchors)
            for pair in inputs.pairs:
                if pair.sku_id in names and pair.other_id not in anchor_ids:
                    offer(block, pair.other_id, {"anchor": names[pair.sku_id], "together": pair.together,
                                                 "with_sku": pair.with_sku, "percent": round(pair.confidence * 100),
                                                 "lift": round(pair.lift, 2)})
        elif block == Block.SIMILAR:
            for row in inputs.popular:
                scope = "brand" if row.group == BRAND else ("region" if row.group[1] is None else "group")
                if row.group[0] is None and row.group != BRAND:
                    scope = "tier"
                offer(block, row.sku_id, {"scope": scope, "dealers": row.dealers, "of": row.group_dealers,
                                          "orders": row.orders, "weeks": POPULAR_WEEKS,
                                          "region": inputs.names.get("region", ""),
                                          "tier": inputs.names.get("tier", "")})
        elif block == Block.LAPSED:
            for row in inputs.lapsed:
                offer(block, row.sku_id, {"interval": row.interval_days, "orders": row.orders,
                                          "last": row.last.isoformat(), "days_since": row.days_since})
        elif block == Block.NEW:
            since = history.day_start(today - timedelta(days=NEW_DAYS))
            fresh = sorted((sku for sku in visible.values() if sku.product.created_at >= since),
                           key=lambda sku: (-sku.product.created_at.timestamp(), sku.code))
            for sku in fresh:
                offer(block, sku.pk, {"since": timezone.localdate(sku.product.created_at).isoformat()})
        elif block == Block.PROMOTIONS:
            preferred = [pair.other_id for pair in inputs.pairs] + [row.sku_id for row in inputs.popular]
            for gap in promotion_gaps(dealer=dealer, cart=inputs.cart, candidates=visible, preferred=preferred,
                                      exclude=taken):
                result = results.setdefault(block, BlockResult(block))
                if len(result.items) < limit:
                    if gap.sku is not None:
                        taken.add(gap.sku.pk)
                    result.items.append(Recommendation(block, gap.sku, gap.figures, gap.quantity))
    return [results[block] for block in blocks if block in results and results[block].items]
