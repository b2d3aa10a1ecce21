"""Pass-up on the warehouse side (S2B2B; the orders' side and the representation: tenant_apps/ordering/pass_up.py).

- `supplier_order_pass_up`: the supplier passes lines of a sub-dealer's order up to headquarters; the sub-dealer's
  order is then allocated if it was only approved (what the supplier keeps reserved from its own stock), so that
  either side's shipment can move it on.
- `drop_ship_shipped`: called by fulfillment.services.shipment_ship when headquarters ships a drop-ship pass-up
  order: the shipment names the sub-dealer's order (`Shipment.drop_ship_for`), whose lines go from passed up to
  shipped, whose timeline says so, and which becomes partially shipped or shipped like after its own shipment.
- `pass_up_receive`: a purchase pass-up's goods reached the supplier: booked into one of its warehouses (the
  inventory receipt), and the sub-dealer's lines reserved there again, ready for the supplier's own shipment.

Locks: the sub-dealer's order first, then the pass-up order (fulfillment.services._lock_order does the same).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.audit.services import audit_record
from tenant_apps.finance.services_receivables import receivable_shipped
from tenant_apps.fulfillment.errors import FulfillmentConflict
from tenant_apps.fulfillment.models import Shipment, ShipmentStatus
from tenant_apps.inventory.services import stock_receive
from tenant_apps.ordering.fulfil import order_lines_allocate
from tenant_apps.ordering.lifecycle import order_event_add, order_lock, order_transition
from tenant_apps.ordering.models import Order, OrderEvent, OrderStatus
from tenant_apps.ordering.pass_up import PURCHASE, RECEIVED, order_pass_up, pass_up_drop_shipped, pass_up_received
from tenant_apps.ordering.selectors import order_reserved_left

SHIPPABLE = (OrderStatus.ALLOCATED, OrderStatus.PARTIALLY_SHIPPED)
RECEIVABLE = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)


@transaction.atomic
def supplier_order_pass_up(*, actor, order: Order, mode: str, lines: dict | None = None,
                           idempotency_key: str = "") -> Order:
    """Pass lines of `order` (a sub-dealer's, found in the supplier's scope by the caller) up to headquarters
    (ordering.pass_up.order_pass_up); then allocate it if it was approved only (409 `insufficient_stock` when the
    supplier's stock does not cover what it keeps: nothing passed up then either). The pass-up order."""
    locked = order_lock(order.pk)
    if Shipment.objects.filter(order=locked, status=ShipmentStatus.PICKING).exists():
        raise FulfillmentConflict(_("A shipment of order %(number)s is being picked; ship or cancel it first.")
                                  % {"number": locked.number}, code="shipment_picking")
    passed = order_pass_up(actor=actor, order=locked, mode=mode, lines=lines, idempotency_key=idempotency_key)
    locked.refresh_from_db(fields=["status"])
    if locked.status == OrderStatus.APPROVED:
        reserved = order_lines_allocate(actor=actor, order=locked)
        order_transition(actor=actor, order=locked, action="allocate",
                         data={"reserved_now": reserved} if reserved else None)
    order.status = locked.status
    return passed


def drop_ship_shipped(*, actor, order: Order, shipment: Shipment, ship_lines) -> None:
    """`shipment` of the drop-ship pass-up `order` (both locked) left: it counts for the sub-dealer's order."""
    source = order_lock(order.passed_up_from_id, related=("dealer",))  # locked already: _lock_order took it first
    shipment.drop_ship_for_id = source.pk
    pass_up_drop_shipped(source=source, lines=[(item.order_line, item.quantity) for item in ship_lines])
    carried = (_(" with %(carrier)s, tracking number %(tracking)s")
               % {"carrier": shipment.carrier.name, "tracking": shipment.tracking_number}) if shipment.carrier else ""
    order_event_add(actor=actor, order=source, kind="shipment", message=_(
        "Shipment %(number)s left headquarters straight to you%(with)s.") % {"number": shipment.number,
                                                                           "with": carried},
        data={"shipment": shipment.number, "status": ShipmentStatus.SHIPPED, "drop_ship": True,
              "carrier": shipment.carrier.code if shipment.carrier else "",
              "tracking_number": shipment.tracking_number})
    if source.status in SHIPPABLE:
        order_transition(actor=actor, order=source, action="ship_part" if order_reserved_left(source) else "ship_all",
                         data={"shipment": shipment.number, "drop_ship": True})
    receivable_shipped(reference=source.number, dealer=source.dealer_id, shipped_on=timezone.localdate())


@transaction.atomic
def pass_up_receive(*, actor, source: Order, order: Order, warehouse) -> Order:
    """The goods of the purchase pass-up `order` (headquarters shipped all of it) reached the supplier: booked into
    `warehouse` (the supplier's, found in its scope by the caller), and `source`'s lines reserved again from the
    supplier's stock. Once per pass-up order (409 after); 409 before headquarters shipped it all."""
    source = order_lock(source.pk)
    locked = order_lock(order.pk)
    if locked.passed_up_from_id != source.pk or locked.pass_up_mode != PURCHASE:
        raise FulfillmentConflict(_("Order %(number)s is not a purchase passed up for this order.")
                                  % {"number": locked.number}, code="not_a_pass_up")
    if locked.status not in RECEIVABLE:
        raise FulfillmentConflict(_("Order %(number)s is %(state)s; its goods can be received once headquarters "
                                    "has shipped it all.") % {"number": locked.number,
                                                              "state": OrderStatus(locked.status).label},
                                  code="illegal_transition")
    if OrderEvent.objects.filter(order=locked, kind=RECEIVED).exists():
        raise FulfillmentConflict(_("The goods of order %(number)s were received already.")
                                  % {"number": locked.number}, code="already_received")
    received = pass_up_received(source=source, order=locked)
    for line, units in sorted(received, key=lambda item: (item[0].sku_id, item[0].pk)):
        stock_receive(actor=actor, sku_id=line.sku_id, warehouse_id=warehouse.pk, quantity=units,
                      reference=locked.number, reason=_("Passed up for %(number)s") % {"number": source.number})
    units = sum(quantity for _line, quantity in received)
    reserved = order_lines_allocate(actor=actor, order=source) if source.status in SHIPPABLE else 0
    order_event_add(actor=actor, order=locked, kind=RECEIVED, message=_(
        "Received into %(warehouse)s: %(units)s units.") % {"warehouse": warehouse.name, "units": units},
        data={"warehouse": warehouse.code, "units": units})
    order_event_add(actor=actor, order=source, kind="note", message=_(
        "The goods passed up to headquarters arrived at %(warehouse)s.") % {"warehouse": warehouse.name},
        data={"warehouse": warehouse.code, "units": units, "reserved": reserved})
    audit_record(actor=actor, action="fulfillment.pass_up.received", target=locked,
                 after={"warehouse": warehouse.code, "units": units, "for": source.number})
    return locked
