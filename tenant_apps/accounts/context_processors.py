"""Template context every page gets from accounts: whether the signed-in user sees prices and totals (a dealer
owner may take that away from one of their people: permissions.sees_prices)."""

from __future__ import annotations

from functools import partial

from tenant_apps.accounts.permissions import sees_prices


def prices(request) -> dict:
    """Lazy (templates call it when they ask): a page that shows no price never loads the user for it."""
    user = getattr(request, "user", None)
    return {"sees_prices": (lambda: True) if user is None else partial(sees_prices, user)}
