"""Reads of people and access: the users and invitations a reader may see."""

from __future__ import annotations

from django.db.models import QuerySet

from tenant_apps.accounts.models import Invitation, User
from tenant_apps.accounts.permissions import Scope, scope_of
from tenant_apps.dealers.selectors import dealers_visible_to


def users_visible_to(actor) -> QuerySet[User]:
    """The workspace's people (not the platform's support) that `actor` may see: everyone for the whole-network
    roles, else the staff of the dealers in their part of the network."""
    users = User.objects.exclude(role="").select_related("dealer").order_by("email")
    if scope_of(actor) != Scope.ALL:
        users = users.filter(dealer__in=dealers_visible_to(actor))
    return users


def invitations_visible_to(actor) -> QuerySet[Invitation]:
    """Invitations the actor sent, or all for the whole-network roles."""
    invitations = Invitation.objects.select_related("dealer", "invited_by")
    if scope_of(actor) == Scope.ALL:
        return invitations
    return invitations.filter(invited_by=actor)
