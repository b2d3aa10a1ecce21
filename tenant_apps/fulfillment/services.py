"""Write use cases of fulfilment: allocate, pick, ship, track, confirm receipt, auto-complete, returns.

Rules:
- Ordering owns the order's rows: its state changes only through
  `tenant_apps.ordering.lifecycle.order_transition`, its lines and reservations only through
  `tenant_apps.ordering.fulfil`, its timeline through `order_event_add`; stock only through
  `tenant_apps.inventory.services` (stock_ship, stock_allocate, stock_receive with kind RETURN).
- Shipments and returns change state only through their machines (SHIPMENT_MACHINE, RETURN_MACHINE: the core
  state-machine helper), which check, lock, change and audit.
- Every use case locks the order row first (lifecycle.order_lock; then its shipments or returns), so two
  people shipping or returning the same order at once are serialised, and runs in one transaction: all or
  nothing.
- A shipment leaves one warehouse. Created in "picking", it sets its quantities aside from the order's
  reservations in that warehouse; shipping it commits them (stock leaves on-hand and reserved together),
  moves the order to partially shipped or shipped, and tracking events (carrier webhook or by hand) take
  it to in transit and delivered. When every shipment of a shipped order is delivered, the order is.
- The dealer's receipt confirmation delivers the order and completes it at once (the dealer has the goods
  and says so; nothing is left to wait for). Delivered orders nobody confirms are completed by the daily
  task after OrderingSettings.auto_complete_days (0 turns that off).
- Returns: at most shipped minus returned minus what open requests already claim, per line; receiving
  puts the goods back on hand through the ledger (movement kind "return") and raises returned_base.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from tenant_apps.audit.services import audit_entries_save, audit_entry, audit_record
from tenant_apps.core.dates import outside_window
from tenant_apps.core.states import Move, StateMachine
from tenant_apps.events.services import event_record
from tenant_apps.finance.services_receivables import receivable_shipped
from tenant_apps.fulfillment.errors import (
    CarrierNotFound,
    FulfillmentConflict,
    FulfillmentInvalid,
    WebhookRejected,
)
from tenant_apps.fulfillment.models import (
    Carrier,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    ReturnStatus,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TrackingEvent,
    TrackingStatus,
)
from tenant_apps.fulfillment.pass_up import drop_ship_shipped
from tenant_apps.fulfillment.selectors import open_return_quantities, picking_lists
from tenant_apps.inventory.models import MovementKind, Warehouse
from tenant_apps.inventory.services import stock_receive, stock_ship
from tenant_apps.ordering.errors import IllegalOrderTransition
from tenant_apps.ordering.fulfil import order_line_return, order_line_ship, order_lines_allocate, order_return_credit
from tenant_apps.ordering.lifecycle import order_event_add, order_lock, order_transition
from tenant_apps.ordering.models import Order, OrderLine, OrderStatus
from tenant_apps.ordering.pass_up import DROP_SHIP
from tenant_apps.ordering.selectors import order_reserved_left, orders_delivered_before
from tenant_apps.ordering.submission import ordering_settings

logger = logging.getLogger(__name__)

SHIPPABLE = (OrderStatus.ALLOCATED, OrderStatus.PARTIALLY_SHIPPED)
RETURNABLE = (OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)
SIGNATURE_HEADER = "X-Carrier-Signature"  # "sha256=" + hex HMAC-SHA256 of "<timestamp>." + raw body
TIMESTAMP_HEADER = "X-Carrier-Timestamp"  # Unix seconds
TIMESTAMP_TOLERANCE = 300  # seconds either way
MAX_LINES = 5000


SHIPMENT_MACHINE = StateMachine(
    name="fulfillment.shipment", states=ShipmentStatus, error=FulfillmentConflict,
    moves={"ship": Move(ShipmentStatus.PICKING, ShipmentStatus.SHIPPED, audited_as="shipped"),
           "transit": Move(ShipmentStatus.SHIPPED, ShipmentStatus.IN_TRANSIT, audited_as="in_transit"),
           "deliver": Move([ShipmentStatus.SHIPPED, ShipmentStatus.IN_TRANSIT], ShipmentStatus.DELIVERED,
                           audited_as="delivered")},
    refusal=lambda shipment, action: FulfillmentConflict(
        _("Shipment %(number)s has already left.") % {"number": shipment.number}, code="already_shipped"))
RETURN_MACHINE = StateMachine(
    name="fulfillment.return", states=ReturnStatus, error=FulfillmentConflict,
    moves={"approve": Move(ReturnStatus.REQUESTED, ReturnStatus.APPROVED, audited_as="approved"),
           "reject": Move(ReturnStatus.REQUESTED, ReturnStatus.REJECTED, audited_as="rejected"),
           "receive": Move(ReturnStatus.APPROVED, ReturnStatus.RECEIVED, audited_as="received")},
    refusal=lambda rma, action: FulfillmentConflict(
        (_("Return %(number)s is %(state)s; only approved returns can be received.") if action == "receive"
         else _("Return %(number)s is %(state)s already."))
        % {"number": rma.number, "state": rma.get_status_display()}, code="illegal_transition"))


def _lock_order(order: Order) -> Order:
    if order.passed_up_from_id:  # a pass-up order: the sub-dealer's order first, as every path locks them
        order_lock(order.passed_up_from_id)
    return order_lock(order.pk, related=("dealer",))


def _state(order: Order) -> str:
    return str(OrderStatus(order.status).label)


def _timeline(order: Order, actor, *, kind: str, message: str, data: dict | None = None) -> None:
    order_event_add(actor=actor, order=order, kind=kind, message=message, data=data)


def _quantity(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and value >= 0 else None


# --- allocation --------------------------------------------------------------------------------------

@transaction.atomic
def order_allocate(*, actor, order: Order) -> Order:
    """Approved -> allocated. Lines whose stock is not (fully) reserved yet, such as a backorder's, are
    reserved now over the warehouses serving the dealer first; if that is short, nothing changes (409)."""
    locked = _lock_order(order)
    if locked.status != OrderStatus.APPROVED:
        return order_transition(actor=actor, order=locked, action="allocate")  # raises the 409 naming the state
    reserved = order_lines_allocate(actor=actor, order=locked)
    done = order_transition(actor=actor, order=locked, action="allocate",
                            data={"reserved_now": reserved} if reserved else None)
    order.status = done.status
    return done


@transaction.atomic
def supplier_order_ship(*, actor, order: Order, warehouse) -> Shipment:
    """A supplier ships an order placed with it (S2B2B) from one of its own warehouses (`warehouse`, found in its
    scope by the caller): allocated first if it is approved (what its warehouses hold; the rest keeps waiting),
    or what it received since reserved, then what is reserved there picked and shipped in one shipment. Nothing
    reserved there: 400, nothing changed."""
    if order.status == OrderStatus.APPROVED:
        order_allocate(actor=actor, order=order)
    elif order.status in SHIPPABLE:
        order_lines_allocate(actor=actor, order=_lock_order(order))
    shipment = shipment_create(actor=actor, order=order, warehouse_id=warehouse.pk)
    return shipment_ship(actor=actor, shipment=shipment)


# --- shipments ---------------------------------------------------------------------------------------

def _next_number(order: Order, prefix: str, model) -> str:
    """One past the order's highest shipment (or return) number: a cancelled shipment is deleted, so a count
    would hand out a number still in use. The caller holds the order's lock."""
    stem = f"{order.number}-{prefix}"
    numbers = model.objects.filter(order=order, number__startswith=stem).values_list("number", flat=True)
    used = [int(tail) for tail in (number.removeprefix(stem) for number in numbers) if tail.isdigit()]
    return f"{stem}{max(used, default=0) + 1}"


