"""Fleet migrations: every schema of the platform brought to the code's migrations, in parallel, resumably.

django-tenants' `migrate_schemas` runs Django's whole `migrate` command once per schema: it loads the migration
graph, renders the project state of every applied migration, runs the autodetector and the post-migrate handlers,
even when there is nothing to apply (about half a second a schema here: ten minutes for 1,000 schemas). This
module does the same work once per fleet instead:

1. Which schemas are behind is read by one query per 500 schemas (`fleet_status`, after a catalogue query saying
   which have the table): each schema's `django_migrations` is compared with the migrations the code ships, in SQL,
   in one `UNION ALL`. A schema with nothing missing is skipped without a migration executor (and recorded as done
   in `SchemaMigration`).
2. Schemas that are behind are grouped by what they miss. For a group, a process builds the plan and the project
   state before and after each operation once (`_prepare`, Django's own executor and loader; the public schema or
   the template prepares it first and the workers inherit it by fork), then applies the operations to each schema
   of the group by switching `search_path`: per schema only the DDL, the `django_migrations` rows and, when the
   plan adds or changes models, the post-migrate handlers (content types, permissions). Operations read the states
   they are given and never change them, so the states are shared.
3. N worker processes (N database connections, plus the coordinator's and the lock's) share the queue. A schema
   whose migration fails is recorded with its error (`SchemaMigration.error`) and the others go on; the run then
   fails, listing them. Each migration commits on its own (atomic migrations, as Django runs them), so a run
   killed halfway leaves every schema at a migration boundary: the next run reads where each one is and goes on.

The template schema goes first (on its own: sign-ups clone it) and pool schemas behind the code are taken out of
the pool while they are migrated and put back at the code's version (`fleet_migrate`), so that the pool never holds
a schema of an older version.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import secrets
import signal
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection, transaction
from django.db.migrations import operations as ops
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import DatabaseError
from django.utils import timezone

from tenants import schemas

logger = logging.getLogger(__name__)

CHUNK = 500  # schemas per status query: each locks its schemas' django_migrations (max_locks_per_transaction)
LOCK_KEY = 0x666C65  # pg advisory lock: one fleet run at a time

# Operations after which the post-migrate handlers (content types, permissions) have nothing to add: they change
# columns, indexes, constraints or data, never the set of models or their permissions.
NO_NEW_MODELS = (
    ops.AddField, ops.RemoveField, ops.AlterField, ops.RenameField, ops.AddIndex, ops.RemoveIndex, ops.RenameIndex,
    ops.AddConstraint, ops.RemoveConstraint, ops.AlterUniqueTogether, ops.AlterIndexTogether, ops.RunSQL,
    ops.RunPython, ops.AlterModelTable, ops.AlterModelTableComment, ops.AlterOrderWithRespectTo,
    ops.AlterModelManagers,
)

Key = tuple[str, str]


# --- what the code ships, where each schema stands -----------------------------------------------------------------


@lru_cache(maxsize=1)
def expected() -> tuple[Key, ...]:
    """Every migration of the code (all apps: Django records shared apps' migrations in tenant schemas too, as
    applied no-ops), squashed migrations in place of the ones they replace, in no particular order."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return tuple(sorted(loader.graph.nodes))


def fingerprint(keys: Iterable[Key]) -> str:
    return hashlib.sha256(repr(sorted(keys)).encode()).hexdigest()[:32]


def target_version() -> str:
    return fingerprint(expected())


@dataclass(frozen=True)
class SchemaState:
    schema_name: str
    exists: bool
    has_table: bool  # its own django_migrations
    missing: tuple[Key, ...]  # migrations of the code it has not applied

    @property
    def current(self) -> bool:
        return self.exists and self.has_table and not self.missing


