"""Pass-up (S2B2B): a supplier passes lines of a sub-dealer's order (placed with it) up to headquarters.

The supplier's company orders them from headquarters itself: a NEW order, whose dealer is the supplier's own dealer
company and whose seller is headquarters, placed through the ordinary submission (ordering.submission.order_submit,
as if the supplier's person ordered): headquarters' prices for the supplier, its promotions, its approval chain, its
warehouses and the supplier's credit apply; it is the supplier's own order in headquarters' flow, and the
sub-dealer never sees it (it is not the sub-dealer's company's). The representation:

- `Order.passed_up_from` (the sub-dealer's order) and `Order.pass_up_mode` on the new order; each of its priced
  lines names the sub-dealer's line it serves (`OrderLine.passed_from`).
- `OrderLine.passed_base` on the sub-dealer's lines: base units passed up and not yet come back. They are neither
  reserved nor shipped by the supplier: what the supplier may still pass up or must still serve is
  `quantity x factor - shipped - passed`; allocation (ordering.fulfil.order_lines_allocate) reserves only what is
  neither shipped nor passed; the order is not all shipped while something is still passed up
  (ordering.selectors.order_reserved_left).
- "purchase": headquarters ships to the supplier's address; the supplier receives the goods into one of its
  warehouses (fulfillment.pass_up.pass_up_receive): stock booked there, `passed_base` down, and the sub-dealer's
  lines reserved again from the supplier's stock, to ship as any other.
- "drop_ship": the new order ships to the sub-dealer's address (the sub-dealer's order's own snapshot);
  headquarters' shipment of it names the sub-dealer's order (`fulfillment.Shipment.drop_ship_for`) and, when it
  leaves, moves the sub-dealer's lines from passed to shipped (`pass_up_drop_shipped`): the sub-dealer's order
  lists it beside the supplier's own shipments and is shipped when every line is, by either.

Every write here runs under the sub-dealer's order's row lock (taken first, before the pass-up order's: every path
that touches both locks them in that order), so passing up twice at once cannot count a unit twice.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Prefetch
from django.utils.translation import gettext as _

from tenant_apps.audit.services import audit_record
from tenant_apps.inventory.models import Stock
from tenant_apps.inventory.services import Allocation, stock_release_allocations
from tenant_apps.ordering.errors import IllegalOrderTransition, OrderInvalid, OrderRefused
from tenant_apps.ordering.lifecycle import order_event_add, order_lock
from tenant_apps.ordering.models import Order, OrderEvent, OrderLine, OrderReservation, OrderStatus

PURCHASE, DROP_SHIP = "purchase", "drop_ship"
MODES = (PURCHASE, DROP_SHIP)
# A sub-dealer's order whose lines may be passed up: approved (the supplier has accepted it) and not all shipped.
PASSABLE = (OrderStatus.APPROVED, OrderStatus.ALLOCATED, OrderStatus.PARTIALLY_SHIPPED)
MAX_LINES = 5000
RECEIVED = "pass_up_received"  # the timeline event of a purchase's goods received (fulfillment.pass_up)


def mode_label(mode: str) -> str:
    return str(_("Drop-ship") if mode == DROP_SHIP else _("Purchase order"))


def line_open(line: OrderLine) -> int:
    """Base units of a sub-dealer's line the supplier has neither shipped nor passed up (it may pass them up)."""
    return max(line.quantity * line.factor - line.shipped_base - line.passed_base, 0)


def line_uncovered(line: OrderLine) -> int:
    """Base units of the line neither shipped, reserved in the supplier's stock nor passed up: the default pass-up."""
    return max(line_open(line) - line.reserved_base, 0)


