from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def pct(value) -> str:
    """A fraction as a percentage with one decimal ("12.3%"); a dash when there is none."""
    if value is None or value == "":
        return "—"
    return f"{number_format(100 * float(value), 1)}%"


@register.filter
def qty(value) -> str:
    """An expected quantity, to one decimal."""
    return number_format(float(value), 1)
