"""Reads of promotions (placeholder until the promotions app lands)."""

from __future__ import annotations

from tenant_apps.pricing.quote_types import DealerContext


def promotions_for_quote(ctx: DealerContext, *, sku_ids, coupon_codes=frozenset()) -> list:
    """The published promotions that may apply to a cart of `sku_ids` for the dealer at ctx.at, loaded in
    a constant number of queries, as the plain specs the engine takes."""
    return []
