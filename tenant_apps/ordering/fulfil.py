"""Ordering's services for the warehouse: the writes of order lines and reservations that allocation, shipping
and returns need. Fulfilment (tenant_apps.fulfillment) owns shipments and returns and calls these; it never
writes an order row itself (tests/ordering/test_single_owner.py).

Each runs inside the caller's transaction, after the caller took the order's row lock (lifecycle.order_lock).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tenant_apps.core.money import minor_unit
from tenant_apps.finance.services import credit_release, held_for
from tenant_apps.inventory.services import Allocation, stock_allocate
from tenant_apps.ordering.errors import OrderRefused, OverReturn, ReservationMissing
from tenant_apps.ordering.models import Order, OrderLine, OrderReservation


def reservations_split(*, order: Order, lines: Iterable[OrderLine], needs: Mapping[int, int] | None = None,
                       allocations: Iterable[Allocation]) -> list[OrderReservation]:
    """Share each SKU's allocations over its lines in the given (line) order: the reservations (unsaved), and
    each line's `reserved_base` raised in memory by what it got. `needs`: base units per line (by the line's
    id, or position when it has none yet); default the whole line. The one place that does it: submission for
    a new order's lines, allocation for lines reserved later (a backorder's)."""
    pools: dict[int, list[list[int]]] = defaultdict(list)
    for allocation in allocations:
        pools[allocation.sku_id].append([allocation.warehouse_id, allocation.quantity])
    reservations = []
    for line in lines:
        need = line.quantity * line.factor if needs is None else needs[line.pk]
        for pool in pools.get(line.sku_id, ()):
            take = min(need, pool[1])
            if take:
                pool[1] -= take
                need -= take
                line.reserved_base += take
                reservations.append(OrderReservation(order=order, line=line, warehouse_id=pool[0],
                                                     sku_id=line.sku_id, quantity=take))
    return reservations


@transaction.atomic
def order_lines_allocate(*, actor, order: Order) -> int:
    """Reserve what the order's lines still miss (a backorder's, reserved when its stock came) over the
    warehouses serving the dealer first; all or nothing (409 `insufficient_stock`, nothing reserved). An order
    placed with a supplier takes what its warehouses hold now and leaves the rest waiting for the supplier.
    Returns the base units reserved now (0: everything was reserved at submission). `order`: locked."""
    from tenant_apps.ordering.submission import warehouse_ranks

    lines = list(OrderLine.objects.filter(order=order).order_by("line_no"))
    # units passed up to headquarters (ordering.pass_up) are not the supplier's to reserve
    missing = {line.pk: line.base_quantity - line.reserved_base - line.shipped_base - line.passed_base
               for line in lines}
    missing = {pk: quantity for pk, quantity in missing.items() if quantity > 0}
    if not missing:
        return 0
    by_pk = {line.pk: line for line in lines}
    wanted: dict[int, int] = defaultdict(int)
    for pk, quantity in missing.items():
        wanted[by_pk[pk].sku_id] += quantity
    allocations = stock_allocate(actor=actor, wanted=dict(wanted),
                                 warehouse_ranks=warehouse_ranks(order.dealer, seller_id=order.seller_id),
                                 reference=order.number)
    got: dict[int, int] = defaultdict(int)
    for allocation in allocations:
        got[allocation.sku_id] += allocation.quantity
    short = sorted(by_pk[pk].line_no for pk in missing if got[by_pk[pk].sku_id] < wanted[by_pk[pk].sku_id])
    if short and order.seller_id is None:
        raise OrderRefused(
            _("Not enough stock to allocate order %(number)s (lines %(lines)s); nothing was reserved.")
            % {"number": order.number, "lines": ", ".join(map(str, short))}, code="insufficient_stock")
    waiting = [by_pk[pk] for pk in sorted(missing, key=lambda pk: by_pk[pk].line_no)]
    before = {line.pk: line.reserved_base for line in waiting}
    OrderReservation.objects.bulk_create(reservations_split(order=order, lines=waiting, needs=missing,
                                                            allocations=allocations))
    for line in waiting:  # reservations_split raised each line's reserved_base by what it got
        if line.reserved_base > before[line.pk]:
            OrderLine.objects.filter(pk=line.pk).update(
                reserved_base=F("reserved_base") + (line.reserved_base - before[line.pk]))
    return sum(line.reserved_base - before[line.pk] for line in waiting)


def order_line_ship(*, order: Order, line: OrderLine, warehouse_id: int, quantity: int) -> None:
    """`quantity` base units of `line` leave `warehouse_id`: taken from its reservations there (oldest first)
    and moved from reserved to shipped on the line; 409 `reservation_missing` if they are not reserved
    there."""
    need = quantity
    for reservation in OrderReservation.objects.select_for_update(of=("self",)).filter(
            line=line, warehouse_id=warehouse_id, quantity__gt=0).order_by("id"):
        take = min(need, reservation.quantity)
        OrderReservation.objects.filter(pk=reservation.pk).update(quantity=F("quantity") - take)
        need -= take
        if not need:
            break
    updated = OrderLine.objects.filter(pk=line.pk, reserved_base__gte=quantity).update(
        reserved_base=F("reserved_base") - quantity, shipped_base=F("shipped_base") + quantity)
    if need or not updated:
        raise ReservationMissing(_("Line %(line)s is no longer reserved in this warehouse; nothing was "
                                   "shipped.") % {"line": line.line_no})


def order_line_return(*, order: Order, line: OrderLine, quantity: int) -> None:
    """`quantity` base units of `line` came back: its returned quantity up, never past what was shipped (409
    `over_return`)."""
    updated = OrderLine.objects.filter(pk=line.pk, order=order,
                                       shipped_base__gte=F("returned_base") + quantity).update(
        returned_base=F("returned_base") + quantity)
    if not updated:
        raise OverReturn(_("Line %(line)s would be returned more than it was shipped; nothing changed.")
                         % {"line": line.line_no})


def order_return_credit(*, actor, order: Order, returned: list[tuple[OrderLine, int]], reference: str) -> Decimal:
    """Give the dealer back the value of goods returned ([(line, base units)]): each line's net price for those
    units, through the dealer's account (finance.credit_release: what it still owes on the order first, then its
    balance). Never more than is still charged for the order. The amount given back."""
    value = Decimal(0)
    for line, quantity in returned:
        ordered = line.quantity * line.factor
        if ordered and line.net:
            value += line.net * quantity / ordered
    value = value.quantize(minor_unit(order.currency), rounding=ROUND_HALF_UP)
    value = min(value, held_for(dealer=order.dealer, currency=order.currency, reference=order.number,
                                creditor=order.seller_id))
    if value > 0:  # on the account the order was charged to (its seller's)
        credit_release(actor=actor, dealer=order.dealer, amount=value, currency=order.currency,
                       reference=order.number, reason=_("Return %(number)s") % {"number": reference},
                       creditor=order.seller_id)
    return value
