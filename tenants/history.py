"""A tenant's own history (TenantStatusChange, in the public schema): every change to a workspace made by its
operators, its brand staff on the platform's side (branding, domains) or the system."""

from __future__ import annotations

from tenants.models import Tenant, TenantStatusChange


def actor_label(actor) -> str:
    """An operator's or brand user's email, or the name of a system actor ("signup", "system", a command)."""
    if actor is None:
        return "system"
    return getattr(actor, "email", None) or str(actor)


def tenant_history_record(*, actor, tenant: Tenant, action: str, reason: str = "",
                          from_status: str | None = None, to_status: str | None = None,
                          before: dict | None = None, after: dict | None = None) -> TenantStatusChange:
    """Write one entry of the tenant's history; call it inside the transaction of the change. The status
    columns default to the tenant's status now (a change that is not a status change)."""
    return TenantStatusChange.objects.create(
        tenant=tenant, action=action, from_status=tenant.status if from_status is None else from_status,
        to_status=tenant.status if to_status is None else to_status, reason=reason, actor=actor_label(actor),
        before=before or {}, after=after or {},
    )
