from __future__ import annotations

from tenant_apps.audit.models import AuditEntry
from tenant_apps.core.text import SYSTEM_LABEL


def actor_label(actor) -> str:
    if actor is None:
        return SYSTEM_LABEL
    return getattr(actor, "email", None) or str(actor)


def person_label(actor) -> str:
    """How a person is shown to others in a timeline: their name, else their email (SYSTEM_LABEL for none)."""
    if actor is None:
        return SYSTEM_LABEL
    return (getattr(actor, "full_name", "") or "").strip() or actor_label(actor)


def audit_entry(*, actor, action: str, target, before: dict | None = None, after: dict | None = None,
                reason: str = "") -> AuditEntry:
    """The audit entry of a change, not yet saved (written with the change's other rows, e.g. an order's
    submission writes everything in one statement: tenant_apps.core.bulk)."""
    return AuditEntry(
        action=action,
        actor_id=getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None,
        actor_label=actor_label(actor),
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        before=before or {},
        after=after or {},
        reason=reason,
    )


def audit_record(*, actor, action: str, target, before: dict | None = None, after: dict | None = None,
                 reason: str = "") -> AuditEntry:
    """Write one audit entry; call it inside the transaction of the change it records."""
    entry = audit_entry(actor=actor, action=action, target=target, before=before, after=after, reason=reason)
    entry.save(force_insert=True)
    return entry
