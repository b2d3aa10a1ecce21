"""Brand console: the forecasts' accuracy (the back-test beside the baselines), the expected demand per SKU and
warehouse, the production / transfer plan, and "train now"."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dms.ui import listing
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import INVENTORY_EDIT, INVENTORY_VIEW, has_perm
from tenant_apps.core.errors import DomainError
from tenant_apps.forecasting import selectors, services
from tenant_apps.forecasting.forms import AccuracyFilterForm, SkuFilterForm
from tenant_apps.forecasting.models import Scope

PLAN_WEEKS = 4


@requires(INVENTORY_VIEW)
def accuracy(request):
    filters = AccuracyFilterForm(request.GET or None, regions=selectors.regions())
    q, region = "", None
    if filters.is_valid():
        q, region = filters.cleaned_data["q"], filters.cleaned_data["region"]
    rows = selectors.accuracy_rows(scope=Scope.REGION, q=q, region_id=region.pk if region else None)
    return render(request, "forecasting/accuracy.html", {
        "filters": filters, "run": selectors.training_run(),
        "overall": selectors.accuracy_overall(scope=Scope.REGION),
        "listing": listing(request, rows, sorts={"sku": "sku__code", "region": "region__name",
                                                 "history": "history_weeks"}, default="sku", per_page=50),
        "can_train": has_perm(request.user, INVENTORY_EDIT), "tab": "accuracy",
    })


@requires(INVENTORY_VIEW)
def demand(request):
    filters = SkuFilterForm(request.GET or None)
    q = filters.cleaned_data["q"] if filters.is_valid() else ""
    rows = selectors.accuracy_rows(scope=Scope.WAREHOUSE, q=q)
    page = listing(request, rows, sorts={"sku": "sku__code", "warehouse": "warehouse__code"}, default="sku",
                   per_page=50)
    forecasts = selectors.forecasts_of(page.page.object_list, scope=Scope.WAREHOUSE)
    for row in page.page.object_list:
        row.weekly = forecasts.get((row.sku_id, row.warehouse_id), [])
        row.total = sum(forecast.quantity for forecast in row.weekly)
    return render(request, "forecasting/demand.html", {
        "filters": filters, "run": selectors.training_run(), "weeks": selectors.demand_weeks(), "listing": page,
        "tab": "demand",
    })


@requires(INVENTORY_VIEW)
def plan(request):
    filters = SkuFilterForm(request.GET or None)
    q, weeks = "", PLAN_WEEKS
    if filters.is_valid():
        q, weeks = filters.cleaned_data["q"], filters.cleaned_data["weeks"] or PLAN_WEEKS
    run = selectors.training_run()
    weeks = min(weeks, run.horizon_weeks) if run else weeks  # no further than the forecasts go
    lines = selectors.production_plan(weeks=weeks, q=q)
    page = Paginator(lines, 50).get_page(request.GET.get("page"))
    return render(request, "forecasting/plan.html", {
        "filters": filters, "run": run, "weeks": weeks,
        "listing": SimpleNamespace(page=page), "tab": "plan",
        "produce_total": sum(line.quantity for line in lines if line.kind == "produce"),
        "transfer_total": sum(line.quantity for line in lines if line.kind == "transfer"),
    })


@requires(INVENTORY_EDIT)
@require_POST
def train(request):
    try:
        services.forecasts_train_request(actor=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Training started: the forecasts are replaced when it finishes."))
    return redirect("forecasting:accuracy")