def fleet_status(schema_names: list[str]) -> dict[str, SchemaState]:
    """Where each schema stands, in two queries per 500 schemas whatever is applied (no executor, no loader)."""
    keys = expected()
    states: dict[str, SchemaState] = {}
    for start in range(0, len(schema_names), CHUNK):
        chunk = schema_names[start:start + CHUNK]
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT s.name, n.oid IS NOT NULL, c.oid IS NOT NULL
                     FROM unnest(%s::text[]) AS s(name)
                     LEFT JOIN pg_namespace n ON n.nspname = s.name
                     LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = 'django_migrations'
                                         AND c.relkind = 'r'""",
                [chunk],
            )
            found = cursor.fetchall()
            with_table = [name for name, _exists, has_table in found if has_table]
            missing: dict[str, list] = {}
            if with_table:
                branches = " UNION ALL ".join(
                    f"SELECT %s, array_agg(e.app || '.' || e.name) FROM expected e WHERE NOT EXISTS "  # noqa: S608
                    f"(SELECT 1 FROM {schemas.quote(name)}.django_migrations m "
                    f"WHERE m.app = e.app AND m.name = e.name)"
                    for name in with_table
                )
                cursor.execute(
                    f"WITH expected(app, name) AS (SELECT * FROM unnest(%s::text[], %s::text[])) {branches}",  # noqa: S608
                    [[app for app, _ in keys], [name for _, name in keys], *with_table],
                )
                missing = dict(cursor.fetchall())
        for name, exists, has_table in found:
            gone = keys if not has_table else tuple(
                tuple(item.split(".", 1)) for item in sorted(missing.get(name) or []))
            states[name] = SchemaState(name, bool(exists), bool(has_table), tuple(gone))
    return states


# --- applying a plan to one schema --------------------------------------------------------------------------------


@dataclass
class Prepared:
    """A plan with the project state before and after each of its operations, made once and applied to each schema
    that misses the same migrations."""

    steps: list  # [(migration, [(operation, from_state, to_state), ...]), ...]
    final_state: object
    post_migrate: bool
    plan: list = field(default_factory=list)


_prepared: dict[tuple[Key, ...], Prepared] = {}  # per process (workers inherit the coordinator's by fork)


def _set_schema(schema_name: str, *, include_public: bool = True) -> None:
    connection.set_schema(schema_name, include_public=include_public)


def _prepare(schema_name: str) -> Prepared:
    """Django's executor on this schema: its plan, the state before it (every applied migration rendered), then one
    state per operation. The pre-migrate signal runs here, once (contenttypes adds its rename operations)."""
    from django.core.management.sql import emit_pre_migrate_signal

    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    plan = executor.migration_plan(targets)
    state = executor._create_project_state(with_applied_migrations=True)  # what `migrate` does (Django's own)
    state.apps  # noqa: B018 - render every model once, as Django's executor does
    emit_pre_migrate_signal(0, False, connection.alias, apps=state.apps, plan=plan)
    steps = []
    post_migrate = False
    for migration, backwards in plan:
        if backwards:
            raise RuntimeError(f"{migration.app_label}.{migration.name}: fleet runs apply migrations, never unapply")
        pairs = []
        for run in _runs(migration.operations):
            after = state.clone()
            if len(run) == 1:
                run[0].state_forwards(migration.app_label, after)
            else:
                _options_forwards(migration.app_label, run, after)
            pairs.extend((operation, state, after) for operation in run)
            state = after
            post_migrate = post_migrate or any(not isinstance(operation, NO_NEW_MODELS) for operation in run)
        steps.append((migration, pairs))
    state.clear_delayed_apps_cache()
    return Prepared(steps=steps, final_state=state, post_migrate=post_migrate, plan=plan)


# Operations whose database_forwards reads only the model of `to_state` it names, for its table and columns, and
# adds the one index or constraint it holds: in a run of them, each may be given the state after the whole run.
OPTION_ADDS = (ops.AddIndex, ops.AddConstraint)


def _runs(operations) -> list[list]:
    """The operations of a migration in order, each alone except runs of consecutive OPTION_ADDS, kept together."""
    runs: list[list] = []
    for operation in operations:
        if runs and isinstance(operation, OPTION_ADDS) and all(isinstance(o, OPTION_ADDS) for o in runs[-1]):
            runs[-1].append(operation)
        else:
            runs.append([operation])
    return runs


def _options_forwards(app_label: str, run: list, state) -> None:
    """A run of OPTION_ADDS applied to `state` with one re-render of the models they touch, not one per operation
    (Django re-renders a model and its related models for every index or constraint added: with 150 of them, a
    third of the time a new schema takes). The states are the same as Django's after the run."""
    apps = state.__dict__.pop("apps", None)  # unrendered, a state change renders nothing
    try:
        for operation in run:
            operation.state_forwards(app_label, state)
    finally:
        if apps is not None:
            state.__dict__["apps"] = apps
    state.reload_models({(app_label, operation.model_name_lower) for operation in run}, delay=True)


