"""The order lines behind a figure (reporting.selectors.sales_lines) and their sums, which equal the figure: the
rollups are sums of the same lines (returns are not lines: the returned measures are not summed here)."""

from __future__ import annotations

from django.db.models import Count, F, QuerySet, Sum

from tenant_apps.reporting.cube import MEASURES, ReportSpec
from tenant_apps.reporting.sales.selectors_analysis import Figure
from tenant_apps.reporting.selectors import sales_lines

PAGE_SIZE = 50
_SUMS = {
    "net": Sum("net"),
    "gross": Sum("gross"),
    "discount": Sum("discount"),
    "quantity": Sum(F("quantity") * F("factor")),
    "lines": Count("pk"),
    "orders": Count("order_id", distinct=True),
    "dealers": Count("order__dealer_id", distinct=True),
}


def spec_lines(*, actor, spec: ReportSpec) -> QuerySet:
    return sales_lines(actor=actor, date_from=spec.date_from, date_to=spec.date_to, currency=spec.currency,
                       filters=spec.filters)


def lines_figures(lines: QuerySet, spec: ReportSpec) -> list[Figure]:
    """The sums of `lines` for the spec's measures that lines make (net first when the spec has none of them), in
    one query."""
    names = [name for name in spec.measures if name in _SUMS] or ["net"]
    sums = lines.order_by().aggregate(**{name: _SUMS[name] for name in names})
    return [Figure(measure=name, kind=MEASURES[name].kind, value=sums[name] or 0) for name in names]
