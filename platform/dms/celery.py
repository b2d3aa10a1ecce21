"""The Celery app. Tasks are tenant-aware: a task runs in the schema it was sent from.

tenant-schemas-celery puts the current schema in the message headers and switches to it in the
worker before the task runs. Without CELERY_BROKER_URL, tasks run in-process (eager).
"""

import os

from celery.signals import task_failure, task_postrun, task_prerun, worker_init
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dms.settings")

app = CeleryApp("dms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect(weak=False)
def _task_context(task_id=None, task=None, **_kwargs):
    """Tag logs and Sentry with the task's tenant (the schema switch runs just before this)."""
    from django.db import connection

    from dms.logcontext import request_id_var, tenant_var
    from dms.observability import tag_tenant

    tenant_var.set(connection.schema_name)
    request_id_var.set(task_id or "-")
    tag_tenant(connection.schema_name)


@task_postrun.connect(weak=False)
def _task_count(task=None, **_kwargs):
    """Every task that ran, by name (dms_celery_tasks_run_total); failures are counted by _task_failure too."""
    from dms.metrics import task_finished

    task_finished(getattr(task, "name", None) or "unknown")


@task_failure.connect(weak=False)
def _task_failure(sender=None, exception=None, **_kwargs):
    from dms.metrics import task_failed

    task_failed(getattr(sender, "name", None) or "unknown", exception)


@worker_init.connect(weak=False)
def _metrics_server(**_kwargs):
    """With METRICS_PORT set, the worker serves its metrics (tasks run and failed by name, all its processes
    together in multiprocess mode) on that port, for Prometheus on the internal network only."""
    port = int(os.environ.get("METRICS_PORT") or 0)
    if not port:
        return
    from prometheus_client import REGISTRY, CollectorRegistry, multiprocess, start_http_server

    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    start_http_server(port, registry=registry)
