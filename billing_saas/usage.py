"""What a workspace uses of each limited resource, counted by the app that owns it.

billing_saas sits below the tenant apps and imports none of them, so each owning app registers its counter in its
AppConfig.ready() (`meter_register`): dealers (not terminated), users (active, not support), SKUs (catalog), orders
this month (ordering), file storage (tenants: the workspace's media folders). A counter runs in the connection's
schema and costs one query (storage: one walk of the workspace's files).

- `usage_now()`: every resource's use in the current schema (the brand's own page, the periodic measurement).
- `usage_report(usage=..., plan=...)`: rows of (resource, label, used, limit, percent, near, over) for the brand's
  plan page and the operator's fleet view (`usage_stored` gives the last measurement of a tenant).
- `storage_check(adding_bytes=...)`: the limit check of every upload, in bytes (the plan counts whole MB).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from django.utils.translation import gettext as _

from billing_saas.errors import PlanLimitReached
from billing_saas.limits import UPGRADE_PATH, current_plan, limit_check, limit_of
from billing_saas.models import Plan, Resource, Usage
from billing_saas.selectors import UsageRow, usage_rows
from billing_saas.services import usage_record
from tenant_apps.core.workspace import connection_tenant

MB = 1024 * 1024
# storage is metered in bytes (the upload check needs them) and reported in whole MB, rounded up
_IN_BYTES = {Resource.STORAGE_MB.value}
_METERS: dict[str, Callable[[], int]] = {}


def meter_register(resource: str, counter: Callable[[], int]) -> None:
    """`counter()` counts `resource` (a Resource value) in the connection's schema (storage_mb: in bytes).
    Called by the owning app's AppConfig.ready(); registering again replaces the counter."""
    if resource not in Resource.values:
        raise ValueError(f"unknown resource {resource!r}")
    _METERS[resource] = counter


def meter(resource: str):
    """Decorator form of `meter_register`."""

    def register(counter: Callable[[], int]) -> Callable[[], int]:
        meter_register(resource, counter)
        return counter

    return register


def usage_of(resource: str) -> int:
    """One resource's use in the connection's schema (storage in whole MB, rounded up); 0 with no counter."""
    counter = _METERS.get(resource)
    if counter is None:
        return 0
    used = counter()
    return math.ceil(used / MB) if resource in _IN_BYTES else used


def usage_now() -> dict[str, int]:
    """Every limited resource's use in the connection's schema: {"dealers": 12, ..., "storage_mb": 3}."""
    return {resource.value: usage_of(resource.value) for resource in Resource}


def usage_report(*, usage: dict[str, int] | None = None, plan: Plan | None = None) -> list[UsageRow]:
    """Each limited resource with its use beside `plan`'s limit (default: the connection's workspace, measured
    now, on its plan). The operator passes a tenant's stored usage (`usage_stored`) and its plan."""
    usage = usage_now() if usage is None else usage
    return usage_rows(current_plan() if plan is None else plan,
                      {resource.value: int(usage.get(resource.value) or 0) for resource in Resource})


def usage_stored(tenant_id: int) -> dict[str, int] | None:
    """The last measurement of a tenant (the periodic task's), or None if it was never measured."""
    row = Usage.objects.filter(tenant_id=tenant_id).first()
    if row is None:
        return None
    return {resource.value: getattr(row, resource.value) for resource in Resource}


def storage_check(*, adding_bytes: int) -> None:
    """Raise PlanLimitReached if storing `adding_bytes` more would pass the plan's file storage. Free (no walk of
    the files) when the plan's storage is unlimited."""
    limit = limit_of(Resource.STORAGE_MB)
    counter = _METERS.get(Resource.STORAGE_MB.value)
    if limit is None or adding_bytes <= 0 or counter is None:
        return
    used = counter()
    if used + adding_bytes > limit * MB:
        raise PlanLimitReached(
            _("Your plan allows %(limit)s MB of file storage; %(used)s MB are used and this upload needs %(adding)s "
              "MB. Upgrade the plan to store more: %(path)s")
            % {"limit": limit, "used": math.ceil(used / MB), "adding": math.ceil(adding_bytes / MB),
               "path": UPGRADE_PATH})


def usage_limit_check(*, resource: str, adding: int = 1) -> None:
    """`limits.limit_check` with the resource counted by its registered meter, and only when the plan limits it
    (an unlimited plan pays no count)."""
    if limit_of(resource) is None:
        return
    limit_check(resource=resource, current=usage_of(resource), adding=adding)


def usage_measure() -> Usage:
    """Measure the connection's workspace now and store it for the operator (services.usage_record)."""
    return usage_record(tenant_id=connection_tenant().pk, usage=usage_now())
