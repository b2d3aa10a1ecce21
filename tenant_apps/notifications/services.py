"""Notifications written from the outbox: the relay hands each batch of committed events to
`notifications_from_events` (registered in apps.py), which works out who is told and writes their rows, once per
person and event; and a reader marking theirs read."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tenant_apps.audit.services import audit_record
from tenant_apps.notifications.defaults import APPROVER_KINDS, DEALER_KINDS, INAPP, default_channels
from tenant_apps.notifications.models import Notification

DEALER_ROLES = ("dealer_owner", "dealer_buyer")


def _order_placers(events) -> dict[str, int]:
    from tenant_apps.ordering.models import Order

    ids = {int(event.subject_id) for event in events
           if event.subject_type == "order" and event.kind in DEALER_KINDS and event.subject_id.isdigit()}
    if not ids:
        return {}
    return {str(pk): placed_by for pk, placed_by in
            Order.objects.filter(pk__in=ids, placed_by__isnull=False).values_list("pk", "placed_by_id")}


def recipients_of(events: Sequence) -> dict[int, dict[int, set[str]]]:
    """event id -> {user id -> channels}, from DEFAULTS: the approvers of the dealer's orders (its regional
    manager and sales rep) for an order waiting for a decision; the dealer's own owners and buyers, and whoever
    placed the order, for its progress. Never the person who caused the event; never another dealer's users.
    A constant number of queries for any batch."""
    from tenant_apps.dealers.models import Dealer

    User = get_user_model()
    dealer_ids = {event.dealer_id for event in events if event.dealer_id}
    dealers = {row["pk"]: row for row in Dealer.objects.filter(pk__in=dealer_ids).values(
        "pk", "regional_manager_id", "sales_rep_id")} if dealer_ids else {}
    placers = _order_placers(events)
    wanted = {uid for row in dealers.values() for uid in (row["regional_manager_id"], row["sales_rep_id"]) if uid}
    wanted |= set(placers.values())
    users = {}
    if dealer_ids or wanted:
        from django.db.models import Q

        users = {user.pk: user for user in User.objects.filter(
            Q(pk__in=wanted) | Q(dealer_id__in=dealer_ids, role__in=DEALER_ROLES), is_active=True)
            .only("pk", "role", "dealer_id")}
    dealer_staff: dict[int, list] = {}
    for user in users.values():
        if user.dealer_id and user.role in DEALER_ROLES:
            dealer_staff.setdefault(user.dealer_id, []).append(user)
    result: dict[int, dict[int, set[str]]] = {}
    for event in events:
        told: dict[int, set[str]] = {}
        dealer = dealers.get(event.dealer_id)
        if event.kind in APPROVER_KINDS and dealer:
            for uid in (dealer["regional_manager_id"], dealer["sales_rep_id"]):
                user = users.get(uid)
                if user is not None:
                    told[uid] = default_channels(event.kind, user.role)
        elif event.kind in DEALER_KINDS and event.dealer_id:
            for user in dealer_staff.get(event.dealer_id, ()):
                told[user.pk] = default_channels(event.kind, user.role)
            placer = users.get(placers.get(event.subject_id))
            # whoever placed the order hears of it, but only if they belong to that dealer or are not dealer staff
            if placer is not None and (placer.dealer_id in (None, event.dealer_id)):
                told.setdefault(placer.pk, default_channels(event.kind, placer.role) or {INAPP})
        told.pop(event.actor_id, None)
        result[event.id] = {uid: channels for uid, channels in told.items() if channels}
    return result


def notifications_from_events(events: Sequence) -> None:
    """The outbox consumer: each person's notification of each event, written once (a replayed event writes
    nothing: the unique (recipient, event) and ON CONFLICT DO NOTHING)."""
    rows = []
    told = recipients_of(events)
    for event in events:
        for uid, channels in told.get(event.id, {}).items():
            if INAPP in channels:
                rows.append(Notification(recipient_id=uid, event_id=event.id, kind=event.kind,
                                         created_at=event.created_at))
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True)


def notification_open(*, actor, notification: Notification) -> Notification:
    """The reader opened one of their notifications: it is read (once)."""
    if notification.read_at is None:
        with transaction.atomic():
            notification.read_at = timezone.now()
            Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
            audit_record(actor=actor, action="notifications.notification.read", target=notification)
    return notification


def notifications_read_all(*, actor) -> int:
    """Every unread notification of the reader marked read; how many."""
    with transaction.atomic():
        count = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
        if count:
            audit_record(actor=actor, action="notifications.notification.read_all", target=actor,
                         after={"count": count})
    return count
