"""Promotions the dealer's cart reaches or nearly reaches (满减 spend thresholds): how much more to add, and a SKU
that closes the gap, proven by the promotions engine itself.

The cart is priced by the pricing engine's price book and the promotions apply through
`tenant_apps.promotions.engine.apply_promotions` (the same code that prices the order at submission). For each
spend-threshold promotion that may apply to the dealer (`promotions_for_quote`, `for_dealer`), the amount it is
measured on is the net of the cart lines it covers (`covers`) after the line-level promotions (the engine's rule 3,
taken from the engine's own result on the cart); the gap is the next step's threshold less that amount. A
candidate SKU in the promotion's scope is then added in the quantity that covers the gap, and the whole cart is
applied again: only when the engine then gives the promotion's next step is the recommendation made (budgets,
exclusive or not-combined promotions are the engine's to decide, never guessed here)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from tenant_apps.catalog.models import Sku
from tenant_apps.core.money import format_money
from tenant_apps.pricing.engine import price_book_load
from tenant_apps.pricing.quote_types import CartLine
from tenant_apps.pricing.selectors import dealer_context
from tenant_apps.promotions.engine import apply_promotions, covers, for_dealer
from tenant_apps.promotions.selectors import promotions_for_quote

ZERO = Decimal(0)
TRIES = 5  # candidates tried per promotion


@dataclass
class Gap:
    sku: Sku | None
    quantity: int
    figures: dict


def _steps(rule: Mapping) -> list[tuple[Decimal, Decimal]]:
    return sorted((Decimal(str(step["threshold"])), Decimal(str(step["off"]))) for step in rule.get("steps", ()))


def _round_up(quantity: int, *, minimum: int, step: int) -> int:
    quantity = max(quantity, minimum, 1)
    step = max(step, 1)
    return -(-quantity // step) * step


def promotion_gaps(*, dealer, cart: Mapping[int, tuple[int, int]], candidates: Mapping[int, Sku],
                   preferred: Iterable[int] = (), exclude: Iterable[int] = ()) -> list[Gap]:
    """For the cart (sku id -> (unit id, quantity)): each spend threshold it nearly reaches, nearest gap first,
    with a SKU of `candidates` (those in `preferred` first) not in the cart nor `exclude` that closes it; then the
    candidates a line-level promotion the dealer qualifies for covers (`_offers`). Queries: the dealer's context,
    the price book, the promotions: the same for any cart."""
    skipped = set(exclude) | set(cart)
    order = list(dict.fromkeys([*preferred, *sorted(candidates)]))
    pool = [sku_id for sku_id in order if sku_id in candidates and sku_id not in skipped]
    if not cart and not pool:
        return []
    ctx = dealer_context(dealer)
    book = price_book_load(ctx, [*cart, *pool])
    specs = promotions_for_quote(ctx, sku_ids=[*cart, *pool])
    offers = _offers(specs=specs, book=book, pool=pool, candidates=candidates, ctx=ctx)
    entries = [CartLine(sku_id=sku, unit_id=unit, quantity=quantity) for sku, (unit, quantity) in sorted(cart.items())]
    lines = [line for line in (book.price(entry, index) for index, entry in enumerate(entries)) if line is not None]
    if not lines:
        return offers
    line_level = apply_promotions(lines, [spec for spec in specs if spec.level == "line"], ctx=ctx)
    nets = {line.index: line.gross for line in lines}
    for applied in line_level.applied:
        for index, amount in applied.allocations.items():
            nets[index] -= amount
    gaps = []
    for spec in specs:
        if spec.kind != "threshold" or spec.coupon_required or spec.currency != ctx.currency \
                or not for_dealer(spec, ctx):
            continue
        base = sum((nets[line.index] for line in lines
                    if covers(spec, sku_id=line.sku_id, category_path=line.category_path)), ZERO)
        steps = _steps(spec.rule)
        above = [(threshold, off) for threshold, off in steps if threshold > base]
        if not above:
            continue
        threshold, off = above[0]
        reached = [off_reached for threshold_reached, off_reached in steps if threshold_reached <= base]
        gap = threshold - base
        found = _closing_sku(spec=spec, book=book, lines=lines, pool=pool, gap=gap, off=off, specs=specs, ctx=ctx,
                             taken={g.sku.pk for g in gaps if g.sku is not None})
        currency = ctx.currency
        figures = {"promotion": spec.name, "promotion_id": spec.id, "gap": str(gap), "threshold": str(threshold),
                   "off": str(off), "base": str(base), "gap_text": format_money(gap, currency),
                   "threshold_text": format_money(threshold, currency), "off_text": format_money(off, currency),
                   "reached_text": format_money(reached[-1], currency) if reached else ""}
        if found is None:
            continue
        sku, quantity = found
        gaps.append(Gap(sku=candidates[sku], quantity=quantity, figures=figures))
    gaps.sort(key=lambda gap: (Decimal(gap.figures["gap"]), gap.figures["promotion_id"]))
    shown = {gap.sku.pk for gap in gaps}
    return gaps + [offer for offer in offers if offer.sku.pk not in shown]


def _offer_quantity(spec, meta) -> int:
    """Base units for which the promotion gives something: its smallest tier, or one gift's worth, else the
    SKU's first orderable quantity."""
    quantity = 1
    if spec.kind == "tiered":
        quantity = min(int(tier["min_quantity"]) for tier in spec.rule["tiers"])
    elif spec.kind == "gift":
        quantity = int(spec.rule["buy_quantity"])
    return _round_up(quantity, minimum=meta.min_order_qty, step=meta.order_step)


