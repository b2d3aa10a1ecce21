"""Hold-out evaluation of the replenishment engine (the bench's contract, docs/dev/replenishment.md).

For each dealer x SKU with orders before `cutoff` (a Monday): the base units the engine expects the dealer to order
in the `weeks` weeks from `cutoff` (its rhythm over the year before cutoff: one typical order every interval after
the last, times the region's seasonality; a pair without a rhythm, one order only, expects what naive does), against
what it did order then. Naive: what it ordered in the same number of weeks just before cutoff.
WAPE = sum |expected - actual| / sum actual over all pairs. Trains only on orders submitted before cutoff.

A constant number of queries: the order lines of the year before cutoff and of the window, the dealers' regions,
and one seasonality query per region."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import F
from django.utils import timezone

from tenant_apps.dealers.models import Dealer
from tenant_apps.replenishment import engine
from tenant_apps.replenishment.selectors import HISTORY_DAYS, demand_lines, order_history, season_factors


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _wape(errors: float, actual: float) -> float:
    return round(errors / actual, 4) if actual else 0.0


def holdout(*, cutoff: date, weeks: int = 4) -> dict:
    end = cutoff + timedelta(weeks=weeks)
    naive_start = cutoff - timedelta(weeks=weeks)
    history = order_history(dealer_ids=Dealer.objects.values_list("pk", flat=True),
                            since=_at(cutoff - timedelta(days=HISTORY_DAYS)), before=_at(cutoff))
    actual: dict[tuple[int, int], int] = {}
    for dealer_id, sku_id, base in (demand_lines(order__submitted_at__gte=_at(cutoff),
                                                 order__submitted_at__lt=_at(end))
                                    .values_list("order__dealer_id", "sku_id", F("quantity") * F("factor"))):
        actual[(dealer_id, sku_id)] = actual.get((dealer_id, sku_id), 0) + base
    regions: dict[int, str] = {}
    for dealer in Dealer.objects.filter(pk__in={d for d, _s in history}).select_related("node"):
        path = str(dealer.node.path)
        regions[dealer.pk] = path.rsplit(".", 1)[0] if "." in path else path
    seasons: dict[str, dict[int, float]] = {}
    # seasonality as the engine sees it at cutoff: the region's demand in the held-out weeks last year
    for region in set(regions.values()):
        skus = {s for d, s in history if regions.get(d) == region}
        seasons[region] = season_factors(region=region, sku_ids=skus, today=cutoff, weeks=weeks)
    model_error = naive_error = total = 0.0
    pairs = rhythms = 0
    for (dealer_id, sku_id), rows in history.items():
        pairs += 1
        naive = sum(base for day, base, _promo in rows if day >= naive_start)
        r = engine.rhythm(rows, today=cutoff)
        if r is None:
            expected = float(naive)
        else:
            rhythms += 1
            expected = engine.expected_in_window(r, start=cutoff, end=end,
                                                 season=seasons[regions[dealer_id]].get(sku_id))
        did = actual.get((dealer_id, sku_id), 0)
        model_error += abs(expected - did)
        naive_error += abs(naive - did)
        total += did
    return {"pairs": pairs, "pairs_with_rhythm": rhythms, "actual_units": int(total),
            "model_wape": _wape(model_error, total), "naive_wape": _wape(naive_error, total),
            "cutoff": cutoff.isoformat(), "weeks": weeks}
