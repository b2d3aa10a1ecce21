"""The order's lifecycle, and the one owner of order rows' primitives: every state change is one of these
audited service calls; every lock of an order row is `order_lock`; every timeline entry is `order_event`.

Legal transitions are ORDER_MOVES (the single table of what may follow what), run by the core state-machine
helper (tenant_apps.core.states); anything else is `IllegalOrderTransition` (409) with a message that names
both states. Each call locks the order row, applies the transition with its side effects (stock only through
the inventory service), and writes the timeline (OrderEvent) and the audit log in the same transaction.

    draft -> submitted [-> awaiting_dealer -> submitted] -> in_approval -> approved -> allocated
          -> partially_shipped -> shipped -> delivered -> completed
    submitted | in_approval -> rejected;  submitted | in_approval | approved -> draft (sent back)
    draft | submitted | awaiting_dealer | in_approval | approved | allocated -> cancelled
An order placed on a dealer's behalf waits in awaiting_dealer (holding its stock and charge) when the brand asks
dealers to confirm such orders (ordering.on_behalf): confirmed, it is submitted and enters approval; declined,
it is cancelled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.audit.services import audit_entry, audit_record, person_label
from tenant_apps.core.bulk import insert_grouped
from tenant_apps.core.states import Move, StateMachine
from tenant_apps.events.catalog import ORDER_ACTIONS
from tenant_apps.events.services import event_row, relay_soon
from tenant_apps.finance.services import credit_hold, credit_release
from tenant_apps.inventory.services import Allocation, stock_release_allocations
from tenant_apps.ordering.errors import IllegalOrderTransition, OrderActionInvalid, OrderNotFound
from tenant_apps.ordering.models import RESERVING, Order, OrderEvent, OrderLine, OrderReservation, OrderStatus

S = OrderStatus
# The legal moves of an order: action -> (from, to). "submit" happens only inside submission (a new order).
ORDER_MOVES = {
    "submit": Move(S.DRAFT, S.SUBMITTED),
    "await_dealer": Move(S.SUBMITTED, S.AWAITING_DEALER),  # only inside submission (placed on behalf)
    "dealer_confirm": Move(S.AWAITING_DEALER, S.SUBMITTED),  # then into approval (ordering.on_behalf)
    "start_approval": Move(S.SUBMITTED, S.IN_APPROVAL),
    "approve": Move([S.SUBMITTED, S.IN_APPROVAL], S.APPROVED),
    "reject": Move([S.SUBMITTED, S.IN_APPROVAL], S.REJECTED),
    "send_back": Move([S.SUBMITTED, S.IN_APPROVAL, S.APPROVED], S.DRAFT),  # back to the dealer for changes
    "allocate": Move(S.APPROVED, S.ALLOCATED),
    "ship_part": Move([S.ALLOCATED, S.PARTIALLY_SHIPPED], S.PARTIALLY_SHIPPED),
    "ship_all": Move([S.ALLOCATED, S.PARTIALLY_SHIPPED], S.SHIPPED),
    "deliver": Move(S.SHIPPED, S.DELIVERED),
    "complete": Move(S.DELIVERED, S.COMPLETED),
    "cancel": Move([S.DRAFT, *RESERVING], S.CANCELLED),
}
# The actions of order_transition (and the buttons): every move but those made only inside submission.
ACTIONS = tuple(action for action in ORDER_MOVES if action not in ("submit", "await_dealer"))
NEEDS_REASON = {"reject", "send_back", "cancel"}
CLOSING = {OrderStatus.COMPLETED, OrderStatus.REJECTED, OrderStatus.CANCELLED}


def _label(status: str) -> str:
    return str(OrderStatus(status).label)


def _refusal(order: Order, action: str) -> str:
    return _("Order %(number)s is %(state)s; it cannot be %(action)s now.") % {
        "number": order.number, "state": _label(order.status), "action": _action_label(action)}


ORDER_MACHINE = StateMachine(name="ordering.order", states=OrderStatus, moves=ORDER_MOVES,
                             error=IllegalOrderTransition, refusal=_refusal)


def order_lock(order_id: int, *, related: Iterable[str] = ()) -> Order:
    """The order's row, locked for the rest of the transaction (`related` joined, never locked: of=self);
    OrderNotFound (404) if it is gone. The only lock of an order row: every writer of an order takes it first,
    then its shipments, returns or approval steps, so two people acting on one order are serialised."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("order_lock outside a transaction")
    locked = Order.objects.select_for_update(of=("self",)).select_related(*related).filter(
        pk=order_id).first()
    if locked is None:
        raise OrderNotFound(_("No such order."))
    return locked