def _shipment_number(order: Order) -> str:
    """The order's next shipment number; a drop-ship's is numbered after the sub-dealer's order (the sub-dealer
    reads it, and never sees the supplier's order to headquarters): "<its number>-D1"."""
    if order.pass_up_mode != DROP_SHIP or not order.passed_up_from_id:
        return _next_number(order, "S", Shipment)
    source = Order.objects.only("number").get(pk=order.passed_up_from_id)
    stem = f"{source.number}-D"
    numbers = Shipment.objects.filter(order__passed_up_from=source, number__startswith=stem).values_list(
        "number", flat=True)
    used = [int(tail) for tail in (number.removeprefix(stem) for number in numbers) if tail.isdigit()]
    return f"{stem}{max(used, default=0) + 1}"


@transaction.atomic
def shipment_create(*, actor, order: Order, warehouse_id, lines: dict | None = None) -> Shipment:
    """A shipment from one warehouse, in "picking", for `lines` ({order line id: base units}) or, without
    `lines`, for everything of the order reserved there and not yet being picked."""
    locked = _lock_order(order)
    if locked.status not in SHIPPABLE:
        raise FulfillmentConflict(_("Order %(number)s is %(state)s; only allocated orders can be shipped.")
                                  % {"number": locked.number, "state": _state(locked)}, code="illegal_transition")
    warehouse = Warehouse.objects.filter(pk=warehouse_id).first() if str(warehouse_id).isdigit() else None
    pick = next((p for p in picking_lists(locked) if warehouse and p.warehouse.pk == warehouse.pk), None)
    if warehouse is None or pick is None or not pick.total_to_pick:
        raise FulfillmentInvalid(_("The shipment could not be created."), fields={
            "warehouse": [_("Nothing of this order is waiting to be picked in this warehouse.")]})
    available = {row.line.pk: row for row in pick.rows}
    chosen: dict[int, int] = {}
    errors: dict[str, list[str]] = {}
    if lines is None:
        chosen = {pk: row.to_pick for pk, row in available.items() if row.to_pick}
    else:
        if not isinstance(lines, dict) or len(lines) > MAX_LINES:
            raise FulfillmentInvalid(_("The shipment could not be created."),
                                     fields={"lines": [_("Give a quantity per order line.")]})
        for key, value in lines.items():
            row = available.get(int(key)) if str(key).isdigit() else None
            quantity = _quantity(value)
            if row is None:
                errors[f"lines.{key}"] = [_("This line of the order is not reserved in this warehouse.")]
            elif quantity is None or quantity > row.to_pick:
                errors[f"lines.{row.line.line_no}.quantity"] = [
                    _("Enter a whole number from 0 to %(max)s.") % {"max": row.to_pick}]
            elif quantity:
                chosen[row.line.pk] = quantity
    if errors:
        raise FulfillmentInvalid(_("The shipment could not be created."), fields=errors)
    if not chosen:
        raise FulfillmentInvalid(_("The shipment could not be created."),
                                 fields={"lines": [_("Put at least one unit on the shipment.")]})
    shipment = Shipment.objects.create(order=locked, warehouse=warehouse, number=_shipment_number(locked),
                                       created_by=actor if getattr(actor, "is_authenticated", False) else None)
    ShipmentLine.objects.bulk_create([ShipmentLine(shipment=shipment, order_line_id=pk, quantity=quantity)
                                      for pk, quantity in chosen.items()])
    _timeline(locked, actor, kind="shipment", message=_("Shipment %(number)s is being picked at %(warehouse)s.")
              % {"number": shipment.number, "warehouse": warehouse.name},
              data={"shipment": shipment.number, "status": ShipmentStatus.PICKING, "units": sum(chosen.values())})
    audit_record(actor=actor, action="fulfillment.shipment.created", target=shipment,
                 after={"order": locked.number, "warehouse": warehouse.code,
                        "lines": {str(pk): quantity for pk, quantity in chosen.items()}})
    return shipment


