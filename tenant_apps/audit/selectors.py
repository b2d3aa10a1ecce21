"""Reads of the audit log, in the reader's data scope.

A reader whose scope is the whole network reads every entry; a reader with a narrower scope (a regional
manager: their part of the network) reads the entries about the dealers they see (`AuditEntry.dealer_id`: an
order's, a cart's, the dealer's own), never the brand-wide ones (catalog, settings, everyone's prices). Dealer
staff and sales reps have no capability to read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery

from tenant_apps.accounts.permissions import Scope, scope_of
from tenant_apps.audit.models import AuditEntry
from tenant_apps.dealers.models import Dealer
from tenant_apps.dealers.selectors import dealers_visible_to


@dataclass(frozen=True)
class AuditFilters:
    app: str = ""  # the action's first word (ordering)
    subject: str = ""  # what the action is about, as a prefix (ordering.order.)
    action: str = ""  # a prefix of the action (ordering.order, ordering.order.submitted)
    actor: str = ""  # part of the actor's email or name as recorded
    target_type: str = ""  # ordering.order
    target_id: str = ""
    dealer_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def audit_entries_visible_to(actor) -> QuerySet[AuditEntry]:
    """The entries `actor` may read (see the module), newest first."""
    entries = AuditEntry.objects.order_by("-created_at", "-id")
    if scope_of(actor) == Scope.ALL:
        return entries
    return entries.filter(dealer_id__in=dealers_visible_to(actor).values("pk"))


def audit_entry_list(*, actor, filters: AuditFilters = AuditFilters()) -> QuerySet[AuditEntry]:
    """The entries `actor` may read narrowed by `filters`, with the dealer's name (one query per page)."""
    entries = audit_entries_visible_to(actor)
    if filters.app:
        entries = entries.filter(action__startswith=f"{filters.app}.")
    if filters.subject:
        entries = entries.filter(action__startswith=filters.subject)
    if filters.action:
        entries = entries.filter(action__startswith=filters.action)
    if filters.actor:
        entries = entries.filter(actor_label__icontains=filters.actor)
    if filters.target_type:
        entries = entries.filter(target_type=filters.target_type)
    if filters.target_id:
        entries = entries.filter(target_id=filters.target_id)
    if filters.dealer_id is not None:
        entries = entries.filter(dealer_id=filters.dealer_id)
    if filters.date_from:
        entries = entries.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        entries = entries.filter(created_at__date__lte=filters.date_to)
    dealer = Dealer.objects.filter(pk=OuterRef("dealer_id"))
    return entries.annotate(dealer_name=Subquery(dealer.values("name")[:1]),
                            dealer_code=Subquery(dealer.values("code")[:1]))
