"""The quote: a cart priced for a dealer at a moment, line by line, with the promotions that apply.

`quote_cart` loads once (the dealer's context, the price book, the promotions that may apply), then runs
pure code: list prices (`PriceBook.price`), promotions (`tenant_apps.promotions.engine.apply_promotions`),
and the assembly below. The same call prices an order at submission, so the dealer never sees one total and
pays another.

Assembly: each line's discounts are the promotions' allocations to it, in the order the promotions were
applied; net = gross - discounts, never below zero (a discount larger than the line is cut to the line);
total = sum of the lines' net; discount_total = subtotal - total. Lines without a price for this dealer are
left out of the totals and listed in `Quote.unpriced` by cart index.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from tenant_apps.dealers.models import Dealer
from tenant_apps.pricing.engine import PriceBook, price_book_load
from tenant_apps.pricing.quote_types import (
    AppliedPromotion,
    CartLine,
    DealerContext,
    PricedLine,
    PromotionResult,
    Quote,
    QuoteLine,
)
from tenant_apps.pricing.selectors import dealer_context
from tenant_apps.promotions.engine import apply_promotions
from tenant_apps.promotions.selectors import promotions_for_quote

ZERO = Decimal("0")


def quote_cart(*, dealer: Dealer, lines: Sequence[CartLine], at: datetime | None = None,
               coupon_codes: Sequence[str] = ()) -> Quote:
    """Price `lines` for `dealer` at `at` (default now) with `coupon_codes`. Queries: the dealer's context,
    the price book and the promotions' loading, the same for 1 line or 1,000."""
    ctx = dealer_context(dealer, at)
    return quote_with_book(price_book_load(ctx, (line.sku_id for line in lines)), lines, coupon_codes=coupon_codes)


def quote_with_book(book: PriceBook, lines: Sequence[CartLine], *, coupon_codes: Sequence[str] = ()) -> Quote:
    """`quote_cart` on a price book already loaded for the dealer (submission reads the book first: its SKUs
    are what the order's lines are checked against). Queries: the promotions' loading."""
    ctx = book.ctx
    codes = frozenset(code.strip() for code in coupon_codes if code and code.strip())
    priced = [book.price(line, index) for index, line in enumerate(lines)]
    sku_ids = sorted({line.sku_id for line in priced if line is not None})
    promotions = promotions_for_quote(ctx, sku_ids=sku_ids, coupon_codes=codes)
    lines = [line for line in priced if line is not None]
    result = apply_promotions(lines, promotions, ctx=ctx, coupon_codes=codes) if lines else PromotionResult()
    return quote_assemble(ctx=ctx, priced=priced, result=result)


def quote_assemble(*, ctx: DealerContext, priced: Sequence[PricedLine | None], result: PromotionResult) -> Quote:
    """Pure: the priced lines (None where a cart line has no price) and the promotions' result, added up."""
    lines = [line for line in priced if line is not None]
    unpriced = tuple(index for index, line in enumerate(priced) if line is None)
    applied: tuple[AppliedPromotion, ...] = result.applied
    per_line: dict[int, list[tuple[int, Decimal]]] = {}
    taken: dict[int, Decimal] = {}
    for promotion in applied:
        promotion_id = promotion.promotion_id
        for index, amount in promotion.allocations.items():  # the engine gives them in line order
            if amount:
                bucket = per_line.get(index)
                if bucket is None:
                    per_line[index] = bucket = []
                bucket.append((promotion_id, amount))
                taken[index] = taken.get(index, ZERO) + amount
    quote_lines = []
    for line in lines:
        net = line.gross - taken.get(line.index, ZERO)
        quote_lines.append(QuoteLine(priced=line, discounts=tuple(per_line.get(line.index, ())), net=max(net, ZERO)))
    subtotal = sum((line.gross for line in lines), ZERO)
    total = sum((line.net for line in quote_lines), ZERO)
    return Quote(
        currency=ctx.currency, at=ctx.at, dealer_id=ctx.dealer_id, lines=tuple(quote_lines), promotions=applied,
        gifts=tuple(gift for promotion in applied for gift in promotion.gifts),
        subtotal=subtotal, discount_total=subtotal - total, total=total,
        notes=result.notes, unpriced=unpriced,
    )
