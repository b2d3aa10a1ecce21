"""Bulk actions of the fulfilment queues: allocate several orders, ship several orders (one carrier and tracking
number per order, or none for own delivery). Each order is processed in its own transaction: one that fails
(out of stock, wrong state, a carrier that needs a tracking number, outside the actor's scope) changes nothing
of its own and does not stop the others; the outcome says, per order, what happened or why not."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from tenant_apps.accounts.permissions import FULFILLMENT_SHIP, has_perm
from tenant_apps.core.errors import DomainError
from tenant_apps.fulfillment import services
from tenant_apps.fulfillment.errors import FulfillmentForbidden, FulfillmentInvalid
from tenant_apps.fulfillment.models import Shipment, ShipmentStatus
from tenant_apps.fulfillment.selectors import picking_lists
from tenant_apps.ordering.models import Order
from tenant_apps.ordering.selectors import orders_visible_to

MAX_ORDERS = 100  # per bulk action: a page of the queue, and a bound on one request's work


@dataclass(frozen=True)
class BulkOutcome:
    order_id: int
    number: str  # the order number, or the id asked for when no such order is in the actor's scope
    ok: bool
    detail: str  # what was done, or why not


@dataclass(frozen=True)
class ShipInstruction:
    carrier: object = None  # a Carrier, its id, or None/"" for own delivery without a carrier
    tracking_number: str = ""


def order_ids_clean(values: Sequence) -> list[int]:
    """The order ids asked for, as whole numbers, each once, in the order given; at most MAX_ORDERS."""
    ids: list[int] = []
    for value in values:
        text = str(value).strip()
        if text.isdigit() and int(text) not in ids:
            ids.append(int(text))
    if not ids:
        raise FulfillmentInvalid(_("Select at least one order."), fields={"order": [_("Select at least one order.")]})
    if len(ids) > MAX_ORDERS:
        raise FulfillmentInvalid(_("Too many orders at once."), fields={"order": [
            _("Select at most %(max)s orders.") % {"max": MAX_ORDERS}]})
    return ids


def _error_text(error: DomainError) -> str:
    details = [str(message) for messages in error.fields.values() for message in messages]
    return " ".join([str(error.detail), *details])


def _each(*, actor, order_ids: Sequence, work: Callable[[Order], str]) -> list[BulkOutcome]:
    if not has_perm(actor, FULFILLMENT_SHIP):
        raise FulfillmentForbidden(_("You may not allocate or ship orders."))
    ids = order_ids_clean(order_ids)
    visible = orders_visible_to(actor).select_related("dealer").in_bulk(ids)  # the scope, checked per order
    outcomes = []
    for order_id in ids:
        order = visible.get(order_id)
        if order is None:
            outcomes.append(BulkOutcome(order_id, str(order_id), False, _("No such order.")))
            continue
        try:
            with transaction.atomic():  # all of this order, or nothing of it
                done = work(order)
        except DomainError as error:
            outcomes.append(BulkOutcome(order.pk, order.number, False, _error_text(error)))
        else:
            outcomes.append(BulkOutcome(order.pk, order.number, True, done))
    return outcomes


def orders_bulk_allocate(*, actor, order_ids: Sequence) -> list[BulkOutcome]:
    """Allocate each approved order (services.order_allocate), each in its own transaction."""

    def allocate(order: Order) -> str:
        services.order_allocate(actor=actor, order=order)
        return _("Allocated.")

    return _each(actor=actor, order_ids=order_ids, work=allocate)


def _ship_order(*, actor, order: Order, instruction: ShipInstruction) -> str:
    """Everything of the order still to ship leaves now: a shipment per warehouse for what is not being picked
    yet, then every shipment being picked ships with the order's carrier and tracking number."""
    for pick in picking_lists(order):
        if pick.total_to_pick:
            services.shipment_create(actor=actor, order=order, warehouse_id=pick.warehouse.pk)
    waiting = list(Shipment.objects.filter(order=order, status=ShipmentStatus.PICKING).select_related(
        "order", "warehouse").order_by("id"))
    if not waiting:
        raise FulfillmentInvalid(_("Nothing of this order is waiting to be shipped."))
    for shipment in waiting:
        services.shipment_ship(actor=actor, shipment=shipment, carrier=instruction.carrier or None,
                               tracking_number=instruction.tracking_number)
    numbers = ", ".join(shipment.number for shipment in waiting)
    return _("Shipped: %(shipments)s.") % {"shipments": numbers}


def orders_bulk_ship(*, actor, instructions: Mapping) -> list[BulkOutcome]:
    """Ship each order of `instructions` ({order id: ShipInstruction}) in full, each in its own transaction."""
    by_id = {int(key): value for key, value in instructions.items() if str(key).strip().isdigit()}

    def ship(order: Order) -> str:
        return _ship_order(actor=actor, order=order, instruction=by_id.get(order.pk) or ShipInstruction())

    return _each(actor=actor, order_ids=list(instructions), work=ship)