def order_event(order: Order, actor, *, kind: str, from_status: str = "", to_status: str = "",
                message: str = "", data: dict | None = None) -> OrderEvent:
    """A timeline entry, not yet written (submission writes it with the order; order_events_add otherwise)."""
    return OrderEvent(order=order, actor=actor if getattr(actor, "is_authenticated", False) else None,
                      actor_label=person_label(actor), kind=kind, from_status=from_status,
                      to_status=to_status, message=message, data=data or {})


def order_events_add(*, events: Iterable[OrderEvent]) -> None:
    """Write timeline entries made by `order_event` (the one writer of the timeline outside submission)."""
    OrderEvent.objects.bulk_create(list(events))


def order_event_add(*, actor, order: Order, kind: str, message: str, data: dict | None = None) -> OrderEvent:
    """Write one timeline entry on `order` (a shipment, a return, an approval step, a note)."""
    event = order_event(order, actor, kind=kind, message=message, data=data)
    order_events_add(events=[event])
    return event


def legal_actions(order: Order) -> list[str]:
    """The transitions that may follow the order's current state (for buttons and the API)."""
    return [action for action in ACTIONS if ORDER_MACHINE.can(order, action)]


def reservations_release(*, order: Order, actor, reason: str) -> None:
    """Give back every reservation the order still holds (cancel, reject)."""
    held = list(OrderReservation.objects.filter(order=order, quantity__gt=0).select_related("line"))
    if not held:
        return
    from tenant_apps.inventory.models import Stock

    stock_ids = dict(((row["sku_id"], row["warehouse_id"]), row["id"]) for row in Stock.objects.filter(
        sku_id__in={r.sku_id for r in held}, warehouse_id__in={r.warehouse_id for r in held}).values(
        "id", "sku_id", "warehouse_id"))
    merged: dict[tuple[int, int], int] = {}
    for reservation in held:
        key = (reservation.sku_id, reservation.warehouse_id)
        merged[key] = merged.get(key, 0) + reservation.quantity
    stock_release_allocations(actor=actor, allocations=[
        Allocation(sku_id=sku, warehouse_id=warehouse, stock_id=stock_ids[(sku, warehouse)], quantity=quantity)
        for (sku, warehouse), quantity in merged.items()], reference=order.number, reason=reason)
    OrderReservation.objects.filter(order=order).update(quantity=0)
    order.lines.update(reserved_base=0)


def pass_up_given_back(*, actor, order: Order) -> None:
    """A pass-up order (ordering.pass_up) cancelled or rejected: the units it still owed the sub-dealer's lines are
    theirs again (not passed up: the supplier serves them or passes them up again), said on that order's timeline."""
    given = 0
    for line in OrderLine.objects.filter(order=order, passed_from__isnull=False).select_related("passed_from"):
        owed = min(line.quantity * line.factor - line.shipped_base, line.passed_from.passed_base)
        if owed > 0:
            OrderLine.objects.filter(pk=line.passed_from_id, passed_base__gte=owed).update(
                passed_base=F("passed_base") - owed)
            given += owed
    if given:
        audit_record(actor=actor, action="ordering.order.pass_up_given_back", target=order,
                     after={"sub_dealer_order": order.passed_up_from_id, "given_back": given})
        order_event_add(actor=actor, order=Order(pk=order.passed_up_from_id), kind="pass_up", message=_(
            "Headquarters will not supply %(units)s units passed up (its order is %(state)s); they are to be served "
            "again.") % {"state": _label(order.status), "units": given},
            data={"pass_up_order": order.pk, "given_back": given})


def order_charge(*, actor, order: Order) -> None:
    """Charge the order's total to the dealer's account with the order's seller (finance: headquarters' account
    when the seller is NULL, else the account with that supplier; the settlement mode that creditor gives the
    dealer; CreditShort, 409, when the balance or credit does not cover it). In the caller's transaction, after the
    stock is reserved: every path locks stock rows first and the dealer's account last, so none deadlocks."""
    if order.total > 0:
        credit_hold(actor=actor, dealer=order.dealer, amount=order.total, currency=order.currency,
                    reference=order.number, creditor=order.seller_id)


def order_charge_release(*, actor, order: Order, reason: str) -> None:
    """Give back everything still charged for the order (cancel, reject, a revision before it is charged again), on
    the account it was charged to (its seller's)."""
    credit_release(actor=actor, dealer=order.dealer, currency=order.currency, reference=order.number, reason=reason,
                   creditor=order.seller_id)


