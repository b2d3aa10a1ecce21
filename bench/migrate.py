"""Migrating the fleet: `platform_migrate` (tenants.fleet) against django-tenants' `migrate_schemas --tenant`
(standard executor), in the same run, on the same tenant schemas:

  (a) nothing to apply;
  (b) one real migration: a nullable column plus an index on audit_auditentry, populated in every schema
      (--rows rows each). Each side applies its own such migration (platform_migrate the first, then
      migrate_schemas the second, on the column the first added), so both do the same work on the same schemas.

Targets (DESIGN.md) for 1,000 schemas on 2 cores: (a) < 10 s, (b) < 60 s.

The schemas: made from the migrated template, `--shape lean` (default) with the tables a migration run reads or
writes (django_migrations, content types, permissions, groups) and the populated table, copied with `CREATE TABLE
... (LIKE ... INCLUDING ALL)` (about 20 ms a schema); `--shape full` restores a dump of the whole template schema in
each (every table, index and constraint: seconds a schema here). A tenant row is made for each, as sign-up would.
Lean schemas flatter django-tenants: its per-schema table check reads the whole catalogue (pg_class), which grows
with every full schema, whereas the fleet's status query looks up each schema's django_migrations by name.

Both sides run in this process (call_command), after Django is set up, with the migration caches emptied before each
timed call. The bench migrations live in a temporary copy of the audit app's migrations (MIGRATION_MODULES, in a
settings module written to a temporary directory): nothing is written in the repository. Cleans up: the schemas,
their tenant rows and states, the bench columns and migration rows of the template, pool and public schemas.

Run: DATABASE_URL=... .venv/bin/python bench/migrate.py [--schemas 1000] [--workers 2] [--shape lean|full]
     [--baseline-sample K]  (django-tenants on K of the schemas, its time scaled to all: for quick runs)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _setup import ROOT, _pg_bin, django_setup, pgbench_select_only

PREFIX = "bench_mig_"
LEAN_TABLES = ["django_migrations", "django_content_type", "auth_permission", "auth_group", "auth_group_permissions",
               "audit_auditentry"]
MIGRATION = '''from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "{parent}")]
    operations = [
        migrations.AddField("auditentry", "bench_note_{n}", models.CharField(max_length=64, null=True)),
        migrations.AddIndex("auditentry", models.Index(fields=["bench_note_{n}"], name="bench_note_{n}_idx")),
    ]
'''


def _temporary_settings() -> Path:
    """A settings module on top of the project's with the audit app's migrations in a temporary package."""
    work = Path(tempfile.mkdtemp(prefix="bench-migrate-"))
    package = work / "bench_audit_migrations"
    shutil.copytree(ROOT / "tenant_apps" / "audit" / "migrations", package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    (work / "bench_migrate_settings.py").write_text(
        "from dms.settings import *  # noqa: F403\n\n"
        "MIGRATION_MODULES = {'audit': 'bench_audit_migrations'}\n"
    )
    sys.path.insert(0, str(work))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_migrate_settings"
    return work


def _add_migration(work: Path, n: int) -> str:
    from django.db.migrations.loader import MigrationLoader

    package = work / "bench_audit_migrations"
    loader = MigrationLoader(None, ignore_no_migrations=True)
    parent = max(name for app, name in loader.graph.leaf_nodes() if app == "audit")
    name = f"9{n:03d}_bench_note_{n}"
    (package / f"{name}.py").write_text(MIGRATION.format(parent=parent, n=n))
    return name


def _caches_clear() -> None:
    from tenants import fleet, schemas

    fleet.expected.cache_clear()
    fleet._prepared.clear()
    schemas.code_version.cache_clear()


def _pg_env() -> dict:
    from django.db import connection

    params = connection.settings_dict
    return {**os.environ, "PGHOST": params["HOST"] or "127.0.0.1", "PGPORT": str(params["PORT"] or 5432),
            "PGUSER": params["USER"] or "postgres", "PGPASSWORD": params["PASSWORD"] or "",
            "PGDATABASE": params["NAME"]}


def _make_schemas(names: list[str], *, shape: str, rows: int) -> float:
    """Make the schemas from the template and populate audit_auditentry; returns seconds."""
    from django.db import connection, transaction
    from django.utils import timezone

    from tenants import schemas
    from tenants.models import Tenant

    template = schemas.template_name()
    started = time.perf_counter()
    populate = ("INSERT INTO {s}.audit_auditentry (action, actor_label, target_type, target_id, before, after, reason, "
                "created_at) SELECT 'bench.row', 'bench', 'order', g::text, '{{}}', '{{}}', '', now() "
                f"FROM generate_series(1, {int(rows)}) g")
    if shape == "lean":
        for start in range(0, len(names), 50):
            with transaction.atomic(), connection.cursor() as cursor:
                for name in names[start:start + 50]:
                    quoted = schemas.quote(name)
                    statements = [f"CREATE SCHEMA {quoted}"]
                    for table in LEAN_TABLES:
                        statements.append(f"CREATE TABLE {quoted}.{table} (LIKE {template}.{table} INCLUDING ALL)")
                        if table != "audit_auditentry":
                            statements.append(f"INSERT INTO {quoted}.{table} SELECT * FROM {template}.{table}")
                            statements.append(f"SELECT setval(pg_get_serial_sequence('{quoted}.{table}', 'id'), "
                                              f"(SELECT coalesce(max(id), 0) + 1 FROM {quoted}.{table}), false)")
                    statements.append(populate.format(s=quoted))
                    cursor.execute(";\n".join(statements))
            connection.search_path_forget()
    else:
        env = _pg_env()
        dump = subprocess.run([_pg_bin("pg_dump"), "-n", template, "--no-owner", "--no-privileges"], env=env,
                              check=True, capture_output=True, text=True).stdout
        # (a newer pg_dump than the server, e.g. the embedded one: its psql meta-commands and settings left out)
        dump = "\n".join(line for line in dump.splitlines()
                          if not line.startswith(("\\restrict", "\\unrestrict", "SET transaction_timeout")))
        procs: list[subprocess.Popen] = []
        for name in names:
            sql = dump.replace(f"{template}.", f"{name}.").replace(f"SCHEMA {template}", f"SCHEMA {name}")
            sql += ";\n" + populate.format(s=name) + ";\n"
            while len(procs) >= 2:
                procs = [p for p in procs if p.poll() is None] or []
                if len(procs) >= 2:
                    time.sleep(0.05)
            proc = subprocess.Popen([_pg_bin("psql"), "-q", "-v", "ON_ERROR_STOP=1", "-1", "-f", "-"], env=env,
                                    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
            proc.stdin.write(sql.encode())
            proc.stdin.close()
            procs.append(proc)
        for proc in procs:
            if proc.wait() != 0:
                raise RuntimeError("psql failed restoring a bench schema")
    now = timezone.now()
    Tenant.objects.bulk_create([Tenant(name=name, slug=name.replace("_", "-"), schema_name=name,
                                       status_changed_at=now, provisioned_by="clone") for name in names],
                               batch_size=500)
    return time.perf_counter() - started


def _clean(names: list[str], migrations: list[str]) -> None:
    from django.db import connection

    from tenants import schemas
    from tenants.models import PooledSchema, SchemaMigration, Tenant

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        for name in names:  # one transaction each (a full schema's drop takes a lock per relation)
            cursor.execute(f"DROP SCHEMA IF EXISTS {schemas.quote(name)} CASCADE")
    Tenant.objects.filter(schema_name__startswith=PREFIX).delete()
    SchemaMigration.objects.filter(schema_name__startswith=PREFIX).delete()
    others = ["public", schemas.template_name(), *PooledSchema.objects.values_list("schema_name", flat=True)]
    with connection.cursor() as cursor:
        for name in others:
            if name != "public":
                for n in (1, 2):
                    cursor.execute(f"ALTER TABLE IF EXISTS {schemas.quote(name)}.audit_auditentry "
                                   f"DROP COLUMN IF EXISTS bench_note_{n}")
            cursor.execute(f"DELETE FROM {schemas.quote(name)}.django_migrations "
                           "WHERE app = 'audit' AND name = ANY(%s)", [migrations])
        cursor.execute(f"DELETE FROM {SchemaMigration._meta.db_table} WHERE schema_name = ANY(%s)", [others])


def _check_applied(names: list[str], n: int) -> int:
    """How many of the schemas have the column and the index of bench migration n (one catalogue query)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM unnest(%s::text[]) s(name)
                WHERE EXISTS (SELECT 1 FROM information_schema.columns c WHERE c.table_schema = s.name
                                 AND c.table_name = 'audit_auditentry' AND c.column_name = %s)
                  AND EXISTS (SELECT 1 FROM pg_indexes i WHERE i.schemaname = s.name AND i.indexname = %s)""",
            [names, f"bench_note_{n}", f"bench_note_{n}_idx"])
        return cursor.fetchone()[0]


def _baseline(names: list[str], sample: int) -> float:
    """django-tenants' migrate_schemas --tenant (standard executor): on all the schemas, or on `sample` of them one
    at a time (as its standard executor goes), scaled to all."""
    from django.core.management import call_command
    from django.db import connection

    connection.set_schema_to_public()
    _caches_clear()
    started = time.perf_counter()
    if not sample or sample >= len(names):
        call_command("migrate_schemas", tenant=True, executor="standard", interactive=False, verbosity=0)
        return time.perf_counter() - started
    for name in names[:sample]:
        call_command("migrate_schemas", tenant=True, schema_name=name, executor="standard", interactive=False,
                     verbosity=0)
    return (time.perf_counter() - started) * len(names) / sample


def _fleet(workers: int) -> float:
    from django.core.management import call_command
    from django.db import connection

    connection.set_schema_to_public()
    _caches_clear()
    started = time.perf_counter()
    call_command("platform_migrate", no_pool=True, workers=workers, verbosity=0)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schemas", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rows", type=int, default=200, help="audit rows in each schema")
    parser.add_argument("--shape", choices=["lean", "full"], default="lean")
    parser.add_argument("--baseline-sample", type=int, default=0,
                        help="run django-tenants on this many schemas and scale (0: on all)")
    args = parser.parse_args()
    work = _temporary_settings()
    django_setup()

    from django.core.management import call_command

    baseline = pgbench_select_only()
    call_command("platform_migrate", verbosity=0)  # untimed: public, template and pool current
    names = [f"{PREFIX}{i:05d}" for i in range(args.schemas)]
    added: list[str] = []
    result: dict[str, float] = {}
    try:
        made_s = _make_schemas(names, shape=args.shape, rows=args.rows)
        print(f"made {len(names)} {args.shape} schemas in {made_s:.1f} s ({args.rows} audit rows each)")
        _fleet(args.workers)  # the tenants' state rows are written once (as after any first run)

        result["a_fleet_s"] = _fleet(args.workers)
        result["a_django_tenants_s"] = _baseline(names, args.baseline_sample)
        print(f"(a) nothing to apply: fleet {result['a_fleet_s']:.2f} s, "
              f"django-tenants {result['a_django_tenants_s']:.2f} s")

        added.append(_add_migration(work, 1))
        result["b_fleet_s"] = _fleet(args.workers)
        fleet_done = _check_applied(names, 1)
        added.append(_add_migration(work, 2))
        result["b_django_tenants_s"] = _baseline(names, args.baseline_sample)
        baseline_done = _check_applied(names, 2)
        print(f"(b) one migration (nullable column + index on {args.rows} rows): fleet {result['b_fleet_s']:.2f} s "
              f"({fleet_done}/{len(names)} schemas have it), django-tenants {result['b_django_tenants_s']:.2f} s "
              f"({baseline_done}/{len(names)})")
        assert fleet_done == len(names), fleet_done
    finally:
        _clean(names, added)
        shutil.rmtree(work, ignore_errors=True)

    result["a_ratio"] = result["a_django_tenants_s"] / result["a_fleet_s"]
    result["b_ratio"] = result["b_django_tenants_s"] / result["b_fleet_s"]
    result["schemas"] = len(names)
    result["workers"] = args.workers
    result["baseline_sample"] = args.baseline_sample or len(names)
    result["make_schemas_s"] = made_s
    print(f"targets for 1,000 schemas: (a) < 10 s, (b) < 60 s; ratios django-tenants / fleet: (a) "
          f"{result['a_ratio']:.1f}x, (b) {result['b_ratio']:.1f}x"
          + (f" (django-tenants timed on {args.baseline_sample} schemas, scaled)" if args.baseline_sample else ""))
    print(f"pgbench -S, 1 client, same server: {baseline['pgbench_select_ms']:.3f} ms/select, "
          f"{baseline['pgbench_select_tps']:.0f} tps")
    result.update(baseline)
    print("RESULT " + " ".join(f"{key}={value:.3f}" for key, value in result.items()))


if __name__ == "__main__":
    main()
