"""Reading plans and subscriptions."""

from __future__ import annotations

from billing_saas.models import Plan


def plans_for_signup() -> list[Plan]:
    """The plans a brand may choose, with their prices (one query for the prices, however many plans)."""
    return list(Plan.objects.filter(is_public=True).prefetch_related("prices"))