def _carrier(carrier) -> Carrier | None:
    if carrier in (None, ""):
        return None
    if isinstance(carrier, Carrier):
        return carrier
    found = Carrier.objects.filter(pk=carrier, is_active=True).first() if str(carrier).isdigit() else None
    if found is None:
        raise FulfillmentInvalid(_("The shipment could not be shipped."), fields={"carrier": [_("Unknown carrier.")]})
    return found


@transaction.atomic
def shipment_ship(*, actor, shipment: Shipment, carrier=None, tracking_number: str = "") -> Shipment:
    """The picked goods leave: stock out of the warehouse (committing the reservation), the order line's
    shipped quantity up, and the order partially shipped or shipped."""
    tracking_number = (tracking_number or "").strip()
    carrier = _carrier(carrier)
    if len(tracking_number) > 64:
        raise FulfillmentInvalid(_("The shipment could not be shipped."),
                                 fields={"tracking_number": [_("At most 64 characters.")]})
    if carrier and carrier.tracking_url_template and not tracking_number:  # a carrier without tracking links
        # (自行配送, own trucks) ships without a number
        raise FulfillmentInvalid(_("The shipment could not be shipped."),
                                 fields={"tracking_number": [_("Enter the carrier's tracking number.")]})
    order = _lock_order(shipment.order)

    def effects(locked: Shipment, _before: str) -> list[str]:
        if order.status not in SHIPPABLE:
            raise FulfillmentConflict(_("Order %(number)s is %(state)s; it cannot be shipped.")
                                      % {"number": order.number, "state": _state(order)},
                                      code="illegal_transition")
        ship_lines = list(ShipmentLine.objects.filter(shipment=locked).select_related("order_line"))
        for item in sorted(ship_lines, key=lambda item: (item.order_line.sku_id, item.order_line_id)):
            order_line_ship(order=order, line=item.order_line, warehouse_id=locked.warehouse_id,
                            quantity=item.quantity)
            stock_ship(actor=actor, sku_id=item.order_line.sku_id, warehouse_id=locked.warehouse_id,
                       quantity=item.quantity, reference=locked.number)
        locked.shipped_at, locked.carrier, locked.tracking_number = timezone.now(), carrier, tracking_number
        action = "ship_part" if order_reserved_left(order) else "ship_all"
        carried = (_(" with %(carrier)s, tracking number %(tracking)s")
                   % {"carrier": carrier.name, "tracking": tracking_number}) if carrier else ""
        _timeline(order, actor, kind="shipment", message=_("Shipment %(number)s left %(warehouse)s%(with)s.")
                  % {"number": locked.number, "warehouse": locked.warehouse.name, "with": carried},
                  data={"shipment": locked.number, "status": ShipmentStatus.SHIPPED,
                        "carrier": carrier.code if carrier else "", "tracking_number": tracking_number})
        order_transition(actor=actor, order=order, action=action, data={"shipment": locked.number})
        # the order's first shipment starts the clock of its receivable (idempotent for later shipments)
        receivable_shipped(reference=order.number, dealer=order.dealer_id, shipped_on=timezone.localdate())
        if order.pass_up_mode == DROP_SHIP and order.passed_up_from_id:  # straight to the sub-dealer: its order too
            drop_ship_shipped(actor=actor, order=order, shipment=locked, ship_lines=ship_lines)
        return ["shipped_at", "carrier", "tracking_number", "drop_ship_for"]

    locked = SHIPMENT_MACHINE.move(
        actor=actor, obj=shipment, action="ship", audit=audit_record, effects=effects,
        then=lambda locked, _before: {"carrier": carrier.code if carrier else "",
                                      "tracking_number": tracking_number, "order_status": order.status})
    shipment.status, shipment.shipped_at = locked.status, locked.shipped_at
    shipment.carrier, shipment.tracking_number = carrier, tracking_number
    return locked


