"""When a schedule runs next: at `hour` o'clock in the workspace's time zone, every day, on a weekday or on a day
of the month (1-28, which every month has)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour=hour)))


def _month_day(day: date, months: int, day_of_month: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, day_of_month)


def next_run(*, frequency: str, hour: int, weekday: int | None, day_of_month: int | None,
             after: datetime) -> datetime:
    """The first run strictly after `after`."""
    local = timezone.localtime(after)
    today = local.date()
    if frequency == "weekly":
        day = today + timedelta(days=(weekday - today.weekday()) % 7)
        candidate = _at(day, hour)
        return candidate if candidate > after else _at(day + timedelta(days=7), hour)
    if frequency == "monthly":
        candidate = _at(_month_day(today, 0, day_of_month), hour)
        return candidate if candidate > after else _at(_month_day(today, 1, day_of_month), hour)
    candidate = _at(today, hour)
    return candidate if candidate > after else _at(today + timedelta(days=1), hour)
