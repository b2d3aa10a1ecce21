"""Held-out evaluation of the recommender (the contract of issue 26, called by bench/recommend.py inside the
tenant's schema).

The model is trained only on the orders submitted before `cutoff` (engine.model_train: pair confidences, the
dealer's own, its region x tier's and the brand's order shares). Each order submitted in the `weeks` weeks from
`cutoff` is replayed: the recommender sees the dealer and the order's first line (as if it were in the cart) and
ranks k SKUs not in the cart (engine.rank_for_cart); a hit is any of the order's other SKUs among them. As
orders are long (a dealer restocks many SKUs at once), a hit is easy for both; so each order's recall @k is kept
too: the share of the k places (or of the order's other SKUs, if fewer) that the order did contain. Orders
with a single SKU cannot hit and are not counted. The baseline ranks the k SKUs in the most orders before
`cutoff`, not in the cart."""

from __future__ import annotations

from datetime import date, timedelta

from tenant_apps.ordering.models import OrderLine
from tenant_apps.recommendations import engine, history


def _first_skus(order_ids: list[int]) -> dict[int, int]:
    """Each order's first line's SKU (lowest line number, gifts aside). One query."""
    rows = (OrderLine.objects.filter(order_id__in=order_ids, gift_promotion_id__isnull=True)
            .order_by("order_id", "line_no").distinct("order_id").values_list("order_id", "sku_id"))
    return dict(rows)


def holdout(*, cutoff: date, weeks: int = 4, k: int = 5) -> dict:
    """{"orders", "model_hit_rate", "popular_hit_rate", ...}: hit rate @k of the model and of "most popular" on
    the orders of the `weeks` weeks from `cutoff`, both trained on the orders before it."""
    train = history.baskets_load(end=cutoff)
    held = [basket for basket in history.baskets_load(start=cutoff, end=cutoff + timedelta(weeks=weeks))
            if len(basket.skus) >= 2]
    groups = history.dealer_groups()
    model = engine.model_train(train, groups)
    popular = engine.most_popular(train, cart=(), k=len(model.brand))
    first = _first_skus([basket.order_id for basket in held])
    model_hits = popular_hits = 0
    model_recall = popular_recall = 0.0
    counted = 0
    for basket in held:
        anchor = first.get(basket.order_id)
        if anchor is None:
            continue
        counted += 1
        others = basket.skus - {anchor}
        ranked = engine.rank_for_cart(model, dealer_id=basket.dealer_id, cart={anchor}, k=k)
        baseline = [sku for sku in popular if sku != anchor][:k]
        model_hits += bool(others & set(ranked))
        popular_hits += bool(others & set(baseline))
        places = min(k, len(others))
        model_recall += len(others & set(ranked)) / places
        popular_recall += len(others & set(baseline)) / places
    return {"orders": counted, "train_orders": len(train), "k": k, "weeks": weeks, "cutoff": cutoff.isoformat(),
            "model_hit_rate": round(model_hits / counted, 4) if counted else 0.0,
            "popular_hit_rate": round(popular_hits / counted, 4) if counted else 0.0,
            "model_recall": round(model_recall / counted, 4) if counted else 0.0,
            "popular_recall": round(popular_recall / counted, 4) if counted else 0.0}
