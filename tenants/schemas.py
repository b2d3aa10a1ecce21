"""Low-level schema operations: the template schema, version fingerprints, clone, rename, drop.

Only tenants.services calls these. Schema names passed here are produced by our own code (validated
slugs, pool names), never taken from a request; they are still checked and quoted.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_exists

SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
POOL_PREFIX = "pool_"
TENANT_PREFIX = "t_"


def quote(schema_name: str) -> str:
    if not SCHEMA_NAME.match(schema_name) or schema_name.startswith("pg_"):
        raise ValueError(f"not a valid schema name: {schema_name!r}")
    return f'"{schema_name}"'


def tenant_schema_name(slug: str) -> str:
    return TENANT_PREFIX + slug.replace("-", "_")


def new_pool_schema_name() -> str:
    return POOL_PREFIX + secrets.token_hex(6)


def template_name() -> str:
    return settings.TENANT_TEMPLATE_SCHEMA


def _tenant_app_labels() -> set[str]:
    return {config.label for config in apps.get_app_configs() if config.name in settings.TENANT_APPS}


def _fingerprint(keys) -> str:
    return hashlib.sha256(repr(sorted(keys)).encode()).hexdigest()[:32]


@lru_cache(maxsize=1)
def code_version() -> str:
    """Fingerprint of the tenant migrations this code ships (read from disk once per process)."""
    from django.db.migrations.loader import MigrationLoader

    labels = _tenant_app_labels()
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return _fingerprint(key for key in loader.disk_migrations if key[0] in labels)


def schema_version(schema_name: str) -> str | None:
    """Fingerprint of the tenant migrations applied in a schema; None if it has none."""
    labels = _tenant_app_labels()
    with connection.cursor() as cursor:
        # to_regclass: an index lookup (information_schema.tables scans the whole catalogue, slow at fleet size)
        cursor.execute("SELECT to_regclass(%s)", [f"{quote(schema_name)}.django_migrations"])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT app, name FROM {quote(schema_name)}.django_migrations")  # noqa: S608 - quoted name
        rows = cursor.fetchall()
    return _fingerprint(row for row in rows if row[0] in labels)


def exists(schema_name: str) -> bool:
    return schema_exists(schema_name)


def create_by_migrations(schema_name: str, *, verbosity: int = 0) -> None:
    """CREATE SCHEMA and run every tenant migration in it (slow: seconds), by the fleet's path (tenants.fleet: the
    plan and the project states it renders are kept by the process, as platform_migrate does)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(schema_name)}")
    call_command(
        "migrate_schemas", tenant=True, schema_name=schema_name, interactive=False, verbosity=verbosity,
        executor="fleet",
    )
    connection.set_schema_to_public()


def clone_template(schema_name: str) -> None:
    """Copy the template schema (tables, sequences, data such as content types) to a new schema
    (tenants.template_copy: the template's DDL script, made once per version, then its rows)."""
    from tenants import template_copy

    template_copy.copy(schema_name)


def rename(old: str, new: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER SCHEMA {quote(old)} RENAME TO {quote(new)}")


def drop(schema_name: str) -> None:
    if schema_name in {"public", template_name()}:
        raise ValueError(f"refusing to drop {schema_name}")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {quote(schema_name)} CASCADE")
