"""The forecasting engine: one weekly series in, a forecast and its back-test out. Pure numpy (statsmodels inside the
fitting code only, imported there: the web workers never load it); no database, no Django.

- The model is statsmodels' exponential smoothing: Holt-Winters (additive damped trend, additive 52-week season)
  where the series has two full seasons before its earliest back-test origin, else Holt's damped trend where it has
  at least `MIN_HOLT` weeks, else simple exponential smoothing. The damped trend rather than a straight one: over 8
  weeks a straight trend fitted on a short, noisy history overshoots; damping keeps it near the level
  (the usual default since the M3 competition). Forecasts below zero are cut to zero.
- The baselines: "same as last week" (naive) and "moving average of the last 4 weeks".
- The back-test: rolling origins over the last weeks of the series' own history, each forecasting `horizon` weeks
  ahead (the actuals after the origin, as far as history goes). The smoothing parameters are optimised once at the
  earliest origin (on the history before it only) and reused at the later ones and for the final forecast on the
  whole history: the back-test scores exactly the procedure that makes the forecast, and a series costs one
  optimisation and one filtering pass (engine._forecasts).
- The choice: the model only where its back-test WAPE beats the better baseline's; else that baseline.
- Time budget: once `deadline` (a time.monotonic() value) has passed, no more Holt-Winters fits (damped Holt only).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np

SEASON = 52
MIN_HOLT = 10  # weeks of history before an origin for Holt's trend; fewer: simple exponential smoothing
MIN_TRAIN = 4  # weeks before a back-test origin; an origin with less history is not used
MA_WEEKS = 4
ORIGINS = 8  # rolling origins of the back-test
ORIGIN_STEP = 1  # weeks between them

MODEL, NAIVE, MOVING_AVERAGE = "model", "naive", "moving_average"


@dataclass
class Scores:
    wape: float | None = None  # None: no demand in the back-test's actuals (nothing to weigh the error by)
    mape: float | None = None  # None: no week with demand

    @classmethod
    def of(cls, forecasts: list[np.ndarray], actuals: list[np.ndarray]) -> Scores:
        if not actuals:
            return cls()
        forecast, actual = np.concatenate(forecasts), np.concatenate(actuals)
        total = float(actual.sum())
        errors = np.abs(forecast - actual)
        wape = float(errors.sum() / total) if total > 0 else None
        demand = actual > 0
        mape = float((errors[demand] / actual[demand]).mean()) if demand.any() else None
        return cls(wape=wape, mape=mape)


@dataclass
class Result:
    """One series' outcome: the chosen method's forecast and the back-test of the three."""

    method: str  # MODEL, NAIVE or MOVING_AVERAGE
    model_kind: str  # "holt_winters", "holt_damped", "ses" or "" (no model fitted)
    forecast: np.ndarray  # the chosen method's, `horizon` weeks
    history: int  # weeks of history (from the first week with demand)
    origins: int  # back-test origins used
    scores: dict[str, Scores] = field(default_factory=dict)  # per method
    backtest_demand: float = 0.0  # the back-test's actuals: total, and weeks with demand (to pool scores by)
    backtest_demand_weeks: int = 0


def naive(y: np.ndarray, horizon: int) -> np.ndarray:
    return np.full(horizon, float(y[-1]) if len(y) else 0.0)


def moving_average(y: np.ndarray, horizon: int) -> np.ndarray:
    return np.full(horizon, float(y[-MA_WEEKS:].mean()) if len(y) else 0.0)


BASELINES = {NAIVE: naive, MOVING_AVERAGE: moving_average}


def trim(y) -> np.ndarray:
    """The series from its first week with demand (the weeks before it are not zero demand: the SKU or the region
    was not there yet)."""
    y = np.asarray(y, dtype=float)
    nonzero = np.flatnonzero(y)
    return y[nonzero[0]:] if len(nonzero) else y[:0]


def _kind(weeks: int, seasonal_ok: bool) -> str:
    if weeks >= 2 * SEASON and seasonal_ok:
        return "holt_winters"
    return "holt_damped" if weeks >= MIN_HOLT else "ses"


def _model(y: np.ndarray, kind: str):
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    if kind == "holt_winters":
        return ExponentialSmoothing(y, trend="add", damped_trend=True, seasonal="add", seasonal_periods=SEASON,
                                    initialization_method="heuristic")
    if kind == "holt_damped":
        return ExponentialSmoothing(y, trend="add", damped_trend=True, initialization_method="heuristic")
    return ExponentialSmoothing(y, initialization_method="estimated")


_FIXED = ("smoothing_level", "smoothing_trend", "smoothing_seasonal", "damping_trend")


def _fit(y: np.ndarray, kind: str, horizon: int, params: dict | None = None) -> tuple[np.ndarray, dict]:
    """Forecast `horizon` weeks with the model `kind`: optimised, or with `params` fixed. Returns the forecast and
    the parameters. A flat series (no variance) is forecast flat without fitting."""
    if np.ptp(y) == 0:
        return np.full(horizon, float(y[-1])), {}
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow in the optimiser's trial points
        model = _model(y, kind)
        if params:
            fitted = model.fit(optimized=False, **params)
        else:
            fitted = model.fit(use_brute=False)
    forecast = np.asarray(fitted.forecast(horizon), dtype=float)
    if not np.all(np.isfinite(forecast)):
        forecast = moving_average(y, horizon)
    kept = {name: float(fitted.params[name]) for name in _FIXED
            if fitted.params.get(name) is not None and np.isfinite(fitted.params[name])}
    return np.clip(forecast, 0, None), kept


def _forecasts(y: np.ndarray, kind: str, params: dict, ends: list[int], horizon: int) -> list[np.ndarray]:
    """The model's forecasts of `horizon` weeks from each of `ends` (train on y[:end]) with the parameters fixed.
    Holt and Holt-Winters with heuristic initial states (taken from the series' first weeks, the same for every end):
    one filtering pass over the whole series gives the states at every end, and each forecast is computed from them
    (level + damped trend + season, as statsmodels forecasts; tests check it equals refitting on y[:end]). Else one
    refit per end."""
    if kind == "ses" or "damping_trend" not in params or np.ptp(y) == 0:
        return [_fit(y[:end], kind, horizon, params or None)[0] for end in ends]
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        fitted = _model(y, kind).fit(optimized=False, **params)
    level, trend = np.asarray(fitted.level, dtype=float), np.asarray(fitted.trend, dtype=float)
    steps = np.arange(1, horizon + 1)
    damped = np.cumsum(params["damping_trend"] ** steps)
    season = np.asarray(fitted.season, dtype=float) if kind == "holt_winters" else None
    forecasts = []
    for end in ends:
        forecast = level[end - 1] + damped * trend[end - 1]
        if season is not None:
            forecast = forecast + season[end - SEASON + (steps - 1) % SEASON]
        if not np.all(np.isfinite(forecast)):
            forecast = moving_average(y[:end], horizon)
        forecasts.append(np.clip(forecast, 0, None))
    return forecasts


def origins_of(weeks: int, horizon: int, *, count: int = ORIGINS, step: int = ORIGIN_STEP) -> list[int]:
    """Back-test origins (indices into the series: train on y[:origin], score y[origin:origin + horizon]), earliest
    first: the last at `weeks - horizon` (a full horizon of actuals), the others `step` weeks apart before it."""
    last = weeks - horizon
    return [origin for origin in range(last - (count - 1) * step, last + 1, step) if origin >= MIN_TRAIN]


def seasonal_index(total, *, phases) -> np.ndarray | None:
    """A group's seasonal factors, one per week of the year: `total` is the group's weekly demand (its SKUs in every
    region together, oldest first) and `phases[t]` the week of the year (0-51) of total[t]. Each week's demand over
    the mean of the 52 weeks around it (the window kept inside the series at its ends) is that week's ratio; a
    phase's factor is the mean of its ratios (one or two years), smoothed over the neighbouring weeks and scaled to a
    mean of 1. None with less than a year and a quarter of history: too little to tell a season from noise.

    Why pooled: a dealer network's SKU x region series are sparse and noisy (a handful of orders a week); fitted
    one by one, a 52-week season needs two years of each and still mistakes noise for season, while the group's
    total shows the season plainly (the pooled-seasonality remedy: Withycombe 1989, Chen & Boylan 2007)."""
    total = np.asarray(total, dtype=float)
    phases = np.asarray(phases)
    first = np.flatnonzero(total)
    if not len(first):
        return None
    total, phases = total[first[0]:], phases[first[0]:]
    weeks = len(total)
    if weeks < SEASON + SEASON // 4:
        return None
    sums = np.concatenate([[0.0], np.cumsum(total)])
    starts = np.clip(np.arange(weeks) - SEASON // 2, 0, weeks - SEASON)
    level = (sums[starts + SEASON] - sums[starts]) / SEASON
    ratio = np.divide(total, level, out=np.ones(weeks), where=level > 0)
    factors = np.ones(SEASON)
    for phase in range(SEASON):
        mine = ratio[phases == phase]
        if len(mine):
            factors[phase] = mine.mean()
    factors = 0.25 * np.roll(factors, 1) + 0.5 * factors + 0.25 * np.roll(factors, -1)
    factors = np.clip(factors / factors.mean(), 0.2, 5.0)
    return factors


def forecast_series(y, *, horizon: int = 8, deadline: float | None = None, season=None) -> Result:
    """Back-test the model and the baselines on `y` (weekly demand, oldest first, ending the week before the
    forecast starts), choose, and forecast `horizon` weeks with the chosen method. `season`: the group's seasonal
    factor of each week of `y` and of the `horizon` weeks after it (len(y) + horizon values; seasonal_index); with
    it the model (damped Holt, or simple exponential smoothing on a short series) is fitted to the deseasonalised
    series and its forecasts are multiplied back by the season of their weeks. The baselines see `y` itself."""
    raw = np.asarray(y, dtype=float)
    y = trim(raw)
    weeks = len(y)
    if weeks == 0:
        return Result(method=NAIVE, model_kind="", forecast=np.zeros(horizon), history=0, origins=0,
                      scores={name: Scores() for name in (MODEL, NAIVE, MOVING_AVERAGE)})
    origins = origins_of(weeks, horizon)
    if season is None:
        factors = np.ones(weeks + horizon)
        kind = _kind(origins[0] if origins else weeks, deadline is None or time.monotonic() < deadline)
    else:
        factors = np.asarray(season, dtype=float)[len(raw) - weeks:]
        kind = _kind(origins[0] if origins else weeks, False)
    adjusted = y / factors[:weeks]
    predictions: dict[str, list[np.ndarray]] = {MODEL: [], NAIVE: [], MOVING_AVERAGE: []}
    actuals: list[np.ndarray] = []
    model = []
    if origins:
        _, params = _fit(adjusted[:origins[0]], kind, horizon)  # the one optimisation, before the origins
        ends = [*origins, weeks]
        model = [forecast * factors[end:end + horizon]
                 for end, forecast in zip(ends, _forecasts(adjusted, kind, params, ends, horizon), strict=True)]
    for origin, forecast in zip(origins, model, strict=False):
        predictions[MODEL].append(forecast)
        for name, baseline in BASELINES.items():
            predictions[name].append(baseline(y[:origin], horizon))
        actuals.append(y[origin:origin + horizon])
    scores = {name: Scores.of(predictions[name], actuals) for name in predictions}
    method = choose(scores)
    forecast = model[-1] if method == MODEL else BASELINES[method](y, horizon)
    pooled = np.concatenate(actuals) if actuals else np.zeros(0)
    label = {"holt_damped": "holt_season", "ses": "ses_season"}[kind] if season is not None else kind
    return Result(method=method, model_kind=label if origins else "", forecast=forecast, history=weeks,
                  origins=len(origins), scores=scores, backtest_demand=float(pooled.sum()),
                  backtest_demand_weeks=int((pooled > 0).sum()))


def choose(scores: dict[str, Scores]) -> str:
    """The model where its back-test WAPE is below the better baseline's; else that baseline (naive on a tie
    between them; naive too when nothing could be scored)."""
    naive_wape, average_wape = scores[NAIVE].wape, scores[MOVING_AVERAGE].wape
    if naive_wape is None or average_wape is None:
        return NAIVE
    baseline = NAIVE if naive_wape <= average_wape else MOVING_AVERAGE
    model_wape = scores[MODEL].wape
    if model_wape is not None and model_wape < scores[baseline].wape:
        return MODEL
    return baseline
