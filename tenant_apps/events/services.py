"""Recording events in the outbox, and relaying them to the consumers (docs/dev/events.md)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from tenant_apps.events.catalog import KINDS
from tenant_apps.events.models import OutboxEvent
from tenant_apps.events.registry import consumers

RELAY_BATCH = 500


def event_row(*, kind: str, subject_id, subject_ref: str = "", dealer_id: int | None = None, actor=None,
              payload: dict | None = None, at=None) -> OutboxEvent:
    """The event as an unsaved row, for a writer that inserts its rows together (ordering's one-statement
    placement). Saving it is the caller's: in the transaction that makes the change."""
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    return OutboxEvent(kind=kind, subject_type=KINDS[kind][0], subject_id=str(subject_id)[:64],
                       subject_ref=str(subject_ref or "")[:64], dealer_id=dealer_id,
                       actor_id=getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None,
                       payload=payload or {}, created_at=at or timezone.now())


def event_record(*, kind: str, subject_id, subject_ref: str = "", dealer_id: int | None = None, actor=None,
                 payload: dict | None = None) -> OutboxEvent:
    """Write an event in the current transaction: it exists if and only if the change that caused it commits.
    The relay is asked to run after the commit."""
    event = event_row(kind=kind, subject_id=subject_id, subject_ref=subject_ref, dealer_id=dealer_id, actor=actor,
                      payload=payload)
    event.save(force_insert=True)
    relay_soon()
    return event


RELAY_MODES = ("thread", "task", "inline", "off")


def relay_mode() -> str:
    """How a commit that wrote events gets them relayed (settings.EVENTS_RELAY, docs/dev/events.md): "thread" (the
    process's relay thread, the default without a broker), "task" (the Celery task; the default with a broker),
    "inline" (in the committing thread, right after the commit: the test suite's), "off" (a separate process
    relays: `manage.py webhooks_worker`, or the beat's minute relay only). EVENTS_RELAY_ON_COMMIT = False (the
    older switch) is "off" too."""
    from django.conf import settings

    if not getattr(settings, "EVENTS_RELAY_ON_COMMIT", True):
        return "off"
    mode = getattr(settings, "EVENTS_RELAY", "") or ("thread" if settings.CELERY_TASK_ALWAYS_EAGER else "task")
    if mode not in RELAY_MODES:
        raise ValueError(f"EVENTS_RELAY must be one of {', '.join(RELAY_MODES)}, not {mode!r}")
    return mode


def relay_soon() -> None:
    """After this transaction commits, relay what it wrote, as relay_mode() says (the beat's periodic relay
    catches anything missed)."""
    from django.db import connection

    mode = relay_mode()
    if mode == "off":
        return
    if mode == "thread":
        from tenant_apps.events.relay_thread import relay_signal

        tenant = getattr(connection, "tenant", None)
        if tenant is not None and connection.schema_name != get_public_schema_name():
            transaction.on_commit(lambda: relay_signal(tenant))
        return

    def kick():
        from tenant_apps.events.tasks import outbox_relay

        if mode == "inline":
            outbox_relay.apply()  # here and now, whatever the broker
        else:
            outbox_relay.delay()

    transaction.on_commit(kick)


def outbox_relay(*, limit: int = RELAY_BATCH) -> int:
    """Hand the committed, unrelayed events to every consumer, in id order, and mark them relayed; the number
    relayed. Runs in one transaction with the rows locked (SKIP LOCKED: two relays never take the same rows, and
    an event waits for every event before it on the same subject that another relay holds)."""
    return _relay_batch(limit)[0]


def outbox_relay_all(*, limit: int = RELAY_BATCH) -> int:
    """outbox_relay until the outbox is drained (a batch that was not full, or relayed nothing: the rest is held by
    another relay); the number relayed. One batch when there was less than `limit` waiting."""
    total = 0
    while True:
        relayed, taken = _relay_batch(limit)
        total += relayed
        if taken < limit or not relayed:
            return total


def _relay_batch(limit: int) -> tuple[int, int]:
    """(events relayed, rows taken) of one batch."""
    with transaction.atomic():
        events = list(OutboxEvent.objects.filter(relayed_at__isnull=True).order_by("id")
                      .select_for_update(skip_locked=True)[:limit])
        if not events:
            return 0, 0
        taken = len(events)
        # In order per subject: an event whose subject has an earlier event held by another relay waits.
        held = set(OutboxEvent.objects.filter(relayed_at__isnull=True, id__lt=events[-1].id)
                   .exclude(id__in=[event.id for event in events])
                   .values_list("subject_type", "subject_id"))
        events = [event for event in events if (event.subject_type, event.subject_id) not in held]
        for handler in consumers().values():
            handler(events)
        OutboxEvent.objects.filter(id__in=[event.id for event in events]).update(relayed_at=timezone.now())
    return len(events), taken
