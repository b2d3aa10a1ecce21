"""Template side of accounts.prerequisites: the hint shown in place of an empty choice field, and `next`."""

from __future__ import annotations

from django import template
from django.forms import BoundField

from tenant_apps.accounts.prerequisites import BY_NAME, hint_for, options_missing, safe_next

register = template.Library()


@register.simple_tag(takes_context=True)
def prerequisite_hint(context, target, optional=False):
    """For a bound field that carries a prerequisite (accounts.prerequisites.needs): its hint when it has
    nothing to choose from, else None. For a name from accounts.prerequisites.BY_NAME (a select written by
    hand, whose template has already found it empty): its hint."""
    request = context.get("request")
    if isinstance(target, BoundField):
        prerequisite = getattr(target.field, "prerequisite", None)
        if prerequisite is None or not options_missing(target.field, prerequisite):
            return None
        return hint_for(prerequisite, request=request, optional=not target.field.required)
    return hint_for(BY_NAME[target], request=request, optional=optional)


@register.simple_tag(takes_context=True)
def next_path(context) -> str:
    """The request's `next`, when it is a path on this site (accounts.prerequisites.safe_next), else ""."""
    request = context.get("request")
    return safe_next(request) if request is not None else ""
