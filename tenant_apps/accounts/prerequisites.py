"""What a console form needs to exist before it can be filled in, and the way back to the form.

A choice field whose options are things the brand makes (categories, units, regions, tiers, warehouses...)
carries a `Prerequisite` (`needs(field, CATEGORY)`). When its option set is empty, components/field.html
shows, instead of an empty select, what is missing and a link to the page that makes it, with `?next=` set
to the form's page; that page, after creating the thing, goes back there (`redirect_next`). The link is
shown only to users whose role may open that page; the others are told whom to ask. A required field left
empty says what to choose ("Choose a category.") instead of "This field is required.".

`next` is only ever a relative path on this host (`safe_next`): `//evil.com`, `https://evil.com` and
anything else that leaves the site are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django import forms
from django.apps import apps
from django.forms.models import ModelChoiceIterator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tenant_apps.accounts import permissions as perms
from tenant_apps.accounts.permissions import BRAND_ROLES, MATRIX, Role
from tenant_apps.core.text import words

NEXT = "next"


@dataclass(frozen=True)
class Prerequisite:
    """Something a field needs, and where it is made.

    missing: the sentence shown when there is none ("There are no product categories yet.").
    add: the link's text ("Add a category"); url_name: the page that makes it (None: no page does).
    capability: what the reader needs to open that page. fragment/query: where on that page.
    choose: the message of a required field left empty. model: "app.Model" whose rows are the options,
    for a field that is not a choice field (a SKU code typed by hand); else the field's own choices decide.
    """

    missing: str
    add: str = ""
    url_name: str | None = None
    capability: str = ""
    fragment: str = ""
    query: dict = field(default_factory=dict)
    choose: str = ""
    model: str = ""


CATEGORY = Prerequisite(
    missing=_("There are no product categories yet."), add=_("Add a category"),
    url_name="catalog_console:categories", capability=perms.CATALOG_EDIT, fragment="add",
    choose=_("Choose a product category."))
SERIES = Prerequisite(
    missing=_("There are no series yet."), add=_("Add a series"),
    url_name="catalog_console:series", capability=perms.CATALOG_EDIT, fragment="series-add")
UNIT = Prerequisite(
    missing=_("There are no units yet (such as piece, case, bottle)."), add=_("Add a unit"),
    url_name="catalog_console:series", capability=perms.CATALOG_EDIT, fragment="units",
    choose=_("Choose a unit."))
SKU = Prerequisite(
    missing=_("There are no SKUs yet: add a product and its SKUs first."), add=_("Add a product"),
    url_name="catalog_console:product-create", capability=perms.CATALOG_EDIT, model="catalog.Sku")
NETWORK_PLACE = Prerequisite(
    missing=_("There is no region yet to place a dealer under."), add=_("Add a region"),
    url_name="dealers:region-create", capability=perms.NETWORK_EDIT,
    choose=_("Choose where the dealer sits in the network."))
HEADQUARTERS = Prerequisite(
    missing=_("The network has no headquarters yet, so nothing can be placed under it."),
    choose=_("Choose where the region sits in the network."))
REGION = Prerequisite(
    missing=_("There are no regions yet."), add=_("Add a region"),
    url_name="dealers:region-create", capability=perms.NETWORK_EDIT)
TIER = Prerequisite(
    missing=_("There are no dealer tiers yet."), add=_("Add a tier"),
    url_name="dealers:settings", capability=perms.SETTINGS_EDIT, fragment="tier", query={"add": "tier"})
TERRITORY = Prerequisite(
    missing=_("There are no territories (sales areas) yet."), add=_("Add a territory"),
    url_name="dealers:settings", capability=perms.SETTINGS_EDIT, fragment="territory",
    query={"add": "territory"}, choose=_("Choose an area."))
QUALIFICATION_TYPE = Prerequisite(
    missing=_("There are no qualification types yet."), add=_("Add a qualification type"),
    url_name="dealers:settings", capability=perms.SETTINGS_EDIT, fragment="qualification-type",
    query={"add": "qualification_type"}, choose=_("Choose a qualification type."))
DEALER = Prerequisite(
    missing=_("There are no dealers yet."), add=_("Add a dealer"),
    url_name="dealers:create", capability=perms.DEALERS_CREATE, choose=_("Choose a dealer."))
DEALER_CODE = replace(DEALER, choose="", model="dealers.Dealer")  # a dealer code typed by hand
SALES_REP = Prerequisite(
    missing=_("Nobody has the sales representative role yet; invited people appear here once they accept."),
    add=_("Invite a sales representative"), url_name="accounts:people", capability=perms.USERS_INVITE,
    query={"role": Role.SALES_REP.value})
REGIONAL_MANAGER = Prerequisite(
    missing=_("Nobody has the regional manager role yet; invited people appear here once they accept."),
    add=_("Invite a regional manager"), url_name="accounts:people", capability=perms.USERS_INVITE,
    query={"role": Role.REGIONAL_MANAGER.value})
WAREHOUSE = Prerequisite(
    missing=_("There are no warehouses yet."), add=_("Add a warehouse"),
    url_name="inventory:warehouses", capability=perms.INVENTORY_EDIT, fragment="warehouse-add",
    choose=_("Choose a warehouse."))
CARRIER = Prerequisite(
    missing=_("There are no carriers yet, so shipments go as your own delivery."), add=_("Add a carrier"),
    url_name="fulfillment:carriers", capability=perms.SETTINGS_EDIT)

# For templates that render a select by hand: {% prerequisite_hint "carrier" as prerequisite %}.
BY_NAME = {"category": CATEGORY, "series": SERIES, "unit": UNIT, "sku": SKU, "network_place": NETWORK_PLACE,
           "region": REGION, "tier": TIER, "territory": TERRITORY, "qualification_type": QUALIFICATION_TYPE,
           "dealer": DEALER, "dealer_code": DEALER_CODE, "sales_rep": SALES_REP, "regional_manager": REGIONAL_MANAGER,
           "warehouse": WAREHOUSE, "carrier": CARRIER}


def needs(form_field: forms.Field, prerequisite: Prerequisite) -> forms.Field:
    """Mark a form field as needing `prerequisite` (use on a field declared on a form class)."""
    form_field.prerequisite = prerequisite
    if prerequisite.choose:
        form_field.error_messages = {**form_field.error_messages, "required": prerequisite.choose}
    return form_field


def options_missing(form_field: forms.Field, prerequisite: Prerequisite) -> bool:
    """True when the field has nothing to choose from: one query at most (an EXISTS)."""
    if prerequisite.model:
        return not apps.get_model(prerequisite.model)._default_manager.exists()
    choices = getattr(form_field, "choices", None)
    if choices is None:
        choices = getattr(form_field.widget, "choices", ())
    if isinstance(choices, ModelChoiceIterator):
        return not choices.queryset.exists()
    return not any(value not in ("", None) for value, _label in choices)


def roles_allowed(capability: str) -> list[str]:
    """Brand roles (not the platform's support) that hold `capability`, in the matrix's order of roles."""
    return [str(role.label) for role in Role
            if role in BRAND_ROLES and role != Role.SUPPORT and capability in MATRIX.get(role, ())]


def hint_for(prerequisite: Prerequisite, *, request, optional: bool) -> dict:
    """What a form shows in place of an empty field: the sentence, and the link back or whom to ask."""
    link = ""
    user = getattr(request, "user", None)
    if prerequisite.url_name and user is not None and perms.has_perm(user, prerequisite.capability):
        query = dict(prerequisite.query)
        query[NEXT] = request.get_full_path()
        link = f"{reverse(prerequisite.url_name)}?{urlencode(query)}"
        if prerequisite.fragment:
            link += f"#{prerequisite.fragment}"
    ask = ""
    if not link:
        roles = roles_allowed(prerequisite.capability) if prerequisite.url_name else []
        if user is not None and not perms.has_perm(user, perms.CONSOLE):  # a dealer's staff
            ask = gettext("Ask the brand you order from to set it up.")
        elif roles:
            ask = gettext("Ask someone who may add it: %(roles)s.") % {"roles": words(roles)}
        else:
            ask = gettext("Ask your administrator or the platform's support to set it up.")
    return {"missing": prerequisite.missing, "add": prerequisite.add, "link": link, "ask": ask,
            "optional": optional}


# --- the way back -------------------------------------------------------------------------------


def safe_next(request) -> str:
    """The `next` of the request (form field first, then query string) when it is a path on this site,
    else "". Absolute URLs, protocol-relative ones (//evil.com) and backslash tricks are refused."""
    candidate = request.POST.get(NEXT) or request.GET.get(NEXT) or ""
    if not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
        return ""
    if not url_has_allowed_host_and_scheme(candidate, allowed_hosts=set(), require_https=request.is_secure()):
        return ""
    return candidate


def redirect_next(request, to, *args, **kwargs):
    """Redirect to the request's safe `next` if it has one, else to `to` (as django.shortcuts.redirect)."""
    back = safe_next(request)
    return redirect(back) if back else redirect(to, *args, **kwargs)
