"""Forecasting's write use cases: train the weekly forecasts and store them (replacing the last run's rows in one
transaction), and the console's "train now"."""

from __future__ import annotations

import time
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.audit.services import audit_record
from tenant_apps.forecasting import engine
from tenant_apps.forecasting.errors import ForecastInvalid
from tenant_apps.forecasting.history import monday
from tenant_apps.forecasting.models import Accuracy, Forecast, Scope, TrainingRun
from tenant_apps.forecasting.training import SEASONAL_BUDGET, train

MAX_HORIZON = 26


def _summary(trained) -> dict:
    """How many series use each method."""
    methods = {engine.MODEL: 0, engine.NAIVE: 0, engine.MOVING_AVERAGE: 0}
    for item in trained:
        methods[item.result.method] += 1
    return {"methods": methods}


def forecasts_train(*, as_of: date | None = None, horizon_weeks: int = 8) -> dict:
    """Train every SKU x region and SKU x warehouse series on the orders submitted before `as_of` (a date; its
    week's Monday is used; default this week's), back-test, choose, and store the forecasts of `horizon_weeks`
    weeks from that Monday with the accuracy rows, replacing the previous run's in one transaction. Idempotent:
    the same history gives the same rows. Returns a summary."""
    if not 1 <= horizon_weeks <= MAX_HORIZON:
        message = _("Forecast between 1 and %(max)s weeks ahead.") % {"max": MAX_HORIZON}
        raise ForecastInvalid(message, fields={"horizon_weeks": [message]})
    start = time.monotonic()
    as_of = monday(as_of or timezone.localdate())
    now = timezone.now()
    accuracy, forecasts, summary = [], [], {}
    deadline = start + SEASONAL_BUDGET
    for scope in (Scope.REGION, Scope.WAREHOUSE):
        trained = train(scope=scope, as_of=as_of, horizon_weeks=horizon_weeks, deadline=deadline)
        summary[scope.value] = {"series": len(trained), **_summary(trained)}
        place = "region_id" if scope == Scope.REGION else "warehouse_id"
        for item in trained:
            result, scores = item.result, item.result.scores
            accuracy.append(Accuracy(
                scope=scope, sku_id=item.sku_id, **{place: item.key}, method=result.method,
                model_kind=result.model_kind, history_weeks=result.history, origins=result.origins, trained_at=now,
                model_wape=scores[engine.MODEL].wape, model_mape=scores[engine.MODEL].mape,
                naive_wape=scores[engine.NAIVE].wape, naive_mape=scores[engine.NAIVE].mape,
                moving_average_wape=scores[engine.MOVING_AVERAGE].wape,
                moving_average_mape=scores[engine.MOVING_AVERAGE].mape,
                backtest_demand=result.backtest_demand, backtest_demand_weeks=result.backtest_demand_weeks))
            forecasts += [Forecast(scope=scope, sku_id=item.sku_id, **{place: item.key},
                                   week=as_of + timedelta(weeks=offset), quantity=float(quantity))
                          for offset, quantity in enumerate(result.forecast)]
    seconds = time.monotonic() - start
    with transaction.atomic():
        Forecast.objects.all().delete()
        Accuracy.objects.all().delete()
        TrainingRun.objects.all().delete()
        Accuracy.objects.bulk_create(accuracy, batch_size=2000)
        Forecast.objects.bulk_create(forecasts, batch_size=5000)
        TrainingRun.objects.create(as_of=as_of, horizon_weeks=horizon_weeks, series=len(accuracy),
                                   seconds=seconds, summary=summary, trained_at=now)
    return {"as_of": as_of.isoformat(), "horizon_weeks": horizon_weeks, "series": len(accuracy),
            "forecasts": len(forecasts), "seconds": round(seconds, 3), **summary}


def forecasts_train_request(*, actor, horizon_weeks: int = 8) -> None:
    """The console's "train now": record who asked, and train as of this week in the background after the commit
    (in-process, before the page answers, when no broker is configured: CELERY_TASK_ALWAYS_EAGER)."""
    if not 1 <= horizon_weeks <= MAX_HORIZON:
        message = _("Forecast between 1 and %(max)s weeks ahead.") % {"max": MAX_HORIZON}
        raise ForecastInvalid(message, fields={"horizon_weeks": [message]})
    with transaction.atomic():
        audit_record(actor=actor, action="forecasting.forecasts.train_requested", target=training_run_target(),
                     after={"horizon_weeks": horizon_weeks})
        tenant = connection.tenant

        def send():
            from django_tenants.utils import tenant_context

            from tenant_apps.forecasting.tasks import forecasts_train as task

            with tenant_context(tenant):
                task.delay(horizon_weeks=horizon_weeks)

        # robust: a broker that cannot be reached leaves the last forecasts in place (and the page says when they
        # were trained), not a 500
        transaction.on_commit(send, robust=True)


def training_run_target() -> TrainingRun:
    """What the audit entry names: the run being replaced (an unsaved one before the first)."""
    return TrainingRun.objects.order_by("-trained_at").first() or TrainingRun(as_of=timezone.localdate())
