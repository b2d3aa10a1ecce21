"""The receivables API and console pages: open items and ageing in the reader's scope, the block and its lift
by the brand's finance (reason required, 403 without finance.edit, 404 outside scope), the Excel export, the
order's first shipment starting the clock through fulfillment."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tenant_apps.audit.models import AuditEntry
from tenant_apps.finance import services
from tenant_apps.finance import services_receivables as ar
from tenant_apps.finance.models import BlockLift, Receivable
from tests.factories import UserFactory

API = "/api/v1/finance"


class TenantClient(Client):
    """Tenant A's host; puts the test's connection back on its schema after each request."""

    def request(self, **request):
        schema = connection.schema_name
        try:
            return super().request(**request)
        finally:
            connection.set_schema(schema)


def _client(user, *, token=True):
    from rest_framework.authtoken.models import Token

    if token:
        key = Token.objects.get_or_create(user=user)[0].key
        return TenantClient(HTTP_HOST="acme.localhost", HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Token {key}")
    client = TenantClient(HTTP_HOST="acme.localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def owed(books):
    """`one` owes 12,000 due 45 days ago and 500 not shipped; `two` owes 300 due in 3 days; block after 30."""
    services.finance_settings_update(actor=None, overdue_block_days=30)
    today = timezone.localdate()
    for dealer, reference, amount, shipped in ((books.one, "SO-1", "12000.00", today - timedelta(days=75)),
                                               (books.one, "SO-2", "500.00", None),
                                               (books.two, "SO-3", "300.00", today - timedelta(days=27))):
        services.dealer_settlement_set(actor=None, dealer=dealer, mode="credit", credit_limit="50000.00",
                                       terms_days=30)
        services.credit_hold(actor=None, dealer=dealer, amount=amount, currency="CNY", reference=reference)
        if shipped:
            ar.receivable_shipped(reference=reference, dealer=dealer, shipped_on=shipped)
    return books


def test_items_and_ageing_for_brand_finance_and_the_dealers_own_clerk(owed):
    finance, clerk = _client(owed.finance), _client(owed.clerk)
    items = finance.get(f"{API}/receivables/", {"dealer": owed.one.pk}).json()["results"]
    assert [(row["reference"], row["open"], row["bucket"], row["days_overdue"]) for row in items] == [
        ("SO-1", "12000.00", "d31_60", 45), ("SO-2", "500.00", "current", 0)]
    assert [row["reference"] for row in finance.get(f"{API}/receivables/").json()["results"]] == [
        "SO-1", "SO-2", "SO-3"]
    assert [row["reference"] for row in clerk.get(f"{API}/receivables/").json()["results"]] == ["SO-1", "SO-2"]
    assert clerk.get(f"{API}/receivables/", {"dealer": owed.two.pk}).status_code == 404
    ageing = finance.get(f"{API}/receivables/ageing/").json()
    assert (ageing["totals"]["total"], ageing["totals"]["overdue"], ageing["totals"]["due_soon"]) == (
        "12800.00", "12000.00", "300.00")
    assert [(row["dealer_code"], row["buckets"]["d31_60"]) for row in ageing["dealers"]] == [
        ("fin-1", "12000.00"), ("fin-2", "0.00")]
    assert [(row["region"], row["dealers"]) for row in ageing["regions"]] == [(None, 2)]
    assert clerk.get(f"{API}/receivables/ageing/").status_code == 403
    assert finance.get(f"{API}/receivables/ageing/", {"region": "999999"}).status_code == 404


def test_the_block_and_its_lift_through_the_api(owed):
    finance, clerk = _client(owed.finance), _client(owed.clerk)
    url = f"{API}/dealers/{owed.one.pk}/block-lift/"
    status = finance.get(url).json()
    assert status["block_reason"].startswith("Orders are blocked: CN¥12,000.00 overdue more than 30 days since")
    assert (status["overdue_beyond_limit"], status["lift"]) == ("12000.00", None)
    assert clerk.post(url, {"reason": "please"}, content_type="application/json").status_code == 403
    refused = finance.post(url, {"reason": ""}, content_type="application/json")
    assert refused.status_code == 400 and "reason" in refused.json()["fields"]
    past = finance.post(url, {"reason": "x", "until": "2000-01-01"}, content_type="application/json")
    assert past.status_code == 400 and "until" in past.json()["fields"]
    until = (timezone.localdate() + timedelta(days=7)).isoformat()
    lifted = finance.post(url, {"reason": "承诺本周付款", "until": until}, content_type="application/json")
    assert lifted.status_code == 201
    assert (lifted.json()["block_reason"], lifted.json()["lift"]["reason"]) == (None, "承诺本周付款")
    ended = finance.delete(url, {"reason": "no payment"}, content_type="application/json")
    assert ended.status_code == 200 and ended.json()["block_reason"] is not None
    assert finance.get(f"{API}/dealers/99999999/block-lift/").status_code == 404
    assert BlockLift.objects.filter(ended_at__isnull=True).count() == 0


def test_a_regional_manager_reads_only_the_dealers_of_its_region(tenant_a, in_tenant):
    from tests.factories.dealers import network

    with in_tenant(tenant_a):
        net = network()
        manager = UserFactory(email="ar-rm2@acme.test", role="regional_manager", scope_node=net.east)
        for dealer in (net.pudong, net.canton):
            services.dealer_settlement_set(actor=None, dealer=dealer, mode="credit", credit_limit="9000.00")
            services.credit_hold(actor=None, dealer=dealer, amount="100.00", currency="CNY",
                                 reference=f"SO-{dealer.code}")
        client = _client(manager)
        ageing = client.get(f"{API}/receivables/ageing/").json()
        assert [row["dealer_code"] for row in ageing["dealers"]] == ["SH-002"]
        assert [row["region"] for row in ageing["regions"]] == [net.east.pk]
        assert client.get(f"{API}/receivables/ageing/", {"region": net.south.pk}).status_code == 404
        assert client.get(f"{API}/receivables/", {"dealer": net.canton.pk}).status_code == 404
        page = _client(manager, token=False)
        assert page.get(f"/console/finance/receivables/dealers/{net.canton.pk}/").status_code == 404
        assert page.get(f"/console/finance/receivables/dealers/{net.pudong.pk}/").status_code == 200
        # reads receivables, may not lift a block
        assert page.post(f"/console/finance/receivables/dealers/{net.pudong.pk}/lift/",
                         {"reason": "x"}).status_code == 403


def test_the_console_dashboard_dealer_page_lift_and_export(owed):
    page = _client(owed.finance, token=False)
    dashboard = page.get("/console/finance/receivables/")
    assert dashboard.status_code == 200
    html = dashboard.content.decode()
    assert 'id="total-overdue">CN¥12,000.00<' in html and 'data-dealer="fin-1"' in html
    assert page.get("/console/finance/receivables/", {"region": "abc"}).status_code == 404

    dealer_url = f"/console/finance/receivables/dealers/{owed.one.pk}/"
    html = page.get(dealer_url).content.decode()
    assert 'id="block-reason">Orders are blocked' in html and 'id="lift-form"' in html
    assert page.post(f"{dealer_url}lift/", {"reason": "  "}).status_code == 400
    assert page.post(f"{dealer_url}lift/", {"reason": "老客户", "until": ""}).status_code == 302
    html = page.get(dealer_url).content.decode()
    assert 'id="lift"' in html and 'id="end-lift"' in html and 'id="block-reason"' not in html
    assert page.post(f"{dealer_url}lift/end/").status_code == 302
    assert 'id="block-reason"' in page.get(dealer_url).content.decode()

    export = page.get("/console/finance/receivables/ageing.xlsx")
    assert export.status_code == 200 and export["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(export.content))
    rows = list(book["Dealers"].iter_rows(values_only=True))
    assert rows[1][:9] == ("fin-1", "fin 一号经销商", None, 500, 0, 12000, 0, 0, 12000)  # amounts as numbers
    assert AuditEntry.objects.filter(action="finance.receivables.exported").count() == 1

    clerk = _client(owed.clerk, token=False)
    assert clerk.get("/console/finance/receivables/").status_code == 403


def test_shipping_an_order_starts_the_clock_of_its_receivable(store, people):
    """Through fulfillment: the first shipment of an order with a credit part starts its receivable's clock."""
    from tests.factories.fulfillment import ship_everything
    from tests.fulfillment.conftest import approved_order

    order = approved_order(store, people)
    services.dealer_settlement_set(actor=None, dealer=order.dealer, mode="credit", credit_limit="100000.00",
                                   terms_days=15)
    services.credit_hold(actor=None, dealer=order.dealer, amount="1000.00", currency="CNY", reference=order.number)
    from tenant_apps.fulfillment import services as fulfillment

    fulfillment.order_allocate(actor=people.warehouse, order=order)
    ship_everything(order, people)
    [receivable] = Receivable.objects.filter(reference=order.number)
    today = timezone.localdate()
    assert (receivable.shipped_on, receivable.due_on) == (today, today + timedelta(days=15))


