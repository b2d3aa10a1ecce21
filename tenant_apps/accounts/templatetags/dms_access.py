"""Template side of accounts.access: links shown only to whoever may follow them."""

from __future__ import annotations

from django import template

from tenant_apps.accounts.access import may_open as _may_open

register = template.Library()


@register.filter
def may_open(user, page: str) -> bool:
    """`{% if request.user|may_open:"fulfillment:carriers" %}<a ...>{% endif %}`: a link only for whoever may
    open the page (accounts.access.may_open: the capability its view declares)."""
    return _may_open(user, page)
