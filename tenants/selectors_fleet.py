"""Reads over the whole fleet of tenant schemas, for metrics (dms.metrics) and the operator console's health page.

Each costs a fixed number of queries whatever the number of tenants, and none visits each schema's tables at request
time (a backend that touches a thousand schemas keeps their relations cached: docs/dev/scale-out.md). What needs a
look into every schema (the outbox lag) is sampled by a periodic task in chunks instead.

Migration versions: the exact state of a schema is the set of rows of its django_migrations. Comparing that set per
schema at 1,000 schemas means 1,000 table reads on every page view, so the default source reads the statistics
PostgreSQL already keeps: the number of live rows of each schema's django_migrations (pg_stat_user_tables), one
catalog query for the fleet, grouped by that count and compared with the template schema's. It is an estimate (the
counters are PostgreSQL's cumulative statistics: exact after each insert, lost on a statistics reset, when a schema
shows as "unknown"). A source that records each schema's migration state exactly (a version per schema, failures
with their error) replaces it by `migration_source_register` at start-up; the page shows which source answered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _

from tenants import schemas
from tenants.models import PooledSchema, Tenant

logger = logging.getLogger(__name__)

OUTBOX_TABLE = "events_outboxevent"  # tenant_apps.events.models.OutboxEvent (its partial index of pending rows)
LAG_CHUNK = 200  # schemas per query: each locks its tables and index, within max_locks_per_transaction


def pool_counts() -> dict[str, int]:
    """Warm-pool schemas of the running code's migrations (ready) and of older ones (stale). One query."""
    from django.db.models import Count, Q

    version = schemas.code_version()
    counts = PooledSchema.objects.aggregate(ready=Count("id", filter=Q(version=version)),
                                            stale=Count("id", filter=~Q(version=version)))
    return {"ready": counts["ready"], "stale": counts["stale"]}


def tenants_by_status() -> dict[str, int]:
    """{status: tenants}. One query."""
    from django.db.models import Count

    rows = Tenant.objects.exclude(schema_name="public").values_list("status").annotate(n=Count("id")).order_by()
    return dict(rows)


def _tenant_schemas_with(table: str) -> list[str]:
    """Tenant schemas (of the Tenant table) that hold `table`. One catalog query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.schema_name FROM tenants_tenant t JOIN pg_namespace n ON n.nspname = t.schema_name "
            "JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = %s AND c.relkind = 'r' "
            "WHERE t.schema_name <> 'public' ORDER BY t.schema_name", [table])
        return [row[0] for row in cursor.fetchall()]


def outbox_lag_seconds() -> float:
    """Age in seconds of the oldest outbox event not yet relayed, over every tenant (0: none waiting).

    One catalog query, then one query per LAG_CHUNK schemas, each reading the first pending row of each schema by
    the outbox's partial index (an index probe per schema). For the periodic sample, not for a request."""
    connection.set_schema_to_public()
    names = _tenant_schemas_with(OUTBOX_TABLE)
    oldest = 0.0
    for start in range(0, len(names), LAG_CHUNK):
        chunk = names[start:start + LAG_CHUNK]
        parts = " UNION ALL ".join(
            f"(SELECT created_at FROM {schemas.quote(name)}.{OUTBOX_TABLE} "  # noqa: S608 - quoted schema names
            "WHERE relayed_at IS NULL ORDER BY id LIMIT 1)" for name in chunk)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0) FROM ({parts}) AS p")  # noqa: S608
            oldest = max(oldest, float(cursor.fetchone()[0]))
    return oldest


# --- migration versions -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VersionGroup:
    version: str  # what the source calls a version (the estimate: "<n> migrations")
    schemas: int
    current: bool  # the running code's (the template's) version
    examples: tuple[str, ...] = ()  # a few schema names of the group
    label: str = ""  # what the page shows instead of `version` (a state rather than a fingerprint)


@dataclass(frozen=True)
class FailedMigration:
    schema_name: str
    migration: str
    error: str


@dataclass(frozen=True)
class MigrationState:
    source: str  # "statistics" (the estimate below) or the registered source's name
    groups: list[VersionGroup]
    failed: list[FailedMigration] = field(default_factory=list)
    exact: bool = False  # False: counts of applied migrations, estimated from statistics


MigrationSource = Callable[[], MigrationState]
_SOURCES: list[MigrationSource] = []


