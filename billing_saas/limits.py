"""The one check every limited creation and every plan feature goes through, and the read-only switch.

The plan is the tenant's (mirrored on the tenant row from its subscription), read without a query on a request:
plans are kept per process for PLAN_CACHE_SECONDS and forgotten when one is saved. Over a limit, a feature not in
the plan, or a workspace made read-only by billing: a domain error whose message says what and links to the plan
page (UPGRADE_PATH: pages show it beside the message; the API's message says where); never a silent failure."""

from __future__ import annotations

import time

from django.conf import settings
from django.utils.translation import gettext as _
from django_tenants.utils import get_tenant_model

from billing_saas.errors import FeatureNotInPlan, PlanLimitReached, WorkspaceReadOnly
from billing_saas.models import Feature, Plan, Resource
from tenant_apps.core.workspace import connection_tenant

__all__ = ["PlanLimitReached", "FeatureNotInPlan", "WorkspaceReadOnly", "limit_check", "feature_check",
           "feature_enabled", "writable_check", "current_plan", "limit_of", "read_only_message", "UPGRADE_PATH"]

UPGRADE_PATH = "/console/billing/"
RESOURCE_NAMES = {resource.value: resource.label for resource in Resource}
_PLANS: dict[int, tuple[float, Plan]] = {}


def plans_forget(**_ignored) -> None:
    _PLANS.clear()


def _connection_tenant():
    """The connection's brand (core.workspace), or None on the public or template schema (the default plan)."""
    try:
        return connection_tenant()
    except get_tenant_model().DoesNotExist:
        return None


def current_plan(tenant=None) -> Plan | None:
    """The plan of `tenant` (default: the brand whose schema the connection is on); the default plan for a tenant
    without one."""
    tenant = tenant if tenant is not None else _connection_tenant()
    plan_id = getattr(tenant, "plan_id", None)
    if plan_id is None:
        return Plan.objects.filter(is_default=True).first()
    kept = _PLANS.get(plan_id)
    ttl = getattr(settings, "PLAN_CACHE_SECONDS", 30)
    if kept is not None and time.monotonic() - kept[0] < ttl:
        return kept[1]
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is not None:
        _PLANS[plan_id] = (time.monotonic(), plan)
    return plan


def limit_check(*, resource: str, current: int, adding: int = 1) -> None:
    """Raise PlanLimitReached if `current + adding` exceeds the plan's limit for `resource` (a Resource value).
    `current` is counted by the caller (it owns the table); callers may skip counting when `limit_of` is None."""
    plan = current_plan()
    limit = plan.limit(resource) if plan else None
    if limit is not None and current + adding > limit:
        values = {"limit": limit, "resource": RESOURCE_NAMES.get(resource, resource), "current": current,
                  "adding": adding, "path": UPGRADE_PATH}
        if adding > 1:  # a batch (an import): all of it or none
            raise PlanLimitReached(_("Your plan allows %(limit)s %(resource)s; you have %(current)s and this would add "
                                     "%(adding)s. Upgrade the plan to add more: %(path)s") % values)
        raise PlanLimitReached(
            _("Your plan allows %(limit)s %(resource)s; you have %(current)s. Upgrade the plan to add more: %(path)s")
            % values)


def limit_of(resource: str) -> int | None:
    """The plan's limit for `resource` (None: unlimited), for callers whose count costs a query."""
    plan = current_plan()
    return plan.limit(resource) if plan else None


def feature_enabled(feature: str, *, tenant=None) -> bool:
    """Whether the plan (of `tenant`, default the connection's) has `feature`: code that is not built yet
    (multi_tier, advanced_reports) asks this before it offers itself."""
    plan = current_plan(tenant)
    return bool(plan and plan.has(feature))


def feature_check(feature: str, *, tenant=None) -> None:
    """Raise FeatureNotInPlan (402) unless the plan (of `tenant`, default the connection's) has `feature`."""
    if not feature_enabled(feature, tenant=tenant):
        raise FeatureNotInPlan(
            _("%(feature)s is not in your plan. Upgrade the plan to use it: %(path)s")
            % {"feature": Feature(feature).label, "path": UPGRADE_PATH})


def read_only_message() -> str:
    return _("This workspace is read-only until its subscription is paid: everything can be seen, but nothing new "
             "can be created or changed. The owner can pay on the plan page: %(path)s") % {"path": UPGRADE_PATH}


def writable_check(tenant=None) -> None:
    """Raise WorkspaceReadOnly (402) when billing has made the workspace read-only (unpaid, cancelled)."""
    tenant = tenant if tenant is not None else _connection_tenant()
    if getattr(tenant, "billing_state", "") == "read_only":
        raise WorkspaceReadOnly(read_only_message())
