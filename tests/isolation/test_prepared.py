"""Prepared statements (tenant_apps.core.prepared) on one connection serving two tenants: each tenant's
statement reads that tenant's tables, and a connection keeps a bounded number of them."""

from django.db import connection

from tenant_apps.core import prepared
from tests.factories import UserFactory

COUNT_USERS = "SELECT count(*) FROM accounts_user WHERE email = %(email)s"


def _count(email: str) -> int:
    with connection.cursor() as cursor:
        prepared.execute(cursor, "isolation_count", COUNT_USERS, {"email": email})
        return cursor.fetchone()[0]


def test_one_connection_two_tenants_each_statement_reads_its_own_tenant(tenant_a, tenant_b, in_tenant):
    with in_tenant(tenant_a):
        UserFactory(email="only-in-a@dealer.test")
    for _ in range(3):  # alternate on the same connection: the statements are prepared once each
        with in_tenant(tenant_a):
            assert _count("only-in-a@dealer.test") == 1
        with in_tenant(tenant_b):
            assert _count("only-in-a@dealer.test") == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                       ["%count(*) FROM accounts_user WHERE email%"])
        assert cursor.fetchone()[0] == 2


def test_a_connection_keeps_at_most_the_cap_of_statements(tenant_a, in_tenant, monkeypatch):
    monkeypatch.setattr(prepared, "MAX_PER_CONNECTION", 3)
    with in_tenant(tenant_a), connection.cursor() as cursor:
        for number in range(6):
            prepared.execute(cursor, f"cap_{number}", "SELECT %(n)s::int + " + str(number), {"n": 1})
            assert cursor.fetchone()[0] == 1 + number
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'dms_%%'")
        assert cursor.fetchone()[0] <= 3
        prepared.execute(cursor, "cap_0", "SELECT %(n)s::int + 0", {"n": 41})  # evicted: prepared again
        assert cursor.fetchone()[0] == 41
