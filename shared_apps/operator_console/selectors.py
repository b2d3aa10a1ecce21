"""Reads of the operator console: the tenant list with filters, and a tenant's usage (live, counted in its
schema)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, QuerySet, Window
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.models import Tenant, TenantBackup


def tenant_list(*, q: str = "", status: str = "", plan: str = "", created_from: date | None = None,
                created_to: date | None = None) -> QuerySet[Tenant]:
    tenants = Tenant.objects.select_related("plan")
    if q:
        tenants = tenants.filter(
            Q(name__icontains=q) | Q(display_name__icontains=q) | Q(slug__icontains=q) | Q(domains__domain__icontains=q)
        ).distinct()
    if status:
        tenants = tenants.filter(status=status)
    if plan:
        tenants = tenants.filter(plan__code=plan)
    if created_from:
        tenants = tenants.filter(created_at__date__gte=created_from)
    if created_to:
        tenants = tenants.filter(created_at__date__lte=created_to)
    return tenants


def _table_count(table: str, where: str = "", params=()) -> int | None:
    """Rows of a table in the current schema, or None while the app that owns it does not exist yet."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)} {where}", params)  # noqa: S608
        return cursor.fetchone()[0]


def _media_bytes(schema_name: str) -> int:
    root = Path(settings.MEDIA_ROOT) / schema_name
    total = 0
    for folder, _dirs, files in os.walk(root):
        total += sum((Path(folder) / name).stat().st_size for name in files)
    return total


def tenant_usage(tenant: Tenant) -> dict:
    """Users, dealers, SKUs, orders this month and storage of one tenant (None: not tracked yet)."""
    month_start = timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    with schema_context(tenant.schema_name):
        usage = {
            "users": _table_count("accounts_user", "WHERE role <> 'support'"),
            "dealers": _table_count("dealers_dealer"),
            "skus": _table_count("catalog_sku"),
            "orders_this_month": _table_count("ordering_order", "WHERE created_at >= %s", [month_start]),
        }
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind IN ('r', 'm')",
                [tenant.schema_name],
            )
            usage["database_bytes"] = cursor.fetchone()[0]
    usage["media_bytes"] = _media_bytes(tenant.schema_name)
    return usage


def tenant_limit_usage(usage: dict) -> dict[str, int | None]:
    """A tenant's live usage (tenant_usage) as billing's resources (billing_saas.models.Resource values): what its
    plan's limits are compared with. File storage is the tenant's uploaded files, in MB rounded up."""
    media = usage.get("media_bytes")
    return {
        "dealers": usage.get("dealers"), "users": usage.get("users"), "skus": usage.get("skus"),
        "orders_month": usage.get("orders_this_month"),
        "storage_mb": None if media is None else -(-media // (1024 * 1024)),
    }


BACKUPS_SHOWN = 20


@dataclass(frozen=True)
class BackupRow:
    backup: TenantBackup
    rows: int  # every table's rows together, from the backup's summary
    files: int
    sha256_short: str
    archive: str  # the archive's file name (its storage name's last part)


@dataclass(frozen=True)
class TenantBackups:
    rows: list[BackupRow]
    older: int  # backups not shown (older than the last one shown)


def tenant_backups(tenant: Tenant, *, limit: int = BACKUPS_SHOWN) -> TenantBackups:
    """A tenant's backups, newest first, at most `limit`, and how many older ones there are: one query whatever
    the number (the total comes with each row, as a window count)."""
    backups = list(TenantBackup.objects.filter(tenant=tenant).order_by("-created_at", "-id")
                   .annotate(total=Window(Count("id")))[:limit])
    rows = []
    for backup in backups:
        summary = backup.summary if isinstance(backup.summary, dict) else {}
        counts = summary.get("rows") if isinstance(summary.get("rows"), dict) else {}
        rows.append(BackupRow(backup=backup, rows=sum(int(n or 0) for n in counts.values()),
                              files=int(summary.get("files") or 0), sha256_short=backup.sha256[:12],
                              archive=backup.storage_name.rsplit("/", 1)[-1]))
    return TenantBackups(rows=rows, older=backups[0].total - len(backups) if backups else 0)


@dataclass(frozen=True)
class FleetHealth:
    migrations: object  # tenants.selectors_fleet.MigrationState
    pool: dict
    statuses: dict
    outbox_lag: dict | None  # {"seconds", "at"} as last sampled, None before the first sample
    task_failures: list  # [(task name, {count, last_at, error})], most failures first
    busiest: list
    statements: object  # tenants.selectors_fleet.SlowStatements


def fleet_health() -> FleetHealth:
    """What the fleet health page shows, in a fixed number of queries whatever the number of tenants (each part is
    one catalog or public-schema query; the outbox lag and task failures come from the platform cache)."""
    from dms.metrics import outbox_lag_sample, task_failures
    from tenants import selectors_fleet as fleet

    failures = sorted(task_failures().items(), key=lambda item: (-item[1]["count"], item[0]))
    return FleetHealth(migrations=fleet.migration_state(), pool=fleet.pool_counts(),
                       statuses=fleet.tenants_by_status(), outbox_lag=outbox_lag_sample(), task_failures=failures,
                       busiest=fleet.busiest_schemas(limit=10), statements=fleet.slowest_statements(limit=10))
