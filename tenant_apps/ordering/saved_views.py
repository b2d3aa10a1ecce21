"""Write use cases of the console order list's saved views (a named set of filters shown as a tab): save one
(a name the owner already used is replaced), delete one. Only its owner changes a view; a shared view is
offered to all of the brand's staff, each still reading only the orders of their own data scope."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import SimpleNamespace

from django.db import transaction
from django.utils.translation import gettext as _

from tenant_apps.audit.services import audit_record
from tenant_apps.ordering.errors import SavedViewInvalid
from tenant_apps.ordering.filters import VIEW_KEYS, OrderFilter
from tenant_apps.ordering.models import SavedOrderView

logger = logging.getLogger(__name__)
MAX_NAME = 60
MAX_VIEWS = 50  # per person




def order_filter_for(*, actor, data: Mapping) -> OrderFilter:
    """The order list's filters read from `data` as `actor` may use them (choices in the actor's scope)."""
    return OrderFilter(data, request=SimpleNamespace(user=actor))


def view_params(data: Mapping) -> dict[str, str]:
    """The filter parameters of a request (a QueryDict or a dict) that a view keeps, without empty ones."""
    return {key: str(data.get(key)).strip()[:100] for key in VIEW_KEYS if str(data.get(key) or "").strip()}


@transaction.atomic
def saved_order_view_save(*, actor, name: str, params: Mapping, shared: bool = False) -> SavedOrderView:
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the view a name.")]
    elif len(name) > MAX_NAME:
        errors["name"] = [_("At most %(max)s characters.") % {"max": MAX_NAME}]
    kept = view_params(params)
    filters = order_filter_for(actor=actor, data=kept)
    if not filters.is_valid():
        errors.update({field: [str(message) for message in messages] for field, messages in filters.errors.items()})
    if not errors and not SavedOrderView.objects.filter(owner=actor, name=name).exists() \
            and SavedOrderView.objects.filter(owner=actor).count() >= MAX_VIEWS:
        errors["name"] = [_("You have %(max)s saved views; delete one first.") % {"max": MAX_VIEWS}]
    if errors:
        raise SavedViewInvalid(_("The view could not be saved."), fields=errors)
    before = SavedOrderView.objects.filter(owner=actor, name=name).values("params", "shared").first()
    view, created = SavedOrderView.objects.update_or_create(owner=actor, name=name,
                                                            defaults={"params": kept, "shared": bool(shared)})
    audit_record(actor=actor, action="ordering.saved_view.saved", target=view, before=before,
                 after={"name": name, "params": kept, "shared": view.shared})
    logger.info("ordering.saved_view.saved", extra={"view_id": view.pk, "new": created, "shared": view.shared})
    return view


@transaction.atomic
def saved_order_view_delete(*, actor, view: SavedOrderView) -> None:
    """Delete `view` (the caller found it through selectors.saved_order_view_get_for, which checks the owner)."""
    if view.owner_id != actor.pk:
        raise SavedViewInvalid(_("Only the person who saved a view can delete it."))
    audit_record(actor=actor, action="ordering.saved_view.deleted", target=view,
                 before={"name": view.name, "params": view.params, "shared": view.shared})
    SavedOrderView.objects.filter(pk=view.pk).delete()
    logger.info("ordering.saved_view.deleted", extra={"view_id": view.pk})
