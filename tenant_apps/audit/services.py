from __future__ import annotations

from types import SimpleNamespace

from tenant_apps.audit.models import AuditEntry
from tenant_apps.core.text import SYSTEM_LABEL


def actor_label(actor) -> str:
    if actor is None:
        return SYSTEM_LABEL
    return getattr(actor, "email", None) or str(actor)


class Collection:
    """A whole collection as the target of an entry (the catalog imported, the dealers exported): a type and a
    key instead of an id. `label` reads like a model's (`catalog.catalog`, `dealers.dealer`)."""

    def __init__(self, label: str, key: str = ""):
        self._meta = SimpleNamespace(label_lower=label)
        self.pk = key


def person_label(actor) -> str:
    """How a person is shown to others in a timeline: their name, else their email (SYSTEM_LABEL for none)."""
    if actor is None:
        return SYSTEM_LABEL
    return (getattr(actor, "full_name", "") or "").strip() or actor_label(actor)


def dealer_of(target) -> int | None:
    """The dealer an entry about `target` concerns, read without a query: the dealer itself, a row with a
    `dealer_id` (an order, a cart, an address, a dealer's user), or a row whose order is loaded
    (a shipment)."""
    if target._meta.label_lower == "dealers.dealer":
        return target.pk if isinstance(target.pk, int) else None
    dealer_id = getattr(target, "dealer_id", None)
    if dealer_id is None:
        loaded = getattr(getattr(target, "_state", None), "fields_cache", {})
        if loaded.get("order") is not None:
            dealer_id = loaded["order"].dealer_id
        elif loaded.get("dealer") is not None:  # a dealer's node, with its dealer loaded
            dealer_id = loaded["dealer"].pk
    return dealer_id if isinstance(dealer_id, int) else None


def audit_entry(*, actor, action: str, target, before: dict | None = None, after: dict | None = None,
                reason: str = "", dealer_id: int | None = None) -> AuditEntry:
    """The audit entry of a change, not yet saved (written with the change's other rows, e.g. an order's
    submission writes everything in one statement: tenant_apps.core.bulk). `dealer_id` when the target does
    not say which dealer the change is about (dealer_of)."""
    return AuditEntry(
        action=action,
        actor_id=getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None,
        actor_label=actor_label(actor),
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        dealer_id=dealer_id if dealer_id is not None else dealer_of(target),
        before=before or {},
        after=after or {},
        reason=reason,
    )


def audit_entries_save(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Write many audit entries in one insert (entries made by audit_entry)."""
    return AuditEntry.objects.bulk_create(entries) if entries else []


def audit_record(*, actor, action: str, target, before: dict | None = None, after: dict | None = None,
                 reason: str = "", dealer_id: int | None = None) -> AuditEntry:
    """Write one audit entry; call it inside the transaction of the change it records."""
    entry = audit_entry(actor=actor, action=action, target=target, before=before, after=after, reason=reason,
                        dealer_id=dealer_id)
    entry.save(force_insert=True)
    return entry
