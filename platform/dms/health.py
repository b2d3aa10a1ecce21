"""Liveness and readiness checks.

/healthz: the process answers (no dependency is touched, so a database outage never restarts pods).
/readyz: database, cache and broker are reachable; 503 with the failing component otherwise.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connections

logger = logging.getLogger(__name__)


def check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache() -> None:
    cache.set("readyz", "1", 5)
    if cache.get("readyz") != "1":
        raise RuntimeError("cache did not return what was written")


def check_broker() -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # no broker configured: tasks run in-process
    from dms.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def readiness() -> tuple[bool, dict]:
    results = {}
    ok = True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - a probe must answer, whatever the driver raises
            ok = False
            results[name] = {"ok": False, "error": exc.__class__.__name__}
            logger.warning("readiness check failed", extra={"check": name, "error": str(exc)})
        else:
            results[name] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
    if not ok:
        connections["default"].close_if_unusable_or_obsolete()
    return ok, results
