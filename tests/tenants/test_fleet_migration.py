"""Done when: a migration run killed halfway resumes and finishes; a schema whose migration fails is reported and the
rest are migrated (platform_migrate, tenants.fleet).

A handful of schemas of their own (`fleet_test_*`), committed for real and dropped at the end, with the two tables the
migration touches (django_migrations as the template has it, and audit_auditentry): the test migration, kept in a
temporary copy of the audit app's migrations (MIGRATION_MODULES), adds a nullable column after a short sleep, so that
the run can be killed in the middle."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tenants import fleet, schemas
from tenants.models import SchemaMigration

ROOT = Path(__file__).resolve().parents[2]
NAME = "9001_fleet_test_note"
MIGRATION = '''from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "{parent}")]
    operations = [
        migrations.RunSQL("SELECT pg_sleep({sleep})", migrations.RunSQL.noop),
        migrations.AddField("auditentry", "fleet_note", models.CharField(max_length=16, null=True)),
    ]
'''


@pytest.fixture
def migrations_dir(tmp_path, settings):
    """The audit app's migrations plus the test migration, for this process and for a subprocess."""
    package = tmp_path / "fleet_audit_migrations"
    shutil.copytree(ROOT / "tenant_apps" / "audit" / "migrations", package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    parent = max(name for app, name in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
                 if app == "audit")
    (package / f"{NAME}.py").write_text(MIGRATION.format(parent=parent, sleep=0.4))
    (tmp_path / "fleet_test_settings.py").write_text(
        "from dms.settings_test import *  # noqa: F403\n\nMIGRATION_MODULES = {'audit': 'fleet_audit_migrations'}\n")
    sys.path.insert(0, str(tmp_path))
    settings.MIGRATION_MODULES = {"audit": "fleet_audit_migrations"}
    fleet.expected.cache_clear()
    yield tmp_path
    sys.path.remove(str(tmp_path))
    fleet.expected.cache_clear()
    fleet._prepared.clear()


@pytest.fixture
def fleet_schemas(django_db_setup, django_db_blocker):
    made: list[str] = []

    def make(count: int) -> list[str]:
        template = schemas.template_name()
        with connection.cursor() as cursor:
            for _ in range(count):
                name = f"fleet_test_{len(made)}_{os.getpid()}"
                cursor.execute(f"""CREATE SCHEMA {name};
                    CREATE TABLE {name}.django_migrations (LIKE {template}.django_migrations INCLUDING ALL);
                    INSERT INTO {name}.django_migrations SELECT * FROM {template}.django_migrations;
                    SELECT setval(pg_get_serial_sequence('{name}.django_migrations', 'id'),
                                  (SELECT max(id) FROM {name}.django_migrations));
                    CREATE TABLE {name}.audit_auditentry (LIKE {template}.audit_auditentry INCLUDING ALL)""")  # noqa: S608
                made.append(name)
        return made[-count:]

    with django_db_blocker.unblock():
        try:
            yield make
        finally:
            connection.set_schema_to_public()
            with connection.cursor() as cursor:
                for name in made:
                    cursor.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
            SchemaMigration.objects.filter(schema_name__in=made).delete()


def _latest(app_label: str) -> str:
    from django.db.migrations.loader import MigrationLoader

    return max(name for app, name in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
               if app == app_label)


def _has_column(names: list[str]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("""SELECT table_schema FROM information_schema.columns WHERE table_schema = ANY(%s)
                            AND table_name = 'audit_auditentry' AND column_name = 'fleet_note'""", [names])
        return {row[0] for row in cursor.fetchall()}


def _schema_args(names: list[str]) -> list[str]:
    return [arg for name in names for arg in ("--schema", name)]


def _command(tmp_path: Path, names: list[str]) -> subprocess.Popen:
    db = connection.settings_dict
    user, host, port = quote(db["USER"] or "postgres"), db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    auth = f"{user}:{quote(db['PASSWORD'])}@" if db["PASSWORD"] else f"{user}@"
    # The embedded server listens on a Unix socket (HOST is its directory): then host and port go in the query.
    url = (f"postgres://{auth}/{db['NAME']}?host={quote(host, safe='')}&port={port}" if host.startswith("/")
           else f"postgres://{auth}{host}:{port}/{db['NAME']}")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fleet_test_settings", "DATABASE_URL": url,
           "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "manage.py", "platform_migrate", "--workers", "2", *_schema_args(names)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)  # its own process group: killed with its workers, as a pod is


def test_a_run_killed_halfway_resumes_and_finishes(migrations_dir, fleet_schemas):
    names = fleet_schemas(6)
    first = _command(migrations_dir, names)
    deadline = time.monotonic() + 60
    while len(_has_column(names)) < 2:
        assert first.poll() is None, first.stderr.read().decode()[-3000:]
        assert time.monotonic() < deadline, "the first run migrated nothing within a minute"
        time.sleep(0.02)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    done_first = _has_column(names)
    assert 2 <= len(done_first) < len(names)
    states = dict(SchemaMigration.objects.filter(schema_name__in=names).values_list("schema_name", "status"))
    assert set(states) == set(names)  # every schema of the run was recorded before any was migrated
    assert {states[name] for name in set(names) - done_first} <= {"pending", "done"}
    first_run = dict(SchemaMigration.objects.filter(schema_name__in=done_first, status="done")
                     .values_list("schema_name", "run_id"))

    # the next run (here in this process: the same command) goes on where the first stopped
    call_command("platform_migrate", *_schema_args(names), "--workers", "2", stdout=io.StringIO())
    assert _has_column(names) == set(names)
    rows = {row.schema_name: row for row in SchemaMigration.objects.filter(schema_name__in=names)}
    assert {row.status for row in rows.values()} == {"done"}
    # what the first run had finished was not migrated again: its rows still name the first run
    assert {name: rows[name].run_id for name in first_run} == first_run
    assert {rows[name].applied for name in set(names) - done_first} == {1}
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"SELECT count(*) FROM {name}.django_migrations "  # noqa: S608 - our names
                           "WHERE app = 'audit' AND name = %s", [NAME])
            assert cursor.fetchone()[0] == 1


def test_a_failing_schema_is_reported_and_the_others_are_migrated(migrations_dir, fleet_schemas):
    names = fleet_schemas(4)
    broken = names[1]
    with connection.cursor() as cursor:  # drift: the column is there already, so this schema's migration fails
        cursor.execute(f"ALTER TABLE {broken}.audit_auditentry ADD COLUMN fleet_note integer")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 schema"):
        call_command("platform_migrate", *_schema_args(names), "--workers", "2", stdout=io.StringIO(), stderr=err)
    error = f"audit.{NAME}: ProgrammingError: column \"fleet_note\" of relation \"audit_auditentry\" already exists"
    assert err.getvalue() == f"FAILED {broken}: {error}\n"
    assert _has_column(names) == set(names)  # the others have it (and the broken one its own)
    assert fleet.fleet_status(names)[broken].missing == (("audit", NAME),)  # nothing of its migration kept
    assert {name for name, state in fleet.fleet_status(names).items() if state.current} == set(names) - {broken}
    rows = {row.schema_name: row for row in SchemaMigration.objects.filter(schema_name__in=names)}
    assert {name: row.status for name, row in rows.items()} == {**{name: "done" for name in names}, broken: "failed"}
    assert rows[broken].error == error


def test_a_pool_schema_behind_the_code_leaves_the_pool_while_migrated_and_returns_current(fleet_schemas):
    """The pool never hands out a schema of an older version: one that misses a migration is taken out of the pool,
    migrated by the fleet's path and put back at the code's version."""
    from tenants.models import PooledSchema

    (name,) = fleet_schemas(1)
    template = schemas.template_name()
    with connection.cursor() as cursor:  # the tables the post-migrate handlers read, as in the template
        for table in ("django_content_type", "auth_permission"):
            cursor.execute(f"""CREATE TABLE {name}.{table} (LIKE {template}.{table} INCLUDING ALL);
                INSERT INTO {name}.{table} SELECT * FROM {template}.{table}""")  # noqa: S608 - our names
        # behind by one migration (the shared tenants app's latest: it does nothing in a tenant schema but be recorded)
        cursor.execute(f"DELETE FROM {name}.django_migrations WHERE app = 'tenants' "  # noqa: S608
                       "AND name = %s", [_latest("tenants")])
    old = PooledSchema.objects.create(schema_name=name, version=schemas.code_version())
    try:
        report = fleet.fleet_migrate(workers=1, stdout=open(os.devnull, "w"))  # noqa: SIM115
        assert report.failed == {}
        assert report.pool_relisted == 1
        relisted = PooledSchema.objects.get(schema_name=name)
        assert relisted.pk != old.pk and relisted.version == schemas.code_version()
        assert fleet.fleet_status([name])[name].current
        assert SchemaMigration.objects.get(schema_name=name).applied == 1
    finally:
        PooledSchema.objects.filter(schema_name=name).delete()


def test_a_second_run_refuses_to_start_while_one_holds_the_lock(fleet_schemas):
    (name,) = fleet_schemas(1)
    other = connection.get_new_connection(connection.get_connection_params())  # another run's session
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [fleet.LOCK_KEY])
        with pytest.raises(fleet.FleetBusy):
            fleet.fleet_migrate(workers=1, only=[name], stdout=open(os.devnull, "w"), lock_wait=0.5)  # noqa: SIM115
    finally:
        other.close()
    assert fleet.fleet_migrate(workers=1, only=[name], stdout=open(os.devnull, "w")).failed == {}  # noqa: SIM115


def test_migrate_schemas_with_the_fleet_executor_migrates_by_the_fleets_path(migrations_dir, fleet_schemas):
    """`migrate_schemas --executor fleet` (tenants/fleet_executor.py; the test database's public schema is made
    with it): the schema gets the migration it misses, recorded as the fleet records a schema it migrated."""
    (name,) = fleet_schemas(1)
    call_command("migrate_schemas", tenant=True, schema_name=name, executor="fleet", interactive=False,
                 verbosity=0)
    assert _has_column([name]) == {name}
    assert fleet.fleet_status([name])[name].current
    row = SchemaMigration.objects.get(schema_name=name)
    assert (row.status, row.applied, row.version) == ("done", 1, fleet.target_version())
