"""A Celery task runs in the schema it was sent from: a real worker, a real (in-memory) broker,
messages serialised as in production, the schema carried in the message headers."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from dms.celery import app
from tenant_apps.accounts.models import User


@app.task(name="tests.owner_of_current_tenant")
def owner_of_current_tenant():
    return {
        "schema": connection.schema_name,
        "owners": list(User.objects.filter(is_owner=True).values_list("email", flat=True)),
    }


@pytest.fixture
def worker(django_db_blocker):
    app.conf.update(task_always_eager=False, broker_url="memory://", result_backend="cache+memory://")
    with (
        django_db_blocker.unblock(),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        yield
    app.conf.update(task_always_eager=True, result_backend=None)


def test_task_runs_in_the_schema_it_was_sent_from(tenant_a, tenant_b, worker):
    connection.set_tenant(tenant_a)
    from_a = owner_of_current_tenant.delay()
    connection.set_tenant(tenant_b)
    from_b = owner_of_current_tenant.delay()
    connection.set_schema_to_public()
    from_public = owner_of_current_tenant.delay()
    assert from_a.get(timeout=20) == {"schema": "t_acme", "owners": ["owner@acme.test"]}
    assert from_b.get(timeout=20) == {"schema": "t_globex", "owners": ["owner@globex.test"]}
    assert from_public.get(timeout=20) == {"schema": "public", "owners": []}


def test_without_a_broker_tasks_run_in_process_in_the_current_schema(tenant_b, settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    connection.set_tenant(tenant_b)
    assert owner_of_current_tenant.delay().get() == {"schema": "t_globex", "owners": ["owner@globex.test"]}
