"""A workspace put on a plan as the operator would (billing's service: the subscription, mirrored on the tenant)."""

from __future__ import annotations

from django.db import connection

from billing_saas import services
from billing_saas.models import Plan


def on_plan(tenant, code: str):
    """Put `tenant` on the plan `code` now; the tenant object (and the connection's, when it is this one) sees it."""
    services.subscription_plan_set(actor=None, subscription=tenant.subscription, plan=Plan.objects.get(code=code),
                                   reason="test")
    tenant.refresh_from_db()
    current = getattr(connection, "tenant", None)
    if current is not None and current is not tenant and getattr(current, "pk", None) == tenant.pk:
        current.refresh_from_db()
    return tenant
