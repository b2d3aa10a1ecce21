"""The recommender's arithmetic: pure functions over plain baskets (no queries, no clock), shared by the periodic
computation (services.recommendations_compute), the blocks computed on request when nothing is stored yet
(selectors), and the held-out evaluation (evaluation.holdout), so that what is measured is what is shown.

A basket is one counted order: its dealer, the day it was submitted and the set of its SKUs (quantities do not
matter here). Figures:

- **pairs** ("often bought together"): for SKUs a and b, `together` = orders holding both, `with_sku` = orders
  holding a, confidence = together / with_sku (the share of a's orders that also hold b), lift = confidence / the
  share of all orders holding b. A pair needs MIN_SUPPORT orders holding both (one odd order makes no pair) and,
  to be shown, a lift above 1 (b is bought with a more than it is bought at all); ranked by confidence, then lift.
- **popularity** per group of dealers (region x tier, region, brand-wide): how many of the group's dealers
  ordered the SKU in the recent weeks, of how many that ordered anything, and in how many orders.
- **lapsed**: a SKU the dealer ordered in at least LAPSED_MIN_ORDERS orders, whose last order is more than
  LAPSED_FACTOR times its usual interval (the median of the gaps between its orders) ago.
- **ranking for a cart** (`rank_for_cart`, the model the evaluation scores): each candidate's score is the
  confidence of the pair from a cart SKU (the best one) + the share of the dealer's own orders holding it
  + half the share of its region x tier's orders + a fifth of the brand's share (which alone is "most popular").
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from statistics import median

MIN_SUPPORT = 3
PAIRS_PER_SKU = 20
POPULAR_PER_GROUP = 50
LAPSED_MIN_ORDERS = 3
LAPSED_FACTOR = 2.0
LAPSED_MIN_DAYS = 14  # whatever the interval, not "lapsed" before two weeks
# Weights of rank_for_cart (see the module's docstring).
WEIGHT_PAIR, WEIGHT_OWN, WEIGHT_GROUP, WEIGHT_BRAND = 1.0, 1.0, 0.5, 0.2

Group = tuple[int | None, int | None]  # (region node id, tier id); None: any
BRAND: Group = (None, None)


@dataclass(frozen=True, slots=True)
class Basket:
    order_id: int
    dealer_id: int
    day: date
    skus: frozenset[int]


@dataclass(frozen=True, slots=True)
class Pair:
    sku_id: int
    other_id: int
    together: int
    with_sku: int
    confidence: float
    lift: float


@dataclass(frozen=True, slots=True)
class Popular:
    group: Group
    sku_id: int
    dealers: int
    group_dealers: int
    orders: int


@dataclass(frozen=True, slots=True)
class Lapsed:
    sku_id: int
    orders: int
    interval_days: int
    last: date
    days_since: int


def pairs_compute(baskets: Iterable[Basket], *, min_support: int = MIN_SUPPORT, per_sku: int = PAIRS_PER_SKU,
                  lift_above_one: bool = True) -> dict[int, list[Pair]]:
    """Pair scores by SKU, best first (see the module's docstring)."""
    baskets = [basket for basket in baskets if basket.skus]
    total = len(baskets)
    holding: Counter[int] = Counter()
    both: Counter[tuple[int, int]] = Counter()
    for basket in baskets:
        skus = sorted(basket.skus)
        holding.update(skus)
        for position, first in enumerate(skus):
            for second in skus[position + 1:]:
                both[(first, second)] += 1
    found: dict[int, list[Pair]] = defaultdict(list)
    for (first, second), count in both.items():
        if count < min_support:
            continue
        for sku, other in ((first, second), (second, first)):
            confidence = count / holding[sku]
            lift = confidence / (holding[other] / total)
            if lift_above_one and lift <= 1.0:
                continue
            found[sku].append(Pair(sku, other, count, holding[sku], confidence, lift))
    return {sku: sorted(pairs, key=lambda p: (-p.confidence, -p.lift, p.other_id))[:per_sku]
            for sku, pairs in found.items()}


def popularity_compute(baskets: Iterable[Basket], groups: Mapping[int, Group], *, since: date,
                       per_group: int = POPULAR_PER_GROUP) -> dict[Group, list[Popular]]:
    """Popularity per (region, tier), per (region, any tier) and brand-wide over the baskets from `since`, most
    dealers first (then most orders). `groups`: dealer id -> (region id, tier id)."""
    dealers_of: dict[Group, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    orders_of: dict[Group, Counter[int]] = defaultdict(Counter)
    active: dict[Group, set[int]] = defaultdict(set)
    for basket in baskets:
        if basket.day < since:
            continue
        region, tier = groups.get(basket.dealer_id, BRAND)
        for group in {(region, tier), (region, None), BRAND}:
            active[group].add(basket.dealer_id)
            for sku in basket.skus:
                dealers_of[group][sku].add(basket.dealer_id)
                orders_of[group][sku] += 1
    found = {}
    for group, by_sku in dealers_of.items():
        rows = [Popular(group, sku, len(dealers), len(active[group]), orders_of[group][sku])
                for sku, dealers in by_sku.items()]
        found[group] = sorted(rows, key=lambda row: (-row.dealers, -row.orders, row.sku_id))[:per_group]
    return found


def lapsed_find(history: Iterable[tuple[int, date]], *, today: date, min_orders: int = LAPSED_MIN_ORDERS,
                factor: float = LAPSED_FACTOR) -> list[Lapsed]:
    """The dealer's lapsed SKUs from its (sku id, order day) rows, longest overdue (relative to the interval)
    first."""
    days: dict[int, set[date]] = defaultdict(set)
    for sku, day in history:
        days[sku].add(day)
    found = []
    for sku, ordered in days.items():
        ordered_days = sorted(ordered)
        if len(ordered_days) < min_orders:
            continue
        gaps = [(later - earlier).days for earlier, later in zip(ordered_days, ordered_days[1:], strict=False)]
        interval = max(1, math.ceil(median(gaps)))
        since = (today - ordered_days[-1]).days
        if since > max(factor * interval, LAPSED_MIN_DAYS):
            found.append(Lapsed(sku, len(ordered_days), interval, ordered_days[-1], since))
    return sorted(found, key=lambda row: (-row.days_since / row.interval_days, row.sku_id))


@dataclass
class Model:
    """What rank_for_cart needs, trained on baskets (evaluation.holdout trains one before its cutoff)."""

    pairs: dict[int, dict[int, float]]  # sku -> other -> confidence (support >= MIN_SUPPORT)
    own: dict[int, dict[int, float]]  # dealer -> sku -> share of its orders
    group: dict[Group, dict[int, float]]  # (region, tier) -> sku -> share of the group's orders
    brand: dict[int, float]  # sku -> share of all orders
    groups: Mapping[int, Group]


def _shares(baskets: list[Basket]) -> dict[int, float]:
    counts: Counter[int] = Counter()
    for basket in baskets:
        counts.update(basket.skus)
    return {sku: count / len(baskets) for sku, count in counts.items()} if baskets else {}


def model_train(baskets: Iterable[Basket], groups: Mapping[int, Group]) -> Model:
    baskets = [basket for basket in baskets if basket.skus]
    pairs = {sku: {pair.other_id: pair.confidence for pair in found}
             for sku, found in pairs_compute(baskets, per_sku=100, lift_above_one=False).items()}
    by_dealer: dict[int, list[Basket]] = defaultdict(list)
    by_group: dict[Group, list[Basket]] = defaultdict(list)
    for basket in baskets:
        by_dealer[basket.dealer_id].append(basket)
        by_group[groups.get(basket.dealer_id, BRAND)].append(basket)
    return Model(pairs=pairs, own={dealer: _shares(found) for dealer, found in by_dealer.items()},
                 group={group: _shares(found) for group, found in by_group.items()}, brand=_shares(baskets),
                 groups=groups)


def rank_for_cart(model: Model, *, dealer_id: int, cart: Iterable[int], k: int,
                  allowed: set[int] | None = None) -> list[int]:
    """The k SKUs to show a dealer with `cart` (not in it, within `allowed` when given), best first."""
    cart = set(cart)
    scores: dict[int, float] = defaultdict(float)
    for sku in cart:
        for other, confidence in model.pairs.get(sku, {}).items():
            scores[other] = max(scores[other], WEIGHT_PAIR * confidence)
    for source, weight in ((model.own.get(dealer_id, {}), WEIGHT_OWN),
                           (model.group.get(model.groups.get(dealer_id, BRAND), {}), WEIGHT_GROUP),
                           (model.brand, WEIGHT_BRAND)):
        for sku, share in source.items():
            scores[sku] += weight * share
    ranked = sorted((sku for sku in scores if sku not in cart and (allowed is None or sku in allowed)),
                    key=lambda sku: (-scores[sku], sku))
    return ranked[:k]


def most_popular(baskets: Iterable[Basket], *, cart: Iterable[int], k: int) -> list[int]:
    """The baseline: the k SKUs in the most orders, not in the cart."""
    counts: Counter[int] = Counter()
    for basket in baskets:
        counts.update(basket.skus)
    cart = set(cart)
    return [sku for sku, _count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            if sku not in cart][:k]
