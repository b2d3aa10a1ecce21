"""Training without writing: every series of one kind read from the history before `as_of`, each back-tested and
forecast by the engine (statsmodels is imported by the engine's fitting code, only when a model is fitted)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

import numpy as np

from tenant_apps.forecasting import engine
from tenant_apps.forecasting.history import as_array, monday, weekly_demand

# Seconds of Holt-Winters fitting per training (both kinds of series together): after it, series get the damped Holt
# model only, so that a tenant with thousands of series still trains in about a minute on one core.
SEASONAL_BUDGET = 20.0


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
    trained = []
    for (sku_id, key), weeks in sorted(history.items(), key=lambda item: (item[0][0], item[0][1] or 0)):
        if scope == "warehouse" and key is None:
            continue  # no headquarters warehouse serves this dealer
        series = as_array(weeks, end=as_of)
        result = engine.forecast_series(series, horizon=horizon_weeks, deadline=deadline)
        trained.append(Trained(sku_id, key, result, series))
    return trained
