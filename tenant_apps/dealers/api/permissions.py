"""RBAC of the dealer API: each view action declares the capability it needs, granted by the one matrix
in tenant_apps/accounts/permissions.py. Data scope is not checked here: the views look every object up
through the dealers selectors, so an object outside the actor's scope is a 404."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from tenant_apps.accounts.permissions import has_perm

# Actions without a handler of their own: the view answers 405 Method Not Allowed.
_UNROUTED = {None, "metadata"}


def required_for(view, action: str | None) -> tuple[str, ...] | None:
    """The capabilities that each grant `action` of `view` (any one suffices); None if undeclared."""
    required = getattr(view, "required_capabilities", {}).get(action)
    if required is None:
        return None
    return (required,) if isinstance(required, str) else tuple(required)


class HasCapability(BasePermission):
    """Grants a viewset action to a signed-in user holding one of the capabilities the view declares:

        required_capabilities = {"list": DEALERS_VIEW, "retrieve": (DEALERS_VIEW, COMPANY_VIEW), ...}

    Anonymous: 401 (token authentication comes first, so DRF answers with WWW-Authenticate).
    An action missing from the mapping is refused (403): a new action stays closed until declared.
    """

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        action = getattr(view, "action", None)
        if action in _UNROUTED:
            return True  # no handler for this method: 405 follows
        capabilities = required_for(view, action)
        if not capabilities:
            return False
        return any(has_perm(user, capability) for capability in capabilities)
