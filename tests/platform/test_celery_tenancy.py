"""A Celery task runs in the schema it was sent from: a real worker, a real (in-memory) broker,
messages serialised as in production, the schema carried in the message headers."""

import queue

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from dms.celery import app
from tenant_apps.accounts.models import User

SEEN: queue.Queue = queue.Queue()


@app.task(name="tests.owner_of_current_tenant", ignore_result=True)
def owner_of_current_tenant(label):
    """Reports, from wherever it runs, which schema it is in and whose owner it sees there."""
    owners = list(User.objects.filter(role="owner").values_list("email", flat=True))
    SEEN.put((label, connection.schema_name, owners))


@pytest.fixture
def worker(django_db_blocker):
    app.conf.update(task_always_eager=False, broker_url="memory://")
    from celery.result import _set_task_join_will_block, task_join_will_block

    joins_blocked = task_join_will_block()
    with django_db_blocker.unblock(), start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield
    app.conf.update(task_always_eager=True)
    # The worker marks the whole process as a worker ("never wait for a result inside a task"); put it back, or a
    # later test in this process that waits for an eager task's result is refused.
    _set_task_join_will_block(joins_blocked)


def test_task_runs_in_the_schema_it_was_sent_from(tenant_a, tenant_b, worker):
    connection.set_tenant(tenant_a)
    owner_of_current_tenant.delay("from A")
    connection.set_tenant(tenant_b)
    owner_of_current_tenant.delay("from B")
    connection.set_schema_to_public()
    owner_of_current_tenant.delay("from public")
    seen = sorted(SEEN.get(timeout=20) for _ in range(3))
    assert seen == [
        ("from A", "t_acme", ["owner@acme.test"]),
        ("from B", "t_globex", ["owner@globex.test"]),
        ("from public", "public", []),
    ]


def test_without_a_broker_tasks_run_in_process_in_the_current_schema(tenant_b, settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    connection.set_tenant(tenant_b)
    owner_of_current_tenant.delay("eager")
    assert SEEN.get_nowait() == ("eager", "t_globex", ["owner@globex.test"])
