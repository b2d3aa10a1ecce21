"""Prometheus metrics: requests, latency and errors by view, Celery tasks by name, the fleet's gauges.

Served at /internal/metrics on any host (dms.middleware.HealthCheckMiddleware, before tenant routing), only to a
caller that presents `Authorization: Bearer <METRICS_TOKEN>`; without METRICS_TOKEN in the environment the endpoint
does not exist (404). It is internal: the Caddyfile and the ingress never route /internal/ from outside.

Labels are bounded: the view is the URL pattern's name (`ordering:order-detail`), never the raw path; the status is
its class (2xx..5xx); the task is its registered name. No tenant label (thousands of brands): per-tenant load comes
from the access log, whose every line carries the tenant (logger `dms.access`).

Under gunicorn (several worker processes) set PROMETHEUS_MULTIPROC_DIR to an empty, writable directory before
start: every process writes its samples there and a scrape of any worker adds them up (prometheus_client's
multiprocess mode; dms/gunicorn_conf.py marks dead workers). Without it, a scrape shows the answering process.

The fleet gauges cost a constant number of queries per scrape, whatever the number of tenants: the warm pool and
tenants by status are one query each; the outbox lag (age of the oldest event not yet relayed, over every tenant)
is sampled by a periodic task (`tenants.tasks.outbox_lag_sample`) into the platform cache and read from there.
"""

from __future__ import annotations

import logging
import os
import time

from django.core.cache import caches
from django.db import DatabaseError, connection
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from dms.logcontext import request_user_id

access_logger = logging.getLogger("dms.access")

REQUESTS = Counter("dms_http_requests", "HTTP requests answered, by view, method and status class.",
                   ["view", "method", "status"])
LATENCY = Histogram("dms_http_request_duration_seconds", "Time to answer an HTTP request, by view.", ["view"],
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
EXCEPTIONS = Counter("dms_http_exceptions", "Unhandled exceptions raised by a view (answered 500).", ["view"])
TASKS_RUN = Counter("dms_celery_tasks_run", "Celery tasks that ran to the end (any outcome), by task name.",
                    ["task"])
TASKS_FAILED = Counter("dms_celery_tasks_failed", "Celery tasks that raised, by task name.", ["task"])

UNRESOLVED = "<unresolved>"  # no URL pattern matched (unknown host or path): one label for all of them
OUTBOX_LAG_KEY = "ops:outbox-lag"
TASK_FAILURES_KEY = "ops:task-failures"


def view_label(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None and match.view_name else UNRESOLVED


class MetricsMiddleware:
    """Count and time every request by view, and write one access line per request (dms.access).

    Placed right after the request context (request id), before tenant routing: an unknown host's 404 is counted
    too. The view is read after the response, when URL resolution has happened."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        view = view_label(request)
        status = response.status_code
        REQUESTS.labels(view=view, method=request.method, status=f"{status // 100}xx").inc()
        LATENCY.labels(view=view).observe(elapsed)
        access_logger.info("request", extra={
            "view": view, "method": request.method, "status": status, "duration_ms": round(elapsed * 1000, 1),
            "user_id": request_user_id(request)})
        return response

    def process_exception(self, request, exception):
        EXCEPTIONS.labels(view=view_label(request)).inc()


# --- Celery (connected in dms/celery.py) -------------------------------------------------------------------------

def task_finished(task_name: str) -> None:
    TASKS_RUN.labels(task=task_name).inc()


def task_failed(task_name: str, error: BaseException | None) -> None:
    """Count the failure, and keep the last one per task in the platform cache for the operator console (a
    scrape sees this process's counts; the console sees every worker's through the shared cache)."""
    TASKS_FAILED.labels(task=task_name).inc()
    store = caches["platform"]
    failures = store.get(TASK_FAILURES_KEY) or {}
    entry = failures.get(task_name, {"count": 0})
    failures[task_name] = {"count": entry["count"] + 1, "last_at": time.time(),
                           "error": error.__class__.__name__ if error is not None else ""}
    store.set(TASK_FAILURES_KEY, failures, None)


def task_failures() -> dict[str, dict]:
    """{task name: {count, last_at (epoch seconds), error (exception class)}} since the cache was last emptied."""
    return caches["platform"].get(TASK_FAILURES_KEY) or {}


# --- fleet gauges -------------------------------------------------------------------------------------------------

def outbox_lag_record(seconds: float) -> None:
    caches["platform"].set(OUTBOX_LAG_KEY, {"seconds": seconds, "at": time.time()}, None)


def outbox_lag_sample() -> dict | None:
    return caches["platform"].get(OUTBOX_LAG_KEY)


class FleetCollector:
    """Gauges read at scrape time with a fixed number of queries (two), whatever the size of the fleet."""

    def collect(self):
        from tenants.selectors_fleet import pool_counts, tenants_by_status

        connection.set_schema_to_public()
        try:
            pool = pool_counts()
            statuses = tenants_by_status()
        except DatabaseError:
            pool, statuses = None, None
        up = GaugeMetricFamily("dms_fleet_database_up", "1 when the fleet gauges could be read from the database.")
        up.add_metric([], 0 if pool is None else 1)
        yield up
        if pool is not None:
            gauge = GaugeMetricFamily("dms_tenant_pool_schemas", "Schemas in the warm pool, by whether they are of "
                                      "the running code's migrations (ready) or older (stale).", labels=["state"])
            gauge.add_metric(["ready"], pool["ready"])
            gauge.add_metric(["stale"], pool["stale"])
            yield gauge
            gauge = GaugeMetricFamily("dms_tenants", "Tenants by status.", labels=["status"])
            for status, count in statuses.items():
                gauge.add_metric([status], count)
            yield gauge
        sample = outbox_lag_sample()
        if sample is not None:
            yield GaugeMetricFamily("dms_outbox_lag_seconds", "Age of the oldest outbox event not yet relayed, over "
                                    "every tenant (0: none waiting), as last sampled.", value=sample["seconds"])
            yield GaugeMetricFamily("dms_outbox_lag_sampled_at_seconds", "When the outbox lag was sampled (epoch).",
                                    value=sample["at"])


def exposition() -> tuple[bytes, str]:
    """The text exposition of every metric: this process's (or all processes' in multiprocess mode) and the
    fleet's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    fleet = CollectorRegistry()
    fleet.register(FleetCollector())
    return body + generate_latest(fleet), CONTENT_TYPE_LATEST