@transaction.atomic
def shipment_cancel(*, actor, shipment: Shipment) -> None:
    """Drop a shipment still being picked: its quantities go back to waiting (nothing left the warehouse)."""
    order = _lock_order(shipment.order)
    locked = Shipment.objects.select_for_update(of=("self",)).get(pk=shipment.pk)
    if not SHIPMENT_MACHINE.can(locked, "ship"):  # still picking: nothing left the warehouse
        raise FulfillmentConflict(_("Shipment %(number)s has already left; it cannot be cancelled.")
                                  % {"number": locked.number}, code="already_shipped")
    number = locked.number
    audit_record(actor=actor, action="fulfillment.shipment.cancelled", target=locked,
                 before={"status": locked.status}, after={"status": "cancelled"})
    _timeline(order, actor, kind="shipment", message=_("Shipment %(number)s was cancelled before it left.")
              % {"number": number}, data={"shipment": number, "status": "cancelled"})
    locked.delete()


# --- tracking ----------------------------------------------------------------------------------------

def _maybe_deliver(order: Order, actor, reason: str) -> None:
    """A shipped order whose shipments are all delivered is delivered."""
    if order.status == OrderStatus.SHIPPED and not Shipment.objects.filter(
            Q(order=order) | Q(drop_ship_for=order)).exclude(status=ShipmentStatus.DELIVERED).exists():
        order_transition(actor=actor, order=order, action="deliver", reason=reason)


def _apply_tracking(*, actor, shipment: Shipment, order: Order, status: str, occurred_at, location: str,
                    description: str, source: str, carrier: Carrier | None = None,
                    event_id: str = "") -> TrackingEvent:
    event = TrackingEvent.objects.create(
        shipment=shipment, carrier=carrier, carrier_event_id=event_id, status=status, location=location,
        description=description, occurred_at=occurred_at, source=source,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None)
    before = shipment.status
    move = ("transit" if status in (TrackingStatus.IN_TRANSIT, TrackingStatus.OUT_FOR_DELIVERY) else
            "deliver" if status == TrackingStatus.DELIVERED else None)
    if move and SHIPMENT_MACHINE.can(shipment, move):  # a late or repeated event changes nothing

        def delivered_at(locked: Shipment, _before: str) -> list[str]:
            if locked.status == ShipmentStatus.DELIVERED:
                locked.delivered_at = occurred_at
            return ["delivered_at"]

        SHIPMENT_MACHINE.move(actor=actor, obj=shipment, action=move, audit=audit_record, lock=lambda s: s,
                              effects=delivered_at, then=lambda locked, _before: {"source": source})
    _timeline(order, actor, kind="tracking", message=" · ".join(filter(None, [
        str(TrackingStatus(status).label), location, description])),
        data={"shipment": shipment.number, "status": status, "source": source,
              "occurred_at": occurred_at.isoformat()})
    if shipment.status == ShipmentStatus.DELIVERED and before != ShipmentStatus.DELIVERED:
        _maybe_deliver(order, actor, reason=_("Every shipment delivered"))
        if shipment.drop_ship_for_id:  # a drop-ship delivered is the sub-dealer's delivery too (locked first)
            _maybe_deliver(order_lock(shipment.drop_ship_for_id), actor, reason=_("Every shipment delivered"))
    return event


