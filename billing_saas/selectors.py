"""Reading plans and subscriptions."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from billing_saas.models import Plan, Subscription, SubscriptionState


def plans_for_signup() -> list[Plan]:
    """The plans a brand may choose, with their prices (one query for the prices, however many plans)."""
    return list(Plan.objects.filter(is_public=True).prefetch_related("prices"))


def read_only_from(tenant_id: int) -> datetime | None:
    """When a past-due subscription turns read-only by the dunning schedule (BILLING_PAST_DUE_DAYS after it fell
    due); None when it is not past due. One query."""
    since = (Subscription.objects.filter(tenant_id=tenant_id, state=SubscriptionState.PAST_DUE)
             .values_list("state_changed_at", flat=True).first())
    if since is None:
        return None
    return since + timedelta(days=getattr(settings, "BILLING_PAST_DUE_DAYS", 7))
