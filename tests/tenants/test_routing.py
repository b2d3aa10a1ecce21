"""Routing by host: platform host, tenant hosts, unknown hosts, suspended and deleted tenants; routing kept
per worker for a moment."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants import services
from tenants.selectors import domain_for_host
from tests.conftest import host_client


def test_platform_host_serves_the_public_site(public_client):
    response = public_client.get("/")
    assert response.status_code == 200
    assert "Dealer ordering platform" in response.content.decode()


def test_tenant_host_serves_that_brand(client_a, client_b):
    assert "Acme Beverage Group" in client_a.get("/").content.decode()
    page_b = client_b.get("/").content.decode()
    assert "Globex Tiles" in page_b
    assert "Acme" not in page_b


def test_host_with_port_routes_like_the_host(tenant_a):
    response = host_client("acme.localhost:8000").get("/")
    assert response.status_code == 200
    assert "Acme Beverage Group" in response.content.decode()


@pytest.mark.parametrize(
    "host", ["nope.localhost", "acme.evil.test", "evil.test", "ACME.localhost.evil.test"]
)
def test_unknown_host_is_a_clear_404_page(db, host):
    response = host_client(host).get("/")
    assert response.status_code == 404
    body = response.content.decode()
    assert 'data-code="unknown_host"' in body
    assert "<h1>" in body


def test_unknown_host_is_a_404_json_under_api(db):
    response = host_client("nope.localhost").get("/api/v1/me/")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_host"


def test_suspended_tenant_gets_a_suspended_page_and_403_json(tenant_a, client_a, client_b):
    services.tenant_suspend(actor="test", tenant=tenant_a, reason="unpaid invoice")
    page = client_a.get("/")
    assert page.status_code == 403
    assert 'data-code="tenant_suspended"' in page.content.decode()
    assert "Acme Beverage Group" in page.content.decode()
    api = client_a.get("/api/v1/me/")
    assert api.status_code == 403
    assert api.json()["code"] == "tenant_suspended"
    assert client_b.get("/").status_code == 200  # the other brand is untouched

    services.tenant_restore(actor="test", tenant=tenant_a, reason="paid")
    assert client_a.get("/").status_code == 200


def test_deleted_tenant_host_is_a_404(tenant_a, client_a):
    services.tenant_delete(actor="test", tenant=tenant_a, reason="closed account")
    response = client_a.get("/api/v1/me/")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_host"


def test_health_endpoints_answer_on_every_host(db):
    for host in ["localhost", "acme.localhost", "nope.localhost", "10.1.2.3"]:
        client = host_client(host)
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"]["database"]["ok"] is True


def test_no_header_or_parameter_picks_the_schema(client_b):
    """Only the Host header routes: tenant-ish headers and parameters are ignored."""
    response = client_b.get(
        "/?schema=t_acme&tenant=acme",
        HTTP_X_TENANT="acme",
        HTTP_X_SCHEMA="t_acme",
        HTTP_X_FORWARDED_HOST="acme.localhost",
    )
    body = response.content.decode()
    assert "Globex Tiles" in body
    assert "Acme" not in body


def test_request_id_is_returned_and_kept_when_given(client_a):
    generated = client_a.get("/").headers["X-Request-ID"]
    assert len(generated) == 32
    kept = client_a.get("/", HTTP_X_REQUEST_ID="lb-0123456789abcdef").headers["X-Request-ID"]
    assert kept == "lb-0123456789abcdef"
    rejected = client_a.get("/", HTTP_X_REQUEST_ID="bad id with spaces\n").headers["X-Request-ID"]
    assert rejected != "bad id with spaces\n" and len(rejected) == 32


def test_a_worker_reads_a_hosts_routing_once_while_it_is_fresh(client_a, count_queries):
    """An anonymous API call reads nothing but the routing: once, then not while it is fresh."""
    with count_queries() as cold:
        assert client_a.get("/api/v1/me/").status_code == 401
    with CaptureQueriesContext(connection) as warm:
        assert client_a.get("/api/v1/me/").status_code == 401
    assert [sql.split(" ")[0] for sql in cold.sql if not sql.startswith("PREPARE")] == ["EXECUTE"]
    assert [q["sql"] for q in warm.captured_queries] == []


def test_a_change_made_elsewhere_is_seen_once_the_routing_is_stale(tenant_a, client_a, settings):
    """Another process's suspension sends no signal here: this worker sees it after TENANT_ROUTING_CACHE_MS."""
    settings.TENANT_ROUTING_CACHE_MS = 200
    assert client_a.get("/").status_code == 200
    with connection.cursor() as cursor:  # what another process would have written: no post_save here
        cursor.execute("UPDATE tenants_tenant SET status = 'suspended' WHERE id = %s", [tenant_a.pk])
    assert client_a.get("/").status_code == 200  # still the routing read 0.2 s ago
    time.sleep(0.25)
    assert client_a.get("/").status_code == 403


def test_without_a_cache_every_request_reads_its_routing(tenant_a, client_a, settings):
    settings.TENANT_ROUTING_CACHE_MS = 0
    assert client_a.get("/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("UPDATE tenants_tenant SET status = 'suspended' WHERE id = %s", [tenant_a.pk])
    assert client_a.get("/").status_code == 403


def test_a_view_changing_request_tenant_does_not_change_the_next_requests_tenant(tenant_a, client_a):
    first = domain_for_host("acme.localhost")
    first.tenant.display_name = "changed in memory only"
    assert domain_for_host("acme.localhost").tenant.brand_name == "Acme Beverage Group"


def test_a_change_made_on_a_brands_request_reaches_the_routing_of_other_workers(tenant_a):
    """Routing reads the generation on the public schema; a brand's own request (its branding saved) bumps it on the
    brand's schema: both must be the same key, or another worker keeps showing the old branding."""
    from django_tenants.utils import schema_context

    from tenants import selectors

    before = selectors._generation()
    with schema_context(tenant_a.schema_name):
        selectors.routing_forget()
    assert selectors._generation() != before
