"""Training from the orders in the database: the stored forecasts and accuracy, the pages that show them, the plan
from them and the stock, "train now", who may see it, and constant query counts."""

from __future__ import annotations

import math
from datetime import timedelta

from django.urls import reverse

from tenant_apps.audit.models import AuditEntry
from tenant_apps.catalog.models import Sku
from tenant_apps.forecasting.evaluation import holdout
from tenant_apps.forecasting.models import Accuracy, Forecast, Scope
from tenant_apps.forecasting.services import forecasts_train
from tenant_apps.inventory.models import Stock
from tests.factories.catalog import SkuFactory
from tests.forecasting.conftest import AS_OF, WEEKS, at, browser, rb_quantity


def test_training_writes_forecasts_and_accuracy_per_region_and_warehouse(history):
    summary = forecasts_train(as_of=AS_OF + timedelta(days=3), horizon_weeks=8)  # its week's Monday is used
    assert (summary["as_of"], summary["series"], summary["forecasts"]) == (AS_OF.isoformat(), 4, 32)
    rb = Accuracy.objects.get(scope=Scope.REGION, sku=history.sku)
    assert (rb.region_id, rb.warehouse_id, rb.history_weeks, rb.origins) == (history.region.pk, None, WEEKS, 8)
    # the back-test's actuals: the 8 origins' windows (weeks 9-16, 10-17, ..., 16-23 of the history)
    assert rb.backtest_demand == sum(rb_quantity(week) for start in range(9, 17)
                                     for week in range(start, start + 8))
    assert rb.method in ("model", "naive", "moving_average") and rb.chosen_wape == min(
        rb.model_wape if rb.method == "model" else math.inf, rb.naive_wape, rb.moving_average_wape)
    by_warehouse = Accuracy.objects.get(scope=Scope.WAREHOUSE, sku=history.sku)
    assert (by_warehouse.warehouse_id, by_warehouse.region_id) == (history.east.pk, None)  # serves 华东
    weeks = list(Forecast.objects.filter(scope=Scope.REGION, sku=history.sku).values_list("week", flat=True))
    assert weeks == [AS_OF + timedelta(weeks=offset) for offset in range(8)]
    again = forecasts_train(as_of=AS_OF, horizon_weeks=8)  # idempotent: the rows are replaced by the same
    assert again["series"] == 4 and Forecast.objects.count() == 32 and Accuracy.objects.count() == 4


def test_the_holdout_scores_the_chosen_forecast_against_both_baselines(history):
    result = holdout(cutoff=AS_OF - timedelta(weeks=8), weeks=8)
    assert result["series"] == 2
    assert result["actual_total"] == sum(rb_quantity(week) for week in range(WEEKS - 8, WEEKS)) + 40
    for key in ("model_wape", "naive_wape", "moving_average_wape", "model_mape", "naive_mape"):
        assert isinstance(result[key], float)
    assert Forecast.objects.count() == 0  # writes nothing


def test_the_pages_show_the_accuracy_the_demand_and_the_plan(history):
    forecasts_train(as_of=AS_OF, horizon_weeks=8)
    owner = browser(history.owner)
    page = owner.get(reverse("forecasting:accuracy")).content.decode()
    rb = Accuracy.objects.get(scope=Scope.REGION, sku=history.sku)
    assert "RB-250" in page and "华东大区" in page and rb.reason in page.replace("&#x27;", "'")
    assert 'id="train-now"' in page
    filtered = owner.get(reverse("forecasting:accuracy"), {"q": "330"}).content.decode()
    assert 'data-sku="RB-330"' in filtered and 'data-sku="RB-250"' not in filtered
    demand = owner.get(reverse("forecasting:demand")).content.decode()
    assert 'data-warehouse="E"' in demand and "上海仓" in demand
    # 上海仓 (E) serves the dealer: 700 received less what its orders hold reserved; 成都仓 (W) has 700 and no demand
    east = Stock.objects.get(sku=history.sku, warehouse=history.east)
    free = east.on_hand - east.reserved
    expected = math.ceil(round(sum(Forecast.objects.filter(
        scope=Scope.WAREHOUSE, sku=history.sku, week__lt=AS_OF + timedelta(weeks=4)).values_list(
        "quantity", flat=True)), 6))
    plan = owner.get(reverse("forecasting:plan")).content.decode()
    assert free < expected  # the case the plan is for
    assert (f"Move {expected - free} from 成都仓 to 上海仓: 上海仓 expects {expected} in the next 4 weeks "
            f"(+0 safety stock) against {free} free") in plan
    assert 'data-kind="produce"' not in plan


