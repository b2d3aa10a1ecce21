"""Promotion rules applied to priced lines: pure functions, no queries (placeholder: applies nothing until
the promotions engine lands; the signature is the contract the quote engine calls)."""

from __future__ import annotations

from collections.abc import Sequence

from tenant_apps.pricing.quote_types import DealerContext, PricedLine, PromotionResult


def apply_promotions(lines: Sequence[PricedLine], promotions: Sequence, *, ctx: DealerContext,
                     coupon_codes: frozenset[str] = frozenset()) -> PromotionResult:
    return PromotionResult()
