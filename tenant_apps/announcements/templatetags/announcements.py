"""`{% announcements_current %}`: the signed-in dealer's current announcements, for the storefront home."""

from __future__ import annotations

from django import template

from tenant_apps.announcements.selectors import announcements_for_dealer

register = template.Library()
HOME_COUNT = 3


@register.inclusion_tag("announcements/_home.html", takes_context=True)
def announcements_current(context):
    user = getattr(context.get("request"), "user", None)
    if user is None or not getattr(user, "is_dealer_staff", False) or not user.dealer_id:
        return {"rows": []}
    return {"rows": list(announcements_for_dealer(user.dealer, user=user)[:HOME_COUNT])}
