"""The finance section's tabs in the brand console (/console/finance/): one small registry, so that each finance
area adds its page's tab from its own views module, and the section shows only what exists and what the reader
may open.

    from tenant_apps.finance import tabs
    tabs.register("finance_console:receivables", _("Receivables"), FINANCE_VIEW, order=40)

A tab whose URL name does not reverse (its area is not installed in this tree) is not shown. The finance core's
own tabs are registered at the bottom of this module."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from tenant_apps.accounts.permissions import FINANCE_EDIT, FINANCE_VIEW, has_perm


@dataclass(frozen=True)
class Tab:
    url_name: str
    label: str
    capability: str
    order: int


_TABS: dict[str, Tab] = {}


def register(url_name: str, label, capability: str = FINANCE_VIEW, *, order: int = 100) -> None:
    """Add (or replace: registering twice is harmless) the tab of the page named `url_name`. `order` places it:
    the core's tabs are 0-30 and 90 (settings, last)."""
    _TABS[url_name] = Tab(url_name=url_name, label=label, capability=capability, order=order)


def registered() -> list[Tab]:
    return sorted(_TABS.values(), key=lambda tab: (tab.order, tab.url_name))


def tabs_for(request) -> list[dict]:
    """The tabs the reader may open, in order, each {"url", "label", "active"}: the one whose URL is the longest
    prefix of the current path is active (the home tab only on the home page itself)."""
    items = []
    for tab in registered():
        if not has_perm(request.user, tab.capability):
            continue
        try:
            url = reverse(tab.url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": tab.label, "url_name": tab.url_name})
    path, home = request.path, reverse("finance_console:home")

    def under(url: str) -> bool:
        return path == url or (url != home and path.startswith(url))

    longest = max((len(item["url"]) for item in items if under(item["url"])), default=0)
    for item in items:
        item["active"] = under(item["url"]) and len(item["url"]) == longest
    return items


register("finance_console:home", _("Overview"), FINANCE_VIEW, order=0)
register("finance_console:accounts", _("Dealer accounts"), FINANCE_VIEW, order=10)
register("finance_console:adjustments", _("Adjustments"), FINANCE_EDIT, order=20)
register("finance_console:settings", _("Finance settings"), FINANCE_VIEW, order=90)