def _clean_event(*, status, occurred_at, location, description) -> tuple:
    errors: dict[str, list[str]] = {}
    if status not in TrackingStatus.values:
        errors["status"] = [_("Choose one of: %(names)s.") % {"names": ", ".join(TrackingStatus.values)}]
    when = occurred_at
    if isinstance(occurred_at, str):
        try:
            when = parse_datetime(occurred_at.strip()) if occurred_at.strip() else None
        except ValueError:  # well formed, not a moment ("2026-02-30T10:00")
            when = None
        if occurred_at.strip() and when is None:
            errors["occurred_at"] = [_("Use an ISO 8601 date and time.")]
    if when is None:
        when = timezone.now()
    elif isinstance(when, datetime) and timezone.is_naive(when):
        when = timezone.make_aware(when)
    if not isinstance(when, datetime):
        errors["occurred_at"] = [_("Use an ISO 8601 date and time.")]
    elif outside_window(when):
        errors["occurred_at"] = [outside_window(when)]
    elif when > timezone.now() + timedelta(minutes=10):
        errors["occurred_at"] = [_("This is in the future.")]
    location, description = str(location or "").strip(), str(description or "").strip()
    if len(location) > 200:
        errors["location"] = [_("At most 200 characters.")]
    if len(description) > 500:
        errors["description"] = [_("At most 500 characters.")]
    if errors:
        raise FulfillmentInvalid(_("The tracking event could not be recorded."), fields=errors)
    return status, when, location, description


