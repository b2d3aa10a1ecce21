"""Training without writing: every series of one kind read from the history before `as_of`, each back-tested and
forecast by the engine (statsmodels is imported by the engine's fitting code, only when a model is fitted)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

import numpy as np

from tenant_apps.forecasting import engine
from tenant_apps.forecasting.history import as_array, monday, weekly_demand

# Seconds of Holt-Winters fitting per training (each scope): after it, series get the damped Holt model only, so
# that a tenant with a few thousand series still trains in about a minute on one core.
SEASONAL_BUDGET = 30.0


@dataclass(frozen=True)
class Trained:
    sku_id: int
    key: int | None  # region node id or warehouse id
    result: engine.Result
    series: np.ndarray  # the weekly history it was trained on


def train(*, scope: str, as_of: date, horizon_weeks: int, budget: float = SEASONAL_BUDGET) -> list[Trained]:
    as_of = monday(as_of)
    history = weekly_demand(scope=scope, start=None, end=as_of)
    deadline = time.monotonic() + budget
    trained = []
    for (sku_id, key), weeks in sorted(history.items(), key=lambda item: (item[0][0], item[0][1] or 0)):
        if scope == "warehouse" and key is None:
            continue  # no headquarters warehouse serves this dealer
        series = as_array(weeks, end=as_of)
        result = engine.forecast_series(series, horizon=horizon_weeks, deadline=deadline)
        trained.append(Trained(sku_id, key, result, series))
    return trained
