"""A report as an Apache ECharts option (rendered by static/reporting/charts.js), with the table that goes beside
or behind every chart. Built server-side from the same figures as the table, so the two never disagree."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.templatetags.static import static

from tenant_apps.reporting.cube import MEASURES, TIME_GRAINS, Report, Row

# The area names of static/reporting/china.json (ECharts 4.9.0's map): provinces without their suffix.
CHINA_AREAS = ("北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽",
               "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南",
               "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "台湾", "香港", "澳门")
# Maps whose geojson is shipped in static/reporting/<name>.json (registered by charts.js when first drawn).
MAPS = {"china": "reporting/china.json"}
# Readable on a phone: tooltips stay inside the chart, long category labels drop rather than overlap.
_TOOLTIP = {"confine": True}


def _number(value) -> float | int:
    return float(value) if isinstance(value, Decimal) else value


def china_area(label: str) -> str:
    """The China map's area name for a province's name as the territories hold it (GB/T 2260: "广东省",
    "内蒙古自治区", "北京市"; or already short: "广东"); the label itself when no area matches."""
    label = (label or "").strip()
    return max((area for area in CHINA_AREAS if label.startswith(area)), key=len, default=label)


def _links(report: Report, names: list[str], drill: Callable[[Row], str] | None) -> dict[str, str]:
    """{name of a bar, slice or area: the URL its click drills down to} (first row of each name)."""
    if drill is None:
        return {}
    links: dict[str, str] = {}
    for name, row in zip(names, report.rows, strict=True):
        links.setdefault(name, drill(row))
    return links


def chart_for(report: Report, *, kind: str = "", title: str = "", map_name: str = "china",
              drill: Callable[[Row], str] | None = None) -> dict:
    """{"option": ECharts option, "kind": ..., "title": ..., "links": {...}} for a report of one or two dimensions.
    kind: "line" (default for a time dimension first), "bar" (default otherwise), "hbar" (bars along the y axis,
    the largest on top: long names such as dealers read on a phone), "pie", or "map" (one dimension of provinces;
    their names are matched to the map's areas by `china_area`). Two dimensions: one series per value of the
    second. `drill(row)` gives the URL a click on a row's bar, slice or area opens (charts.js follows it)."""
    spec = report.spec
    dims = spec.dimensions
    if not kind:
        kind = "line" if dims and dims[0] in TIME_GRAINS else "bar"
    measure = spec.measures[0]
    name = str(MEASURES[measure].label)
    if not dims:
        return {"kind": "none", "title": title, "option": {}}
    if kind == "map":
        names = [china_area(row.labels[0]) if map_name == "china" else row.labels[0] for row in report.rows]
        values: dict[str, float | int] = {}
        for area, row in zip(names, report.rows, strict=True):
            values[area] = values.get(area, 0) + _number(row.values[0])
        data = [{"name": area, "value": value} for area, value in values.items()]
        top = max([item["value"] for item in data] or [0])
        option = {"tooltip": {**_TOOLTIP, "trigger": "item"},
                  "visualMap": {"min": 0, "max": top or 1, "left": "left", "bottom": 0, "calculable": True,
                                "orient": "horizontal", "itemWidth": 12, "itemHeight": 100},
                  "series": [{"name": name, "type": "map", "map": map_name, "data": data,
                              "layoutCenter": ["50%", "50%"], "layoutSize": "100%"}]}
        return {"kind": kind, "title": title, "option": option, "map": map_name,
                "map_url": static(MAPS[map_name]) if map_name in MAPS else "",
                "links": _links(report, names, drill)}
    if kind == "pie":
        names = [row.labels[0] for row in report.rows]
        data = [{"name": row.labels[0], "value": _number(row.values[0])} for row in report.rows]
        option = {"tooltip": {**_TOOLTIP, "trigger": "item"}, "legend": {"type": "scroll", "bottom": 0},
                  "series": [{"name": name, "type": "pie", "radius": ["35%", "65%"], "data": data}]}
        return {"kind": kind, "title": title, "option": option, "links": _links(report, names, drill)}
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
    option = {"tooltip": {**_TOOLTIP, "trigger": "axis"}, "legend": {"type": "scroll", "top": 0},
              "grid": {"left": 8, "right": 8, "bottom": 8, "top": 36, "containLabel": True},
              "xAxis": {"type": "category", "data": categories, "axisLabel": {"hideOverlap": True}},
              "yAxis": {"type": "value"}, "series": series}
    if kind == "hbar":
        for item in series:
            item["type"] = "bar"
            item["data"] = list(reversed(item["data"]))
        option["xAxis"], option["yAxis"] = {"type": "value"}, {
            "type": "category", "data": list(reversed(categories)),
            "axisLabel": {"width": 110, "overflow": "truncate"}}
    return {"kind": kind, "title": title, "option": option,
            "links": _links(report, [row.labels[0] for row in report.rows], drill)}


class Drill:
    """Where a report's rows drill down to: `Drill(lambda row: url)`, passed to `chart_for(drill=...)` and to
    reporting/_chart.html (a template does not call it: it hands it a row through the `drill_url` filter)."""

    do_not_call_in_templates = True

    def __init__(self, url_for: Callable[[Row], str]):
        self.url_for = url_for

    def __call__(self, row: Row) -> str:
        return self.url_for(row)