@transaction.atomic
def tracking_event_add(*, actor, shipment: Shipment, status: str, occurred_at=None, location: str = "",
                       description: str = "") -> TrackingEvent:
    """A tracking event entered by hand (a carrier without a webhook, a phone call from the driver)."""
    status, when, location, description = _clean_event(status=status, occurred_at=occurred_at, location=location,
                                                        description=description)
    order = _lock_order(shipment.order)
    locked = Shipment.objects.select_for_update(of=("self",)).select_related("warehouse").get(pk=shipment.pk)
    if SHIPMENT_MACHINE.can(locked, "ship"):
        raise FulfillmentConflict(_("Shipment %(number)s has not left yet.") % {"number": locked.number},
                                  code="not_shipped")
    event = _apply_tracking(actor=actor, shipment=locked, order=order, status=status, occurred_at=when,
                            location=location, description=description, source=TrackingEvent.Source.MANUAL)
    shipment.status, shipment.delivered_at = locked.status, locked.delivered_at
    return event


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """What a carrier puts in X-Carrier-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>." + body>."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _verify(carrier: Carrier, *, body: bytes, signature: str, timestamp: str, now: float | None) -> None:
    if not carrier.webhook_secret:
        raise WebhookRejected(_("This carrier has no webhook secret configured."))
    try:
        sent = int((timestamp or "").strip())
    except ValueError:
        raise WebhookRejected(_("Missing or malformed timestamp.")) from None
    if abs((now if now is not None else time.time()) - sent) > TIMESTAMP_TOLERANCE:
        raise WebhookRejected(_("The timestamp is too far from now."))
    expected = webhook_signature(carrier.webhook_secret, str(sent), body)
    if not hmac.compare_digest(expected.encode(), (signature or "").strip().encode()):
        raise WebhookRejected(_("The signature does not match."))


def carrier_webhook_receive(*, carrier_code: str, body: bytes, signature: str, timestamp: str,
                            now: float | None = None) -> tuple[TrackingEvent, bool]:
    """A carrier pushes one tracking event, signed. Verified before anything is read or written (401);
    processed once per carrier event id: a repeat returns the first event and False."""
    carrier = Carrier.objects.filter(code=carrier_code, is_active=True).first() if carrier_code else None
    if carrier is None:
        raise CarrierNotFound(_("No such carrier."))
    _verify(carrier, body=body, signature=signature, timestamp=timestamp, now=now)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise FulfillmentInvalid(_("The body is not JSON.")) from None
    if not isinstance(payload, dict):
        raise FulfillmentInvalid(_("The body must be a JSON object."))
    event_id = str(payload.get("event_id") or "").strip()
    tracking_number = str(payload.get("tracking_number") or "").strip()
    errors = {}
    if not event_id or len(event_id) > 100:
        errors["event_id"] = [_("Required, at most 100 characters.")]
    if not tracking_number:
        errors["tracking_number"] = [_("Required.")]
    if errors:
        raise FulfillmentInvalid(_("The event could not be recorded."), fields=errors)
    first = TrackingEvent.objects.filter(carrier=carrier, carrier_event_id=event_id).first()
    if first is not None:
        return first, False
    status, when, location, description = _clean_event(
        status=payload.get("status"), occurred_at=payload.get("occurred_at") or "",
        location=payload.get("location", ""), description=payload.get("description", ""))
    target = Shipment.objects.filter(carrier=carrier, tracking_number=tracking_number).exclude(
        status=ShipmentStatus.PICKING).order_by("-id").first()
    if target is None:
        raise FulfillmentInvalid(_("The event could not be recorded."),
                                 fields={"tracking_number": [_("No shipment of ours has this tracking number.")]})
    try:
        with transaction.atomic():
            order = _lock_order(target.order)
            shipment = Shipment.objects.select_for_update(of=("self",)).get(pk=target.pk)
            event = _apply_tracking(actor=None, shipment=shipment, order=order, status=status, occurred_at=when,
                                    location=location, description=description,
                                    source=TrackingEvent.Source.WEBHOOK, carrier=carrier, event_id=event_id)
    except IntegrityError:  # the same event id, pushed twice at once: the other push won
        return TrackingEvent.objects.get(carrier=carrier, carrier_event_id=event_id), False
    logger.info("carrier event applied", extra={"carrier": carrier.code, "event_id": event_id,
                                                "shipment": shipment.number, "status": status})
    return event, True


# --- receipt and completion --------------------------------------------------------------------------

@transaction.atomic
def order_receipt_confirm(*, actor, order: Order) -> Order:
    """The dealer confirms the goods arrived: shipments still under way are marked delivered, the order is
    delivered (if it was not yet) and completed."""
    locked = _lock_order(order)
    if locked.status not in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        raise IllegalOrderTransition(
            _("Order %(number)s is %(state)s; receipt can be confirmed once everything has shipped.")
            % {"number": locked.number, "state": _state(locked)})
    now = timezone.now()
    # its own shipments, and headquarters' drop-ships to it (their pass-up order locked after it, as always)
    for shipment in Shipment.objects.select_for_update(of=("self",)).filter(
            Q(order=locked) | Q(drop_ship_for=locked)).exclude(status=ShipmentStatus.DELIVERED).order_by("id"):
        _apply_tracking(actor=actor, shipment=shipment,
                        order=locked if shipment.order_id == locked.pk else order_lock(shipment.order_id),
                        status=TrackingStatus.DELIVERED, occurred_at=now, location="",
                        description=_("Receipt confirmed by the dealer"), source=TrackingEvent.Source.MANUAL)
        locked.refresh_from_db(fields=["status"])
    if locked.status == OrderStatus.SHIPPED:
        order_transition(actor=actor, order=locked, action="deliver", reason=_("Receipt confirmed by the dealer"))
    done = order_transition(actor=actor, order=locked, action="complete", reason=_("Receipt confirmed by the dealer"))
    audit_record(actor=actor, action="fulfillment.order.receipt_confirmed", target=locked,
                 after={"status": done.status})
    order.status, order.closed_at = done.status, done.closed_at
    return done


def orders_auto_complete(*, now=None) -> int:
    """Complete orders delivered at least `auto_complete_days` ago that nobody confirmed; idempotent (a
    completed order is not delivered any more). Each order in its own transaction. Returns how many."""
    days = ordering_settings().auto_complete_days
    if not days:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    due = orders_delivered_before(cutoff)
    completed = 0
    for order in due:
        try:
            order_transition(actor=None, order=order, action="complete",
                             reason=_("Completed automatically %(days)s days after delivery") % {"days": days},
                             data={"auto": True})
        except IllegalOrderTransition:  # confirmed or changed meanwhile
            continue
        completed += 1
    return completed


# --- returns -----------------------------------------------------------------------------------------

@transaction.atomic
def return_request_create(*, actor, order: Order, reason_code: str, reason_text: str = "",
                          lines: dict) -> ReturnRequest:
    """The dealer asks to return `lines` ({order line id: base units}) of a shipped order."""
    locked = _lock_order(order)
    if locked.status not in RETURNABLE:
        raise FulfillmentConflict(_("Order %(number)s is %(state)s; only shipped goods can be returned.")
                                  % {"number": locked.number, "state": _state(locked)}, code="illegal_transition")
    errors: dict[str, list[str]] = {}
    reason_text = str(reason_text or "").strip()
    if reason_code not in ReturnReason.values:
        errors["reason_code"] = [_("Choose a reason.")]
    elif reason_code == ReturnReason.OTHER and not reason_text:
        errors["reason_text"] = [_("Say what the problem is.")]
    if len(reason_text) > 2000:
        errors["reason_text"] = [_("At most 2,000 characters.")]
    order_lines = {line.pk: line for line in OrderLine.objects.filter(order=locked)}
    pending = open_return_quantities(locked)
    chosen: dict[int, int] = {}
    if not isinstance(lines, dict) or len(lines) > MAX_LINES:
        errors["lines"] = [_("Give a quantity per order line.")]
        lines = {}
    for key, value in lines.items():
        line = order_lines.get(int(key)) if str(key).isdigit() else None
        quantity = _quantity(value)
        if line is None:
            errors[f"lines.{key}"] = [_("No such line in this order.")]
            continue
        returnable = max(line.shipped_base - line.returned_base - pending.get(line.pk, 0), 0)
        if quantity is None or quantity > returnable:
            errors[f"lines.{line.line_no}.quantity"] = [
                _("At most %(max)s can be returned (shipped %(shipped)s, returned or asked for already %(done)s).")
                % {"max": returnable, "shipped": line.shipped_base,
                   "done": line.returned_base + pending.get(line.pk, 0)}]
        elif quantity:
            chosen[line.pk] = quantity
    if not chosen and "lines" not in errors and not any(key.startswith("lines.") for key in errors):
        errors["lines"] = [_("Choose at least one item to return.")]
    if errors:
        raise FulfillmentInvalid(_("The return could not be requested."), fields=errors)
    rma = ReturnRequest.objects.create(order=locked, number=_next_number(locked, "R", ReturnRequest),
                                       reason_code=reason_code, reason_text=reason_text,
                                       requested_by=actor if getattr(actor, "is_authenticated", False) else None)
    ReturnLine.objects.bulk_create([ReturnLine(return_request=rma, order_line_id=pk, quantity=quantity)
                                    for pk, quantity in chosen.items()])
    _timeline(locked, actor, kind="return", message=_("Return %(number)s requested: %(reason)s")
              % {"number": rma.number, "reason": rma.get_reason_code_display()},
              data={"return": rma.number, "status": rma.status, "units": sum(chosen.values())})
    audit_record(actor=actor, action="fulfillment.return.requested", target=rma,
                 after={"order": locked.number, "reason_code": reason_code,
                        "lines": {str(pk): quantity for pk, quantity in chosen.items()}})
    event_record(kind="return.requested", subject_id=rma.pk, subject_ref=rma.number, dealer_id=locked.dealer_id,
                 actor=actor, payload={"order": locked.number, "order_id": locked.pk, "reason": reason_code})
    return rma


def _lock_return(rma: ReturnRequest) -> ReturnRequest:
    return ReturnRequest.objects.select_for_update(of=("self",)).get(pk=rma.pk)


@transaction.atomic
def return_decide(*, actor, rma: ReturnRequest, approve: bool, note: str = "") -> ReturnRequest:
    """Approve or reject (with a reason) a requested return."""
    note = str(note or "").strip()
    if not approve and not note:
        raise FulfillmentInvalid(_("Give a reason."), fields={"note": [_("A reason is required to reject.")]})
    if len(note) > 2000:
        raise FulfillmentInvalid(_("Too long."), fields={"note": [_("At most 2,000 characters.")]})
    order = _lock_order(rma.order)

    def decided(locked: ReturnRequest, _before: str) -> list[str]:
        locked.decided_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.decided_at, locked.decision_note = timezone.now(), note
        _timeline(order, actor, kind="return", message=(_("Return %(number)s approved") if approve else _(
            "Return %(number)s rejected")) % {"number": locked.number} + (f": {note}" if note else ""),
            data={"return": locked.number, "status": locked.status})
        return ["decided_by", "decided_at", "decision_note"]

    locked = RETURN_MACHINE.move(actor=actor, obj=rma, action="approve" if approve else "reject",
                                 audit=audit_record, lock=_lock_return, effects=decided, reason=note)
    rma.status, rma.decided_at, rma.decision_note = locked.status, locked.decided_at, note
    return locked


def _default_return_warehouse(order: Order) -> int | None:
    return Shipment.objects.filter(order=order).exclude(status=ShipmentStatus.PICKING).order_by(
        "id").values_list("warehouse_id", flat=True).first()


@transaction.atomic
def return_receive(*, actor, rma: ReturnRequest, warehouse_id=None) -> ReturnRequest:
    """The returned goods arrive at a warehouse (default: the one the order first shipped from): stock
    back on hand through the ledger (kind "return"), the order lines' returned quantity up."""
    order = _lock_order(rma.order)
    if warehouse_id in (None, ""):
        warehouse_id = _default_return_warehouse(order)
    warehouse = Warehouse.objects.filter(pk=warehouse_id, is_active=True).first() \
        if str(warehouse_id).isdigit() else None
    items: list[ReturnLine] = []

    def received(locked: ReturnRequest, _before: str) -> list[str]:
        if warehouse is None:
            raise FulfillmentInvalid(_("The return could not be received."),
                                     fields={"warehouse": [_("Choose an active warehouse.")]})
        items.extend(ReturnLine.objects.filter(return_request=locked).select_related("order_line"))
        for item in sorted(items, key=lambda item: (item.order_line.sku_id, item.order_line_id)):
            order_line_return(order=order, line=item.order_line, quantity=item.quantity)
            stock_receive(actor=actor, sku_id=item.order_line.sku_id, warehouse_id=warehouse.pk,
                          quantity=item.quantity, reference=locked.number, reason=f"RMA {locked.reason_code}",
                          kind=MovementKind.RETURN)
        credited = order_return_credit(actor=actor, order=order, reference=locked.number,
                                       returned=[(item.order_line, item.quantity) for item in items])
        locked.warehouse = warehouse
        locked.received_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.received_at = timezone.now()
        _timeline(order, actor, kind="return", message=_("Return %(number)s received at %(warehouse)s")
                  % {"number": locked.number, "warehouse": warehouse.name},
                  data={"return": locked.number, "status": locked.status,
                        "units": sum(i.quantity for i in items), "credited": str(credited)})
        event_record(kind="return.received", subject_id=locked.pk, subject_ref=locked.number,
                     dealer_id=order.dealer_id, actor=actor, payload={"order": order.number, "order_id": order.pk})
        return ["warehouse", "received_by", "received_at"]

    locked = RETURN_MACHINE.move(
        actor=actor, obj=rma, action="receive", audit=audit_record, lock=_lock_return, effects=received,
        then=lambda locked, _before: {"warehouse": warehouse.code,
                                      "lines": {str(i.order_line_id): i.quantity for i in items}})
    rma.status, rma.warehouse, rma.received_at = locked.status, warehouse, locked.received_at
    return locked


