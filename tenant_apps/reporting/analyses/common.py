"""What the analyses share: periods in the brand's time zone, ratios, and ECharts options for figures that are
not a report of the engine (reporting.charts.chart_for builds those)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone


def local_start(day: date) -> datetime:
    """The first moment of `day` in the brand's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def period_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """[start, end) of the inclusive local days date_from..date_to."""
    return local_start(date_from), local_start(date_to + timedelta(days=1))


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_add(day: date, months: int) -> date:
    """The first of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, later: date) -> int:
    """Whole calendar months from the month of `first` to the month of `later`."""
    return (later.year - first.year) * 12 + later.month - first.month


def ratio(part, whole, places: str = "0.01") -> Decimal | None:
    """part / whole rounded half up, or None when whole is zero (a figure that does not exist)."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def percent(part, whole) -> Decimal | None:
    """100 x part / whole to one decimal, or None when whole is zero."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _number(value):
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value


def bar_chart(*, title: str, categories: list[str], series: list[tuple[str, list]], kind: str = "bar",
              stack: bool = False) -> dict:
    """{"kind", "title", "option"} as reporting.charts.chart_for gives, for figures computed by an analysis:
    one category axis, one series per (name, values)."""
    if not categories:
        return {"kind": "none", "title": title, "option": {}}
    option = {"tooltip": {"trigger": "axis"}, "legend": {"type": "scroll", "top": 0},
              "grid": {"left": 8, "right": 8, "bottom": 8, "top": 36, "containLabel": True},
              "xAxis": {"type": "category", "data": categories}, "yAxis": {"type": "value"},
              "series": [{"name": name, "type": kind, "stack": "total" if stack else None,
                          "data": [_number(value) for value in values]} for name, values in series]}
    return {"kind": kind, "title": title, "option": option}


def pie_chart(*, title: str, items: list[tuple[str, object]]) -> dict:
    data = [{"name": name, "value": _number(value)} for name, value in items]
    if not any(item["value"] for item in data):
        return {"kind": "none", "title": title, "option": {}}
    option = {"tooltip": {"trigger": "item"}, "legend": {"type": "scroll", "top": 0},
              "series": [{"name": title, "type": "pie", "radius": ["35%", "65%"], "data": data}]}
    return {"kind": "pie", "title": title, "option": option}
