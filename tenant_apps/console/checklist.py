"""The getting-started checklist of the brand console: the steps a brand needs before its dealers can order.

Each step ticks when it is really done (one cheap query), links the page where it is done, and is shown only to
people who may do it there (the capability that page's form needs). Sign-up gives every workspace a warehouse, a
base price list and an approval workflow (tenants.workspace), so the steps ask for what only the brand can add.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tenant_apps.accounts.permissions import (
    APPROVALS_CONFIGURE,
    CATALOG_EDIT,
    DEALERS_CREATE,
    INVENTORY_EDIT,
    SETTINGS_EDIT,
    has_perm,
)


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    description: str
    url_name: str
    capability: str
    done: Callable[[object], bool]


def _model(label: str):
    return apps.get_model(label)


def _branded(tenant) -> bool:
    return bool(tenant.branding_saved_at or tenant.logo)


def _stocked(tenant) -> bool:
    return _model("inventory.Stock").objects.filter(on_hand__gt=0).exists()


def _priced(tenant) -> bool:
    """A SKU with a price in an active list."""
    return _model("pricing.PriceEntry").objects.filter(price_list__status="active").exists()


def _dealer_with_people(tenant) -> bool:
    """A dealer with at least one of its own people (who can sign in and order)."""
    users = _model("accounts.User").objects.filter(dealer=OuterRef("pk"))
    return _model("dealers.Dealer").objects.filter(Exists(users)).exists()


def _approval_set(tenant) -> bool:
    """Orders have a way to be approved: an active workflow with steps, or an active auto-approval rule."""
    return (_model("approvals.ApprovalStep").objects.filter(workflow__active=True).exists()
            or _model("approvals.AutoApprovalRule").objects.filter(active=True).exists())


STEPS = [
    Step("company", _("Company and logo"), _("Your name, logo and colour, shown to your dealers."),
         "console:company", SETTINGS_EDIT, _branded),
    Step("warehouse", _("Warehouse and stock"),
         _("Your main warehouse is ready: rename it if you like and receive the stock you ship."),
         "inventory:warehouses", INVENTORY_EDIT, _stocked),
    Step("products", _("Products with prices"),
         _("Add products and their SKUs, then price them in the base price list."),
         "catalog_console:products", CATALOG_EDIT, _priced),
    Step("dealers", _("Dealers and their people"),
         _("Add your dealers under headquarters or a region, then invite the people who order."),
         "dealers:list", DEALERS_CREATE, _dealer_with_people),
    Step("approval", _("Order approval"),
         _("Each order waits for your team to confirm it. Add approval steps, or approve small orders "
           "automatically."),
         "approvals:workflows", APPROVALS_CONFIGURE, _approval_set),
]


def checklist_for(tenant, *, user) -> list[dict]:
    """The steps this person may do, each with its page and whether it is done."""
    return [{"key": step.key, "label": step.label, "description": step.description, "url": reverse(step.url_name),
             "done": step.done(tenant)}
            for step in STEPS if has_perm(user, step.capability)]
