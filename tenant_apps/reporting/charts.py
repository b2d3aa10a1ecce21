"""A report as an Apache ECharts option (rendered by static/reporting/charts.js), with the table that goes beside
or behind every chart. Built server-side from the same figures as the table, so the two never disagree."""

from __future__ import annotations

from decimal import Decimal

from tenant_apps.reporting.cube import MEASURES, TIME_GRAINS, Report


def _number(value) -> float | int:
    return float(value) if isinstance(value, Decimal) else value


def chart_for(report: Report, *, kind: str = "", title: str = "", map_name: str = "china") -> dict:
    """{"option": ECharts option, "kind": ..., "title": ...} for a report of one or two dimensions.
    kind: "line" (default for a time dimension first), "bar" (default otherwise), "pie", or "map" (one dimension
    of provinces; the map's area names are the labels). Two dimensions: one series per value of the second."""
    spec = report.spec
    dims = spec.dimensions
    if not kind:
        kind = "line" if dims and dims[0] in TIME_GRAINS else "bar"
    measure = spec.measures[0]
    name = str(MEASURES[measure].label)
    if not dims:
        return {"kind": "none", "title": title, "option": {}}
    if kind == "map":
        data = [{"name": row.labels[0], "value": _number(row.values[0])} for row in report.rows]
        top = max([item["value"] for item in data] or [0])
        option = {"tooltip": {"trigger": "item"},
                  "visualMap": {"min": 0, "max": top or 1, "left": "left", "bottom": 0, "calculable": True},
                  "series": [{"name": name, "type": "map", "map": map_name, "data": data}]}
        return {"kind": kind, "title": title, "option": option}
    if kind == "pie":
        data = [{"name": row.labels[0], "value": _number(row.values[0])} for row in report.rows]
        option = {"tooltip": {"trigger": "item"},
                  "series": [{"name": name, "type": "pie", "radius": ["35%", "65%"], "data": data}]}
        return {"kind": kind, "title": title, "option": option}
    categories: list[str] = []
    for row in report.rows:
        if row.labels[0] not in categories:
            categories.append(row.labels[0])
    if len(dims) == 1:
        series = [{"name": name, "type": kind, "data": [_number(row.values[0]) for row in report.rows]}]
        for index, extra in enumerate(spec.measures[1:], start=1):
            series.append({"name": str(MEASURES[extra].label), "type": kind,
                           "data": [_number(row.values[index]) for row in report.rows]})
    else:
        by_series: dict[str, dict[str, float]] = {}
        for row in report.rows:
            by_series.setdefault(row.labels[1], {})[row.labels[0]] = _number(row.values[0])
        series = [{"name": label, "type": kind, "stack": "total" if kind == "bar" else None,
                   "data": [values.get(category, 0) for category in categories]}
                  for label, values in by_series.items()]
    option = {"tooltip": {"trigger": "axis"}, "legend": {"type": "scroll", "top": 0},
              "grid": {"left": 8, "right": 8, "bottom": 8, "top": 36, "containLabel": True},
              "xAxis": {"type": "category", "data": categories},
              "yAxis": {"type": "value"}, "series": series}
    return {"kind": kind, "title": title, "option": option}