def migration_source_register(source: MigrationSource) -> None:
    """Let an exact record of each schema's migrations (and failures) answer instead of the statistics."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def migration_state() -> MigrationState:
    if _SOURCES:
        return _SOURCES[-1]()
    return migration_state_from_statistics()


def migration_state_from_statistics(*, examples: int = 3) -> MigrationState:
    """Tenant schemas grouped by the number of rows in their django_migrations, from PostgreSQL's statistics. One
    query over the catalog (no tenant table is read)."""
    template = settings.TENANT_TEMPLATE_SCHEMA
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.n_live_tup, count(*), (array_agg(t.schema_name ORDER BY t.schema_name))[1:%s], "
            "bool_or(false) FROM tenants_tenant t JOIN pg_stat_user_tables s "
            "ON s.schemaname = t.schema_name AND s.relname = 'django_migrations' "
            "WHERE t.schema_name <> 'public' GROUP BY s.n_live_tup "
            "UNION ALL SELECT n_live_tup, 0, ARRAY[]::text[], true FROM pg_stat_user_tables "
            "WHERE schemaname = %s AND relname = 'django_migrations' ORDER BY 1 DESC",
            [examples, template])
        rows = cursor.fetchall()
    reference = next((count for count, _n, _names, is_template in rows if is_template), None)
    groups = [VersionGroup(version=str(count), schemas=n, current=reference is not None and count == reference,
                           examples=tuple(names))
              for count, n, names, is_template in rows if not is_template]
    return MigrationState(source="statistics", groups=groups)


def migration_state_recorded(*, examples: int = 3, failures: int = 50) -> MigrationState:
    """Tenant schemas grouped by what the fleet migration (tenants.fleet) and provisioning recorded of them
    (SchemaMigration: the fingerprint of the migrations a schema has, failures with their error), against the
    running code's fingerprint. Two queries. A fleet where nothing was recorded yet (never migrated by
    `platform_migrate`) falls back to the statistics' estimate."""
    from tenants.models import SchemaMigration

    table = SchemaMigration._meta.db_table
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(m.status, ''), COALESCE(m.version, ''), count(*), "  # noqa: S608 - our table
            f"(array_agg(t.schema_name ORDER BY t.schema_name))[1:%s] FROM tenants_tenant t "
            f"LEFT JOIN {table} m ON m.schema_name = t.schema_name WHERE t.schema_name <> 'public' "
            f"GROUP BY 1, 2 ORDER BY 3 DESC, 2",
            [examples])
        rows = cursor.fetchall()
        if not any(status for status, _v, _n, _names in rows):
            return migration_state_from_statistics(examples=examples)
        cursor.execute(
            f"SELECT m.schema_name, m.error FROM {table} m JOIN tenants_tenant t "  # noqa: S608 - our table
            f"ON t.schema_name = m.schema_name WHERE m.status = 'failed' ORDER BY m.updated_at DESC LIMIT %s",
            [failures])
        failed = cursor.fetchall()
    current = schemas.code_version()
    labels = {"failed": _("Failed"), "pending": _("Pending"), "": _("Not recorded yet")}
    groups = [VersionGroup(version=version[:12] if status == "done" else status or "unrecorded", schemas=n,
                           current=status == "done" and version == current, examples=tuple(names),
                           label="" if status == "done" else str(labels.get(status, status)))
              for status, version, n, names in rows]
    return MigrationState(source="recorded", exact=True, groups=groups,
                          failed=[FailedMigration(name, *_migration_and_error(error)) for name, error in failed])


def _migration_and_error(error: str) -> tuple[str, str]:
    """The fleet run writes "<app>.<migration>: <error>" (or just the error when it failed before a migration)."""
    head, sep, rest = error.partition(": ")
    if sep and "." in head and " " not in head:
        return head, rest
    return "", error


# --- load: busiest schemas and slowest statements ---------------------------------------------------------------

@dataclass(frozen=True)
class SchemaLoad:
    schema_name: str
    rows_read: int
    rows_written: int
    scans: int


def busiest_schemas(*, limit: int = 10) -> list[SchemaLoad]:
    """Tenant schemas by rows read and written since the statistics were reset (pg_stat_user_tables): one query over
    the catalog."""
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname, rows_read, rows_written, scans FROM ("
            "SELECT s.schemaname, sum(coalesce(s.seq_tup_read, 0) + coalesce(s.idx_tup_fetch, 0)) AS rows_read, "
            "sum(s.n_tup_ins + s.n_tup_upd + s.n_tup_del) AS rows_written, "
            "sum(coalesce(s.seq_scan, 0) + coalesce(s.idx_scan, 0)) AS scans "
            "FROM pg_stat_user_tables s JOIN tenants_tenant t ON t.schema_name = s.schemaname "
            "WHERE t.schema_name <> 'public' GROUP BY s.schemaname) AS load "
            "ORDER BY rows_read + rows_written DESC, schemaname LIMIT %s", [limit])
        return [SchemaLoad(name, int(read), int(written), int(scans)) for name, read, written, scans in cursor]


@dataclass(frozen=True)
class StatementTime:
    query: str
    calls: int
    mean_ms: float
    total_ms: float


@dataclass(frozen=True)
class SlowStatements:
    available: bool
    reason: str  # why not, when not available
    statements: list[StatementTime]


def slowest_statements(*, limit: int = 10) -> SlowStatements:
    """The statements with the most total time, from pg_stat_statements when it is installed and loaded.

    The extension does not record the search_path a statement ran under, so it cannot say which tenant a statement
    served: statements are fleet-wide here, tenants are ranked by busiest_schemas."""
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                       "WHERE e.extname = 'pg_stat_statements'")
        row = cursor.fetchone()
    if row is None:
        return SlowStatements(False, "not installed", [])
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT query, calls, mean_exec_time, total_exec_time FROM {schemas.quote(row[0])}.pg_stat_statements "  # noqa: S608, E501
                "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "ORDER BY total_exec_time DESC LIMIT %s", [limit])
            rows = cursor.fetchall()
    except DatabaseError as error:  # installed but not in shared_preload_libraries
        logger.info("pg_stat_statements unreadable", extra={"error": error.__class__.__name__})
        return SlowStatements(False, "not loaded", [])
    return SlowStatements(True, "", [StatementTime(query[:300], calls, round(mean, 2), round(total, 1))
                                     for query, calls, mean, total in rows])