# --- carriers ----------------------------------------------------------------------------------------

@transaction.atomic
def carrier_save(*, actor, carrier: Carrier | None = None, code: str = "", name: str,
                 tracking_url_template: str = "", webhook_secret: str | None = None,
                 is_active: bool = True) -> Carrier:
    """Create a carrier (`carrier` None) or change one. `webhook_secret` None keeps the current secret."""
    from django.utils.text import slugify

    code = slugify(code or "")[:32] if carrier is None else carrier.code
    name = (name or "").strip()
    template = (tracking_url_template or "").strip()
    errors = {}
    if not code:
        errors["code"] = [_("Enter a code of letters, digits and dashes.")]
    elif carrier is None and Carrier.objects.filter(code=code).exists():
        errors["code"] = [_("This code is already used.")]
    if not name or len(name) > 100:
        errors["name"] = [_("Enter a name of up to 100 characters.")]
    if template and (not template.startswith(("https://", "http://")) or "{number}" not in template
                     or len(template) > 300):
        errors["tracking_url_template"] = [_("An http(s) address with {number} in it.")]
    if webhook_secret is not None and webhook_secret and len(webhook_secret) < 16:
        errors["webhook_secret"] = [_("At least 16 characters.")]
    if errors:
        raise FulfillmentInvalid(_("The carrier could not be saved."), fields=errors)
    before = {} if carrier is None else {"name": carrier.name, "tracking_url_template": carrier.tracking_url_template,
                                         "is_active": carrier.is_active}
    carrier = carrier or Carrier(code=code)
    carrier.name, carrier.tracking_url_template, carrier.is_active = name, template, bool(is_active)
    if webhook_secret is not None:
        carrier.webhook_secret = webhook_secret
    carrier.save()
    audit_record(actor=actor, action="fulfillment.carrier.saved", target=carrier, before=before,
                 after={"name": name, "tracking_url_template": template, "is_active": carrier.is_active,
                        "secret_changed": webhook_secret is not None})
    return carrier


@transaction.atomic
def carriers_ensure(*, actor, carriers: Iterable[tuple[str, str, str]]) -> int:
    """Make the carriers (code, name, tracking page URL with {number}) that are missing, in one insert; existing
    codes are left as the brand set them. Returns how many were made, each recorded (one insert); the template
schema, where every workspace's carriers are made, forgets its own history."""
    wanted = {code: (name, url) for code, name, url in carriers}
    existing = set(Carrier.objects.filter(code__in=list(wanted)).values_list("code", flat=True))
    made = Carrier.objects.bulk_create([Carrier(code=code, name=name, tracking_url_template=url)
                                        for code, (name, url) in wanted.items() if code not in existing])
    audit_entries_save([audit_entry(actor=actor, action="fulfillment.carrier.created", target=carrier,
                                    after={"code": carrier.code, "name": carrier.name}) for carrier in made])
    return len(made)
