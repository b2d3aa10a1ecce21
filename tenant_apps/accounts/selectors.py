"""Reads of people and access: the invitations a reader may see (the people they see are scoped by the dealer
network: dealers.selectors.users_visible_to)."""

from __future__ import annotations

from django.db.models import QuerySet

from tenant_apps.accounts.models import Invitation
from tenant_apps.accounts.permissions import Scope, scope_of


def invitations_visible_to(actor) -> QuerySet[Invitation]:
    """Invitations the actor sent, or all for the whole-network roles."""
    invitations = Invitation.objects.select_related("dealer", "invited_by")
    if scope_of(actor) == Scope.ALL:
        return invitations
    return invitations.filter(invited_by=actor)
