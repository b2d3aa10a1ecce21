"""The sales analysis table: a report whose rows carry their share of the total, the same figure a year before
(the same spec over `same_period_last_year`, joined by key here: a period's key moves forward a year) and the
change in %, and whose every figure links one level down:

- a time bucket: that period (inside the report's), one grain finer (year, quarter -> month; month, week -> day);
- a region: the report filtered to it, still by region (the region dimension shows the filter node's children);
  a node without children below it (a dealer) becomes that dealer;
- a dealer: that dealer, by SKU (by month and SKU when it was the only dimension);
- a province, tier or sales rep: filtered to it, by dealer; a series: by product; a product: by SKU;
- a category: its subtree, by category (by product once it has no subcategories);
- a day or a SKU, the bottom: the rows page (/console/reports/sales/rows/), which every row also links to.

A label links to the next level of its own dimension; a figure to the next level of every key of its row.
A "none" key (no tier, no sales rep...) cannot be a filter: it gets no link.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.urls import reverse

from tenant_apps.catalog.models import Category
from tenant_apps.dealers.models import Node
from tenant_apps.dealers.selectors import nodes_visible_to
from tenant_apps.reporting.cube import (
    DIMENSIONS,
    MEASURES,
    PRODUCT_DIMENSIONS,
    TIME_GRAINS,
    Report,
    ReportSpec,
    scope_root,
)
from tenant_apps.reporting.selectors import report_run
from tenant_apps.reporting.specs import same_period_last_year, spec_params

FINER = {"year": "month", "quarter": "month", "month": "day", "week": "day", "day": None}
NEXT = {"province": "dealer", "tier": "dealer", "rep": "dealer", "dealer": "sku", "series": "product",
        "product": "sku", "sku": None}
PERCENT = Decimal("0.1")


def period_end(grain: str, start: date) -> date:
    """The last day of the period of `grain` that starts on `start`."""
    if grain == "day":
        return start
    if grain == "week":
        return start + timedelta(days=6)
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1) - timedelta(days=1)


def a_year_later(grain: str, key: date | None) -> date | None:
    """Last year's period key as this year's: the same day, ISO week, month, quarter or year a year on (None when
    it has no match: 29 February, a 53rd week)."""
    if key is None:
        return None
    try:
        if grain == "week":
            year, week, _weekday = key.isocalendar()
            return date.fromisocalendar(year + 1, week, 1)
        return key.replace(year=key.year + 1)
    except ValueError:
        return None


def percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(PERCENT)


def change(now, before) -> Decimal | None:
    if not before:
        return None
    return ((Decimal(now) - Decimal(before)) * 100 / Decimal(before)).quantize(PERCENT)


@dataclass
class Label:
    text: str
    column: str  # the dimension's name, for the cell's label on a phone
    href: str = ""


@dataclass
class Figure:
    measure: str
    kind: str  # money, count, quantity
    value: object
    href: str = ""

    @property
    def column(self) -> str:
        return str(MEASURES[self.measure].label)


@dataclass
class Line:
    key: str  # the row's keys, for tests and anchors
    labels: list[Label]
    figures: list[Figure]
    share: Decimal | None
    last_year: object
    change: Decimal | None
    rows_href: str


@dataclass
class Analysis:
    report: Report
    lines: list[Line]
    totals: list[Figure]
    last_year_total: object
    change: Decimal | None
    measure: str  # the first measure: share and year on year are of it
    last_year_from: date
    last_year_to: date


class _Drill:
    """Where each key of a report leads, with the few facts that takes read in one query per dimension."""

    def __init__(self, actor, spec: ReportSpec, report: Report):
        self.actor, self.spec = actor, spec
        self.analysis_url = reverse("reporting:sales")
        self.rows_url = reverse("reporting:sales-rows")
        self.nodes: dict[int, tuple[bool, int | None]] = {}  # visible node -> (has children, its dealer)
        self.leaf_categories: set[int] = set()
        self.root_node = None
        for index, name in enumerate(spec.dimensions):
            keys = {row.keys[index] for row in report.rows if row.keys[index] is not None}
            if name == "region" and keys:
                children = Node.objects.filter(parent_id=OuterRef("pk"))
                self.nodes = {pk: (kids, dealer) for pk, kids, dealer in nodes_visible_to(actor).filter(
                    pk__in=keys).annotate(kids=Exists(children)).values_list("pk", "kids", "dealer__id")}
                self.root_node = spec.filters.region or scope_root(actor, spec.filters).pk
            elif name == "category" and keys:
                children = Category.objects.filter(parent_id=OuterRef("pk"))
                self.leaf_categories = set(Category.objects.filter(pk__in=keys).annotate(
                    kids=Exists(children)).filter(kids=False).values_list("pk", flat=True))

    def step(self, name: str, key, spec: ReportSpec) -> tuple[ReportSpec, str | None] | None:
        """The spec narrowed to `key` of dimension `name`, and the dimension that replaces `name` (None: the
        bottom). None when the key cannot be a filter."""
        filters = spec.filters
        if key is None:
            return None
        if name in TIME_GRAINS:
            start = max(key, spec.date_from)
            end = min(period_end(name, key), spec.date_to)
            return replace(spec, date_from=start, date_to=end), FINER[name]
        if name == "region":
            if key not in self.nodes:
                return None
            has_children, dealer = self.nodes[key]
            if has_children and key != self.root_node:
                return replace(spec, filters=replace(filters, region=key)), "region"
            if dealer is None:
                return None
            return replace(spec, filters=replace(filters, dealers=(dealer,))), "sku"
        if name == "category":
            leaf = key in self.leaf_categories or key == filters.category
            return replace(spec, filters=replace(filters, category=key)), "product" if leaf else "category"
        field = {"province": "province", "tier": "tiers", "rep": "reps", "dealer": "dealers", "series": "series",
                 "product": "products", "sku": "skus"}[name]
        value = key if name == "province" else (key,)
        return replace(spec, filters=replace(filters, **{field: value})), NEXT[name]

    def href(self, keys: tuple, indexes: list[int]) -> str:
        """The next level of the keys at `indexes` (the rows page at the bottom); "" when one cannot be a
        filter."""
        spec, dims = self.spec, list(self.spec.dimensions)
        to_dealer = False
        for index in indexes:
            name = self.spec.dimensions[index]
            stepped = self.step(name, keys[index], spec)
            if stepped is None:
                return ""
            spec, dims[index] = stepped
            to_dealer = to_dealer or dims[index] == "sku" and name in ("dealer", "region")
        new_dims = tuple(dict.fromkeys(d for d in dims if d))
        if not new_dims:
            return self._rows(spec)
        if to_dealer:  # a dealer: by time (a month when none was chosen) and SKU
            grains = [d for d in new_dims if d in TIME_GRAINS] or (["month"] if len(new_dims) == 1 else [])
            new_dims = (*grains, *(d for d in new_dims if d not in TIME_GRAINS))
        measures = spec.measures
        if any(d in PRODUCT_DIMENSIONS for d in new_dims) or spec.filters.on_products():
            measures = tuple(m for m in measures if not MEASURES[m].dealer_only) or ("net",)
        spec = replace(spec, dimensions=new_dims, measures=measures)
        return f"{self.analysis_url}?{spec_params(spec)}"

    def rows(self, keys: tuple) -> str:
        spec = self.spec
        for index, name in enumerate(self.spec.dimensions):
            stepped = self.step(name, keys[index], spec)
            if stepped is None:
                return ""
            spec = stepped[0]
        return self._rows(spec)

    def _rows(self, spec: ReportSpec) -> str:
        return f"{self.rows_url}?{spec_params(spec)}"


def _key(keys: tuple) -> str:
    return "|".join("" if key is None else (key.isoformat() if isinstance(key, date) else str(key)) for key in keys)


def sales_analysis(*, actor, spec: ReportSpec) -> Analysis:
    """The report of `spec` as the analysis page shows it (ReportError for a spec that cannot run)."""
    report = report_run(actor=actor, spec=spec)
    last_from, last_to = same_period_last_year(spec.date_from, spec.date_to)
    before = report_run(actor=actor, spec=replace(spec, date_from=last_from, date_to=last_to))
    dims = spec.dimensions
    earlier = {}
    for row in before.rows:
        keys = tuple(a_year_later(name, key) if name in TIME_GRAINS else key for name, key in zip(dims, row.keys,
                                                                                                  strict=True))
        earlier[keys] = row.values[0]
    drill = _Drill(actor, spec, report)
    measure = spec.measures[0]
    total = report.totals[0]
    lines = []
    for row in report.rows:
        everything = drill.href(row.keys, list(range(len(dims))))
        last = earlier.get(row.keys, 0 * total)
        lines.append(Line(
            key=_key(row.keys),
            labels=[Label(text=label, column=str(DIMENSIONS[dims[index]]), href=drill.href(row.keys, [index]))
                    for index, label in enumerate(row.labels)],
            figures=[Figure(measure=name, kind=MEASURES[name].kind, value=value, href=everything)
                     for name, value in zip(spec.measures, row.values, strict=True)],
            share=percent(row.values[0], total), last_year=last, change=change(row.values[0], last),
            rows_href=drill.rows(row.keys)))
    totals = [Figure(measure=name, kind=MEASURES[name].kind, value=value, href=drill._rows(spec))
              for name, value in zip(spec.measures, report.totals, strict=True)]
    return Analysis(report=report, lines=lines, totals=totals, last_year_total=before.totals[0],
                    change=change(total, before.totals[0]), measure=measure, last_year_from=last_from,
                    last_year_to=last_to)
