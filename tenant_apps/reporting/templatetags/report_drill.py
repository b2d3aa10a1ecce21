"""`{{ row|drill_url:drill }}`: the URL a report row drills down to (reporting.charts.Drill), "" without one."""

from django import template

register = template.Library()


@register.filter
def drill_url(row, drill) -> str:
    return drill(row) if callable(drill) else ""
