"""dms.database: the health check skipped on a connection that answered moments ago, and `SET search_path`
skipped when the session already has the tenant's path, never when it might not (a rollback undid it)."""

from __future__ import annotations

import select
import time

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext, override_settings

from tenants.models import Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_connection():
    """A connection of its own (autocommit, outside the test's transaction), closed afterwards."""
    wrapper = connections.create_connection("default")
    yield wrapper
    wrapper.close()


def _request(wrapper, sql="SELECT 1"):
    """What a request does with the connection: Django's start-of-request bookkeeping, a query, the end."""
    wrapper.close_if_unusable_or_obsolete()
    with wrapper.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    wrapper.close_if_unusable_or_obsolete()
    return row


def _kill(wrapper):
    """The server ends the session (a restart, a failover): the client learns it on its next query."""
    pid = wrapper.connection.info.backend_pid
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


def _paths(tenant_slug):
    return [Tenant.objects.get(slug=tenant_slug).schema_name, "public"]


def test_a_connection_idle_longer_than_the_delay_is_checked_and_replaced(own_connection):
    own_connection.set_schema_to_public()
    assert _request(own_connection) == (1,)
    _kill(own_connection)
    with override_settings(DB_HEALTH_CHECK_DELAY=0):  # every connection counts as idle
        assert _request(own_connection) == (1,)  # the check found it dead and connected again


