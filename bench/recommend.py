"""Replenishment, recommendations and demand forecasts against their naive baselines on held-out weeks (issue 26).

  history    generated with a known structure (bench/history_gen.py: ~108 weeks ending last Sunday, 120 dealers
             in 4 regions x 3 tiers ordering every 7/14/21/28 days, 60 SKUs in 4 seasonal categories with a New Year
             bump and a few trends, 10 co-purchased pairs, (region, tier) preferences, 2 new dealers), written in
             bulk into the bench's own tenant; its structure checked back from the rows
  design     the WAPE of the history's own design (each dealer's rate x season x trend) over the SKU x region
             series of the held-out weeks, beside the two baselines: the floor for a forecaster that cannot know when
             each dealer's next order falls (the figure a forecast model is to approach)
  cutoff     the Monday 8 weeks before the history's end: every engine trains on the orders submitted before it
             and is scored on the orders of the weeks from it
  forecast   tenant_apps.forecasting.evaluation.holdout(cutoff, weeks=8): WAPE / MAPE of the system's forecast per
             SKU x region week vs "same as last week" and "moving average of the last 4 weeks"
  replenish  tenant_apps.replenishment.evaluation.holdout(cutoff, weeks=4): WAPE of what each dealer x SKU is
             expected to order in the 4 weeks vs what it ordered in the 4 weeks before the cutoff
  recommend  tenant_apps.recommendations.evaluation.holdout(cutoff, weeks=4, k=5): hit rate @5 on held-out orders
             (cart = the order's first line) vs the 5 most popular SKUs not in the cart, and recall @5 (the share
             of the 5 places the order did fill: the orders are long, so a single hit is easy for both)
  train      tenant_apps.forecasting.services.forecasts_train(as_of=cutoff): the periodic training's time

Exits 1 when a model does not beat its baseline (lower WAPE / MAPE, higher hit rate), or when the generated
structure is not there. Runs in its own throwaway tenant (enterprise plan), deleted and purged at the end (kept with
--keep: its slug is printed).

Measured on main (2 cores, quiet machine, DATABASE_URL on the local PostgreSQL 15), cutoff 2026-10-12:

  seed  forecast WAPE model / last week / 4-week MA (design)  replenishment WAPE model / naive  recall@5 model / popular
  26    0.382 / 0.512 / 0.412 (0.375)                         0.347 / 0.479                    0.905 / 0.524
  1     0.402 / 0.556 / 0.463 (0.407)                         0.304 / 0.480                    0.952 / 0.428
  2     0.406 / 0.578 / 0.467 (0.406)                         0.306 / 0.480                    0.938 / 0.402

generation 12-13 s, forecasts_train 3.6-5.0 s, the forecast holdout 1.9-3.1 s (it trains again), replenishment
0.6-0.7 s, recommendations 1.3-2.0 s; hit@5 is 1.000 for the model on every seed (0.843-0.929 for the popular).

Run: .venv/bin/python bench/recommend.py [--seed 26] [--generate-only] [--keep]
     DATABASE_URL=postgres://... .venv/bin/python bench/recommend.py
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import contextmanager
from datetime import timedelta

from _setup import throwaway_tenant
from history_gen import Shape, designed_wape, generate, structure_check
from report import database_ready  # Django set up, the public schema migrated (DATABASE_URL's made if missing)

HOLDOUT_WEEKS = 8
# what the generated history must show (bench/history_gen.structure_check)
STRUCTURE = {"pair_cooccurrence_min": 0.8, "rhythm_regular_share": 0.9, "preference_lift_min": 1.8}


@contextmanager
def _tenant(keep: bool):
    if not keep:
        with throwaway_tenant("Bench recommend", "bench-recommend") as tenant:
            yield tenant
        return
    import secrets

    from billing_saas.models import Plan
    from tenants import services

    services.tenant_template_migrate()
    run_id = secrets.token_hex(3)
    yield services.tenant_provision(actor="bench", name=f"Bench recommend {run_id}", slug=f"bench-recommend-{run_id}",
                                    method="clone", plan=Plan.objects.get(code="enterprise"))


def structure_ok(checks: dict) -> bool:
    return (all(checks[key] >= floor for key, floor in STRUCTURE.items())
            and checks["new_dealer_orders"] == 0)


def timed(function, **kwargs) -> tuple[dict, float]:
    started = time.perf_counter()
    result = function(**kwargs)
    return result, time.perf_counter() - started


def evaluate(cutoff) -> tuple[dict, list[tuple[str, float, str, float, bool]], dict]:
    """The three holdouts and the training; (figures, table rows (what, model, baseline name, baseline, beats),
    seconds)."""
    from tenant_apps.forecasting.evaluation import holdout as forecast_holdout
    from tenant_apps.forecasting.services import forecasts_train
    from tenant_apps.recommendations.evaluation import holdout as recommend_holdout
    from tenant_apps.replenishment.evaluation import holdout as replenish_holdout

    seconds = {}
    _summary, seconds["train"] = timed(forecasts_train, as_of=cutoff, horizon_weeks=HOLDOUT_WEEKS)
    fc, seconds["forecast"] = timed(forecast_holdout, cutoff=cutoff, weeks=HOLDOUT_WEEKS)
    rp, seconds["replenish"] = timed(replenish_holdout, cutoff=cutoff, weeks=4)
    rc, seconds["recommend"] = timed(recommend_holdout, cutoff=cutoff, weeks=4, k=5)
    rows = [
        ("forecast WAPE", fc["model_wape"], "same as last week", fc["naive_wape"],
         fc["model_wape"] < fc["naive_wape"]),
        ("forecast WAPE", fc["model_wape"], "moving average (4 weeks)", fc["moving_average_wape"],
         fc["model_wape"] < fc["moving_average_wape"]),
        ("forecast MAPE", fc["model_mape"], "same as last week", fc["naive_mape"],
         fc["model_mape"] < fc["naive_mape"]),
        ("replenishment WAPE", rp["model_wape"], "same as the 4 weeks before", rp["naive_wape"],
         rp["model_wape"] < rp["naive_wape"]),
        ("recommendations hit@5", rc["model_hit_rate"], "5 most popular", rc["popular_hit_rate"],
         rc["model_hit_rate"] > rc["popular_hit_rate"]),
        ("recommendations recall@5", rc["model_recall"], "5 most popular", rc["popular_recall"],
         rc["model_recall"] > rc["popular_recall"]),
    ]
    figures = {"forecast_wape": fc["model_wape"], "forecast_naive_wape": fc["naive_wape"],
               "forecast_ma_wape": fc["moving_average_wape"], "forecast_mape": fc["model_mape"],
               "forecast_naive_mape": fc["naive_mape"], "replenish_wape": rp["model_wape"],
               "replenish_naive_wape": rp["naive_wape"], "hit5": rc["model_hit_rate"],
               "hit5_popular": rc["popular_hit_rate"], "recall5": rc["model_recall"],
               "recall5_popular": rc["popular_recall"], "series": fc["series"], "pairs": rp["pairs"],
               "orders": rc["orders"]}
    return figures, rows, seconds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=26)
    parser.add_argument("--generate-only", action="store_true", help="generate, check the structure, clean up")
    parser.add_argument("--keep", action="store_true", help="keep the tenant (its slug is printed)")
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "false")
    database_ready()

    from django.db import connection
    from django_tenants.utils import tenant_context

    with _tenant(args.keep) as tenant, tenant_context(tenant):
        generated = generate(Shape(seed=args.seed))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        checks = structure_check(generated)
        cutoff = generated.end + timedelta(days=1) - timedelta(weeks=HOLDOUT_WEEKS)
        print(generated.summary())
        print(f"structure    pairs co-occur in >= {checks['pair_cooccurrence_min']:.0%} of the orders holding "
              f"either; {checks['rhythm_regular_share']:.0%} of gaps on the dealer's rhythm; a group's favoured "
              f"SKUs ordered >= {checks['preference_lift_min']:.1f}x more by its dealers; new dealers' orders: "
              f"{checks['new_dealer_orders']}")
        print(f"cutoff       {cutoff} (Mon): train before it, {HOLDOUT_WEEKS} weeks held out")
        floor = designed_wape(generated, cutoff=cutoff, weeks=HOLDOUT_WEEKS)
        print(f"design       WAPE of the design's own expectation over the {floor['series']} SKU x region series: "
              f"{floor['designed']:.3f} (same as last week {floor['naive']:.3f}, moving average "
              f"{floor['moving_average']:.3f}): the floor without knowing each dealer's next order")
        if args.keep:
            print(f"kept         tenant {tenant.slug} (schema {tenant.schema_name})")
        structure = structure_ok(checks)
        if args.generate_only:
            print(f"RESULT orders_written={generated.orders} lines={generated.lines} "
                  f"pairs_cooccurrence={checks['pair_cooccurrence_min']:.3f} "
                  f"rhythm_share={checks['rhythm_regular_share']:.3f} "
                  f"preference_lift={checks['preference_lift_min']:.2f} design_wape={floor['designed']:.3f} "
                  f"design_naive_wape={floor['naive']:.3f} design_ma_wape={floor['moving_average']:.3f} "
                  f"generate_s={generated.seconds:.1f} "
                  f"structure={'ok' if structure else 'FAILED'}")
            return 0 if structure else 1
        figures, rows, seconds = evaluate(cutoff)
    print(f"\n{'what':<24}{'model':>9}   {'baseline':<28}{'value':>9}  beats")
    for what, model, baseline, value, beats in rows:
        print(f"{what:<24}{model:>9.3f}   {baseline:<28}{value:>9.3f}  {'yes' if beats else 'NO'}")
    print(f"seconds: train {seconds['train']:.1f}, forecast holdout {seconds['forecast']:.1f}, replenishment "
          f"holdout {seconds['replenish']:.1f}, recommendations holdout {seconds['recommend']:.1f}")
    beaten = all(row[4] for row in rows)
    result = {key: (f"{value:.3f}" if isinstance(value, float) else value) for key, value in figures.items()}
    print("RESULT " + " ".join(f"{key}={value}" for key, value in result.items())
          + f" train_s={seconds['train']:.1f} forecast_s={seconds['forecast']:.1f} "
          f"replenish_s={seconds['replenish']:.1f} recommend_s={seconds['recommend']:.1f} "
          f"design_wape={floor['designed']:.3f} generate_s={generated.seconds:.1f} beats={'yes' if beaten else 'NO'}"
          f" structure={'ok' if structure else 'FAILED'}")
    return 0 if beaten and structure else 1


if __name__ == "__main__":
    sys.exit(main())