def _chosen(lines_of: list[OrderLine], mode, lines) -> dict[int, int]:
    """{line id: base units} to pass up, checked: 400 with field errors, nothing written."""
    errors: dict[str, list[str]] = {}
    if mode not in MODES:
        errors["mode"] = [_("Choose one of: %(names)s.") % {"names": ", ".join(MODES)}]
    by_pk = {line.pk: line for line in lines_of}
    chosen: dict[int, int] = {}
    if lines is None:
        chosen = {line.pk: line_uncovered(line) for line in lines_of if line_uncovered(line)}
    elif not isinstance(lines, dict) or len(lines) > MAX_LINES:
        errors["lines"] = [_("Give a quantity (base units) per line of the order.")]
    else:
        for key, value in lines.items():
            line = by_pk.get(int(key)) if str(key).isdigit() and len(str(key)) < 18 else None
            if isinstance(value, str) and value.strip().isdigit():
                value = int(value.strip())
            if line is None:
                errors[f"lines.{key}"] = [_("No such line in this order.")]
            elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= line_open(line):
                errors[f"lines.{line.line_no}.quantity"] = [
                    _("Enter a whole number from 0 to %(max)s (ordered %(ordered)s, shipped %(shipped)s, passed up "
                      "already %(passed)s).") % {"max": line_open(line), "ordered": line.quantity * line.factor,
                                                 "shipped": line.shipped_base, "passed": line.passed_base}]
            elif value:
                chosen[line.pk] = value
    if not chosen and not errors:
        errors["lines"] = [_("Choose at least one unit to pass up.") if lines is not None else
                           _("Every line is covered by your stock; choose the quantities to pass up.")]
    if errors:
        raise OrderInvalid(_("The lines could not be passed up."), fields=errors)
    return chosen


def _release(*, actor, order: Order, line: OrderLine, quantity: int) -> None:
    """Give back `quantity` base units of the line's reservations in the supplier's stock (newest first)."""
    need = quantity
    given: dict[int, int] = {}
    for reservation in OrderReservation.objects.select_for_update(of=("self",)).filter(
            line=line, quantity__gt=0).order_by("-id"):
        take = min(need, reservation.quantity)
        OrderReservation.objects.filter(pk=reservation.pk).update(quantity=F("quantity") - take)
        given[reservation.warehouse_id] = given.get(reservation.warehouse_id, 0) + take
        need -= take
        if not need:
            break
    stock_ids = dict(Stock.objects.filter(sku_id=line.sku_id, warehouse_id__in=list(given)).values_list(
        "warehouse_id", "id"))
    stock_release_allocations(actor=actor, allocations=[
        Allocation(sku_id=line.sku_id, warehouse_id=warehouse, stock_id=stock_ids[warehouse], quantity=taken)
        for warehouse, taken in given.items()], reference=order.number, reason=_("Passed up to headquarters"))
    OrderLine.objects.filter(pk=line.pk).update(reserved_base=F("reserved_base") - (quantity - need))