def _record(migration) -> None:
    recorder = MigrationRecorder(connection)
    for app_label, name in migration.replaces or [(migration.app_label, migration.name)]:
        recorder.migration_qs.create(app=app_label, name=name)


def _apply(prepared: Prepared, *, on_migration: Callable[[str], None] | None = None) -> int:
    """Apply a prepared plan to the schema the connection is on (as Django's Migration.apply and
    MigrationExecutor.apply_migration do, minus the state changes, made beforehand)."""
    from django.core.management.sql import emit_post_migrate_signal

    for migration, pairs in prepared.steps:
        if on_migration is not None:
            on_migration(f"{migration.app_label}.{migration.name}")
        with connection.schema_editor(atomic=migration.atomic) as editor:
            for operation, before, after in pairs:
                if not migration.atomic and operation.atomic:
                    with transaction.atomic(using=connection.alias):
                        operation.database_forwards(migration.app_label, editor, before, after)
                else:
                    operation.database_forwards(migration.app_label, editor, before, after)
            if not editor.deferred_sql:
                _record(migration)
        if editor.deferred_sql:  # run when the editor closed, as Django records it
            _record(migration)
    if prepared.post_migrate and prepared.steps:
        emit_post_migrate_signal(0, False, connection.alias, apps=prepared.final_state.apps, plan=prepared.plan)
    return len(prepared.steps)


def migrate_schema(state: SchemaState, *, on_migration: Callable[[str], None] | None = None) -> int:
    """Bring one schema to the code's migrations on this process's connection; returns the migrations applied.
    The schema is made if it does not exist. Raises whatever the migration raised (nothing of it is kept
    past the last migration that committed)."""
    from django_tenants.signals import schema_migrated

    if not state.exists:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {schemas.quote(state.schema_name)}")
    if not state.has_table:
        # its own django_migrations before anything reads it, or public's would be read (django-tenants does this)
        _set_schema(state.schema_name, include_public=False)
        MigrationRecorder(connection).ensure_schema()
    _set_schema(state.schema_name)
    try:
        prepared = _prepared.get(state.missing)
        if prepared is None:
            prepared = _prepared[state.missing] = _prepare(state.schema_name)
        applied = _apply(prepared, on_migration=on_migration)
    finally:
        connection.set_schema_to_public()
    schema_migrated.send(migrate_schema, schema_name=state.schema_name)
    return applied


# --- the run ------------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    schema_name: str
    ok: bool
    applied: int = 0
    error: str = ""
    ms: int = 0


