"""Training without writing: every series of one kind read from the history before `as_of`, each back-tested and
forecast by the engine (statsmodels is imported by the engine's fitting code, only when a model is fitted)."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from tenant_apps.catalog.models import Sku
from tenant_apps.forecasting import engine
from tenant_apps.forecasting.history import as_array, monday, weekly_demand

# Seconds of Holt-Winters fitting per training (both kinds of series together): after it, series get the damped Holt
# model only, so that a tenant with thousands of series still trains in about a minute on one core.
SEASONAL_BUDGET = 20.0
EPOCH = date(1970, 1, 5)  # a Monday: week numbers count from it


@dataclass(frozen=True)
class Trained:
    sku_id: int
    key: int | None  # region node id or warehouse id
    result: engine.Result
    series: np.ndarray  # the weekly history it was trained on


def train(*, scope: str, as_of: date, horizon_weeks: int, deadline: float | None = None) -> list[Trained]:
    """Every series of `scope` before `as_of`'s Monday, back-tested and forecast. Past `deadline` (time.monotonic();
    default SEASONAL_BUDGET from now), no more Holt-Winters fits."""
    as_of = monday(as_of)
    history = weekly_demand(scope=scope, start=None, end=as_of)
    if deadline is None:
        deadline = time.monotonic() + SEASONAL_BUDGET
    categories = dict(Sku.objects.filter(id__in={sku_id for sku_id, _key in history})
                      .values_list("id", "product__category_id"))
    seasons = _seasons(history, categories, as_of=as_of, horizon=horizon_weeks)
    trained = []
    for (sku_id, key), weeks in sorted(history.items(), key=lambda item: (item[0][0], item[0][1] or 0)):
        if scope == "warehouse" and key is None:
            continue  # no headquarters warehouse serves this dealer
        series = as_array(weeks, end=as_of)
        season = seasons.get(categories.get(sku_id))
        result = engine.forecast_series(series, horizon=horizon_weeks, deadline=deadline,
                                        season=None if season is None else season[-(len(series) + horizon_weeks):])
        trained.append(Trained(sku_id, key, result, series))
    return trained


def _seasons(history, categories: dict[int, int | None], *, as_of: date, horizon: int) -> dict[int | None, np.ndarray]:
    """{category id: the seasonal factor of every week of the category's history and of the `horizon` weeks after
    it} (engine.seasonal_index on the category's SKUs in every region together; categories with too little history
    have none). A week's phase is its number since EPOCH modulo 52, the same for every series."""
    totals: dict[int | None, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    for (sku_id, _key), weeks in history.items():
        total = totals[categories.get(sku_id)]
        for week, quantity in weeks.items():
            total[week] += quantity
    seasons = {}
    for category, weeks in totals.items():
        total = as_array(weeks, end=as_of)
        if not len(total):
            continue
        start = as_of - timedelta(weeks=len(total))
        phases = (np.arange(len(total) + horizon) + (start - EPOCH).days // 7) % engine.SEASON
        factors = engine.seasonal_index(total, phases=phases[:len(total)])
        if factors is not None:
            seasons[category] = factors[phases]
    return seasons
