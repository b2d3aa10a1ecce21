"""Invitations: a workspace user invites someone by email, with a role (and a dealer for dealer
staff, a part of the network for a regional manager). The link is single-use and expires."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_saas.models import Resource
from billing_saas.usage import usage_limit_check
from tenant_apps.accounts import services as account_services
from tenant_apps.accounts.errors import InvitationInvalid, InvitationUnusable
from tenant_apps.accounts.links import site_url
from tenant_apps.accounts.models import Invitation, User
from tenant_apps.accounts.permissions import (
    COMPANY_USERS,
    DEALER_ROLES,
    INVITABLE_ROLES,
    USERS_INVITE,
    Role,
    Scope,
    has_perm,
    scope_of,
)
from tenant_apps.accounts.selectors import invitations_visible_to
from tenant_apps.audit.services import audit_record
from tenant_apps.core.errors import NotFound
from tenant_apps.core.workspace import connection_tenant
from tenant_apps.events.services import event_record

logger = logging.getLogger(__name__)

VALID_DAYS = 7


def _hash(raw: str) -> str:
    return hashlib.sha256((raw or "").encode()).hexdigest()


def invitable_roles(actor) -> frozenset[str]:
    """Which roles this actor may hand out."""
    if has_perm(actor, USERS_INVITE):
        if scope_of(actor) == Scope.ALL:
            return INVITABLE_ROLES
        return DEALER_ROLES  # regional managers and sales reps invite dealer staff in their scope
    if has_perm(actor, COMPANY_USERS):
        return frozenset({Role.DEALER_BUYER, Role.DEALER_FINANCE})  # a dealer owner invites their own staff
    return frozenset()


def users_count() -> int:
    return User.objects.exclude(role=Role.SUPPORT).filter(is_active=True).count()


@transaction.atomic
def invitation_create(*, actor, email: str, role: str, dealer=None, scope_node=None, dealer_choices: QuerySet,
                      node_choices: QuerySet) -> tuple[Invitation, str]:
    """Invite `email`; returns the invitation and the raw token (sent by email after commit). The dealer and the
    part of the network must be among `dealer_choices` and `node_choices`: the actor's part of the network,
    which the dealer network above decides (called as `dealers.services.invitation_create`)."""
    email = (email or "").strip().lower()
    errors = account_services.user_field_errors(email=email, password="", check_password=False)
    allowed = invitable_roles(actor)
    if role not in allowed:
        errors["role"] = [_("You cannot invite someone with this role.")]
    if role in DEALER_ROLES:
        if actor.role in DEALER_ROLES:
            dealer = actor.dealer
        if dealer is None or not dealer_choices.filter(pk=dealer.pk).exists():
            errors["dealer"] = [_("Choose a dealer in your part of the network.")]
    else:
        dealer = None
    if role == Role.REGIONAL_MANAGER:
        if scope_node is None or not node_choices.filter(pk=scope_node.pk).exists():
            errors["scope_node"] = [_("Choose the part of the network this manager looks after.")]
    else:
        scope_node = None
    if not errors.get("email") and User.objects.filter(email=email).exists():
        errors["email"] = [_("This person already has an account here.")]
    if errors:
        raise InvitationInvalid(_("The invitation could not be sent."), fields=errors)
    usage_limit_check(resource=Resource.USERS)
    Invitation.objects.filter(email=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email, role=role, dealer=dealer, scope_node=scope_node, token_hash=_hash(raw), invited_by=actor,
        expires_at=timezone.now() + timedelta(days=VALID_DAYS),
    )
    audit_record(actor=actor, action="accounts.invitation.created", target=invitation,
                 after={"email": email, "role": role, "dealer": getattr(dealer, "code", None)})
    event_record(kind="invitation.sent", subject_id=invitation.pk, subject_ref=role, actor=actor,
                 dealer_id=getattr(dealer, "pk", None), payload={"role": role})
    link = invitation_link(raw)
    inviter = actor.get_full_name()
    transaction.on_commit(lambda: _send(email=email, link=link, inviter=inviter))
    return invitation, raw


def invitation_link(raw: str) -> str:
    return site_url(f"/accounts/invite/{raw}/")


def _send(*, email: str, link: str, inviter: str) -> None:
    brand = connection_tenant().brand_name
    body = render_to_string("accounts/invitation_email.txt", {"link": link, "inviter": inviter,
                                                               "brand": brand, "days": VALID_DAYS})
    send_mail(_("You are invited to %(brand)s") % {"brand": brand}, body, settings.DEFAULT_FROM_EMAIL, [email])


def invitation_for_token(raw: str) -> Invitation:
    """The usable invitation of this token; InvitationUnusable (expired, used, revoked, unknown)."""
    invitation = Invitation.objects.filter(token_hash=_hash(raw)).select_related("dealer").first()
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= timezone.now()
    ):
        raise InvitationUnusable(_("This invitation link has expired or was already used. Ask for a new one."))
    return invitation


@transaction.atomic
def invitation_accept(*, raw_token: str, full_name: str, password: str) -> User:
    invitation = invitation_for_token(raw_token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:  # accepted by a concurrent request meanwhile
        raise InvitationUnusable(_("This invitation link has expired or was already used. Ask for a new one."))
    if not (full_name or "").strip():
        raise InvitationInvalid(_("Please correct the fields below."), fields={"full_name": [_("Enter your name.")]})
    usage_limit_check(resource=Resource.USERS)
    user = account_services.user_create(
        actor=None, email=invitation.email, password=password, full_name=full_name.strip(), role=invitation.role,
        dealer=invitation.dealer, scope_node=invitation.scope_node,
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(actor=user, action="accounts.invitation.accepted", target=invitation, after={"user": user.pk})
    return user


@transaction.atomic
def invitation_revoke(*, actor, invitation_id: int) -> Invitation:
    invitation = invitations_visible_to(actor).select_for_update(of=("self",)).filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound(_("No such invitation."))
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="accounts.invitation.revoked", target=invitation)
    return invitation
