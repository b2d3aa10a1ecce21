"""Reads of the stored forecasts: the last run, the accuracy (overall and per series), the expected demand per SKU
and warehouse, and the production / transfer plan. Constant query counts whatever the page size."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta

from django.db.models import Case, Count, F, FloatField, Q, Sum, When

from tenant_apps.catalog.models import Sku
from tenant_apps.dealers.models import Node
from tenant_apps.forecasting.models import Accuracy, Forecast, Method, Scope, TrainingRun
from tenant_apps.forecasting.plan import Need, plan_for_sku
from tenant_apps.inventory.models import Stock, Warehouse


def training_run() -> TrainingRun | None:
    return TrainingRun.objects.order_by("-trained_at").first()


def _pooled(prefix: str) -> dict:
    weighted = {f"{prefix}_wape": Sum(F(f"{prefix}_wape") * F("backtest_demand"), output_field=FloatField()),
                f"{prefix}_mape": Sum(F(f"{prefix}_mape") * F("backtest_demand_weeks"), output_field=FloatField())}
    return weighted


def _chosen(metric: str):
    weight = "backtest_demand" if metric == "wape" else "backtest_demand_weeks"
    return Sum(Case(*[When(method=method, then=F(f"{method}_{metric}") * F(weight)) for method in Method.values],
                    output_field=FloatField()))


def accuracy_overall(*, scope: str = Scope.REGION) -> dict:
    """The back-test's WAPE and MAPE pooled over every series of `scope` (each series' weighted by its actuals'
    total, resp. its weeks with demand: the same as pooling the absolute errors) for the chosen forecasts, the
    model everywhere, and each baseline; with the number of series per method. One query."""
    scored = Q(naive_wape__isnull=False)
    totals = Accuracy.objects.filter(scope=scope).aggregate(
        series=Count("id"), scored=Count("id", filter=scored),
        demand=Sum("backtest_demand", filter=scored), demand_weeks=Sum("backtest_demand_weeks", filter=scored),
        chosen_wape=_chosen("wape"), chosen_mape=_chosen("mape"),
        **_pooled("model"), **_pooled("naive"), **_pooled("moving_average"),
        **{f"uses_{method}": Count("id", filter=Q(method=method)) for method in Method.values})
    demand, weeks = totals.pop("demand") or 0, totals.pop("demand_weeks") or 0
    for key in list(totals):
        if key.endswith("_wape"):
            totals[key] = totals[key] / demand if demand and totals[key] is not None else None
        elif key.endswith("_mape"):
            totals[key] = totals[key] / weeks if weeks and totals[key] is not None else None
    return totals


def regions():
    """The regions the stored series are in, for the filter."""
    ids = Accuracy.objects.filter(scope=Scope.REGION, region__isnull=False).values("region_id").distinct()
    return Node.objects.filter(pk__in=ids).order_by("name")


def accuracy_rows(*, scope: str = Scope.REGION, q: str = "", region_id: int | None = None):
    rows = Accuracy.objects.filter(scope=scope).select_related("sku", "region", "warehouse")
    if q:
        rows = rows.filter(Q(sku__code__icontains=q) | Q(sku__name__icontains=q))
    if region_id:
        rows = rows.filter(region_id=region_id)
    return rows


def forecasts_of(rows, *, scope: str) -> dict[tuple[int, int | None], list[Forecast]]:
    """The weekly forecasts of the series `rows` (Accuracy rows of `scope`), keyed (sku id, region or warehouse id),
    in week order. One query."""
    place = "region_id" if scope == Scope.REGION else "warehouse_id"
    keys = {(row.sku_id, getattr(row, place)) for row in rows}
    if not keys:
        return {}
    found = defaultdict(list)
    forecasts = Forecast.objects.filter(scope=scope, sku_id__in={sku for sku, _ in keys}).filter(
        **{f"{place}__in": {key for _, key in keys if key is not None}}).order_by("week")
    for forecast in forecasts:
        key = (forecast.sku_id, getattr(forecast, place))
        if key in keys:
            found[key].append(forecast)
    return dict(found)


def demand_weeks() -> list:
    run = training_run()
    if run is None:
        return []
    return [run.as_of + timedelta(weeks=offset) for offset in range(run.horizon_weeks)]


def production_plan(*, weeks: int, q: str = "") -> list:
    """The plan's lines (forecasting.plan) for every SKU with a warehouse forecast (matching `q` by code or name),
    over headquarters' active warehouses and the first `weeks` forecast weeks. Four queries."""
    run = training_run()
    if run is None:
        return []
    weeks = max(1, min(weeks, run.horizon_weeks))
    sums = Forecast.objects.filter(scope=Scope.WAREHOUSE, week__lt=run.as_of + timedelta(weeks=weeks))
    if q:
        sums = sums.filter(Q(sku__code__icontains=q) | Q(sku__name__icontains=q))
    demand = defaultdict(dict)
    for sku_id, warehouse_id, total in sums.values_list("sku_id", "warehouse_id").annotate(total=Sum("quantity")):
        demand[sku_id][warehouse_id] = math.ceil(round(total, 6))
    warehouses = list(Warehouse.objects.filter(is_active=True, owner__isnull=True).order_by("pk"))
    stock = {(row.sku_id, row.warehouse_id): row
             for row in Stock.objects.filter(sku_id__in=demand, warehouse__in=warehouses)}
    skus = Sku.objects.in_bulk(list(demand))
    lines = []
    for sku_id in sorted(demand, key=lambda pk: skus[pk].code):
        needs = []
        for warehouse in warehouses:
            row = stock.get((sku_id, warehouse.pk))
            needs.append(Need(warehouse.pk, warehouse.name, demand[sku_id].get(warehouse.pk, 0),
                              row.low_threshold if row else 0, (row.on_hand - row.reserved) if row else 0))
        for line in plan_for_sku(sku_id, needs, weeks=weeks):
            line.sku = skus[sku_id]
            lines.append(line)
    return lines