def order_transition(*, actor, order: Order, action: str, reason: str = "", data: dict | None = None,
                     guard: Callable[[Order], None] | None = None) -> Order:
    """Apply `action` (one of ACTIONS) to `order`, with its side effects; 409 if illegal now.

    `guard`, when given, is the caller's own rule (the dealer may cancel only before the warehouse starts): it is
    called with the order as it is under the row lock, never as the caller last read it, and raises to refuse."""
    if action not in ACTIONS:
        raise OrderActionInvalid(_("Unknown action."), fields={"action": [_("Choose one of: %(names)s.")
                                                                           % {"names": ", ".join(ACTIONS)}]})
    reason = (reason or "").strip()
    if action in NEEDS_REASON and not reason:
        raise OrderActionInvalid(_("Give a reason."), fields={"reason": [_("A reason is required for this action.")]})

    def effects(locked: Order, before: str) -> list[str]:
        if action in ("cancel", "reject"):  # a draft sent back for changes still holds its reservations
            reservations_release(order=locked, actor=actor, reason=f"{_action_label(action)}: {reason}"[:255])
            order_charge_release(actor=actor, order=locked, reason=f"{_action_label(action)}: {reason}"[:255])
            from tenant_apps.promotions.services import promotion_usage_release

            promotion_usage_release(order_ref=locked.number)  # budgets and coupon uses back for other orders
            if locked.passed_up_from_id:  # a supplier's pass-up order: the sub-dealer's order waits for it no more
                pass_up_given_back(actor=actor, order=locked)
        # The timeline and the audit entry, in one insert (not the machine's own audit: see the module).
        insert_grouped(transition_rows(actor=actor, order=locked, before=before, action=action, reason=reason,
                                       data=data, now=timezone.now()))
        return ["approved_at", "closed_at", "revision", "updated_at"]

    locked = ORDER_MACHINE.move(actor=actor, obj=order, action=action, audit=None, reason=reason,
                                lock=lambda o: order_lock(o.pk), guard=guard, effects=effects)
    order.status, order.closed_at, order.approved_at, order.revision = (
        locked.status, locked.closed_at, locked.approved_at, locked.revision)
    return locked


def transition_rows(*, actor, order: Order, before: str, action: str, reason: str = "", data: dict | None = None,
                    now) -> list:
    """After `action` moved `order` from `before` (in memory): its timestamps, and the timeline event and
    audit entry to write with it (unsaved)."""
    if order.status == OrderStatus.APPROVED:
        order.approved_at = now
    if action == "send_back":
        order.revision += 1
        order.approved_at = None
    if order.status in CLOSING:
        order.closed_at = now
    relay_soon()
    return [order_event(order, actor, kind="transition", from_status=before, to_status=order.status,
                        message=reason, data=data or {}),
            audit_entry(actor=actor, action=f"ordering.order.{action}", target=order, before={"status": before},
                        after={"status": order.status}, reason=reason),
            order_outbox_row(order, actor, kind=ORDER_ACTIONS[action], at=now,
                             payload={"from": before, "to": order.status, "reason": reason})]


def order_outbox_row(order: Order, actor, *, kind: str, at=None, payload: dict | None = None):
    """The order's event for the outbox (events), written with the change's other rows."""
    return event_row(kind=kind, subject_id=order.pk, subject_ref=order.number, dealer_id=order.dealer_id,
                     actor=actor, at=at, payload={"number": order.number, "status": order.status,
                                                  "total": str(order.total), "currency": order.currency,
                                                  "revision": order.revision, **(payload or {})})


def transition_fresh(*, actor, order: Order, action: str, reason: str = "", data: dict | None = None, now) -> list:
    """`action` on an order being written in this transaction (submission): state, timestamps, and the rows
    to write with it; nothing saved (the caller writes the order and the rows together)."""
    before = ORDER_MACHINE.apply(order, action)
    return transition_rows(actor=actor, order=order, before=before, action=action, reason=reason, data=data, now=now)


def _action_label(action: str) -> str:
    return {
        "await_dealer": _("held for the dealer's confirmation"), "dealer_confirm": _("confirmed by the dealer"),
        "start_approval": _("sent for approval"), "approve": _("approved"), "reject": _("rejected"),
        "send_back": _("sent back for changes"), "allocate": _("allocated"), "ship_part": _("partly shipped"),
        "ship_all": _("shipped"), "deliver": _("marked delivered"), "complete": _("completed"),
        "cancel": _("cancelled"),
    }[action]


def order_cancel(*, actor, order: Order, reason: str, guard: Callable[[Order], None] | None = None) -> Order:
    """Cancel and give back every reservation (`guard`: as in order_transition)."""
    return order_transition(actor=actor, order=order, action="cancel", reason=reason, guard=guard)
