"""The promotions engine: applies promotion specs to priced lines. Pure (no queries, no clock), and
deterministic: the same lines, specs and codes give the same result whatever order the specs come in.

How promotions apply (the console shows these rules in customer words: presentation.ENGINE_RULES):

1. **Who and when.** A promotion applies to a dealer when every scope it sets matches (tiers, regions
   with their sub-regions, named dealers; an empty scope means everyone), at a moment inside its window,
   in the quote's currency. A promotion that needs a coupon applies only when the dealer entered one of
   its codes and that code still has uses left (in total and for this dealer); otherwise a note says why.
2. **What.** A line is eligible when its SKU is in the promotion's SKUs or its category is inside one of
   the promotion's categories; with neither set, every line is eligible. Quantities are counted in base
   units (a case of 24 counts 24).
3. **Two levels.** Line-level promotions (percentage, fixed amount, tiered quantity, bundle, gift items)
   apply first, each on the lines' net amount left by the ones before it. Then order-level promotions
   (满减 spend thresholds) apply on the eligible lines' net after the line level.
4. **Order within a level:** priority, highest first; equal priorities by promotion code (never by
   creation order).
5. **Stacking.** *Stackable* promotions combine. A *not combined* (不同享) promotion takes only lines no
   earlier promotion has discounted, and the lines it discounts take no later promotion. An *exclusive*
   promotion applies alone at its level: the first exclusive one (in the order above) that gives anything
   is the only promotion of that level; the other level still applies.
6. **Budget.** A promotion with a budget gives at most what is left of it; a reduced discount is spread
   over its lines in proportion to what each would have had.
7. **Never negative.** No discount takes a line below zero.
8. **Rounding and allocation.** Per-line discounts are rounded half up to the currency's minor unit. An
   order-level discount (and a bundle's or a capped one) is spread over its lines in proportion to their
   net amounts, in minor units; the units left over by rounding down go one each to the lines with the
   largest remainders (ties: the first line). The line amounts always sum exactly to the discount.
9. **满减 steps.** The highest step reached applies once; with "每满" (repeat) the steps are applied
   greedily from the highest as many times as they fit (满3000减200 每满 on 7,000: 2 x 200 + 1 x 50 when
   a 满1000减50 step exists).
10. **Gifts (买赠)** add free lines (GiftLine) for every `buy_quantity` bought (once, or repeated); they
   discount nothing, and the order reserves their stock.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext as _

from tenant_apps.core.money import format_money, minor_unit, quantize
from tenant_apps.pricing.quote_types import (
    AppliedPromotion,
    DealerContext,
    GiftLine,
    PricedLine,
    PromotionResult,
)

LINE_LEVEL = frozenset({"percent", "fixed", "tiered", "bundle", "gift"})
ORDER_LEVEL = frozenset({"threshold"})
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class CouponState:
    """A coupon code the dealer entered, with what is left of its limits (None: no limit)."""

    code: str
    active: bool = True
    remaining_total: int | None = None
    remaining_for_dealer: int | None = None

    @property
    def usable(self) -> bool:
        return (self.active and (self.remaining_total is None or self.remaining_total > 0)
                and (self.remaining_for_dealer is None or self.remaining_for_dealer > 0))


@dataclass(frozen=True, slots=True)
class PromotionSpec:
    """A promotion as the engine takes it: plain values, loaded once by `selectors.promotions_for_quote`."""

    id: int
    code: str
    name: str
    kind: str
    currency: str  # its amounts' currency: it applies only to quotes in this currency
    rule: Mapping = field(default_factory=dict)
    priority: int = 0
    stacking: str = "stackable"  # "stackable" | "not_stackable" | "exclusive"
    coupon_required: bool = False
    sku_ids: frozenset[int] = frozenset()
    category_paths: tuple[str, ...] = ()
    tier_ids: frozenset[int] = frozenset()
    territory_paths: tuple[str, ...] = ()
    dealer_ids: frozenset[int] = frozenset()
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    remaining_budget: Decimal | None = None  # None: no budget cap
    coupons: tuple[CouponState, ...] = ()

    @property
    def level(self) -> str:
        return "order" if self.kind in ORDER_LEVEL else "line"


def coupon_normalize(code: str) -> str:
    return "".join(str(code).split()).upper()


def _inside(path: str, ancestor: str) -> bool:
    """ltree `path <@ ancestor`."""
    return path == ancestor or path.startswith(ancestor + ".")


def for_dealer(spec: PromotionSpec, ctx: DealerContext) -> bool:
    if spec.tier_ids and ctx.tier_id not in spec.tier_ids:
        return False
    if spec.dealer_ids and ctx.dealer_id not in spec.dealer_ids:
        return False
    if spec.territory_paths and not any(
            _inside(mine, theirs) for mine in ctx.territory_paths for theirs in spec.territory_paths):
        return False
    if spec.starts_at is not None and ctx.at < spec.starts_at:
        return False
    return spec.ends_at is None or ctx.at < spec.ends_at


def covers(spec: PromotionSpec, *, sku_id: int, category_path: str) -> bool:
    """Whether a SKU (in that category) is in the promotion's product scope."""
    if not spec.sku_ids and not spec.category_paths:
        return True
    return sku_id in spec.sku_ids or any(_inside(category_path, path) for path in spec.category_paths)


