"""Reporting pages: the home dashboards. /console/reports/ (reporting:dashboard) shows the reader's role's
dashboard within their data scope (the warehouse's work, or the sales and what waits for the other staff roles);
/account/reports/ (reporting_storefront:dashboard) a dealer's own purchases. Thin: reads in reporting.dashboards."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import REPORTS_VIEW, REPORTS_VIEW_OWN, Role
from tenant_apps.dealers.views_storefront import account_tabs
from tenant_apps.reporting.dashboards import selectors


@require_GET
@requires(REPORTS_VIEW)
def console_dashboard(request):
    user = request.user
    if user.role == Role.WAREHOUSE:
        return render(request, "reporting/dashboards/warehouse.html", {
            "dashboard": selectors.warehouse_dashboard(actor=user)})
    return render(request, "reporting/dashboards/staff.html", {
        "dashboard": selectors.staff_dashboard(actor=user, period=request.GET.get("period", ""))})


@require_GET
@requires(REPORTS_VIEW_OWN)
def storefront_dashboard(request):
    if not request.user.dealer_id:
        raise Http404
    return render(request, "reporting/dashboards/dealer.html", {
        "dashboard": selectors.dealer_dashboard(actor=request.user), "tabs": account_tabs(request, "purchases")})


console_urls: list = [path("", console_dashboard, name="dashboard")]
storefront_urls: list = [path("", storefront_dashboard, name="dashboard")]
