"""The console's webhook pages: settings editors only, the secret shown once, the delivery log, replay."""

import re

from tenant_apps.accounts.models import User
from tenant_apps.events.services import event_record, outbox_relay
from tenant_apps.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.conftest import host_client
from tests.factories import UserFactory

HOST = "acme.localhost"
BASE = "/console/webhooks/"


def _browser(tenant, in_tenant, user, language="en"):
    with in_tenant(tenant):
        client = host_client(HOST, language=language)
        client.force_login(user)
    return client


def test_an_endpoint_is_made_its_secret_shown_once_and_its_deliveries_listed(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        owner = User.objects.get(email="owner@acme.test")
    page = _browser(tenant_a, in_tenant, owner)
    bad = page.post(f"{BASE}new/", {"url": "ftp://x", "event_kinds": ["order.submitted"]})
    assert bad.status_code == 400 and "url" in bad.context["form"].errors
    made = page.post(f"{BASE}new/", {"url": "http://127.0.0.1:9/hook", "event_kinds": ["order.submitted"]})
    assert made.status_code == 200
    with in_tenant(tenant_a):
        endpoint = WebhookEndpoint.objects.get()
        shown = re.search(r'id="webhook-secret">([^<]+)<', made.content.decode()).group(1)
        assert shown == endpoint.secret
        event = event_record(kind="order.submitted", subject_id="5", subject_ref="SO-5")
        outbox_relay()
        delivery = WebhookDelivery.objects.get()
    detail = page.get(f"{BASE}{endpoint.pk}/")
    assert detail.status_code == 200 and endpoint.secret not in detail.content.decode()
    assert [d.event_id for d in detail.context["deliveries"]] == [event.id]
    assert page.post(f"{BASE}{endpoint.pk}/deliveries/{delivery.pk}/replay/").status_code == 302
    rotated = page.post(f"{BASE}{endpoint.pk}/rotate/")
    with in_tenant(tenant_a):
        endpoint.refresh_from_db()
        assert endpoint.previous_secret == shown and endpoint.secret in rotated.content.decode()
    assert page.post(f"{BASE}{endpoint.pk}/toggle/").status_code == 302
    with in_tenant(tenant_a):
        endpoint.refresh_from_db()
        assert not endpoint.active
    listing = page.get(BASE)
    assert listing.status_code == 200 and "http://127.0.0.1:9/hook" in listing.content.decode()


def test_the_pages_in_chinese(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        owner = User.objects.get(email="owner@acme.test")
    listing = _browser(tenant_a, in_tenant, owner, language="zh-hans").get(BASE)
    assert listing.status_code == 200 and "添加接收地址" in listing.content.decode()


def test_people_without_settings_edit_are_refused(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        analyst = UserFactory(email="analyst-wh@acme.test", role="analyst")
        endpoint = WebhookEndpoint.objects.create(url="http://127.0.0.1:9/x", event_kinds=["order.submitted"],
                                                  secret="whsec_eA==")
    page = _browser(tenant_a, in_tenant, analyst)
    assert page.get(BASE).status_code == 403
    assert page.post(f"{BASE}{endpoint.pk}/rotate/").status_code == 403
    assert page.get(f"{BASE}{endpoint.pk}/").status_code == 403


def test_the_list_takes_the_same_queries_for_one_endpoint_or_many(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        owner = User.objects.get(email="owner@acme.test")
        WebhookEndpoint.objects.create(url="http://127.0.0.1:9/1", event_kinds=["order.submitted"], secret="whsec_eA==")
    page = _browser(tenant_a, in_tenant, owner)
    page.get(BASE)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        page.get(BASE)
    with in_tenant(tenant_a):
        for number in range(5):
            WebhookEndpoint.objects.create(url=f"http://127.0.0.1:9/{number}x", event_kinds=["stock.low"],
                                           secret="whsec_eA==")
    with CaptureQueriesContext(connection) as many:
        page.get(BASE)
    assert len(many.captured_queries) == len(one.captured_queries)