def _last_query(wrapper) -> str:
    """What the server last ran for that connection's session, seen from another connection."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # the view is read once per transaction otherwise
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [wrapper.connection.info.backend_pid])
        return cursor.fetchone()[0]


def test_a_connection_that_answered_just_now_is_not_checked_again(own_connection):
    own_connection.set_schema_to_public()
    assert _request(own_connection, "SELECT 2") == (2,)
    own_connection.close_if_unusable_or_obsolete()  # the next request starts and takes a cursor, which asks
    own_connection.close_if_health_check_failed()  # for the health check: no check query is sent
    assert _last_query(own_connection) == "SELECT 2"
    with override_settings(DB_HEALTH_CHECK_DELAY=0):  # idle longer than the delay: checked (psycopg's SELECT 1)
        own_connection.close_if_unusable_or_obsolete()
        own_connection.close_if_health_check_failed()
    assert _last_query(own_connection) == "SELECT 1"


def test_a_session_the_server_ended_is_replaced_even_within_the_delay(own_connection):
    own_connection.set_schema_to_public()
    assert _request(own_connection) == (1,)
    _kill(own_connection)
    # The server says goodbye before it closes the socket (a restart, a failover, a terminated backend): once
    # that has arrived, the skipped check is not skipped, and the first request after it succeeds.
    deadline = time.monotonic() + 5
    while not select.select([own_connection.connection.fileno()], [], [], 0.05)[0]:
        assert time.monotonic() < deadline, "the server never closed the session"
    assert _request(own_connection) == (1,)


def test_the_tenant_path_is_set_once_per_session_not_per_request(own_connection, tenant_a, tenant_b):
    read = "SELECT current_schemas(false)::text[], (SELECT count(*) FROM dealers_dealer)"
    own_connection.set_tenant(tenant_a)
    with CaptureQueriesContext(own_connection) as first:
        assert _request(own_connection, read)[0] == _paths("acme")
    own_connection.set_schema_to_public()  # the routing middleware, between two requests
    own_connection.set_tenant(tenant_a)
    with CaptureQueriesContext(own_connection) as again:
        assert _request(own_connection, read)[0] == _paths("acme")
    own_connection.set_tenant(tenant_b)
    with CaptureQueriesContext(own_connection) as other:
        assert _request(own_connection, read)[0] == _paths("globex")

    def sets(captured):
        return [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SET search_path")]

    assert len(sets(first)) == 1
    assert sets(again) == []
    assert sets(other) == [f'SET search_path = "{tenant_b.schema_name}","public"']


@pytest.mark.parametrize("undo", ["rollback", "savepoint_rollback"])
def test_a_path_set_in_work_rolled_back_is_set_again(own_connection, tenant_a, undo):
    own_connection.set_schema_to_public()
    _request(own_connection)
    own_connection.set_autocommit(False)
    savepoint = own_connection.savepoint() if undo == "savepoint_rollback" else None
    own_connection.set_tenant(tenant_a)
    with own_connection.cursor() as cursor:  # the path set inside the transaction, then undone with it
        cursor.execute("SELECT count(*) FROM dealers_dealer")
    if undo == "rollback":
        own_connection.rollback()
    else:
        own_connection.savepoint_rollback(savepoint)
    own_connection.set_tenant(tenant_a)
    with own_connection.cursor() as cursor:
        cursor.execute("SELECT current_schemas(false)::text[], (SELECT count(*) FROM dealers_dealer)")
        assert cursor.fetchone()[0] == _paths("acme")
    own_connection.rollback()
    own_connection.set_autocommit(True)


def test_after_a_clone_the_tenant_path_is_set_again(tenant_a):
    """django-tenants' clone function sets the session's search_path itself (set_config): what was remembered
    before it is not trusted after it."""
    from django.db import connection

    from tenants import schemas

    read = "SELECT current_schemas(false)::text[], (SELECT count(*) FROM dealers_dealer)"
    connection.set_tenant(tenant_a)
    with connection.cursor() as cursor:
        cursor.execute(read)
    schemas.clone_template("t_clone_path_check")  # rolled back with the test
    connection.set_tenant(tenant_a)
    with CaptureQueriesContext(connection) as captured, connection.cursor() as cursor:
        cursor.execute(read)
        assert cursor.fetchone()[0] == [tenant_a.schema_name, "public"]
    assert any(q["sql"].startswith("SET search_path") for q in captured.captured_queries)


def _pid(wrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_connection_that_served_more_schemas_than_the_bound_is_replaced_between_requests(
        own_connection, tenant_a, tenant_b):
    """A backend keeps caches for every schema it touched (relations, foreign-key check plans) until it ends:
    past DB_CONN_MAX_SCHEMAS tenants the connection is closed at a request boundary and the next request gets a
    fresh backend; without a bound it stays."""
    read = "SELECT count(*) FROM dealers_dealer"
    with override_settings(DB_CONN_MAX_SCHEMAS=1):
        own_connection.set_tenant(tenant_a)
        _request(own_connection, read)
        first = _pid(own_connection)
        own_connection.set_tenant(tenant_a)
        _request(own_connection, read)
        assert _pid(own_connection) == first  # the same tenant again: one schema, within the bound
        own_connection.set_tenant(tenant_b)
        with own_connection.cursor() as cursor:
            cursor.execute(read)
        assert own_connection.schemas_used() == 2
        own_connection.close_if_unusable_or_obsolete()  # the request's end
        assert own_connection.connection is None
        own_connection.set_tenant(tenant_b)
        _request(own_connection, read)
        assert _pid(own_connection) != first
        assert own_connection.schemas_used() == 1
    with override_settings(DB_CONN_MAX_SCHEMAS=0):  # no bound
        own_connection.set_tenant(tenant_a)
        _request(own_connection, read)
        kept = _pid(own_connection)
        own_connection.set_tenant(tenant_b)
        _request(own_connection, read)
        assert _pid(own_connection) == kept
        assert own_connection.schemas_used() == 2


def test_all_or_nothing_makes_no_savepoints_and_rolls_back_whole_on_an_inner_error(db):
    from django.db import connection, transaction

    from dms.database.base import all_or_nothing
    from tenants.models import PooledSchema

    with CaptureQueriesContext(connection) as queries, all_or_nothing():
        PooledSchema.objects.create(schema_name="pool_outer", version="v")
        with transaction.atomic():
            PooledSchema.objects.create(schema_name="pool_inner", version="v")
    # only the block's own (the test's transaction encloses it), none for the atomic block nested inside
    assert len([q["sql"] for q in queries.captured_queries if "SAVEPOINT" in q["sql"]]) == 2
    assert PooledSchema.objects.filter(schema_name__in=["pool_outer", "pool_inner"]).count() == 2

    with all_or_nothing():
        PooledSchema.objects.create(schema_name="pool_kept_only_if_all_succeed", version="v")
        try:
            with transaction.atomic():
                raise ValueError("an inner step failed")
        except ValueError:
            pass  # caught inside: without a savepoint, the whole block is rolled back
    assert not PooledSchema.objects.filter(schema_name="pool_kept_only_if_all_succeed").exists()
    # and savepoints are back after it
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        with transaction.atomic():
            PooledSchema.objects.create(schema_name="pool_after", version="v")
    assert [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]
