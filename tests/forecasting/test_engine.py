"""The engine on series of known structure (no database): it beats both baselines where there is structure to
learn, and keeps a baseline where the model loses its back-test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from tenant_apps.forecasting import engine
from tenant_apps.forecasting.plan import PRODUCE, TRANSFER, Need, plan_for_sku

ROOT = Path(__file__).resolve().parents[2]


def _wape(forecast, actual) -> float:
    return float(np.abs(forecast - actual).sum() / actual.sum())


def _seasonal(weeks: int, seed: int = 7) -> np.ndarray:
    t = np.arange(weeks)
    noise = np.random.default_rng(seed).normal(0, 6, weeks)
    return np.clip(120 + 0.5 * t + 40 * np.sin(2 * np.pi * t / 52) + noise, 0, None)


def test_the_model_beats_both_baselines_on_a_seasonal_series_with_trend_and_noise():
    y = _seasonal(170)
    history, held_out = y[:-8], y[-8:]
    result = engine.forecast_series(history, horizon=8)
    assert result.method == engine.MODEL
    assert result.model_kind == "holt_winters"  # 162 weeks: two seasons before the earliest back-test origin
    assert result.origins == engine.ORIGINS
    model = _wape(result.forecast, held_out)
    naive = _wape(engine.naive(history, 8), held_out)
    average = _wape(engine.moving_average(history, 8), held_out)
    assert model < naive and model < average
    assert model < 0.06  # noise of sd 6 on a level of ~200: a few per cent


def test_a_short_trending_history_gets_the_damped_trend_and_beats_the_baselines():
    t = np.arange(60)
    y = 50 + 3 * t + np.random.default_rng(3).normal(0, 5, 60)
    result = engine.forecast_series(y[:-8], horizon=8)
    assert result.model_kind == "holt_damped"
    assert result.method == engine.MODEL
    model = _wape(result.forecast, y[-8:])
    assert model < _wape(engine.naive(y[:-8], 8), y[-8:])
    assert model < _wape(engine.moving_average(y[:-8], 8), y[-8:])


def test_a_random_walk_keeps_a_baseline_where_the_model_loses_the_back_test():
    y = np.clip(200 + np.cumsum(np.random.default_rng(5).normal(0, 15, 80)), 0, None)
    result = engine.forecast_series(y, horizon=8)
    scores = result.scores
    best = min(scores[engine.NAIVE].wape, scores[engine.MOVING_AVERAGE].wape)
    assert scores[engine.MODEL].wape >= best
    assert result.method == engine.NAIVE and scores[engine.NAIVE].wape == best
    np.testing.assert_allclose(result.forecast, engine.BASELINES[result.method](y, 8))


def test_white_noise_keeps_a_baseline_where_the_model_loses_the_back_test():
    y = np.clip(100 + np.random.default_rng(7).normal(0, 30, 60), 0, None)
    result = engine.forecast_series(y, horizon=8)
    assert result.scores[engine.MODEL].wape >= result.scores[engine.MOVING_AVERAGE].wape
    assert result.method == engine.MOVING_AVERAGE
    np.testing.assert_allclose(result.forecast, np.full(8, y[-4:].mean()))


def test_the_scores_and_the_choice():
    scores = engine.Scores.of([np.array([10.0, 0.0])], [np.array([8.0, 0.0])])
    assert scores.wape == 0.25 and scores.mape == 0.25  # the zero week counts in WAPE's sum, not in MAPE
    pick = {engine.MODEL: engine.Scores(0.2, 0.3), engine.NAIVE: engine.Scores(0.2, 0.2),
            engine.MOVING_AVERAGE: engine.Scores(0.25, 0.1)}
    assert engine.choose(pick) == engine.NAIVE  # a tie is not a win
    pick[engine.MODEL] = engine.Scores(0.19, 0.3)
    assert engine.choose(pick) == engine.MODEL


def test_a_series_too_short_to_back_test_is_forecast_as_last_week():
    result = engine.forecast_series([0, 0, 5, 7, 6], horizon=3)
    assert (result.method, result.history, result.origins) == (engine.NAIVE, 3, 0)
    assert list(result.forecast) == [6.0, 6.0, 6.0]


def test_the_plan_moves_the_largest_surplus_to_the_largest_deficit_first_then_produces_the_rest():
    needs = [Need(1, "上海仓", demand=30, safety=10, free=100),  # +60
             Need(2, "北京仓", demand=50, safety=0, free=20),  # -30
             Need(3, "成都仓", demand=40, safety=5, free=0),  # -45
             Need(4, "广州仓", demand=40, safety=0, free=50)]  # +10
    lines = plan_for_sku(9, needs, weeks=4)
    assert [(line.kind, line.source.warehouse if line.source else None, line.target.warehouse, line.quantity)
            for line in lines] == [(TRANSFER, "上海仓", "成都仓", 45), (TRANSFER, "上海仓", "北京仓", 15),
                                   (TRANSFER, "广州仓", "北京仓", 10), (PRODUCE, None, "北京仓", 5)]
    assert lines[0].explanation == ("Move 45 from 上海仓 to 成都仓: 成都仓 expects 40 in the next 4 weeks "
                                    "(+5 safety stock) against 0 free, and 上海仓 has 60 more than it needs.")
    assert lines[3].explanation == ("Produce 5 for 北京仓: it expects 50 in the next 4 weeks (+0 safety stock) "
                                    "against 20 free, and transfers cover only 25 of the gap.")
    assert plan_for_sku(9, [Need(1, "上海仓", 10, 0, 10)], weeks=4) == []


def test_the_web_code_does_not_load_statsmodels():
    code = ("import sys, django; django.setup(); "
            "import tenant_apps.forecasting.views, tenant_apps.forecasting.selectors, "
            "tenant_apps.forecasting.urls_console, tenant_apps.forecasting.api.urls, tenant_apps.forecasting.services; "
            "import dms.urls_tenant; "
            "print(sorted(m for m in sys.modules if m.startswith('statsmodels')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "dms.settings_test",
                               "PYTHONPATH": f"{ROOT}:{ROOT / 'platform'}"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_forecasts_from_one_filtering_pass_equal_refitting_at_each_origin():
    y = _seasonal(150, seed=1)
    for kind, series in (("holt_damped", y[:70]), ("holt_winters", y)):
        origins = engine.origins_of(len(series), 8)
        _, params = engine._fit(series[:origins[0]], kind, 8)
        ends = [*origins, len(series)]
        fast = engine._forecasts(series, kind, params, ends, 8)
        for end, forecast in zip(ends, fast, strict=True):
            np.testing.assert_allclose(forecast, engine._fit(series[:end], kind, 8, params)[0], atol=1e-9)


def test_a_categorys_pooled_season_is_learnt_from_its_total_and_lifts_sparse_series_past_both_baselines():
    """Twelve sparse, noisy series of one category share a yearly season; 72 weeks are too few to fit a season to any
    one of them (Holt-Winters needs two years), but the category's total shows it."""
    weeks, horizon = 72, 8
    t = np.arange(weeks + horizon)
    season = 1 + 0.5 * np.sin(2 * np.pi * (t - 30) / 52)  # held-out weeks fall on the season's fastest change
    rng = np.random.default_rng(11)
    series = [rng.poisson(8 * season).astype(float) for _ in range(12)]
    phases = t % engine.SEASON
    factors = engine.seasonal_index(np.sum([y[:weeks] for y in series], axis=0), phases=phases[:weeks])
    learnt = factors[phases]
    # the factors follow the design's season (correlation over the year) and average 1
    assert np.corrcoef(learnt[:52], season[:52])[0, 1] > 0.9 and abs(factors.mean() - 1) < 1e-9
    assert engine.seasonal_index(np.ones(40), phases=phases[:40]) is None  # less than a year and a quarter
    model, naive, average, actual = [], [], [], []
    for y in series:
        result = engine.forecast_series(y[:weeks], horizon=horizon, season=learnt)
        assert result.model_kind == "holt_season"
        model.append(result.forecast)
        naive.append(engine.naive(y[:weeks], horizon))
        average.append(engine.moving_average(y[:weeks], horizon))
        actual.append(y[weeks:])
    actual = np.concatenate(actual)
    pooled = _wape(np.concatenate(model), actual)
    assert pooled < _wape(np.concatenate(naive), actual) and pooled < _wape(np.concatenate(average), actual)
