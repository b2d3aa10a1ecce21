"""Reads of fulfilment, always through the actor's data scope (outside it: 404, as if it did not exist)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from tenant_apps.dealers.selectors import dealers_visible_to
from tenant_apps.fulfillment.errors import ReturnNotFound, ShipmentNotFound
from tenant_apps.fulfillment.models import (
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TrackingEvent,
)
from tenant_apps.inventory.models import Warehouse
from tenant_apps.ordering.models import Order, OrderLine, OrderReservation, OrderStatus
from tenant_apps.ordering.selectors import orders_visible_to


def work_waiting(*, actor) -> dict[str, int]:
    """What waits for the warehouse in the actor's scope, in two queries: approved orders to allocate, allocated or
    partly shipped orders to ship, returns waiting for a decision or their goods."""
    counts = orders_visible_to(actor).aggregate(
        to_allocate=Count("pk", filter=Q(status=OrderStatus.APPROVED)),
        to_ship=Count("pk", filter=Q(status__in=[OrderStatus.ALLOCATED, OrderStatus.PARTIALLY_SHIPPED])))
    counts["returns"] = returns_visible_to(actor).filter(
        status__in=[ReturnStatus.REQUESTED, ReturnStatus.APPROVED]).count()
    return counts


def shipments_visible_to(user) -> QuerySet[Shipment]:
    return Shipment.objects.filter(order__dealer_id__in=dealers_visible_to(user).values("pk"))


def shipment_get_for(*, actor, shipment_id) -> Shipment:
    shipment = shipments_visible_to(actor).select_related("order", "order__dealer", "warehouse", "carrier").filter(
        pk=shipment_id).first() if str(shipment_id).isdigit() else None
    if shipment is None:
        raise ShipmentNotFound(_("No such shipment."))
    return shipment


def returns_visible_to(user) -> QuerySet[ReturnRequest]:
    return ReturnRequest.objects.filter(order__dealer_id__in=dealers_visible_to(user).values("pk"))


def return_get_for(*, actor, return_id) -> ReturnRequest:
    rma = returns_visible_to(actor).select_related("order", "order__dealer", "warehouse").filter(
        pk=return_id).first() if str(return_id).isdigit() else None
    if rma is None:
        raise ReturnNotFound(_("No such return request."))
    return rma


def shipment_list(queryset: QuerySet[Shipment]) -> QuerySet[Shipment]:
    """Shipments with what a list shows: order, dealer, warehouse, carrier, lines and events prefetched."""
    return queryset.select_related("order", "order__dealer", "warehouse", "carrier").prefetch_related(
        Prefetch("lines", queryset=ShipmentLine.objects.select_related(
            "order_line", "order_line__sku", "order_line__sku__base_unit", "order_line__unit")),
        Prefetch("tracking_events", queryset=TrackingEvent.objects.order_by("occurred_at", "id")))


def return_list(queryset: QuerySet[ReturnRequest]) -> QuerySet[ReturnRequest]:
    return queryset.select_related(
        "order", "order__dealer", "warehouse", "requested_by", "decided_by",
    ).prefetch_related(
        Prefetch("lines", queryset=ReturnLine.objects.select_related(
            "order_line", "order_line__sku", "order_line__sku__base_unit", "order_line__unit")))


@dataclass
class PickRow:
    line: OrderLine
    reserved: int  # still reserved in this warehouse
    in_picking: int  # already on a shipment being picked
    to_pick: int  # what a new shipment may take


@dataclass
class PickingList:
    warehouse: Warehouse
    rows: list[PickRow] = field(default_factory=list)

    @property
    def total_to_pick(self) -> int:
        return sum(row.to_pick for row in self.rows)


def picking_lists(order: Order) -> list[PickingList]:
    """Per warehouse, what of the order is reserved there and not yet on a shipment being picked.
    Four queries whatever the number of lines and warehouses."""
    return picking_lists_for([order]).get(order.pk, [])


def picking_lists_for(orders) -> dict[int, list[PickingList]]:
    """`picking_lists` of several orders at once (bulk printing, bulk shipping), by order id: four queries
    whatever the number of orders, lines and warehouses. Orders with nothing reserved are left out."""
    order_ids = [order.pk for order in orders]
    reserved: dict[tuple[int, int, int], int] = defaultdict(int)
    for row in OrderReservation.objects.filter(order_id__in=order_ids, quantity__gt=0).values(
            "order_id", "warehouse_id", "line_id").annotate(total=Sum("quantity")):
        reserved[(row["order_id"], row["warehouse_id"], row["line_id"])] += row["total"]
    if not reserved:
        return {}
    picking: dict[tuple[int, int], int] = defaultdict(int)
    for row in ShipmentLine.objects.filter(shipment__order_id__in=order_ids,
                                           shipment__status=ShipmentStatus.PICKING).values(
            "shipment__warehouse_id", "order_line_id").annotate(total=Sum("quantity")):
        picking[(row["shipment__warehouse_id"], row["order_line_id"])] += row["total"]
    lines = {line.pk: line for line in OrderLine.objects.filter(pk__in={line for _o, _w, line in reserved})
             .select_related("sku", "sku__base_unit", "unit")}
    warehouses = Warehouse.objects.in_bulk({warehouse for _o, warehouse, _line in reserved})
    lists: dict[int, dict[int, PickingList]] = defaultdict(dict)
    for (order_id, warehouse_id, line_id), quantity in sorted(reserved.items(), key=lambda item: (
            item[0][0], item[0][1], lines[item[0][2]].line_no)):
        in_picking = picking.get((warehouse_id, line_id), 0)
        lists[order_id].setdefault(warehouse_id, PickingList(warehouse=warehouses[warehouse_id])).rows.append(
            PickRow(line=lines[line_id], reserved=quantity, in_picking=in_picking,
                    to_pick=max(quantity - in_picking, 0)))
    return {order_id: [by_warehouse[w] for w in sorted(by_warehouse, key=lambda w: warehouses[w].code)]
            for order_id, by_warehouse in lists.items()}


def open_return_quantities(order: Order) -> dict[int, int]:
    """Per order line, base units on return requests still open (requested or approved)."""
    rows = ReturnLine.objects.filter(
        return_request__order=order,
        return_request__status__in=[ReturnStatus.REQUESTED, ReturnStatus.APPROVED]).values(
        "order_line_id").annotate(total=Sum("quantity"))
    return {row["order_line_id"]: row["total"] for row in rows}


@dataclass
class ReturnableRow:
    line: OrderLine
    shipped: int
    returned: int
    pending: int
    returnable: int


def returnable_lines(order: Order) -> list[ReturnableRow]:
    """What the dealer may still ask to return, per line: shipped minus returned minus open requests."""
    pending = open_return_quantities(order)
    rows = []
    for line in OrderLine.objects.filter(order=order, shipped_base__gt=0).select_related("sku", "sku__base_unit"):
        waiting = pending.get(line.pk, 0)
        rows.append(ReturnableRow(line=line, shipped=line.shipped_base, returned=line.returned_base, pending=waiting,
                                  returnable=max(line.shipped_base - line.returned_base - waiting, 0)))
    return rows


def shipped_amounts(period_start, period_end, dealer_ids, *, currency: str) -> dict:
    """What each dealer was shipped from `period_start` to `period_end` (the brand's days, inclusive), net of the
    returns received in those days, in `currency`, at the orders' net prices (a line's net per base unit):
    {dealer id: Decimal}, one query. Registered as finance's rebate basis (apps.py)."""
    from datetime import datetime, time, timedelta
    from decimal import Decimal

    from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce
    from django.utils import timezone

    from tenant_apps.dealers.models import Dealer

    zone = timezone.get_current_timezone()
    since = datetime.combine(period_start, time.min, tzinfo=zone)
    until = datetime.combine(period_end + timedelta(days=1), time.min, tzinfo=zone)
    money = DecimalField(max_digits=20, decimal_places=6)

    def worth(prefix: str):
        return ExpressionWrapper(F("quantity") * F(f"{prefix}net") / (F(f"{prefix}quantity") * F(f"{prefix}factor")),
                                 output_field=money)

    shipped = (ShipmentLine.objects.filter(
        shipment__order__dealer_id=OuterRef("pk"), shipment__order__currency=currency,
        shipment__shipped_at__gte=since, shipment__shipped_at__lt=until)
        .exclude(shipment__status=ShipmentStatus.PICKING)
        .order_by().values("shipment__order__dealer_id").annotate(total=Sum(worth("order_line__"))).values("total"))
    returned = (ReturnLine.objects.filter(
        return_request__order__dealer_id=OuterRef("pk"), return_request__order__currency=currency,
        return_request__status=ReturnStatus.RECEIVED, return_request__received_at__gte=since,
        return_request__received_at__lt=until)
        .order_by().values("return_request__order__dealer_id").annotate(total=Sum(worth("order_line__")))
        .values("total"))
    zero = Value(Decimal("0"), output_field=money)
    rows = (Dealer.objects.filter(pk__in=list(dealer_ids)).order_by()
            .annotate(shipped=Coalesce(Subquery(shipped, output_field=money), zero),
                      returned=Coalesce(Subquery(returned, output_field=money), zero))
            .values_list("pk", "shipped", "returned"))
    return {pk: (sent - back).quantize(Decimal("0.01")) for pk, sent, back in rows if sent or back}
