"""The brand console's navigation: one list, each page adds its entry as it comes into being."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str


NAV = [
    NavItem("console:home", _("Getting started")),
    NavItem("console:company", _("Company & branding")),
    NavItem("console:domains", _("Domains")),
]


def nav_for(request) -> list[dict]:
    path = request.path
    items = []
    for item in NAV:
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = path == url or (url != reverse("console:home") and path.startswith(url))
        items.append({"url": url, "label": item.label, "active": active})
    return items
