"""The order's lifecycle: every state change is one of these audited service calls.

Legal transitions are the django-fsm-2 methods on `Order` (the single table of what may follow what);
anything else is `IllegalOrderTransition` (409) with a message that names both states. Each call locks
the order row, applies the transition with its side effects (stock only through the inventory service),
and writes the timeline (OrderEvent) and the audit log in the same transaction.

    draft -> submitted -> in_approval -> approved -> allocated -> partially_shipped -> shipped
          -> delivered -> completed
    submitted | in_approval -> rejected;  submitted | in_approval | approved -> draft (sent back)
    draft | submitted | in_approval | approved | allocated -> cancelled
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed

from tenant_apps.audit.services import audit_entry
from tenant_apps.core.bulk import insert_grouped
from tenant_apps.core.errors import Conflict, NotFound, ValidationFailed
from tenant_apps.inventory.services import Allocation, stock_release_allocations
from tenant_apps.ordering.models import Order, OrderReservation, OrderStatus
from tenant_apps.ordering.submission import order_event

# The actions: each is the Order method of the same name.
ACTIONS = ("start_approval", "approve", "reject", "send_back", "allocate", "ship_part", "ship_all", "deliver",
           "complete", "cancel")
NEEDS_REASON = {"reject", "send_back", "cancel"}
CLOSING = {OrderStatus.COMPLETED, OrderStatus.REJECTED, OrderStatus.CANCELLED}


class IllegalOrderTransition(Conflict):
    code = "illegal_transition"


class OrderActionInvalid(ValidationFailed):
    code = "order_action_invalid"


def _label(status: str) -> str:
    return str(OrderStatus(status).label)


def legal_actions(order: Order) -> list[str]:
    """The transitions that may follow the order's current state (for buttons and the API)."""
    return [action for action in ACTIONS if can_proceed(getattr(order, action))]


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


@transaction.atomic
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
    locked = Order.objects.select_for_update().filter(pk=order.pk).first()
    if locked is None:
        raise NotFound(_("No such order."))
    before = locked.status
    if guard is not None:
        guard(locked)
    method = getattr(locked, action)
    if not can_proceed(method):
        raise IllegalOrderTransition(
            _("Order %(number)s is %(state)s; it cannot be %(action)s now.")
            % {"number": locked.number, "state": _label(before), "action": _action_label(action)})
    try:
        method()
    except TransitionNotAllowed as error:  # pragma: no cover - can_proceed said yes under the row lock
        raise IllegalOrderTransition(str(error)) from error
    now = timezone.now()
    if action in ("cancel", "reject"):  # a draft sent back for changes still holds its reservations
        reservations_release(order=locked, actor=actor, reason=f"{_action_label(action)}: {reason}"[:255])
        from tenant_apps.promotions.services import promotion_usage_release

        promotion_usage_release(order_ref=locked.number)  # budgets and coupon uses back for other orders
    rows = transition_rows(actor=actor, order=locked, before=before, action=action, reason=reason, data=data,
                           now=now)
    locked.save()
    insert_grouped(rows)
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
    return [order_event(order, actor, kind="transition", from_status=before, to_status=order.status,
                        message=reason, data=data or {}),
            audit_entry(actor=actor, action=f"ordering.order.{action}", target=order, before={"status": before},
                        after={"status": order.status}, reason=reason)]


def transition_fresh(*, actor, order: Order, action: str, reason: str = "", data: dict | None = None, now) -> list:
    """`action` on an order being written in this transaction (submission): state, timestamps, and the rows
    to write with it; nothing saved (the caller writes the order and the rows together)."""
    before = order.status
    getattr(order, action)()
    return transition_rows(actor=actor, order=order, before=before, action=action, reason=reason, data=data, now=now)


def _action_label(action: str) -> str:
    return {
        "start_approval": _("sent for approval"), "approve": _("approved"), "reject": _("rejected"),
        "send_back": _("sent back for changes"), "allocate": _("allocated"), "ship_part": _("partly shipped"),
        "ship_all": _("shipped"), "deliver": _("marked delivered"), "complete": _("completed"),
        "cancel": _("cancelled"),
    }[action]


def order_cancel(*, actor, order: Order, reason: str, guard: Callable[[Order], None] | None = None) -> Order:
    """Cancel and give back every reservation (`guard`: as in order_transition)."""
    return order_transition(actor=actor, order=order, action="cancel", reason=reason, guard=guard)
