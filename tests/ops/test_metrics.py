"""/internal/metrics: Prometheus' scrape, internal (a token), with requests by view, orders submitted, tasks by name
and the fleet's gauges at a constant number of queries."""

import re

import pytest
from django.db import connection
from django.test import Client

from tenant_apps.ordering import submission
from tenant_apps.ordering.submission import SubmitLine, order_submit

TOKEN = "metrics-test-token-0123456789"


@pytest.fixture
def scrape(settings, db):
    settings.METRICS_TOKEN = TOKEN
    client = Client(HTTP_HOST="10.0.0.7:8000")  # as Prometheus reaches a pod: by address, no tenant host

    def _scrape() -> str:
        tenant = connection.tenant
        response = client.get("/internal/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        connection.set_tenant(tenant)  # the scrape reads on the public schema; the test goes on where it was
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("text/plain; version=")
        return response.content.decode()

    return _scrape


def sample(text: str, name: str, **labels) -> float:
    """The value of one sample of the exposition (0 when the series is absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        series, _, value = line.rpartition(" ")
        found = re.fullmatch(r"([a-zA-Z_:][\w:]*)(?:\{(.*)\})?", series)
        if found and found[1] == name and ",".join(sorted((found[2] or "").split(","))) == wanted:
            return float(value)
    return 0.0


def test_an_order_submitted_in_the_test_shows_on_the_next_scrape(scrape, store, django_capture_on_commit_callbacks):
    before = sample(scrape(), "dms_orders_submitted_total")
    with django_capture_on_commit_callbacks(execute=True):
        order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(store.sku.pk, store.can.pk, 3)])
    assert sample(scrape(), "dms_orders_submitted_total") == before + 1


def test_a_refused_submission_counts_nothing(scrape, store, django_capture_on_commit_callbacks):
    before = sample(scrape(), "dms_orders_submitted_total")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(submission.StockShort):
        order_submit(actor=store.buyer, dealer=store.dealer, lines=[SubmitLine(store.sku.pk, None, 100_000)])
    assert sample(scrape(), "dms_orders_submitted_total") == before


def test_requests_are_counted_by_route_name_not_path(scrape, client_a):
    before = scrape()
    assert client_a.get("/accounts/login/").status_code == 200
    assert client_a.get("/no/such/page/12345/").status_code == 404
    after = scrape()
    for view, status in (("accounts:login", "2xx"), ("<unresolved>", "4xx")):
        labels = {"view": view, "method": "GET", "status": status}
        assert sample(after, "dms_http_requests_total", **labels) == sample(before, "dms_http_requests_total",
                                                                            **labels) + 1
    assert sample(after, "dms_http_request_duration_seconds_count", view="accounts:login") == sample(
        before, "dms_http_request_duration_seconds_count", view="accounts:login") + 1
    # neither raw paths nor tenants as label values (a sample's value, e.g. a created timestamp, may hold any digits)
    values = re.findall(r'="([^"]*)"', after)
    assert values and not [value for value in values if "12345" in value or "t_acme" in value]


def test_tasks_are_counted_by_name_and_failures_apart(scrape):
    from celery import shared_task

    @shared_task(name="tests.ops.explode")
    def explode():
        raise ValueError("boom")

    @shared_task(name="tests.ops.fine")
    def fine():
        return 1

    before = scrape()
    fine.apply()
    assert explode.apply(throw=False).failed()  # traced as a worker traces it: the error kept, not raised
    after = scrape()
    names = ("tests.ops.fine", "tests.ops.explode")
    run = {name: sample(after, "dms_celery_tasks_run_total", task=name)
           - sample(before, "dms_celery_tasks_run_total", task=name) for name in names}
    assert run == {"tests.ops.fine": 1, "tests.ops.explode": 1}
    assert sample(after, "dms_celery_tasks_failed_total", task="tests.ops.explode") - sample(
        before, "dms_celery_tasks_failed_total", task="tests.ops.explode") == 1
    assert sample(after, "dms_celery_tasks_failed_total", task="tests.ops.fine") == 0


def test_fleet_gauges_cost_the_same_queries_however_many_tenants(scrape, django_assert_max_num_queries):
    from tenants.tasks import outbox_lag_sample

    outbox_lag_sample()
    with django_assert_max_num_queries(4):  # the routing-free scrape: pool, statuses (+ savepoint bookkeeping)
        text = scrape()
    assert sample(text, "dms_tenants", status="active") == 2  # the two test tenants
    assert sample(text, "dms_fleet_database_up") == 1
    assert "dms_tenant_pool_schemas" in text
    assert sample(text, "dms_outbox_lag_seconds") >= 0 and sample(text, "dms_outbox_lag_sampled_at_seconds") > 0


def test_the_outbox_lag_is_the_age_of_the_oldest_unrelayed_event(store, settings):
    from datetime import timedelta

    from django.utils import timezone

    from tenant_apps.events.models import OutboxEvent
    from tenants.selectors_fleet import outbox_lag_seconds

    OutboxEvent.objects.create(kind="order.submitted", subject_type="order", subject_id="1",
                               created_at=timezone.now() - timedelta(minutes=5))
    lag = outbox_lag_seconds()
    assert 299 < lag < 400


def test_the_endpoint_is_internal(settings, db):
    client = Client(HTTP_HOST="acme.localhost")
    settings.METRICS_TOKEN = ""
    assert client.get("/internal/metrics").status_code == 404  # off without a token configured
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/internal/metrics").status_code == 401
    assert client.get("/internal/metrics", HTTP_AUTHORIZATION="Bearer wrong-token").status_code == 401
