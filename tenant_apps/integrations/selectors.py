"""The change feeds an ERP polls: committed outbox events after a cursor, in id order, and the orders (or
shipments) they are about. Why the cursor is safe: docs/integrations.md, "The cursor"."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from tenant_apps.events.models import OutboxEvent
from tenant_apps.fulfillment.models import Shipment, ShipmentLine
from tenant_apps.ordering.models import Order, OrderLine

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
SHIPMENT_KINDS = ("order.shipped", "order.delivered")


def gap_wait() -> timedelta:
    """How long a hole in the ids is waited for before the feed goes past it (a transaction still open then is
    taken to have rolled back): INTEGRATIONS_FEED_GAP_WAIT seconds, 5 minutes by default."""
    return timedelta(seconds=getattr(settings, "INTEGRATIONS_FEED_GAP_WAIT", 300))


def cursor_encode(event_id: int) -> str:
    return base64.urlsafe_b64encode(f"e{event_id}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str | None) -> int | None:
    """The last event id a cursor stands for (0 for none), or None when it is not one of ours."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not text.startswith("e") or not text[1:].isdigit() or len(text) > 20:
        return None
    return int(text[1:])


@dataclass
class Page:
    events: list[OutboxEvent]
    cursor: str
    more: bool


def events_after(after: int, *, limit: int, kinds=None, subject_type: str = "order", now=None) -> Page:
    """Up to `limit` committed events after id `after`, in id order, stopping at the first hole in the ids
    younger than gap_wait(): the hole may be a transaction still open, whose event will appear with a smaller
    id than those after it. The cursor moves over every event looked at (of any kind), never past such a hole."""
    now = now or timezone.now()
    rows = list(OutboxEvent.objects.filter(id__gt=after).order_by("id")
                .only("id", "kind", "subject_type", "subject_id", "subject_ref", "created_at")[:limit + 1])
    taken: list[OutboxEvent] = []
    last, held = after, False
    for row in rows[:limit]:
        if row.id != last + 1 and row.created_at > now - gap_wait():
            held = True  # a hole: wait for it (or for it to be old enough to have rolled back)
            break
        taken.append(row)
        last = row.id
    more = not held and len(rows) > limit  # held: ask again later, not at once
    wanted = [row for row in taken if row.subject_type == subject_type and (kinds is None or row.kind in kinds)]
    return Page(events=wanted, cursor=cursor_encode(last), more=more)


def orders_of(events: list[OutboxEvent]) -> list[tuple[Order, list[OutboxEvent]]]:
    """The orders the events are about, each once (in the order of its first event) with its events."""
    by_order: dict[int, list[OutboxEvent]] = {}
    for event in events:
        if event.subject_id.isdigit():
            by_order.setdefault(int(event.subject_id), []).append(event)
    orders = Order.objects.filter(pk__in=by_order).select_related("dealer").prefetch_related(
        Prefetch("lines", OrderLine.objects.select_related("sku", "unit").order_by("line_no")))
    found = {order.pk: order for order in orders}
    return [(found[pk], items) for pk, items in by_order.items() if pk in found]


def shipments_of(events: list[OutboxEvent]) -> list[tuple[Order, list[Shipment], list[OutboxEvent]]]:
    """Per order with a shipping event: its shipments that left the warehouse, with their lines."""
    pairs = orders_of(events)
    shipments = Shipment.objects.filter(order__in=[order for order, _ in pairs], shipped_at__isnull=False) \
        .select_related("carrier").order_by("id").prefetch_related(
            Prefetch("lines", ShipmentLine.objects.select_related("order_line__sku")))
    per_order: dict[int, list[Shipment]] = {}
    for shipment in shipments:
        per_order.setdefault(shipment.order_id, []).append(shipment)
    return [(order, per_order.get(order.pk, []), items) for order, items in pairs]


def order_by_number(number: str) -> Order | None:
    if not isinstance(number, str) or len(number) > 32:
        return None
    return Order.objects.filter(number=number).first()
