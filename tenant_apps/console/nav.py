"""The brand console's navigation: one list, each page adds its entry as it comes into being."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from tenant_apps.accounts.permissions import (
    AUDIT_VIEW,
    BILLING_MANAGE,
    CATALOG_VIEW,
    DEALERS_VIEW,
    FINANCE_VIEW,
    FULFILLMENT_SHIP,
    INVENTORY_VIEW,
    ORDERS_APPROVE,
    ORDERS_VIEW,
    PRICING_VIEW,
    PROMOTIONS_VIEW,
    RECEIVABLES_VIEW,
    REPORTS_VIEW,
    RETURNS_DECIDE,
    SETTINGS_EDIT,
    SUPPLIERS_MANAGE,
    USERS_VIEW,
    WORKSPACE_EXPORT,
    has_perm,
)


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    capability: str | None = None  # shown only to users who have it (the view checks it anyway)


NAV = [
    NavItem("console:home", _("Getting started")),
    NavItem("dealers:list", _("Dealer network"), DEALERS_VIEW),
    NavItem("catalog_console:products", _("Catalog"), CATALOG_VIEW),
    NavItem("inventory:warehouses", _("Stock"), INVENTORY_VIEW),
    NavItem("pricing_console:lists", _("Prices"), PRICING_VIEW),
    NavItem("promotions_console:list", _("Promotions"), PROMOTIONS_VIEW),
    NavItem("announcements_console:list", _("Announcements"), PROMOTIONS_VIEW),
    NavItem("recommendations_console:settings", _("Recommendations"), SETTINGS_EDIT),
    NavItem("orders_console:board", _("Orders"), ORDERS_VIEW),
    NavItem("fulfillment:home", _("Fulfilment"), FULFILLMENT_SHIP),
    NavItem("fulfillment:returns", _("Returns"), RETURNS_DECIDE),
    NavItem("approvals:inbox", _("Approvals"), ORDERS_APPROVE),
    NavItem("finance_console:home", _("Finance"), FINANCE_VIEW),
    NavItem("finance_console:receivables", _("Receivables"), RECEIVABLES_VIEW),
    NavItem("reporting:dashboard", _("Reports"), REPORTS_VIEW),
    NavItem("reporting:builder", _("Saved reports"), REPORTS_VIEW),
    NavItem("forecasting:accuracy", _("Demand forecasts"), INVENTORY_VIEW),
    NavItem("replenishment_console:dealers", _("Replenishment"), DEALERS_VIEW),
    NavItem("accounts:people", _("People"), USERS_VIEW),
    NavItem("audit:list", _("Audit log"), AUDIT_VIEW),
    NavItem("console:company", _("Company & branding"), SETTINGS_EDIT),
    NavItem("console:domains", _("Domains"), SETTINGS_EDIT),
    NavItem("console:billing", _("Plan and billing"), BILLING_MANAGE),
    NavItem("console:data-export", _("Export all data"), WORKSPACE_EXPORT),
    NavItem("dealers:settings", _("Network settings"), SETTINGS_EDIT),
    NavItem("console:suppliers", _("Suppliers"), SUPPLIERS_MANAGE),
    NavItem("webhooks:list", _("Webhooks"), SETTINGS_EDIT),
    NavItem("integrations:keys", _("API keys"), SETTINGS_EDIT),
    NavItem("accounts:security", _("Sign-in security")),
]


def nav_for(request) -> list[dict]:
    path = request.path
    home = reverse("console:home")
    items = []
    for item in NAV:
        if item.capability and not has_perm(request.user, item.capability):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": item.label,
                      "active": path == url or (url != home and path.startswith(url))})
    # Nested sections (/console/network/ and /console/network/settings/): the longest match is active.
    longest = max((len(item["url"]) for item in items if item["active"]), default=0)
    for item in items:
        item["active"] = item["active"] and len(item["url"]) == longest
    return items
