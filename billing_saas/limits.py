"""Plan limits: the one check that every creation of a limited resource goes through.

Today the numbers come from the tenant's plan (or the default plan); the billing issue will feed
subscriptions into the same check.
"""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing_saas.models import Plan
from tenant_apps.core.errors import Conflict


class PlanLimitReached(Conflict):
    code = "plan_limit_reached"


RESOURCE_NAMES = {"dealers": gettext_lazy("dealers"), "users": gettext_lazy("users")}


def _plan_for_current_schema() -> Plan | None:
    # Through the tenant's foreign key to its plan (Tenant.plan), read from this side: billing sits below the
    # tenant lifecycle and imports nothing of it.
    plan = Plan.objects.filter(tenant__schema_name=connection.schema_name).first()
    return plan if plan is not None else Plan.objects.filter(is_default=True).first()


def limit_check(*, resource: str, current: int, adding: int = 1) -> None:
    """Raise PlanLimitReached if `current + adding` exceeds the plan's limit for `resource`
    ("dealers" or "users"). `current` is counted by the caller (it owns the table)."""
    plan = _plan_for_current_schema()
    limit = getattr(plan, f"max_{resource}", None) if plan else None
    if limit is not None and current + adding > limit:
        raise PlanLimitReached(
            _("Your plan allows %(limit)s %(resource)s; you have %(current)s. Upgrade the plan to add more.")
            % {"limit": limit, "resource": RESOURCE_NAMES.get(resource, resource), "current": current}
        )