@pytest.fixture
def store(tenant_a, in_tenant):
    from tests.ordering.conftest import make_store

    with in_tenant(tenant_a):
        made = make_store()
        made.tenant = tenant_a
        yield made


@pytest.fixture
def people(store):
    from types import SimpleNamespace

    return SimpleNamespace(owner=UserFactory(email="ar-boss@brand.test", role="owner"),
                           warehouse=UserFactory(email="ar-wh@brand.test", role="warehouse"), buyer=store.buyer)


def test_payment_terms_through_the_api(books):
    finance, clerk = _client(books.finance), _client(books.clerk)
    assert finance.get(f"{API}/settings/terms/").json() == {
        "terms_kind": "net", "terms_days": 30, "cutoff_day": 25, "due_day": 10, "remind_before_days": 3,
        "remind_after_days": 7}
    changed = finance.put(f"{API}/settings/terms/", {"terms_kind": "monthly", "due_day": 15},
                          content_type="application/json")
    assert (changed.status_code, changed.json()["terms_kind"], changed.json()["due_day"]) == (200, "monthly", 15)
    bad = finance.put(f"{API}/settings/terms/", {"due_day": 31}, content_type="application/json")
    assert bad.status_code == 400 and "due_day" in bad.json()["fields"]
    path = f"{API}/dealers/{books.one.pk}/terms/"
    assert finance.get(path).json()["effective"] == {
        "kind": "monthly", "days": 30, "cutoff_day": 25, "due_day": 15,
        "description": "monthly: shipped by day 25, due on day 15 of the next month"}
    own = finance.put(path, {"terms_kind": "net"}, content_type="application/json").json()
    assert (own["terms_kind"], own["effective"]["kind"], own["effective"]["description"]) == ("net", "net",
                                                                                           "net 30 days")
    assert clerk.put(path, {"terms_kind": "monthly"}, content_type="application/json").status_code == 403
    assert finance.get(f"{API}/dealers/987654321/terms/").status_code == 404