def _offers(*, specs, book, pool, candidates, ctx) -> list[Gap]:
    """Candidate SKUs a line-level promotion the dealer qualifies for covers by name or category (not the
    promotions on everything): the engine applies it to the SKU alone, and says what it gives."""
    offers = []
    for sku_id in pool:
        meta = book.skus.get(sku_id)
        if meta is None:
            continue
        for spec in specs:
            if spec.level != "line" or spec.kind == "bundle" or spec.coupon_required \
                    or spec.currency != ctx.currency or not (spec.sku_ids or spec.category_paths) \
                    or not for_dealer(spec, ctx) or not covers(spec, sku_id=sku_id, category_path=meta.category_path):
                continue
            try:
                quantity = _offer_quantity(spec, meta)
            except (KeyError, TypeError, ValueError):
                continue
            line = book.price(CartLine(sku_id=sku_id, unit_id=meta.base_unit_id, quantity=quantity), 0)
            if line is None:
                continue
            [applied] = apply_promotions([line], [spec], ctx=ctx).applied or [None]
            if applied is None:
                continue
            offers.append(Gap(sku=candidates[sku_id], quantity=quantity, figures={
                "kind": "offer", "promotion": spec.name, "promotion_id": spec.id, "rule": applied.explanation,
                "quantity": quantity, "unit": candidates[sku_id].base_unit.name, "discount": str(applied.discount),
                "discount_text": format_money(applied.discount, ctx.currency)}))
            break
    return offers


def _closing_sku(*, spec, book, lines, pool, gap: Decimal, off: Decimal, specs, ctx, taken) -> tuple[int, int] | None:
    """A SKU of `pool` in the promotion's scope and the quantity (base units) of it that closes `gap`, checked by
    applying every promotion to the cart with it added: the promotion must then give at least `off`."""
    tried = 0
    for sku_id in pool:
        meta = book.skus.get(sku_id)
        if sku_id in taken or meta is None or not covers(spec, sku_id=sku_id, category_path=meta.category_path):
            continue
        one = book.price(CartLine(sku_id=sku_id, unit_id=meta.base_unit_id, quantity=1), len(lines))
        if one is None or one.unit_price <= 0:
            continue
        tried += 1
        if tried > TRIES:
            return None
        needed = int((gap / one.unit_price).to_integral_value(rounding=ROUND_CEILING))
        quantity = _round_up(needed, minimum=meta.min_order_qty, step=meta.order_step)
        added = book.price(CartLine(sku_id=sku_id, unit_id=meta.base_unit_id, quantity=quantity), len(lines))
        if added is None:
            continue
        result = apply_promotions([*lines, added], specs, ctx=ctx)
        given = sum((applied.discount for applied in result.applied if applied.promotion_id == spec.id), ZERO)
        if given >= off:
            return sku_id, quantity
    return None
