"""Notifications written from the outbox: the relay hands each batch of committed events to
`notifications_from_events` (registered in apps.py), which works out who is told and writes their rows, once per
person and event; and a reader marking theirs read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tenant_apps.audit.services import audit_record
from tenant_apps.notifications.channels.registry import channels_registered
from tenant_apps.notifications.defaults import (
    CHANNELS,
    EMAIL,
    INAPP,
    SMS,
    default_channels,
)
from tenant_apps.notifications.models import (
    Delivery,
    DeliveryStatus,
    Notification,
    PersonSettings,
    RolePreference,
    UserPreference,
)


class Preferences:
    """Which channels a person gets an event on: their own choice, else the brand's default for their role, else
    defaults.DEFAULTS (two queries for a batch)."""

    def __init__(self, by_role: dict, by_user: dict):
        self.by_role, self.by_user = by_role, by_user

    @classmethod
    def load(cls, users: dict) -> Preferences:
        by_role = {(p.role, p.kind, p.channel): p.enabled for p in RolePreference.objects.all()}
        by_user = {(p.user_id, p.kind, p.channel): p.enabled
                   for p in UserPreference.objects.filter(user_id__in=list(users))} if users else {}
        return cls(by_role, by_user)

    def channels(self, kind: str, user, fallback: set | None = None) -> set[str]:
        base = default_channels(kind, user.role) or set(fallback or ())
        result = set()
        for channel in CHANNELS:
            on = channel in base
            on = self.by_role.get((user.role, kind, channel), on)
            on = self.by_user.get((user.pk, kind, channel), on)
            if on:
                result.add(channel)
        return result


def recipients_of(events: Sequence) -> dict[int, dict[int, set[str]]]:
    """event id -> {user id -> channels}: who is concerned by each event (notifications.recipients: the dealer's
    own users, the people who look after the dealer, an approval step's approvers, a promotion's or an
    announcement's dealers, the brand's stock keepers or admins) on the channels their role's defaults, the brand
    and they themselves choose. Never the person who caused the event; never another dealer's users. A constant
    number of queries for any batch."""
    from tenant_apps.notifications.recipients import recipients_for

    return recipients_for(events, Preferences.load)


def notifications_from_events(events: Sequence) -> None:
    """The outbox consumer: each person's notification of each event, written once (a replayed event writes
    nothing: the unique (recipient, event) and ON CONFLICT DO NOTHING)."""
    rows = []
    told = recipients_of(events)
    for event in events:
        for uid, channels in told.get(event.id, {}).items():
            rows.append(Notification(recipient_id=uid, event_id=event.id, kind=event.kind,
                                     created_at=event.created_at, shown=INAPP in channels))
    if not rows:
        return
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    # the rows of this batch (also those a replay wrote before: their deliveries are then already there)
    written = {(n.recipient_id, n.event_id): n.pk for n in Notification.objects.filter(
        event_id__in=[event.id for event in events]).only("pk", "recipient_id", "event_id")}
    people = {p.user_id: p for p in PersonSettings.objects.filter(user_id__in={row.recipient_id for row in rows})}
    now = timezone.now()
    deliveries = []
    # registered channels (wechat, push): set up here, and only to the people who can receive them (one query each)
    extra = [channel for channel in channels_registered() if channel.configured()]
    reach = {channel.name: channel.reachable({row.recipient_id for row in rows}) for channel in extra}
    for event in events:
        for uid, channels in told.get(event.id, {}).items():
            person = people.get(uid)
            if EMAIL in channels:
                status = DeliveryStatus.DIGEST if person and person.digest else DeliveryStatus.PENDING
                deliveries.append(Delivery(notification_id=written[(uid, event.id)], channel=EMAIL, status=status,
                                           not_before=now))
            if SMS in channels:
                deliveries.append(Delivery(notification_id=written[(uid, event.id)], channel=SMS,
                                           not_before=quiet_until(person, now)))
            for channel in extra:
                if channel.name in channels and uid in reach[channel.name] and channel.supports(event.kind):
                    deliveries.append(Delivery(notification_id=written[(uid, event.id)], channel=channel.name,
                                               not_before=quiet_until(person, now)))
    if deliveries:
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        transaction.on_commit(_send_soon)


def _send_soon() -> None:
    from tenant_apps.notifications.tasks import deliveries_send

    deliveries_send.delay()


def quiet_until(person, now):
    """When an SMS (a WeChat message, a web push) may go: now, or the end of the person's quiet hours (workspace
    time zone) if now is inside."""
    if person is None or person.quiet_start is None or person.quiet_end is None or \
            person.quiet_start == person.quiet_end:
        return now
    local = timezone.localtime(now)
    start, end, t = person.quiet_start, person.quiet_end, local.time()
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return now
    ends = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if ends <= local:
        ends += timedelta(days=1)
    return ends


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
