"""A subscription's history (SubscriptionChange): every change of its state, plan, period, payments and invoices,
with who and why. The one writer: it also tells the tenant lifecycle (signals), which copies the entry into the
tenant's own history (the operator's log) and mirrors the billing state on the tenant row."""

from __future__ import annotations

import logging

from billing_saas.models import Subscription, SubscriptionChange
from billing_saas.signals import subscription_changed

logger = logging.getLogger(__name__)


def actor_label(actor) -> str:
    """A brand user's or operator's email, or a system actor's name ("system", "stripe", "signup")."""
    if actor is None:
        return "system"
    return getattr(actor, "email", None) or str(actor)


def subscription_change_record(*, actor, subscription: Subscription, action: str, reason: str = "",
                               from_state: str | None = None, before: dict | None = None,
                               after: dict | None = None) -> SubscriptionChange:
    """Write one entry of the subscription's history (`action`: a dotted name such as
    billing.subscription.activated or billing.invoice.issued); call it inside the transaction of the change.
    `from_state` defaults to the state now (a change that is not a move of state)."""
    change = SubscriptionChange.objects.create(
        subscription=subscription, action=action,
        from_state=subscription.state if from_state is None else from_state, to_state=subscription.state,
        actor=actor_label(actor), reason=reason, before=before or {}, after=after or {})
    subscription_changed.send(sender=Subscription, subscription=subscription, change=change)
    logger.info(action, extra={"tenant": subscription.tenant_id, "state": subscription.state})
    return change
