"""The charts of the analysis pages, each built from the same figures as the table shown with it."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tenant_apps.reporting.analyses.common import bar_chart, pie_chart
from tenant_apps.reporting.analyses.selectors_dealers import ACTIVE, DORMANT, LONG_DORMANT, RAMP_MONTHS, DealerAnalysis
from tenant_apps.reporting.analyses.selectors_inventory import InventoryAnalysis
from tenant_apps.reporting.analyses.selectors_pricing import PricingAnalysis
from tenant_apps.reporting.analyses.selectors_promotions import PromotionFigures
from tenant_apps.reporting.charts import chart_for

TOP = 20  # bars in a ranking chart (the table lists every row)


def activity_labels() -> dict[str, str]:
    return {ACTIVE: pgettext("dealer activity", "Active"), DORMANT: _("Dormant"),
            LONG_DORMANT: _("Long dormant or never ordered")}


def inventory_charts(analysis: InventoryAnalysis) -> dict:
    warehouses = analysis.warehouses
    return {
        "warehouses": bar_chart(title=_("Stock by warehouse"), categories=[w.name for w in warehouses], series=[
            (_("Reserved"), [w.reserved for w in warehouses]),
            (_("Available"), [w.available for w in warehouses])], stack=True),
        "movers": bar_chart(title=_("Fast movers"), categories=[m.code for m in analysis.fast],
                            series=[(_("Shipped"), [m.shipped for m in analysis.fast])]),
    }


def dealer_charts(analysis: DealerAnalysis) -> dict:
    labels = activity_labels()
    ramp = analysis.ramp[:TOP]
    return {
        "frequency": chart_for(analysis.report, kind="bar", title=_("Orders and net sales by dealer")),
        "activity": pie_chart(title=_("Active and dormant dealers"),
                              items=[(labels[key], count) for key, count in analysis.activity_counts.items()]),
        "ramp": bar_chart(title=_("New dealers' ramp-up"), kind="line",
                          categories=[_("Month %(n)s") % {"n": n} for n in range(1, RAMP_MONTHS + 1)],
                          series=[(r.name, r.nets) for r in ramp if r.first_order]),
    }


def promotion_charts(rows: list[PromotionFigures]) -> dict:
    shown = rows[:TOP]
    names = [row.promotion.name for row in shown]
    return {
        "usage": bar_chart(title=_("Spend and discount by promotion"), categories=names, series=[
            (_("Spend"), [row.spend for row in shown]), (_("Discount given"), [row.discount for row in shown])]),
        "uplift": bar_chart(title=_("Sales before and during each promotion"), categories=names, series=[
            (_("Before"), [row.sales_before for row in shown]), (_("During"), [row.sales_during for row in shown])]),
    }


def pricing_charts(analysis: PricingAnalysis) -> dict:
    windows = analysis.windows[:TOP]
    return {
        "windows": bar_chart(title=_("Exposure and compensation by window"), categories=[w.label for w in windows],
                             series=[(_("Exposure"), [w.figures.exposure for w in windows]),
                                     (_("Compensation owed"), [w.figures.owed for w in windows]),
                                     (_("Compensation booked"), [w.figures.booked for w in windows])]),
    }
