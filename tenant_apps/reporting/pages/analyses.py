"""Reporting pages: the analyses (inventory, dealers, promotions, pricing), each with its filters, charts with
their tables, and the drill-downs from a figure to the rows behind it. The figures come from
tenant_apps/reporting/analyses; these views only read the filters and render."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import path

from dms.ui import listing
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import INVENTORY_VIEW, PRICING_VIEW, REPORTS_VIEW
from tenant_apps.dealers.errors import DealerNotFound
from tenant_apps.dealers.selectors import dealer_get_for
from tenant_apps.inventory.models import Stock
from tenant_apps.promotions.models import Promotion
from tenant_apps.reporting.analyses import selectors_dealers as dealer_figures
from tenant_apps.reporting.analyses import selectors_inventory as inventory_figures
from tenant_apps.reporting.analyses import selectors_pricing as pricing_figures
from tenant_apps.reporting.analyses import selectors_promotions as promotion_figures
from tenant_apps.reporting.analyses.charts import (
    dealer_charts,
    inventory_charts,
    pricing_charts,
    promotion_charts,
)
from tenant_apps.reporting.analyses.forms import (
    DealerFilterForm,
    InventoryFilterForm,
    PeriodForm,
    PricingFilterForm,
    PromotionFilterForm,
)
from tenant_apps.reporting.cube import Filters


def _page(request, template: str, form, context: dict):
    """The page, or the form's errors with a 400 and no figures."""
    if form.errors:
        return render(request, template, {"form": form, "invalid": True}, status=400)
    return render(request, template, {"form": form, **context})


def _query(form) -> str:
    """The period as a query string, carried by the drill-down links."""
    data = form.cleaned_data
    return f"date_from={data['date_from'].isoformat()}&date_to={data['date_to'].isoformat()}"


@requires(INVENTORY_VIEW)
@requires(REPORTS_VIEW)
def inventory(request):
    form = InventoryFilterForm(request.GET)
    if not form.is_valid():
        return _page(request, "reporting/analyses/inventory.html", form, {})
    data = form.cleaned_data
    analysis = inventory_figures.inventory_analysis(date_from=data["date_from"], date_to=data["date_to"],
                                                    days=data["days"], warehouse=data["warehouse"],
                                                    category=data["category"])
    return _page(request, "reporting/analyses/inventory.html", form,
                 {"analysis": analysis, "charts": inventory_charts(analysis)})


@requires(INVENTORY_VIEW)
@requires(REPORTS_VIEW)
def inventory_movements(request, stock_id: int):
    stock = Stock.objects.select_related("sku", "warehouse").filter(pk=stock_id).first()
    if stock is None:
        raise Http404
    movements = inventory_figures.stock_movements(stock=stock)
    return render(request, "reporting/analyses/stock_movements.html", {
        "stock": stock, "listing": listing(request, movements, sorts={"when": "created_at"}, default="-when",
                                           per_page=50)})


@requires(REPORTS_VIEW)
def dealers(request):
    form = DealerFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return _page(request, "reporting/analyses/dealers.html", form, {})
    data = form.cleaned_data
    filters = Filters(region=data["region"].pk if data["region"] else None,
                      tiers=(data["tier"].pk,) if data["tier"] else (),
                      reps=(data["rep"].pk,) if data["rep"] else ())
    analysis = dealer_figures.dealer_analysis(actor=request.user, date_from=data["date_from"],
                                              date_to=data["date_to"], filters=filters)
    return _page(request, "reporting/analyses/dealers.html", form, {
        "analysis": analysis, "charts": dealer_charts(analysis),
        "rules": {"active": dealer_figures.ACTIVE_DAYS, "dormant": dealer_figures.DORMANT_DAYS,
                  "ramp": dealer_figures.RAMP_MONTHS}})


@requires(REPORTS_VIEW)
def promotions(request):
    form = PromotionFilterForm(request.GET)
    if not form.is_valid():
        return _page(request, "reporting/analyses/promotions.html", form, {})
    data = form.cleaned_data
    rows = promotion_figures.promotion_analysis(actor=request.user, date_from=data["date_from"],
                                                date_to=data["date_to"], status=data["status"])
    return _page(request, "reporting/analyses/promotions.html", form, {
        "rows": rows, "charts": promotion_charts(rows), "period": _query(form)})


@requires(REPORTS_VIEW)
def promotion_orders(request, promotion_id: int):
    promotion = Promotion.objects.filter(pk=promotion_id).first()
    if promotion is None:
        raise Http404
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return render(request, "reporting/analyses/promotion_orders.html",
                      {"form": form, "promotion": promotion, "invalid": True}, status=400)
    data = form.cleaned_data
    orders = promotion_figures.promotion_orders(actor=request.user, promotion=promotion,
                                                date_from=data["date_from"], date_to=data["date_to"])
    return render(request, "reporting/analyses/promotion_orders.html", {
        "form": form, "promotion": promotion,
        "listing": listing(request, orders, sorts={"when": "created_at", "total": "total"}, default="-when")})


@requires(PRICING_VIEW)
@requires(REPORTS_VIEW)
def pricing(request):
    form = PricingFilterForm(request.GET)
    if not form.is_valid():
        return _page(request, "reporting/analyses/pricing.html", form, {})
    data = form.cleaned_data
    analysis = pricing_figures.pricing_analysis(actor=request.user, date_from=data["date_from"],
                                                date_to=data["date_to"], cut=data["cut"])
    return _page(request, "reporting/analyses/pricing.html", form,
                 {"analysis": analysis, "charts": pricing_charts(analysis)})


@requires(PRICING_VIEW)
@requires(REPORTS_VIEW)
def pricing_dealer(request, dealer_id: int):
    try:
        dealer = dealer_get_for(actor=request.user, dealer_id=dealer_id)
    except DealerNotFound as error:
        raise Http404 from error
    rows = pricing_figures.compensations_for(actor=request.user, dealer=dealer)
    return render(request, "reporting/analyses/compensations.html", {
        "dealer": dealer, "listing": listing(request, rows, sorts={"when": "created_at", "amount": "amount"},
                                             default="-when")})


console_urls: list = [
    path("inventory/", inventory, name="analysis-inventory"),
    path("inventory/stock/<int:stock_id>/", inventory_movements, name="analysis-stock-movements"),
    path("dealers/", dealers, name="analysis-dealers"),
    path("promotions/", promotions, name="analysis-promotions"),
    path("promotions/<int:promotion_id>/orders/", promotion_orders, name="analysis-promotion-orders"),
    path("pricing/", pricing, name="analysis-pricing"),
    path("pricing/dealers/<int:dealer_id>/", pricing_dealer, name="analysis-pricing-dealer"),
]
storefront_urls: list = []
