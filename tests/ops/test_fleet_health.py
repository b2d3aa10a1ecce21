"""The operator console's fleet health page: operators only, a fixed number of queries, each part degrading with a
note when its data is not there (pg_stat_statements not loaded, no exact migration record)."""

import re

import pytest
from django.db import connection

from tenants import schemas, selectors_fleet
from tenants.models import SchemaMigration
from tests.conftest import host_client

URL = "/operator/health/"


def rows(body: str, table_id: str) -> list[str]:
    section = body.split(f'id="{table_id}"', 1)[1].split("</div>\n", 1)[0]
    return re.findall(r"<tr data-[a-z]+=\"([^\"]*)\"", section)


def _versions(body: str) -> list[tuple[str, str, str]]:
    block = body.split('id="migration-versions"', 1)[1].split('id="outbox-lag"', 1)[0]
    return re.findall(r'<tr data-version="([^"]+)" data-current="(\d)"><td>[^<]+</td><td class="num">(\d+)</td>',
                      block)


def test_the_test_tenants_are_one_group_at_the_codes_migrations_as_provisioning_recorded(operator_client):
    body = operator_client.get(URL).content.decode()
    assert 'data-source="recorded"' in body
    [(version, current, count)] = _versions(body)
    assert (current, count) == ("1", "2") and version == schemas.code_version()[:12]  # acme and globex
    assert "t_acme, t_globex" in body


def test_a_failed_schema_is_listed_with_its_migration_and_error_and_an_unrecorded_one_is_called_so(operator_client):
    SchemaMigration.objects.filter(schema_name="t_globex").update(
        status="failed", version="", error="ordering.0042_x: OperationalError: lock timeout")
    body = operator_client.get(URL).content.decode()
    assert ("failed", "0", "1") in _versions(body)
    assert '<td>t_globex</td><td>ordering.0042_x</td><td class="small">OperationalError: lock timeout</td>' in body
    SchemaMigration.objects.filter(schema_name="t_globex").delete()
    assert ("unrecorded", "0", "1") in _versions(operator_client.get(URL).content.decode())


def test_with_nothing_recorded_the_statistics_estimate_answers(operator_client):
    SchemaMigration.objects.all().delete()
    body = operator_client.get(URL).content.decode()
    assert 'data-source="statistics"' in body
    [(rows, current, count)] = _versions(body)
    assert (current, count) == ("1", "2")
    assert int(rows) > 50  # rows of django_migrations, not a placeholder


def test_the_slow_statements_block_says_what_the_server_has(operator_client):
    """The system PostgreSQL here does not preload pg_stat_statements; the embedded one (CI) does: the page says
    which, as the server reports it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('shared_preload_libraries')")
        loaded = "pg_stat_statements" in cursor.fetchone()[0]
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'")
        installed = cursor.fetchone() is not None
    body = operator_client.get(URL).content.decode()
    if not installed:
        assert 'data-available="0"' in body and "pg_stat_statements is not installed" in body
    with connection.cursor() as cursor:  # installed in this test's transaction
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    body = operator_client.get(URL).content.decode()
    if loaded:
        assert 'data-available="1"' in body and "is installed but not loaded" not in body
    else:
        assert 'data-available="0"' in body and "is installed but not loaded" in body


def test_an_exact_migration_record_registered_at_start_up_is_shown_with_its_failures(operator_client, monkeypatch):
    monkeypatch.setattr(selectors_fleet, "_SOURCES", [])
    selectors_fleet.migration_source_register(lambda: selectors_fleet.MigrationState(
        source="recorded", exact=True,
        groups=[selectors_fleet.VersionGroup(version="abc123", schemas=998, current=True),
                selectors_fleet.VersionGroup(version="0ff1ce", schemas=2, current=False, examples=("t_b1", "t_b2"))],
        failed=[selectors_fleet.FailedMigration("t_b2", "ordering.0042_x", "lock timeout")]))
    body = operator_client.get(URL).content.decode()
    assert 'data-source="recorded"' in body
    assert rows(body, "migration-versions")[:2] == ["abc123", "0ff1ce"]
    assert "<td>t_b2</td><td>ordering.0042_x</td>" in body and "Applied migrations" not in body


def test_a_failed_task_shows_with_its_error(operator_client):
    from celery import shared_task

    @shared_task(name="tests.ops.health_explode")
    def explode():
        raise KeyError("boom")

    assert explode.apply(throw=False).failed()
    body = operator_client.get(URL).content.decode()
    row = body.split('data-task="tests.ops.health_explode">', 1)[1].split("</tr>", 1)[0]
    assert re.match(r'<td>tests.ops.health_explode</td><td class="num">\d+</td><td>KeyError</td>', row)


def test_the_page_costs_a_fixed_number_of_queries(operator_client, django_assert_max_num_queries):
    operator_client.get(URL)
    with django_assert_max_num_queries(12):  # session, user, then one query per part
        assert operator_client.get(URL).status_code == 200


def test_operators_only(public_client, client_a, db):
    from tenant_apps.accounts.services import user_create
    from tests.factories import DEFAULT_PASSWORD

    assert public_client.get(URL).status_code == 302  # to sign in
    assert client_a.get(URL).status_code == 404  # never on a brand's host
    connection.set_schema_to_public()
    user_create(actor=None, email="someone@platform.test", password=DEFAULT_PASSWORD)
    browser = host_client("localhost")
    assert browser.post("/accounts/login/", {"username": "someone@platform.test", "password": DEFAULT_PASSWORD}
                        ).status_code == 302
    assert browser.get(URL).status_code == 403


@pytest.mark.parametrize("language", ["zh-hans"])
def test_the_page_reads_in_chinese(operator_client, language):
    body = operator_client.get(URL, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert "集群健康" in body and "各迁移版本的 schema 数" in body