def _submit_lines(lines_of: list[OrderLine], chosen: dict[int, int]):
    from tenant_apps.ordering.submission import SubmitLine

    submit = []
    for line in lines_of:
        units = chosen.get(line.pk)
        if units:  # in the sub-dealer's unit when whole packs, else in base units
            whole = line.factor > 1 and units % line.factor == 0
            submit.append((line, SubmitLine(sku_id=line.sku_id, unit_id=line.unit_id if whole else None,
                                            quantity=units // line.factor if whole else units)))
    return submit


@transaction.atomic
def order_pass_up(*, actor, order: Order, mode: str, lines: dict | None = None, note: str = "",
                  idempotency_key: str = "") -> Order:
    """Pass `lines` ({line id: base units}; default: what the supplier's stock does not cover) of `order` (a
    sub-dealer's order placed with the actor's company, found in its scope by the caller) up to headquarters in
    `mode`. Returns the new order (the supplier's own, to headquarters). All or nothing: 400 for bad input, 409 when
    the order is not approved or is already shipped, or headquarters cannot take the order as a whole (its stock, the
    supplier's credit: the submission's own refusal). The same `idempotency_key` again returns the first pass-up
    order of that key for this order (nothing written)."""
    from tenant_apps.dealers.models import Dealer
    from tenant_apps.ordering.submission import order_submit

    locked = order_lock(order.pk, related=("dealer",))
    if locked.seller_id is None:
        raise OrderRefused(_("Only orders placed with a supplier can be passed up."), code="not_a_supplier_order")
    if locked.status not in PASSABLE:
        raise IllegalOrderTransition(
            _("Order %(number)s is %(state)s; lines can be passed up once it is approved and until it has shipped.")
            % {"number": locked.number, "state": OrderStatus(locked.status).label})
    agent = Dealer.objects.get(node_id=locked.seller_id)
    key = (idempotency_key or "").strip()[:80]
    first = Order.objects.filter(dealer=agent, idempotency_key=key, passed_up_from=locked).first() if key else None
    if first is not None:
        return first
    lines_of = list(OrderLine.objects.filter(order=locked).order_by("line_no"))
    chosen = _chosen(lines_of, mode, lines)
    by_pk = {line.pk: line for line in lines_of}
    for pk, units in sorted(chosen.items()):
        line = by_pk[pk]
        over = units - line_uncovered(line)
        if over > 0:  # reserved in the supplier's stock: given back, the supplier keeps it for others
            _release(actor=actor, order=locked, line=line, quantity=over)
        OrderLine.objects.filter(pk=pk).update(passed_base=F("passed_base") + units)
    submit = _submit_lines(lines_of, chosen)
    submitted = order_submit(actor=actor, dealer=agent, lines=[s for _line, s in submit], idempotency_key=key, note=(
        note or _("For %(dealer)s's order %(number)s") % {"dealer": locked.dealer.display_name,
                                                          "number": locked.number})[:2000])
    passed = submitted.order
    written = list(OrderLine.objects.filter(order=passed, gift_promotion_id__isnull=True).order_by("line_no"))
    wanted = [(line, chosen[line.pk]) for line, _s in submit]
    if submitted.backorder is not None or [(w.sku_id, w.quantity * w.factor) for w in written] != [
            (line.sku_id, units) for line, units in wanted]:
        raise OrderRefused(_("Headquarters cannot supply these lines in full now; nothing was passed up."),
                           code="pass_up_short")
    for target, (line, _units) in zip(written, wanted, strict=True):
        OrderLine.objects.filter(pk=target.pk).update(passed_from=line)
    changes = {"passed_up_from": locked, "pass_up_mode": mode}
    if mode == DROP_SHIP:
        changes["shipping_address"] = locked.shipping_address
    Order.objects.filter(pk=passed.pk).update(**changes)
    for field, value in changes.items():
        setattr(passed, field, value)
    units = {str(by_pk[pk].line_no): quantity for pk, quantity in sorted(chosen.items())}
    order_event_add(actor=actor, order=locked, kind="pass_up", message=_(
        "Passed up to headquarters (%(mode)s): %(units)s units.") % {"mode": mode_label(mode),
                                                                    "units": sum(chosen.values())},
        data={"mode": mode, "lines": units, "pass_up_order": passed.pk})
    order_event_add(actor=actor, order=passed, kind="note", message=(
        _("Passed up for %(dealer)s's order %(number)s; headquarters ships straight to that dealer.")
        if mode == DROP_SHIP else _("Passed up for %(dealer)s's order %(number)s."))
        % {"dealer": locked.dealer.display_name, "number": locked.number},
        data={"mode": mode, "passed_up_from": locked.number})
    audit_record(actor=actor, action="ordering.order.passed_up", target=locked,
                 after={"order": passed.number, "mode": mode, "lines": units})
    return passed


def pass_up_drop_shipped(*, source: Order, lines: list[tuple[OrderLine, int]]) -> int:
    """Headquarters' drop-ship of a pass-up order left: (pass-up line, base units) move the sub-dealer's lines
    (`source`, locked by the caller) from passed up to shipped. The units moved."""
    moved = 0
    for target, quantity in lines:
        if target.passed_from_id is None:  # a gift headquarters added: the sub-dealer did not order it
            continue
        if not OrderLine.objects.filter(pk=target.passed_from_id, order=source, passed_base__gte=quantity).update(
                passed_base=F("passed_base") - quantity, shipped_base=F("shipped_base") + quantity):
            raise OrderRefused(_("Order %(number)s no longer waits for these goods from headquarters.")
                               % {"number": source.number}, code="pass_up_closed")
        moved += quantity
    return moved


def pass_up_received(*, source: Order, order: Order) -> list[tuple[OrderLine, int]]:
    """A purchase pass-up's goods reached the supplier: the sub-dealer's lines (`source`, locked) no longer wait
    for them (the caller books the stock and reserves them again). [(pass-up line, base units received)]."""
    received = []
    for target in OrderLine.objects.filter(order=order).select_related("passed_from").order_by("line_no"):
        units = target.shipped_base - target.returned_base
        if units <= 0:
            continue
        received.append((target, units))
        if target.passed_from_id is not None:
            back = min(units, target.passed_from.passed_base)
            OrderLine.objects.filter(pk=target.passed_from_id, order=source).update(
                passed_base=F("passed_base") - back)
    return received


def pass_ups_of(order: Order) -> list[Order]:
    """The orders `order`'s lines were passed up as, oldest first, with their lines (which line each serves): two
    queries; `received`: a purchase's goods were received into the supplier's stock. Only for the sub-dealer's
    supplier and headquarters: the sub-dealer never reads them."""
    received = OrderEvent.objects.filter(order=OuterRef("pk"), kind=RECEIVED)
    return list(Order.objects.filter(passed_up_from=order).annotate(received=Exists(received)).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("sku").order_by("line_no"))).order_by("id"))