def _migrate_one(state: SchemaState) -> Outcome:
    started = time.perf_counter()
    migrating: list[str] = []
    try:
        # what it misses may have changed since the fleet was read (another process): read it again, cheaply
        state = fleet_status([state.schema_name])[state.schema_name]
        if state.current:
            return Outcome(state.schema_name, True)
        applied = migrate_schema(state, on_migration=migrating.append)
    except Exception as exc:  # noqa: BLE001 - any failure of one schema is reported; the others go on
        _connection_reset()
        first_line = (str(exc).strip().splitlines() or [""])[0][:1000]
        where = f"{migrating[-1]}: " if migrating else ""
        logger.warning("schema migration failed", extra={"schema": state.schema_name, "error": first_line})
        return Outcome(state.schema_name, False, error=f"{where}{type(exc).__name__}: {first_line}",
                       ms=int((time.perf_counter() - started) * 1000))
    return Outcome(state.schema_name, True, applied=applied, ms=int((time.perf_counter() - started) * 1000))


def _connection_reset() -> None:
    try:
        if connection.in_atomic_block:
            connection.set_rollback(True)
        connection.rollback()
        connection.set_schema_to_public()
    except DatabaseError:
        connection.close()


def _worker_init() -> None:
    """A worker dies with its coordinator (a killed run leaves no worker behind holding a connection).

    Its commits do not wait for the WAL flush (synchronous_commit off, this session only): a migration's DDL and its
    django_migrations row commit together, so a server crash can only lose whole migrations of the last moments,
    which the next run finds missing and applies again; nothing can be half-recorded."""
    options = connection.settings_dict.setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the coordinator handles ^C


class Progress:
    """A bar on a terminal, a line every `every` schemas otherwise (logs)."""

    def __init__(self, total: int, *, stream, every: int = 100) -> None:
        self.total, self.stream, self.every = total, stream, max(1, every)
        self.done = self.failed = 0
        self.started = time.monotonic()
        self.tty = hasattr(stream, "isatty") and stream.isatty()

    def step(self, outcome: Outcome) -> None:
        self.done += 1
        self.failed += 0 if outcome.ok else 1
        if self.tty:
            width = 30
            filled = int(width * self.done / self.total) if self.total else width
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self._text()}")
            if self.done == self.total:
                self.stream.write("\n")
            self.stream.flush()
        elif self.done % self.every == 0 or self.done == self.total:
            self.stream.write(self._text() + "\n")
            self.stream.flush()

    def _text(self) -> str:
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        return f"{self.done}/{self.total} schemas migrated, {self.failed} failed, {rate:.0f}/s, {elapsed:.1f} s"


@dataclass
class Report:
    run_id: str
    version: str
    total: int = 0
    current: int = 0  # nothing to apply
    migrated: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    pool_relisted: int = 0
    seconds: float = 0.0


def _record_states(run_id: str, version: str, rows: list[tuple[str, str, str, int, int]]) -> None:
    """Upsert (schema, status, error, applied, ms) rows into SchemaMigration in one statement; a done schema's
    unchanged row is left alone (no churn on a run with nothing to apply)."""
    if not rows:
        return
    from tenants.models import SchemaMigration

    table = SchemaMigration._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO public.{table} AS s
                       (schema_name, status, version, error, run_id, applied, duration_ms, updated_at)
                SELECT r.schema_name, r.status, CASE WHEN r.status = 'done' THEN %s ELSE '' END, r.error, %s,
                       r.applied, r.ms, %s
                  FROM unnest(%s::text[], %s::text[], %s::text[], %s::int[], %s::int[])
                       AS r(schema_name, status, error, applied, ms)
                ON CONFLICT (schema_name) DO UPDATE SET
                       status = EXCLUDED.status, version = EXCLUDED.version, error = EXCLUDED.error,
                       run_id = EXCLUDED.run_id, applied = EXCLUDED.applied, duration_ms = EXCLUDED.duration_ms,
                       updated_at = EXCLUDED.updated_at
                 WHERE s.status <> EXCLUDED.status OR s.version <> EXCLUDED.version
                       OR EXCLUDED.applied > 0 OR EXCLUDED.status <> 'done'""",  # noqa: S608 - our table
            [version, run_id, now, [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
             [r[3] for r in rows], [r[4] for r in rows]],
        )


def schema_record_current(schema_name: str) -> None:
    """A schema made at the code's migrations outside a fleet run (a sign-up's pool claim or clone of the current
    template): recorded as done, so that the fleet's health counts it at its version from the start."""
    _record_states("provisioned", schemas.code_version(), [(schema_name, "done", "", 0, 0)])


