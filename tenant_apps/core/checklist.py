"""The first-run checklist of the brand console. Each later capability adds its step's page and test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    description: str
    url_name: str
    done: Callable[[object], bool]


def _exists(app_label: str, model: str) -> bool:
    """Whether the current tenant has any row of this model yet (one cheap query)."""
    return apps.get_model(app_label, model).objects.exists()


STEPS = [
    Step("company", _("Company profile and branding"), _("Your name, logo and colour, shown to your dealers."),
         "console:company", lambda tenant: bool(tenant.display_name and (tenant.logo or tenant.primary_colour != "#1F6FEB"))),
    Step("warehouse", _("Your first warehouse"), _("Where your stock ships from."),
         "inventory:warehouses", lambda tenant: _exists("inventory", "Warehouse")),
    Step("products", _("Your first products"), _("Categories, products and SKUs your dealers can order."),
         "catalog_console:products", lambda tenant: _exists("catalog", "Sku")),
    Step("dealers", _("Invite your dealers"), _("Your dealer network and the people who order."),
         "dealers:list", lambda tenant: _exists("dealers", "Dealer")),
]


def checklist_for(tenant) -> list[dict]:
    rows = []
    for step in STEPS:
        try:
            url = reverse(step.url_name)
        except NoReverseMatch:
            url = None  # the page comes with a later release
        rows.append({"key": step.key, "label": step.label, "description": step.description, "url": url,
                     "done": step.done(tenant)})
    return rows
