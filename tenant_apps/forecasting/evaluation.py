"""Held-out evaluation of the forecast (the bench's, bench/recommend.py): train on the orders submitted before
`cutoff`, forecast the `weeks` weeks from it, and score the system's chosen forecast per SKU x region series (the
model, or the baseline where the model lost its back-test) against "same as last week" and "moving average of the
last 4 weeks", on what was ordered in those weeks. Writes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from tenant_apps.forecasting import engine
from tenant_apps.forecasting.history import as_array, monday, weekly_demand
from tenant_apps.forecasting.models import Scope
from tenant_apps.forecasting.training import train


def holdout(*, cutoff: date, weeks: int = 8) -> dict:
    """{"series", "model_wape", "naive_wape", "moving_average_wape", "model_mape", "naive_mape",
    "moving_average_mape", "methods"}: WAPE pooled over every series and week (sum of absolute errors over the sum of
    actuals), MAPE over the series-weeks with demand. Series: SKU x region with demand before `cutoff` (its week's
    Monday). A WAPE is None when nothing was ordered in the held-out weeks."""
    cutoff = monday(cutoff)
    trained = train(scope=Scope.REGION, as_of=cutoff, horizon_weeks=weeks)
    actual = weekly_demand(scope=Scope.REGION, start=cutoff, end=cutoff + timedelta(weeks=weeks))
    end = cutoff + timedelta(weeks=weeks)
    forecasts = {engine.MODEL: [], engine.NAIVE: [], engine.MOVING_AVERAGE: []}
    actuals, methods = [], {engine.MODEL: 0, engine.NAIVE: 0, engine.MOVING_AVERAGE: 0}
    for item in trained:
        history = engine.trim(item.series)
        actuals.append(as_array(actual.get((item.sku_id, item.key), {}), end=end, length=weeks))
        forecasts[engine.MODEL].append(item.result.forecast)
        forecasts[engine.NAIVE].append(engine.naive(history, weeks))
        forecasts[engine.MOVING_AVERAGE].append(engine.moving_average(history, weeks))
        methods[item.result.method] += 1
    scores = {name: engine.Scores.of(values, actuals) for name, values in forecasts.items()}
    total = float(np.concatenate(actuals).sum()) if actuals else 0.0
    return {"series": len(trained), "cutoff": cutoff.isoformat(), "weeks": weeks, "actual_total": total,
            "model_wape": scores[engine.MODEL].wape, "naive_wape": scores[engine.NAIVE].wape,
            "moving_average_wape": scores[engine.MOVING_AVERAGE].wape,
            "model_mape": scores[engine.MODEL].mape, "naive_mape": scores[engine.NAIVE].mape,
            "moving_average_mape": scores[engine.MOVING_AVERAGE].mape, "methods": methods}