def test_train_now_is_for_those_who_edit_stock_and_recorded(history, django_capture_on_commit_callbacks):
    assert browser(history.analyst).post(reverse("forecasting:train")).status_code == 403
    assert Forecast.objects.count() == 0
    with at(AS_OF + timedelta(days=1)), django_capture_on_commit_callbacks(execute=True):
        done = browser(history.owner).post(reverse("forecasting:train"))
    assert done.status_code == 302
    assert Accuracy.objects.filter(scope=Scope.REGION).count() == 2  # trained in-process (no broker)
    assert AuditEntry.objects.filter(action="forecasting.forecasts.train_requested").count() == 1


def test_a_dealer_cannot_see_forecasts(history):
    forecasts_train(as_of=AS_OF, horizon_weeks=8)
    buyer = browser(history.buyer)
    for name in ("accuracy", "demand", "plan"):
        assert buyer.get(reverse(f"forecasting:{name}")).status_code == 403
    assert buyer.post(reverse("forecasting:train")).status_code == 403
    assert buyer.get("/api/v1/forecasts/accuracy/").status_code == 403
    assert buyer.get("/api/v1/forecasts/weekly/").status_code == 403
    api = browser(history.analyst).get("/api/v1/forecasts/accuracy/", {"sku": history.sku.pk}).json()
    assert [row["sku_code"] for row in api["results"]] == ["RB-250"]


def test_the_pages_cost_the_same_queries_whatever_their_size(history, count_queries):
    forecasts_train(as_of=AS_OF, horizon_weeks=8)
    owner = browser(history.owner)
    pages = [reverse(f"forecasting:{name}") for name in ("accuracy", "demand", "plan")]
    for path in pages:
        owner.get(path)
    few = []
    for path in pages:
        with count_queries() as counted:
            owner.get(path)
        few.append(len(counted.sql))
    for index in range(12):  # more series, each with its forecasts and stock short of them
        sku = SkuFactory(product=history.sku.product, code=f"X-{index}", name=f"X {index}",
                         base_unit=history.sku.base_unit)
        Accuracy.objects.bulk_create([Accuracy(
            scope=scope, sku=sku, region=history.region if scope == Scope.REGION else None,
            warehouse=history.east if scope == Scope.WAREHOUSE else None, method="naive", history_weeks=10,
            origins=1, naive_wape=0.1, moving_average_wape=0.2, model_wape=0.3, backtest_demand=10,
            trained_at=rb_trained()) for scope in Scope.values])
        Forecast.objects.bulk_create([Forecast(scope=scope, sku=sku,
                                               region=history.region if scope == Scope.REGION else None,
                                               warehouse=history.east if scope == Scope.WAREHOUSE else None,
                                               week=AS_OF + timedelta(weeks=offset), quantity=5)
                                      for scope in Scope.values for offset in range(8)])
    many = []
    for path in pages:
        with count_queries() as counted:
            content = owner.get(path).content.decode()
        assert "X-11" in content
        many.append(len(counted.sql))
    assert many == few
    assert Sku.objects.filter(code__startswith="X-").count() == 12


def rb_trained():
    return Accuracy.objects.order_by("pk").first().trained_at


def test_the_pages_speak_chinese(history):
    forecasts_train(as_of=AS_OF, horizon_weeks=8)
    owner = browser(history.owner, language="zh-hans")
    page = owner.get(reverse("forecasting:accuracy")).content.decode()
    assert "需求预测" in page and "立即训练" in page and "回测" in page
    plan = owner.get(reverse("forecasting:plan")).content.decode()
    assert "从成都仓调拨" in plan