def schema_record_forget(schema_name: str) -> None:
    """The schema is gone (a purge): its record goes with it."""
    from tenants.models import SchemaMigration

    SchemaMigration.objects.filter(schema_name=schema_name).delete()


def fleet_schemas() -> tuple[list[str], list[str]]:
    """(tenant schemas, pool schemas): every schema the platform serves or may hand out, public and the template
    aside."""
    from tenants.models import PooledSchema, Tenant

    tenants = list(Tenant.objects.exclude(schema_name__in=["public", schemas.template_name()])
                   .order_by("schema_name").values_list("schema_name", flat=True))
    pool = list(PooledSchema.objects.order_by("id").values_list("schema_name", flat=True))
    return tenants, pool


def _pool_unlist(behind: set[str]) -> list[str]:
    """Take the pool schemas that are behind out of the pool (no sign-up can claim them while they are migrated);
    a row a sign-up is claiming right now (locked) is left to it."""
    from tenants.models import PooledSchema

    version = schemas.code_version()
    with transaction.atomic():
        rows = list(PooledSchema.objects.select_for_update(skip_locked=True)
                    .values_list("id", "schema_name", "version"))
        taken = [(pk, name) for pk, name, row_version in rows if name in behind or row_version != version]
        PooledSchema.objects.filter(pk__in=[pk for pk, _ in taken]).delete()
    return [name for _, name in taken]


def state_table_ready() -> bool:
    """Whether the public schema has SchemaMigration's table (not before its migration has run there)."""
    from tenants.models import SchemaMigration

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"public.{SchemaMigration._meta.db_table}"])
        return cursor.fetchone()[0]


def schema_migrate_now(schema_name: str) -> Outcome:
    """Bring one schema (the template) to the code's migrations in this process, by the fleet's path; recorded."""
    connection.set_schema_to_public()
    state = fleet_status([schema_name])[schema_name]
    outcome = Outcome(schema_name, True) if state.current else _migrate_one(state)
    if state_table_ready():  # not before public has it (an older database: platform_migrate migrates public first)
        _record_states(secrets.token_hex(6), target_version(), [_row(outcome)])
    return outcome


_lock: dict = {"depth": 0, "raw": None}


class FleetBusy(RuntimeError):
    """Another fleet run holds the lock."""


class FleetLock:
    """One fleet run at a time: a session advisory lock on a connection of its own, which no worker uses (the
    coordinator's Django connection is closed before the workers fork) and which dies with the process. Re-entrant
    in a process (platform_migrate holds it over every step; fleet_migrate takes it too)."""

    def __init__(self, *, wait: float = 30.0) -> None:
        # a run killed a moment ago holds the lock until its server session notices (under load: seconds)
        self.wait = wait

    def __enter__(self):
        if _lock["depth"] == 0:
            raw = connection.get_new_connection(connection.get_connection_params())
            raw.autocommit = True
            deadline = time.monotonic() + self.wait
            with raw.cursor() as cursor:
                while True:
                    cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
                    if cursor.fetchone()[0]:
                        break
                    if time.monotonic() >= deadline:
                        raw.close()
                        raise FleetBusy("another fleet migration is running (its advisory lock is held)")
                    time.sleep(0.2)
            _lock["raw"] = raw
        _lock["depth"] += 1
        return self

    def __exit__(self, *exc_info):
        _lock["depth"] -= 1
        if _lock["depth"] == 0:
            _lock["raw"].close()
            _lock["raw"] = None


