"""A dealer's own approval of its buyers' larger orders, before the brand's approval chain.

A dealer owner sets, per person, an amount (accounts.User.approval_limit). An order that person submits above it
is written as usual (stock reserved, the account charged) but stays `submitted`, with a pending
`InternalApproval` row, instead of running into the brand's chain (`approval.approval_chain().plan`). The owner, or
a person of the same company with the approve right (`orders.approve_own`), then approves it, and the chain starts
(`approval.order_approval_start`, as for any submitted order), or declines it, and the order is rejected (its stock
and charge released, as the brand's reject does). The brand sees the order as submitted meanwhile.

A revision (submission.order_revise) is allowed while the order is held or after the company approved it, and
decides the hold again, as a submission does (`internal_hold_clear`, then `internal_hold_rows`): the company's
earlier decision was about other lines and another total. Whose limit: the reviser's when they are the dealer's
own person (an owner or approver's own change needs no one else's approval); the order's placer's when the brand's
staff change it (a brand edit cannot spend the dealer's money above what its buyer may). Above it, the order waits
for the company again (a new pending row, the timeline says so); within it, the brand's chain runs. The decision
history stays in the audit log and the timeline. Refusing revisions while held was rejected: the buyer correcting a
mistake before the owner looks is the common case, and an approved order would still need the check.

Chosen over a first step in the brand's chain: the chain belongs to the brand (approvals app, configured in the
console) and runs in one in-memory plan at submission; a hold before it keeps the chain untouched, adds no query to
submission (the limit is on the already loaded actor) and only one row to its one statement.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.accounts.permissions import DEALER_ROLES, ORDERS_APPROVE_OWN, has_perm
from tenant_apps.audit.services import audit_record
from tenant_apps.core.money import format_money
from tenant_apps.ordering.approval import order_approval_start
from tenant_apps.ordering.errors import InternalApprovalNotPending, OrderActionInvalid, OrderNotFound
from tenant_apps.ordering.lifecycle import order_event, order_event_add, order_lock, order_transition
from tenant_apps.ordering.models import InternalApproval, Order, OrderStatus


def internal_hold_rows(*, actor, order: Order) -> list:
    """The rows that hold `order` (being submitted, in memory) for its dealer's own approval, or [] when the person
    whose limit applies has none, may approve themselves, or stays within it. That person is the actor, but for a
    revision by someone who is not the dealer's own (the brand's staff): then the order's placer (see the module)."""
    person = actor
    if order.revision > 1 and getattr(actor, "dealer_id", None) != order.dealer_id:
        person = order.placed_by if order.placed_by_id else None
    limit = getattr(person, "approval_limit", None)
    if (limit is None or getattr(person, "role", "") not in DEALER_ROLES
            or getattr(person, "dealer_id", None) != order.dealer_id or has_perm(person, ORDERS_APPROVE_OWN)
            or order.total <= limit):
        return []
    message = _("Above %(limit)s: waits for your company's own approval before it goes to the brand.") % {
        "limit": format_money(limit, order.currency)}
    return [InternalApproval(order=order, dealer_id=order.dealer_id, requested_by=person, limit=limit),
            order_event(order, actor, kind="note", message=message, data={"internal_approval": "pending"})]


def internal_hold_clear(*, actor, order: Order) -> None:
    """A revision of `order` (locked by the caller) decides the hold again: its current internal approval, if any,
    goes (its decision stays in the audit log and the timeline; this is audited as internal_reopened); one still
    pending is noted as withdrawn on the timeline."""
    pending = InternalApproval.Status.PENDING
    statuses = list(InternalApproval.objects.filter(order=order).values_list("status", flat=True))
    if not statuses:
        return
    InternalApproval.objects.filter(order=order).delete()
    audit_record(actor=actor, action="ordering.order.internal_reopened", target=order,
                 before={"internal_approval": statuses[0]}, after={"internal_approval": None},
                 reason=_("The order was changed."))
    if pending in statuses:
        order_event_add(actor=actor, order=order, kind="note", data={"internal_approval": "withdrawn"},
                        message=_("Changed while waiting for your company's approval; the approval is asked for "
                                  "again if the new total needs it."))


def _pending_for(*, actor, order_id) -> InternalApproval:
    """The pending approval of the actor's company's order, locked with its order; 404 for anyone else's."""
    if not has_perm(actor, ORDERS_APPROVE_OWN) or not actor.dealer_id or not str(order_id).isdigit():
        raise OrderNotFound(_("No such order."))
    pending = InternalApproval.objects.filter(order_id=order_id, dealer_id=actor.dealer_id).first()
    if pending is None:
        raise OrderNotFound(_("No such order."))
    order_lock(pending.order_id)
    pending = InternalApproval.objects.select_for_update().select_related("order").get(pk=pending.pk)
    if pending.status != InternalApproval.Status.PENDING or pending.order.status != OrderStatus.SUBMITTED:
        raise InternalApprovalNotPending(_("Order %(number)s is not waiting for your company's approval.")
                                         % {"number": pending.order.number})
    return pending


def _decide(pending: InternalApproval, *, actor, status: str, reason: str = "") -> None:
    pending.status, pending.decided_by, pending.decided_at, pending.reason = status, actor, timezone.now(), reason
    pending.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    action = ("ordering.order.internal_approved" if status == InternalApproval.Status.APPROVED
              else "ordering.order.internal_declined")
    audit_record(actor=actor, action=action, target=pending.order,
                 before={"internal_approval": InternalApproval.Status.PENDING},
                 after={"internal_approval": status}, reason=reason)


@transaction.atomic
def order_internal_approve(*, actor, order_id) -> Order:
    """The dealer approves its buyer's order: it goes on into the brand's approval chain."""
    pending = _pending_for(actor=actor, order_id=order_id)
    order = pending.order
    _decide(pending, actor=actor, status=InternalApproval.Status.APPROVED)
    order_event_add(actor=actor, order=order, kind="note", message=_("Approved by your company."),
                    data={"internal_approval": "approved"})
    order_approval_start(actor=actor, order=order)
    return order


@transaction.atomic
def order_internal_decline(*, actor, order_id, reason: str) -> Order:
    """The dealer declines its buyer's order: the order is rejected (stock and charge released)."""
    reason = (reason or "").strip()
    if not reason:
        raise OrderActionInvalid(_("Give a reason."), fields={"reason": [_("A reason is required for this action.")]})
    pending = _pending_for(actor=actor, order_id=order_id)
    _decide(pending, actor=actor, status=InternalApproval.Status.DECLINED, reason=reason)
    return order_transition(actor=actor, order=pending.order, action="reject",
                            reason=_("Declined by your company: %(reason)s") % {"reason": reason})