def allocate(total: Decimal, weights: Mapping[int, Decimal], currency: str) -> dict[int, Decimal]:
    """Spread `total` over the keys in proportion to `weights`, in the currency's minor units, by the
    largest-remainder method (ties: the lowest key). Sums exactly to `total` (rounded half up) when the
    weights are positive; with `total` <= sum(weights) no key receives more than its weight.
    Integer arithmetic in minor units: an order-level promotion runs this over every line of the cart."""
    digits = -minor_unit(currency).as_tuple().exponent
    units = int(quantize(total, currency).scaleb(digits))
    if units <= 0:
        return {}
    keys, shares = [], []
    for key, weight in sorted(weights.items()):
        share = int(quantize(weight, currency).scaleb(digits))
        if share > 0:
            keys.append(key)
            shares.append(share)
    whole = sum(shares)
    if whole == 0:
        return {}
    base = [units * share // whole for share in shares]
    left = units - sum(base)
    if left:
        remainders = [(-(units * share % whole), position) for position, share in enumerate(shares)]
        for _remainder, position in heapq.nsmallest(left, remainders):  # keys ascend with positions
            base[position] += 1
    return {key: Decimal(amount).scaleb(-digits) for key, amount in zip(keys, base, strict=True) if amount}


@dataclass
class _State:
    nets: dict[int, Decimal]
    touched: set[int] = field(default_factory=set)  # discounted by some promotion
    claimed: set[int] = field(default_factory=set)  # taken by a "not combined" promotion


@dataclass
class _Effect:
    discounts: dict[int, Decimal]
    explanation: str
    gifts: tuple[GiftLine, ...] = ()
    weighted: bool = False  # discounts already spread by `allocate`


class _Lines:
    """The cart's lines indexed by SKU and by category, so that a promotion scoped to a few SKUs looks at
    those lines only (2,000 promotions x 200 lines would otherwise be 400,000 scope checks)."""

    def __init__(self, lines: Sequence[PricedLine]):
        self.all = list(lines)
        self.by_sku: dict[int, list[int]] = defaultdict(list)
        self.by_category: dict[str, list[int]] = defaultdict(list)
        for position, line in enumerate(self.all):
            self.by_sku[line.sku_id].append(position)
            self.by_category[line.category_path].append(position)

    def in_scope(self, spec: PromotionSpec) -> list[PricedLine]:
        if not spec.sku_ids and not spec.category_paths:
            return self.all
        positions: set[int] = set()
        skus = spec.sku_ids if len(spec.sku_ids) < len(self.by_sku) else spec.sku_ids & self.by_sku.keys()
        for sku in skus:
            positions.update(self.by_sku.get(sku, ()))
        for path in spec.category_paths:
            for category, found in self.by_category.items():
                if _inside(category, path):
                    positions.update(found)
        return [self.all[position] for position in sorted(positions)]


def _eligible(spec: PromotionSpec, lines: _Lines, state: _State) -> list[PricedLine]:
    return [line for line in lines.in_scope(spec)
            if line.index not in state.claimed
            and not (spec.stacking == "not_stackable" and line.index in state.touched)]


def _money(amount: Decimal, currency: str) -> str:
    return _money_in(amount, currency, translation.get_language())


@lru_cache(maxsize=4096)
def _money_in(amount: Decimal, currency: str, language: str | None) -> str:
    """format_money (Babel) is the engine's slowest call; the same amounts recur across promotions."""
    return format_money(amount, currency)


def _percent_text(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _percent(spec, lines, state, currency) -> _Effect | None:
    percent = Decimal(spec.rule["percent"])
    discounts = {line.index: min(state.nets[line.index], quantize(state.nets[line.index] * percent / HUNDRED,
                                                                    currency)) for line in lines}
    return _Effect(discounts, _("%(percent)s%% off") % {"percent": _percent_text(percent)})


def _fixed(spec, lines, state, currency) -> _Effect | None:
    amount = Decimal(spec.rule["amount"])
    if spec.rule.get("per") == "line":
        discounts = {line.index: min(state.nets[line.index], amount) for line in lines}
        return _Effect(discounts, _("%(amount)s off each line") % {"amount": _money(amount, currency)})
    discounts = {line.index: min(state.nets[line.index], quantize(amount * line.base_quantity, currency))
                 for line in lines}
    return _Effect(discounts, _("%(amount)s off each unit") % {"amount": _money(amount, currency)})


def _tiered(spec, lines, state, currency) -> _Effect | None:
    tiers = sorted(((int(t["min_quantity"]), Decimal(t["percent"])) for t in spec.rule["tiers"]), reverse=True)
    groups: dict[object, list[PricedLine]] = defaultdict(list)
    for line in lines:
        groups[line.sku_id if spec.rule.get("basis", "sku") == "sku" else "all"].append(line)
    discounts, reached = {}, []
    for group in groups.values():
        quantity = sum(line.base_quantity for line in group)
        tier = next(((minimum, percent) for minimum, percent in tiers if quantity >= minimum), None)
        if tier is None:
            continue
        reached.append(tier)
        for line in group:
            net = state.nets[line.index]
            discounts[line.index] = min(net, quantize(net * tier[1] / HUNDRED, currency))
    if not reached:
        return None
    minimum, percent = max(reached)
    return _Effect(discounts, _("%(quantity)s+ units: %(percent)s%% off") % {
        "quantity": minimum, "percent": _percent_text(percent)})


def _bundle(spec, lines, state, currency) -> _Effect | None:
    items = {int(item["sku_id"]): int(item["quantity"]) for item in spec.rule["items"]}
    by_sku: dict[int, list[PricedLine]] = defaultdict(list)
    for line in lines:
        if line.sku_id in items:
            by_sku[line.sku_id].append(line)
    if set(by_sku) != set(items):
        return None
    sets = min(sum(line.base_quantity for line in by_sku[sku]) // quantity for sku, quantity in items.items())
    if sets <= 0:
        return None
    # The value of one set at the lines' current net price per base unit.
    set_value = sum(
        Decimal(quantity) * sum(state.nets[line.index] for line in by_sku[sku])
        / sum(line.base_quantity for line in by_sku[sku])
        for sku, quantity in items.items())
    value = quantize(set_value * sets, currency)
    involved = {line.index: state.nets[line.index] for group in by_sku.values() for line in group}
    if "price" in spec.rule:
        price = Decimal(spec.rule["price"])
        total = value - quantize(price * sets, currency)
        text = _("Bundle at %(price)s a set (%(sets)s sets)") % {"price": _money(price, currency), "sets": sets}
    else:
        off = Decimal(spec.rule["amount_off"])
        total = min(value, off * sets)
        text = _("%(amount)s off each complete set (%(sets)s sets)") % {"amount": _money(off, currency),
                                                                        "sets": sets}
    total = min(total, sum(involved.values()))
    if total <= 0:
        return None
    return _Effect(allocate(total, involved, currency), text, weighted=True)


def _gift(spec, lines, state, currency) -> _Effect | None:
    buy = int(spec.rule["buy_quantity"])
    quantity = sum(line.base_quantity for line in lines)
    times = quantity // buy if spec.rule.get("repeat", True) else min(1, quantity // buy)
    if times <= 0:
        return None
    gift = GiftLine(promotion_id=spec.id, sku_id=int(spec.rule["gift_sku_id"]),
                    unit_id=int(spec.rule.get("gift_unit_id") or 0), quantity=int(spec.rule["gift_quantity"]) * times)
    text = _("Buy %(buy)s, get %(gift)s free (x%(times)s)") % {
        "buy": buy, "gift": spec.rule["gift_quantity"], "times": times}
    return _Effect({}, text, gifts=(gift,))


def _threshold(spec, lines, state, currency) -> _Effect | None:
    nets = {line.index: state.nets[line.index] for line in lines}
    base = sum(nets.values(), Decimal(0))
    steps = sorted(((Decimal(s["threshold"]), Decimal(s["off"])) for s in spec.rule["steps"]), reverse=True)
    total, used, left = Decimal(0), [], base
    for threshold, off in steps:
        if left < threshold:
            continue
        times = int(left // threshold) if spec.rule.get("repeat") else 1
        total += off * times
        left -= threshold * times
        used.append((threshold, off, times))
        if not spec.rule.get("repeat"):
            break
    total = min(total, base)
    if total <= 0:
        return None
    parts = "; ".join(
        (_("%(off)s off from %(threshold)s") if times == 1 else _("%(off)s off per %(threshold)s ×%(times)s")) % {
            "threshold": _money(threshold, currency), "off": _money(off, currency), "times": times}
        for threshold, off, times in used)
    text = _("Spend %(base)s: %(steps)s") % {"base": _money(base, currency), "steps": parts}
    return _Effect(allocate(total, nets, currency), text, weighted=True)


KINDS = {"percent": _percent, "fixed": _fixed, "tiered": _tiered, "bundle": _bundle, "gift": _gift,
         "threshold": _threshold}


def _evaluate(spec: PromotionSpec, lines: _Lines, state: _State, currency: str) -> _Effect | None:
    eligible = _eligible(spec, lines, state)
    if spec.kind != "gift":
        eligible = [line for line in eligible if state.nets[line.index] > 0]
    if not eligible:
        return None
    effect = KINDS[spec.kind](spec, eligible, state, currency)
    if effect is None:
        return None
    effect.discounts = {index: amount for index, amount in effect.discounts.items() if amount > 0}
    if not effect.discounts and not effect.gifts:
        return None
    return effect


def _apply(spec: PromotionSpec, effect: _Effect, state: _State, coupon: str, currency: str,
           notes: list[str]) -> AppliedPromotion:
    discounts = effect.discounts
    total = sum(discounts.values(), Decimal(0))
    explanation = effect.explanation
    if spec.remaining_budget is not None and total > spec.remaining_budget:
        capped = max(Decimal(0), quantize(spec.remaining_budget, currency))
        discounts = allocate(capped, discounts, currency)
        total = sum(discounts.values(), Decimal(0))
        explanation += " " + _("(limited to the %(left)s left of its budget)") % {"left": _money(capped, currency)}
        notes.append(_("%(name)s: only %(left)s of its budget is left.") % {
            "name": spec.name, "left": _money(capped, currency)})
    for index, amount in discounts.items():
        state.nets[index] -= amount
        state.touched.add(index)
        if spec.stacking == "not_stackable":
            state.claimed.add(index)
    if coupon:
        explanation = _("Coupon %(code)s: %(rule)s") % {"code": coupon, "rule": explanation}
    return AppliedPromotion(promotion_id=spec.id, name=spec.name, kind=spec.kind, discount=total,
                            allocations=dict(sorted(discounts.items())), gifts=effect.gifts, coupon_code=coupon,
                            explanation=explanation)


def apply_promotions(lines: Sequence[PricedLine], promotions: Sequence[PromotionSpec], *, ctx: DealerContext,
                     coupon_codes: frozenset[str] = frozenset()) -> PromotionResult:
    """Apply `promotions` to the priced `lines` for the dealer in `ctx`, by the rules in this module's
    docstring. `coupon_codes` are the codes the dealer entered (any case, spaces ignored)."""
    currency = ctx.currency
    lines = sorted(lines, key=lambda line: line.index)
    codes = {coupon_normalize(code) for code in coupon_codes if coupon_normalize(code)}
    specs = sorted({spec.id: spec for spec in promotions}.values(),
                   key=lambda spec: (-spec.priority, spec.code, spec.id))
    notes: list[str] = []
    matched: set[str] = set()
    usable: list[tuple[PromotionSpec, str]] = []
    for spec in specs:
        if spec.currency != currency or spec.kind not in KINDS or not for_dealer(spec, ctx):
            continue
        coupon = ""
        if spec.coupon_required:
            entered = sorted((c for c in spec.coupons if c.code in codes), key=lambda c: c.code)
            matched.update(c.code for c in entered)
            if not entered:
                continue
            valid = [c for c in entered if c.usable]
            if not valid:
                notes.extend(_("Coupon %(code)s has been used up.") % {"code": c.code} for c in entered)
                continue
            coupon = valid[0].code
        if spec.remaining_budget is not None and spec.remaining_budget <= 0:
            notes.append(_("%(name)s has used up its budget.") % {"name": spec.name})
            continue
        usable.append((spec, coupon))
    notes.extend(_("Coupon %(code)s is not valid for this order.") % {"code": code}
                 for code in sorted(codes - matched))

    state = _State(nets={line.index: line.gross for line in lines})
    indexed = _Lines(lines)
    applied: list[AppliedPromotion] = []
    for level in ("line", "order"):
        at_level = [(spec, coupon) for spec, coupon in usable if spec.level == level]
        exclusive = [(spec, coupon) for spec, coupon in at_level if spec.stacking == "exclusive"]
        chosen = None
        for spec, coupon in exclusive:
            effect = _evaluate(spec, indexed, state, currency)
            if effect is not None:
                chosen = (spec, coupon, effect)
                break
        if chosen is not None:
            spec, coupon, effect = chosen
            applied.append(_apply(spec, effect, state, coupon, currency, notes))
            continue
        for spec, coupon in at_level:
            if spec.stacking == "exclusive":
                continue
            effect = _evaluate(spec, indexed, state, currency)
            if effect is not None:
                applied.append(_apply(spec, effect, state, coupon, currency, notes))
    return PromotionResult(applied=tuple(applied), notes=tuple(notes))
