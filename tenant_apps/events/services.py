"""Recording events in the outbox, and relaying them to the consumers (docs/dev/events.md)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

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


def relay_soon() -> None:
    """After this transaction commits, relay what it wrote (the beat's periodic relay catches anything missed)."""
    from django.conf import settings

    if not getattr(settings, "EVENTS_RELAY_ON_COMMIT", True):
        return

    def kick():
        from tenant_apps.events.tasks import outbox_relay

        outbox_relay.delay()

    transaction.on_commit(kick)


def outbox_relay(*, limit: int = RELAY_BATCH) -> int:
    """Hand the committed, unrelayed events to every consumer, in id order, and mark them relayed; the number
    relayed. Runs in one transaction with the rows locked (SKIP LOCKED: two relays never take the same rows, and
    an event waits for every event before it on the same subject that another relay holds)."""
    with transaction.atomic():
        events = list(OutboxEvent.objects.filter(relayed_at__isnull=True).order_by("id")
                      .select_for_update(skip_locked=True)[:limit])
        if not events:
            return 0
        # In order per subject: an event whose subject has an earlier event held by another relay waits.
        held = set(OutboxEvent.objects.filter(relayed_at__isnull=True, id__lt=events[-1].id)
                   .exclude(id__in=[event.id for event in events])
                   .values_list("subject_type", "subject_id"))
        events = [event for event in events if (event.subject_type, event.subject_id) not in held]
        for handler in consumers().values():
            handler(events)
        OutboxEvent.objects.filter(id__in=[event.id for event in events]).update(relayed_at=timezone.now())
    return len(events)
