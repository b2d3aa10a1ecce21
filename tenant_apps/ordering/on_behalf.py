"""Ordering on a dealer's behalf (代客下单): the brand's staff (a sales rep for the dealers assigned to them, a regional
manager for their part of the network, the brand's owners and administrators for all) submit an order for a dealer,
and the dealer confirms or declines it when the brand asks for that (docs/dev/ordering.md, "Ordering on behalf").

- The staff member's lines are their own, never the dealer's shared cart: the console's order pad and the API send
  the lines with the submission, so nothing appears in the dealer's cart that its buyers did not put there.
- The order is the dealer's (its prices, promotions, credit, stock by its warehouses, its shipping address) and
  records who placed it (`placed_by`) and that it was placed for the dealer (`on_behalf`); the dealer's owners and
  buyers are told (`order.placed_for_you`).
- With the brand's setting `confirm_on_behalf`, the order waits in "awaiting_dealer", holding its stock and its
  charge on the dealer's account as any submitted order does, so that confirming cannot fail for stock sold
  meanwhile; confirmed (the dealer's owner or buyer), it enters approval as if just submitted; declined, it is
  cancelled and everything it held is given back (lifecycle.order_cancel).
- Unanswered for the brand's `confirm_on_behalf_days` (default 7; 0: it waits until answered), it is cancelled as
  a decline is, by the periodic task ordering.tasks.on_behalf_expire (orders_on_behalf_expire); whoever placed it
  is told (order.cancelled, with the reason), as are the dealer's people.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.accounts.permissions import CART_EDIT, ORDERS_PLACE_FOR, has_perm
from tenant_apps.dealers.selectors import dealers_visible_to
from tenant_apps.ordering.approval import approval_chain
from tenant_apps.ordering.errors import IllegalOrderTransition, NotAllowed, OrderInvalid, OrderNotFound
from tenant_apps.ordering.lifecycle import order_cancel, order_transition
from tenant_apps.ordering.models import Order, OrderStatus
from tenant_apps.ordering.submission import SubmitLine, Submitted, order_submit, ordering_settings


def order_submit_for(*, actor, dealer, lines: Sequence[SubmitLine], address_id=None, note: str = "",
                     idempotency_key: str = "", coupon_codes: Sequence[str] | None = None,
                     consent_reduce: bool = False, expected_total: Decimal | None = None) -> Submitted:
    """Submit `lines` as an order of `dealer`, placed by `actor` on its behalf (ordering.submission.order_submit
    with everything it checks: the dealer's prices, stock, credit, qualifications; the Idempotency-Key). The actor
    needs orders.place_for and the dealer in their data scope (outside it: 404, as if it did not exist)."""
    if not has_perm(actor, ORDERS_PLACE_FOR) or getattr(actor, "dealer_id", None):
        raise NotAllowed(_("You may not place orders for dealers."))
    if not dealers_visible_to(actor).filter(pk=dealer.pk).exists():
        raise OrderNotFound(_("No such dealer."), code="dealer_not_found")
    if not lines:
        raise OrderInvalid(_("The order has no lines."), fields={"lines": [_("Add at least one product.")]})
    return order_submit(actor=actor, dealer=dealer, lines=list(lines), address_id=address_id, note=note,
                        idempotency_key=idempotency_key, coupon_codes=coupon_codes, consent_reduce=consent_reduce,
                        expected_total=expected_total, on_behalf=True)


def _dealer_side(actor, order: Order) -> None:
    """Only the dealer's own people who order (owner, buyers) confirm or decline its orders."""
    if not has_perm(actor, CART_EDIT) or getattr(actor, "dealer_id", None) != order.dealer_id:
        raise NotAllowed(_("Only the dealer's own buyers can confirm or decline this order."))


def _awaiting(locked: Order) -> None:
    """Checked under the order's row lock (the staff may have cancelled it since the page was read)."""
    if locked.status != OrderStatus.AWAITING_DEALER:
        raise IllegalOrderTransition(_("Order %(number)s is %(state)s; it is not waiting for your confirmation.")
                                     % {"number": locked.number, "state": locked.get_status_display()})


@transaction.atomic
def order_dealer_confirm(*, actor, order: Order) -> Order:
    """The dealer confirms an order placed on its behalf: it is submitted and enters its approval chain (as a
    submission would have: the registered chain's restart). Not awaiting confirmation: 409."""
    _dealer_side(actor, order)
    locked = order_transition(actor=actor, order=order, action="dealer_confirm", guard=_awaiting,
                              reason=_("Confirmed by the dealer."))
    approval_chain().restart(actor=actor, order=locked, reason=_("Confirmed by the dealer."))
    order.refresh_from_db()
    return order


def order_dealer_decline(*, actor, order: Order, reason: str = "") -> Order:
    """The dealer declines an order placed on its behalf: cancelled, its stock, charge and promotion uses given
    back (lifecycle.order_cancel). Not awaiting confirmation: 409."""
    _dealer_side(actor, order)
    reason = (reason or "").strip()[:500]
    text = _("Declined by the dealer: %(reason)s") % {"reason": reason} if reason else _("Declined by the dealer.")
    return order_cancel(actor=actor, order=order, reason=text, guard=_awaiting)


EXPIRE_BATCH = 500  # orders per run; the next run (hourly) takes the rest


def orders_on_behalf_expire(*, now=None) -> int:
    """Cancel the orders placed on a dealer's behalf that have waited for its answer longer than the brand's
    `confirm_on_behalf_days` (0: never), as a decline does (stock, charge and promotion uses given back); each in
    its own transaction, checked again under its row lock (answered meanwhile: left alone). Idempotent. Returns how
    many were cancelled."""
    days = ordering_settings().confirm_on_behalf_days
    if not days:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    due = list(Order.objects.filter(status=OrderStatus.AWAITING_DEALER, created_at__lte=cutoff)
               .select_related("dealer").order_by("created_at", "pk")[:EXPIRE_BATCH])
    reason = _("Not confirmed by the dealer within %(days)s days.") % {"days": days}
    cancelled = 0
    for order in due:
        try:
            with transaction.atomic():
                order_transition(actor=None, order=order, action="cancel", reason=reason, guard=_awaiting,
                                 data={"expired": True})
        except IllegalOrderTransition:  # confirmed, declined or cancelled meanwhile
            continue
        cancelled += 1
    return cancelled
