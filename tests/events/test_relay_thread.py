"""The relay thread (EVENTS_RELAY = "thread", the default without a broker): a commit that wrote events returns at
once, and the process's background thread relays them soon after on its own connection; a rolled-back transaction
relays nothing; a failing relay neither kills the thread nor loses the events; commits close together are relayed
in fewer rounds than there were commits.

The thread sees committed rows only, so these tests commit for real in acme's schema (and remove what they wrote).
Only the test's consumer is registered meanwhile: the notifications and webhooks consumers have tests of their own."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.db import connection, transaction

from tenant_apps.events import registry
from tenant_apps.events.models import OutboxEvent
from tenant_apps.events.relay_thread import relay_thread
from tenant_apps.events.services import event_record, relay_mode
from tenants.models import Tenant

WAIT_S = 15


def _wait(condition, seconds: float = WAIT_S) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


class Consumer:
    """Records what the relay hands over, and from which thread; may be told to fail or to block."""

    def __init__(self):
        self.batches: list[list[int]] = []
        self.threads: set[int] = set()
        self.fail_next = False
        self.entered = threading.Event()
        self.release: threading.Event | None = None

    def __call__(self, events):
        self.threads.add(threading.get_ident())
        self.entered.set()
        if self.release is not None:
            assert self.release.wait(WAIT_S), "the test never released the consumer"
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("the consumer fails")
        self.batches.append([event.id for event in events])

    def seen(self) -> list[int]:
        return [event_id for batch in self.batches for event_id in batch]


@pytest.fixture
def committed(django_db_setup, django_db_blocker, settings, monkeypatch):
    """acme's schema on a connection that commits for real, the thread mode on, and only the test's consumer."""
    settings.EVENTS_RELAY = "thread"
    settings.EVENTS_RELAY_GATHER_MS = 5
    consumer = Consumer()
    monkeypatch.setattr(registry, "_CONSUMERS", {"test": consumer})
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="acme")
        connection.set_tenant(tenant)
        mark = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        try:
            yield consumer
        finally:
            consumer.fail_next = False
            if consumer.release is not None:
                consumer.release.set()
            assert relay_thread().wait_idle(WAIT_S)
            OutboxEvent.objects.filter(id__gt=mark).delete()
            connection.set_schema_to_public()
            assert relay_thread().release_connection()  # the test database can be dropped at the end


def _commit_event(tag: str, number: int = 0) -> OutboxEvent:
    with transaction.atomic():
        return event_record(kind="stock.low", subject_id=f"{tag}-{number}", payload={"test": tag})


def _relayed(event_ids) -> bool:
    return not OutboxEvent.objects.filter(id__in=list(event_ids), relayed_at__isnull=True).exists()


def test_without_a_broker_the_default_is_the_thread(settings):
    settings.EVENTS_RELAY = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert relay_mode() == "thread"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert relay_mode() == "task"
    settings.EVENTS_RELAY_ON_COMMIT = False  # the older switch still turns it off
    assert relay_mode() == "off"


def test_committed_events_are_relayed_by_the_thread_and_rolled_back_ones_never(committed):
    tag = uuid.uuid4().hex[:8]
    with pytest.raises(RuntimeError), transaction.atomic():
        rolled_back = event_record(kind="stock.low", subject_id=f"{tag}-rolled")
        raise RuntimeError("the change fails")
    event = _commit_event(tag)
    assert _wait(lambda: event.id in committed.seen()), "the thread did not relay the committed event"
    assert _wait(lambda: _relayed([event.id]))
    assert rolled_back.id not in committed.seen()
    assert committed.seen() == [event.id]
    assert threading.get_ident() not in committed.threads  # not in the committing thread


def test_the_commit_returns_before_the_relay_runs(committed):
    committed.release = threading.Event()
    tag = uuid.uuid4().hex[:8]
    started = time.monotonic()
    event = _commit_event(tag)
    returned_after = time.monotonic() - started
    # the relay is under way in the background (the consumer waits for the test), and the commit has returned
    assert committed.entered.wait(WAIT_S)
    assert returned_after < WAIT_S / 2
    assert not _relayed([event.id]) and committed.seen() == []
    committed.release.set()
    assert _wait(lambda: _relayed([event.id])) and committed.seen() == [event.id]


def test_a_failing_relay_does_not_stop_the_thread_nor_lose_the_events(committed):
    relay = relay_thread()
    errors = relay.errors
    committed.fail_next = True
    tag = uuid.uuid4().hex[:8]
    first = _commit_event(tag, 1)
    assert _wait(lambda: relay.errors > errors), "the relay did not fail"
    assert not _relayed([first.id])  # rolled back with the relay's transaction: still waiting
    second = _commit_event(tag, 2)
    # the next round relays both: the thread is alive and nothing was lost
    assert _wait(lambda: _relayed([first.id, second.id])), "the thread stopped after a failure"
    assert committed.seen() == [first.id, second.id]


def test_commits_close_together_are_relayed_in_fewer_rounds(committed, settings):
    settings.EVENTS_RELAY_GATHER_MS = 200
    relay = relay_thread()
    assert relay.wait_idle(WAIT_S)
    rounds = relay.rounds
    tag = uuid.uuid4().hex[:8]
    events = [_commit_event(tag, number) for number in range(10)]
    assert _wait(lambda: _relayed([event.id for event in events]))
    assert relay.wait_idle(WAIT_S)
    assert sorted(committed.seen()) == [event.id for event in events]
    assert relay.rounds - rounds < 5 and len(committed.batches) < 5  # ten commits, a few rounds