def fleet_migrate(*, workers: int = 2, stdout=None, progress_every: int = 100,
                  only: list[str] | None = None, lock_wait: float = 30.0) -> Report:
    """Migrate every tenant schema and the pool to the code's migrations, `workers` at a time (the public schema
    and the template first: see platform_migrate). `only`: these schemas instead of the fleet (tests)."""
    stdout = stdout or sys.stdout
    started = time.perf_counter()
    run_id = secrets.token_hex(6)
    version = target_version()
    report = Report(run_id=run_id, version=version)
    connection.set_schema_to_public()
    with FleetLock(wait=lock_wait):
        tenant_names, pool_names = (list(only), []) if only is not None else fleet_schemas()
        states = fleet_status(tenant_names + pool_names)
        report.total = len(states)
        current = [name for name, state in states.items() if state.current]
        report.current = len(current)
        _record_states(run_id, version, [(name, "done", "", 0, 0) for name in current])
        behind_pool = {name for name in pool_names if not states[name].current}
        relist = _pool_unlist(behind_pool) if pool_names else []
        queue = [states[name] for name in tenant_names + relist if not states[name].current]
        _record_states(run_id, version, [(state.schema_name, "pending", "", 0, 0) for state in queue])
        outcomes = _run_parallel(queue, workers=workers, stdout=stdout, progress_every=progress_every,
                                 run_id=run_id, version=version)
        report.migrated = sum(1 for outcome in outcomes if outcome.ok and outcome.applied)
        report.failed = {outcome.schema_name: outcome.error for outcome in outcomes if not outcome.ok}
        report.pool_relisted = _pool_relist(relist, failed=set(report.failed))
        connection.set_schema_to_public()
    report.seconds = time.perf_counter() - started
    logger.info("fleet migration", extra={"run_id": run_id, "schemas": report.total, "current": report.current,
                                          "migrated": report.migrated, "failed": len(report.failed)})
    return report


def _row(outcome: Outcome) -> tuple[str, str, str, int, int]:
    return (outcome.schema_name, "done" if outcome.ok else "failed", outcome.error, outcome.applied, outcome.ms)


def _pool_relist(names: list[str], *, failed: set[str]) -> int:
    """Put migrated pool schemas back at the code's version; drop the ones that failed (the refill makes new)."""
    from tenants.models import PooledSchema

    version = schemas.code_version()
    good = [name for name in names if name not in failed]
    PooledSchema.objects.bulk_create([PooledSchema(schema_name=name, version=version) for name in good])
    for name in names:
        if name in failed:
            schemas.drop(name)
    return len(good)


def _run_parallel(queue: list[SchemaState], *, workers: int, stdout, progress_every: int, run_id: str,
                  version: str) -> list[Outcome]:
    if not queue:
        return []
    progress = Progress(len(queue), stream=stdout, every=progress_every)
    outcomes: list[Outcome] = []
    pending_rows: list = []
    last_write = time.monotonic()

    def collect(outcome: Outcome) -> None:
        nonlocal last_write
        outcomes.append(outcome)
        pending_rows.append(_row(outcome))
        progress.step(outcome)
        if len(pending_rows) >= 50 or time.monotonic() - last_write > 1:
            _record_states(run_id, version, pending_rows)
            pending_rows.clear()
            last_write = time.monotonic()

    if workers <= 1 or len(queue) == 1:
        for state in queue:
            collect(_migrate_one(state))
    else:
        # the workers open their own connections: none may inherit this one's socket
        connection.close()
        context = multiprocessing.get_context("fork")
        with context.Pool(processes=min(workers, len(queue)), initializer=_worker_init) as pool:
            chunksize = max(1, min(8, len(queue) // (4 * workers)))
            for outcome in pool.imap_unordered(_migrate_one, queue, chunksize=chunksize):
                collect(outcome)
    _record_states(run_id, version, pending_rows)
    return outcomes


def worker_count(requested: int | None) -> int:
    return max(1, requested if requested else min(4, os.cpu_count() or 2))
