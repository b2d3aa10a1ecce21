"""Reporting pages: sales. The console's sales analysis (/console/reports/sales/: any dimension and time grain, a
chart and its table with share, year on year and drill-down links) and the rows behind a figure
(/console/reports/sales/rows/). Both read the spec from the query string through specs.ReportForm: a bad
parameter, or an id outside the reader's part of the network, is a 400 with the form's field errors."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from tenant_apps.accounts.access import may_open, requires
from tenant_apps.accounts.permissions import REPORTS_EXPORT, REPORTS_VIEW, has_perm
from tenant_apps.reporting.charts import chart_for
from tenant_apps.reporting.cube import TIME_GRAINS, ReportError
from tenant_apps.reporting.sales.choices import filter_choices, filter_words
from tenant_apps.reporting.sales.selectors_analysis import sales_analysis
from tenant_apps.reporting.sales.selectors_rows import PAGE_SIZE, lines_figures, spec_lines
from tenant_apps.reporting.selectors import rollup_state
from tenant_apps.reporting.specs import ReportForm, spec_params

DEFAULT_DIMS = ("month",)
DEFAULT_PERIOD = "this_year"
EXPORT_PATH = "/console/reports/exports/report/"  # reporting.exports' export_report_start (its own change)


def _query(request) -> QueryDict:
    """The request's parameters as ReportForm reads them: repeated dims and measures (two selects, checkboxes)
    joined by commas; a named period other than "custom" wins over the dates the bar still carries."""
    data = request.GET.copy()
    for name in ("dims", "measures"):
        values = [value for value in data.getlist(name) if value.strip()]
        if values:
            data[name] = ",".join(values)
        else:
            data.pop(name, None)
    if data.get("period") and data.get("period") != "custom":
        data.pop("date_from", None)
        data.pop("date_to", None)
    return data


def _bar(form: ReportForm, spec) -> dict:
    """What the filter bar shows: the spec when it is valid, else what was sent (as text)."""
    data = form.data
    if spec is not None:
        filters = spec.filters
        values = {"date_from": spec.date_from.isoformat(), "date_to": spec.date_to.isoformat(),
                  "dims": list(spec.dimensions), "measures": list(spec.measures), "currency": spec.currency,
                  "region": str(filters.region or ""), "category": str(filters.category or ""),
                  "tier": [str(i) for i in filters.tiers], "series": [str(i) for i in filters.series],
                  "dealer": [str(i) for i in filters.dealers], "rep": [str(i) for i in filters.reps]}
    else:
        values = {"date_from": data.get("date_from", ""), "date_to": data.get("date_to", ""),
                  "dims": [d for d in data.get("dims", "").split(",") if d],
                  "measures": [m for m in data.get("measures", "").split(",") if m] or ["net"],
                  "currency": data.get("currency", ""), "region": data.get("region", ""),
                  "category": data.get("category", "")}
        for name in ("tier", "series", "dealer", "rep"):
            values[name] = [part for item in data.getlist(name) for part in item.split(",") if part]
    values["dims"] = (values["dims"] + ["", ""])[:max(2, len(values["dims"]))]
    period = data.get("period") or ("custom" if data.get("date_from") or data.get("date_to") else DEFAULT_PERIOD)
    values["period"] = period
    return values


def _context(request, form: ReportForm, spec, *, bar: bool = True) -> dict:
    state = rollup_state()
    return {"form": form, "bar": _bar(form, spec), "choices": filter_choices(request.user) if bar else {},
            "as_of": state.refreshed_at if state else None, "spec": spec,
            "spec_query": spec_params(spec) if spec else "", "words": filter_words(spec) if spec else [],
            "errors": [(str(form.fields[name].label) if name in form.fields else "", messages)
                       for name, messages in form.errors.items()],
            "can_export": has_perm(request.user, REPORTS_EXPORT), "export_path": EXPORT_PATH}


@require_GET
@requires(REPORTS_VIEW)
def sales(request):
    form = ReportForm(_query(request), actor=request.user, default_dims=DEFAULT_DIMS, default_period=DEFAULT_PERIOD)
    if not form.is_valid():
        return render(request, "reporting/sales.html", _context(request, form, None), status=400)
    spec = form.spec()
    try:
        analysis = sales_analysis(actor=request.user, spec=spec)
    except ReportError as error:  # the form checked the spec; kept for a spec the engine still refuses
        for messages in error.errors.values():
            for message in messages:
                form.add_error(None, message)
        return render(request, "reporting/sales.html", _context(request, form, None), status=400)
    dims = spec.dimensions
    pie_allowed = len(dims) == 1 and dims[0] not in TIME_GRAINS
    pie = pie_allowed and request.GET.get("chart") == "pie"
    context = _context(request, form, spec)
    context.update({"analysis": analysis, "chart": chart_for(analysis.report, kind="pie" if pie else ""),
                    "pie_allowed": pie_allowed, "pie": pie,
                    "chart_toggle": spec_params(spec, chart=None if pie else "pie")})
    return render(request, "reporting/sales.html", context)


@require_GET
@requires(REPORTS_VIEW)
def sales_rows(request):
    form = ReportForm(_query(request), actor=request.user, default_dims=DEFAULT_DIMS, default_period=DEFAULT_PERIOD)
    if not form.is_valid():
        return render(request, "reporting/sales_rows.html", _context(request, form, None, bar=False),
                      status=400)
    spec = form.spec()
    lines = spec_lines(actor=request.user, spec=spec)
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _context(request, form, spec, bar=False)
    context.update({"page": page, "listing": {"page": page}, "figures": lines_figures(lines, spec),
                    "may_open_orders": may_open(request.user, "orders_console:board")})
    return render(request, "reporting/sales_rows.html", context)


console_urls: list = [
    path("sales/", sales, name="sales"),
    path("sales/rows/", sales_rows, name="sales-rows"),
]
storefront_urls: list = []
