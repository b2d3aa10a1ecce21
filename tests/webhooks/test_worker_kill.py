"""Done when: a webhook worker killed in the middle of its work loses nothing. Events committed for real on five
orders reach a receiver on loopback, every signature verifies, every event id arrives (exactly once each once
deduplicated by webhook-id) and each order's events arrive in increasing id order, across a SIGKILL and a new
worker; an event whose transaction rolled back is never sent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django.db import connection, transaction

from tenant_apps.audit.models import AuditEntry
from tenant_apps.events.models import OutboxEvent
from tenant_apps.events.services import event_record
from tenant_apps.webhooks.models import WebhookDelivery, WebhookEndpoint
from tenant_apps.webhooks.services import endpoint_create
from tenants.models import Tenant
from tests.webhooks.receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]
STEPS = ["order.submitted", "order.approved", "order.allocated", "order.shipped", "order.delivered",
         "order.completed"]


def _worker(schema: str) -> subprocess.Popen:
    db = connection.settings_dict
    user, host, port = quote(db["USER"] or "postgres"), db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    auth = f"{user}:{quote(db['PASSWORD'])}@" if db["PASSWORD"] else f"{user}@"
    # The embedded server listens on a Unix socket (HOST is its directory): then host and port go in the query.
    url = (f"postgres://{auth}/{db['NAME']}?host={quote(host, safe='')}&port={port}" if host.startswith("/")
           else f"postgres://{auth}{host}:{port}/{db['NAME']}")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dms.settings_test", "DATABASE_URL": url}
    return subprocess.Popen([sys.executable, "manage.py", "webhooks_worker", "--schema", schema, "--sleep", "0.1"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait(condition, seconds: float, process: subprocess.Popen | None = None) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        if process is not None and process.poll() is not None:
            raise AssertionError("the worker exited: " + process.stderr.read().decode()[-3000:])
        time.sleep(0.05)
    return condition()


def test_a_worker_killed_mid_delivery_loses_nothing_and_keeps_each_orders_order(django_db_setup, django_db_blocker,
                                                                                  settings):
    settings.EVENTS_RELAY_ON_COMMIT = False  # the worker relays, as a separate process would
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="acme")
        connection.set_tenant(tenant)
        event_mark = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        audit_mark = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        workers: list[subprocess.Popen] = []
        try:
            with Receiver(delay=0.05) as receiver:
                endpoint = endpoint_create(actor=None, url=receiver.url, event_kinds=STEPS)
                receiver.secrets = [endpoint.secret]
                by_order: dict[str, list[int]] = {}
                for step in STEPS:  # 6 steps on 5 orders, interleaved: 30 events, each committed on its own
                    for number in range(5):
                        subject = f"wh{tag}{number}"
                        with transaction.atomic():
                            event = event_record(kind=step, subject_id=subject, subject_ref=f"SO-{subject}",
                                                 payload={"step": step})
                        by_order.setdefault(subject, []).append(event.id)
                try:
                    with transaction.atomic():
                        event_record(kind="order.submitted", subject_id=f"wh{tag}rolled", payload={})
                        raise RuntimeError("the change fails")
                except RuntimeError:
                    pass
                expected = {str(event_id) for ids in by_order.values() for event_id in ids}
                assert len(expected) == 30

                workers.append(_worker(tenant.schema_name))
                assert _wait(lambda: len(receiver.ids()) >= 8, 60, workers[0]), "the first worker sent nothing"
                workers[0].send_signal(signal.SIGKILL)
                workers[0].wait(10)
                sent_before_kill = len(set(receiver.ids()))
                assert sent_before_kill < 30  # killed in the middle

                workers.append(_worker(tenant.schema_name))
                assert _wait(lambda: set(receiver.ids()) >= expected, 90, workers[1]), \
                    f"missing {sorted(expected - set(receiver.ids()))}"
                assert _wait(lambda: not WebhookDelivery.objects.filter(endpoint=endpoint)
                             .exclude(state="succeeded").exists(), 10)
                time.sleep(0.3)  # anything stray would arrive now

                received = list(receiver.received)
                assert receiver.rejected == 0  # every signature verified
                assert {msg_id for msg_id, _payload in received} == expected  # nothing missing, nothing extra
                # at least once: only what the killed worker had in flight may come twice
                assert len(received) - len(expected) <= 1
                assert all(payload["id"] == msg_id for msg_id, payload in received)
                assert not any(payload["data"]["subject"]["id"] == f"wh{tag}rolled" for _id, payload in received)
                for subject, ids in by_order.items():
                    arrived = [int(msg_id) for msg_id, payload in received
                               if payload["data"]["subject"]["id"] == subject]
                    assert arrived == sorted(arrived)  # in order (a repeat comes right after itself)
                    assert list(dict.fromkeys(arrived)) == ids
                assert WebhookDelivery.objects.filter(endpoint=endpoint, state="succeeded").count() == 30
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait(10)
            WebhookDelivery.objects.filter(endpoint__url__contains="127.0.0.1").delete()
            WebhookEndpoint.objects.filter(url__contains="127.0.0.1").delete()
            OutboxEvent.objects.filter(id__gt=event_mark).delete()
            AuditEntry.objects.filter(id__gt=audit_mark).delete()
            connection.set_schema_to_public()
