"""Webhook deliveries: one per subscribed endpoint (idempotent), retries with backoff then dead or the endpoint
turned off with its admins told, order per subject, secret rotation, the URLs allowed."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook

from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditEntry
from tenant_apps.events.models import OutboxEvent
from tenant_apps.events.services import event_record, outbox_relay
from tenant_apps.webhooks import services
from tenant_apps.webhooks.models import WebhookDelivery
from tenant_apps.webhooks.services import (
    delivery_replay,
    endpoint_create,
    endpoint_enable,
    endpoint_rotate_secret,
    url_check,
    webhook_deliver_due,
)
from tests.webhooks.receiver import Receiver


@pytest.fixture
def owner(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        yield User.objects.get(email="owner@acme.test")


def _event(kind="order.submitted", subject="41"):
    event = event_record(kind=kind, subject_id=subject, subject_ref=f"SO-{subject}", payload={"n": 1})
    outbox_relay()
    return event


def test_each_event_makes_one_delivery_per_subscribed_active_endpoint(owner):
    one = endpoint_create(actor=owner, url="http://127.0.0.1:9/a", event_kinds=["order.submitted"])
    two = endpoint_create(actor=owner, url="http://127.0.0.1:9/b", event_kinds=["order.submitted", "stock.low"])
    off = endpoint_create(actor=owner, url="http://127.0.0.1:9/c", event_kinds=["order.submitted"])
    off.active = False
    off.save()
    submitted = _event()
    low = _event(kind="stock.low", subject="7")
    rows = sorted(WebhookDelivery.objects.values_list("endpoint_id", "event_id"))
    assert rows == sorted([(one.pk, submitted.id), (two.pk, submitted.id), (two.pk, low.id)])
    services.deliveries_for_events([submitted, low])  # handed over again: nothing new
    assert WebhookDelivery.objects.count() == 3
    delivery = WebhookDelivery.objects.get(endpoint=one)
    assert delivery.payload["id"] == str(submitted.id) and delivery.payload["type"] == "order.submitted"
    assert delivery.payload["data"]["subject"] == {"type": "order", "id": "41", "ref": "SO-41"}
    assert delivery.payload["data"]["n"] == 1
    assert AuditEntry.objects.filter(action="webhooks.endpoint.created", target_id=str(one.pk)).count() == 1


def test_a_rolled_back_change_makes_no_delivery(owner):
    endpoint_create(actor=owner, url="http://127.0.0.1:9/a", event_kinds=["order.submitted"])
    with pytest.raises(RuntimeError), transaction.atomic():
        event_record(kind="order.submitted", subject_id="99")
        raise RuntimeError("the change fails")
    outbox_relay()
    assert WebhookDelivery.objects.count() == 0


def test_the_secret_is_encrypted_at_rest(owner):
    from django.db import connection

    endpoint = endpoint_create(actor=owner, url="http://127.0.0.1:9/a", event_kinds=["order.submitted"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_webhookendpoint WHERE id = %s", [endpoint.pk])
        stored = cursor.fetchone()[0]
    assert endpoint.secret.startswith("whsec_") and stored.startswith("v1:") and endpoint.secret not in stored


def test_a_failing_receiver_is_retried_with_backoff_then_turned_off_and_the_admins_told(
        owner, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.WEBHOOKS_DISABLE_AFTER = 4
    with Receiver(status=500) as receiver:
        endpoint = endpoint_create(actor=owner, url=receiver.url, event_kinds=["order.submitted"])
        receiver.secrets = [endpoint.secret]
        event = _event()
        delivery = WebhookDelivery.objects.get(event_id=event.id)
        t0 = timezone.now()
        assert webhook_deliver_due(t0) == 1
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts, delivery.last_status) == ("failed", 1, 500)
        assert delivery.response_excerpt == "ok" and delivery.next_attempt_at == t0 + timedelta(seconds=30)
        assert webhook_deliver_due(t0 + timedelta(seconds=29)) == 0  # not yet
        waits = [timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10)]
        at = t0
        with django_capture_on_commit_callbacks(execute=True):
            for wait in waits:
                at += wait
                assert webhook_deliver_due(at) == 1
        delivery.refresh_from_db()
        endpoint.refresh_from_db()
        assert delivery.attempts == 4 and delivery.state == "failed"
        assert not endpoint.active and endpoint.consecutive_failures == 4
        assert endpoint.disabled_reason == "4 deliveries in a row failed"
        assert webhook_deliver_due(at + timedelta(days=2)) == 0  # turned off: nothing more is sent
        assert len(receiver.received) == 4 and receiver.rejected == 0
        assert [mail.to for mail in mailoutbox] == [["owner@acme.test"]]
        assert receiver.url in mailoutbox[0].body
        assert OutboxEvent.objects.filter(kind="webhook.disabled", subject_id=str(endpoint.pk)).count() == 1
        assert AuditEntry.objects.filter(action="webhooks.endpoint.auto_disabled").count() == 1

        receiver.status = 204  # fixed; turned back on: the waiting delivery goes now
        endpoint_enable(actor=owner, endpoint=endpoint)
        assert webhook_deliver_due() == 1
        delivery.refresh_from_db()
        endpoint.refresh_from_db()
        assert (delivery.state, delivery.attempts, delivery.last_status) == ("succeeded", 5, 204)
        assert endpoint.active and endpoint.consecutive_failures == 0


def test_after_the_last_attempt_a_delivery_is_dead_and_can_be_replayed(owner, settings):
    settings.WEBHOOKS_DISABLE_AFTER = 100
    with Receiver(status=503) as receiver:
        endpoint = endpoint_create(actor=owner, url=receiver.url, event_kinds=["order.submitted"])
        receiver.secrets = [endpoint.secret]
        event = _event()
        at = timezone.now()
        for _attempt in range(services.MAX_ATTEMPTS):
            assert webhook_deliver_due(at) == 1
            at += timedelta(days=2)
        delivery = WebhookDelivery.objects.get(event_id=event.id)
        assert (delivery.state, delivery.attempts) == ("dead", 8)
        assert webhook_deliver_due(at) == 0
        receiver.status = 200
        delivery_replay(actor=owner, delivery=delivery)
        assert webhook_deliver_due() == 1
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == ("succeeded", 9)
        assert [msg_id for msg_id, _payload in receiver.received] == [str(event.id)] * 9


def test_a_subjects_later_event_waits_for_the_earlier_one_other_subjects_do_not(owner):
    with Receiver(status=500) as receiver:
        endpoint = endpoint_create(actor=owner, url=receiver.url, event_kinds=["order.submitted", "order.approved"])
        receiver.secrets = [endpoint.secret]
        first = _event(subject="1")
        second = _event(kind="order.approved", subject="1")
        other = _event(subject="2")
        now = timezone.now()
        assert webhook_deliver_due(now) == 2  # the first of order 1 (fails; its second waits), and order 2's
        assert receiver.ids() == [str(first.id), str(other.id)]
        assert WebhookDelivery.objects.get(event_id=second.id).attempts == 0
        receiver.status = 200
        assert webhook_deliver_due(now + timedelta(seconds=31)) == 3  # order 1's first succeeds, then its second
        assert receiver.ids()[2:] == [str(first.id), str(second.id), str(other.id)]


def test_during_a_rotation_either_secret_verifies_and_after_it_only_the_new(owner):
    endpoint = endpoint_create(actor=owner, url="http://127.0.0.1:9/a", event_kinds=["order.submitted"])
    old = endpoint.secret
    new = endpoint_rotate_secret(actor=owner, endpoint=endpoint)
    endpoint.refresh_from_db()
    assert new != old and endpoint.secret == new and endpoint.previous_secret == old
    body = '{"id":"1"}'
    headers = services.signed_headers(endpoint, "1", body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(body, headers)
    Webhook(new).verify(body, headers)
    later = services.signed_headers(endpoint, "1", body, now=timezone.now() + timedelta(hours=25))
    Webhook(new).verify(body, later)
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(old).verify(body, later)
    assert AuditEntry.objects.filter(action="webhooks.endpoint.secret_rotated").count() == 1


def test_the_receiver_verifies_with_the_old_secret_during_the_overlap(owner):
    with Receiver() as receiver:
        endpoint = endpoint_create(actor=owner, url=receiver.url, event_kinds=["order.submitted"])
        receiver.secrets = [endpoint.secret]  # the receiver has not taken the new secret yet
        endpoint_rotate_secret(actor=owner, endpoint=endpoint)
        event = _event()
        assert webhook_deliver_due() == 1
        assert receiver.ids() == [str(event.id)] and receiver.rejected == 0


@pytest.mark.parametrize("url", ["http://hooks.example.com/x", "https://127.0.0.1/x", "https://10.0.0.5/x",
                                 "https://[::1]/x", "https://169.254.169.254/latest", "https://192.168.1.1/",
                                 "ftp://93.184.216.34/", "https://user:pw@93.184.216.34/", "not a url"])
def test_in_production_only_https_to_public_addresses_is_allowed(settings, url):
    settings.DEBUG, settings.TESTING = False, False
    with pytest.raises(ValidationError):
        url_check(url)


def test_a_public_https_address_is_allowed_and_loopback_http_only_in_development(settings):
    settings.DEBUG, settings.TESTING = False, False
    assert url_check("https://93.184.216.34/hook") == "https://93.184.216.34/hook"
    with pytest.raises(ValidationError):
        url_check("http://127.0.0.1:8000/hook")
    settings.TESTING = True
    assert url_check("http://127.0.0.1:8000/hook") == "http://127.0.0.1:8000/hook"
    with pytest.raises(ValidationError):
        url_check("http://93.184.216.34/hook")


def test_bad_input_is_field_errors_and_writes_nothing(owner):
    with pytest.raises(ValidationError) as raised:
        endpoint_create(actor=owner, url="ftp://x", event_kinds=["nope"])
    assert set(raised.value.message_dict) == {"url", "event_kinds"}
    assert not WebhookDelivery.objects.exists()


def test_the_beat_task_and_the_worker_command_send_what_is_due(owner, settings):
    from django.core.management import call_command
    from django.db import connection

    from tenant_apps.webhooks.tasks import webhooks_deliver_due

    beat = settings.CELERY_BEAT_SCHEDULE["webhooks-deliver-due"]
    assert (beat["task"], beat["args"], beat["schedule"]) == (
        "tenants.tasks.for_each_tenant", ["webhooks.tasks.webhooks_deliver_due"], 60.0)
    with Receiver() as receiver:
        endpoint = endpoint_create(actor=owner, url=receiver.url, event_kinds=["order.submitted", "stock.low"])
        receiver.secrets = [endpoint.secret]
        first = _event()
        assert webhooks_deliver_due.delay().get() == 1
        second = event_record(kind="stock.low", subject_id="3")  # not relayed yet: the command relays it
        call_command("webhooks_worker", schema=connection.schema_name, once=True)
        assert receiver.ids() == [str(first.id), str(second.id)] and receiver.rejected == 0
        assert WebhookDelivery.objects.filter(state="succeeded").count() == 2
