"""Write use cases for users. Every function runs in the schema of the current connection."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from tenant_apps.accounts import throttle
from tenant_apps.accounts.errors import EmailTaken, UserInvalid
from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import Role
from tenant_apps.accounts.signals import user_created


def user_field_errors(
    *, email: str, password: str, full_name: str = "", check_password: bool = True, prefix: str = ""
) -> dict[str, list[str]]:
    """Field errors of a would-be user's email and password (no database access)."""
    errors: dict[str, list[str]] = {}
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors[f"{prefix}email"] = [_("Enter a valid email address.")]
    if check_password:
        try:
            password_validation.validate_password(password, user=User(email=email, full_name=full_name))
        except ValidationError as exc:
            errors[f"{prefix}password"] = list(exc.messages)
    return errors


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    email: str,
    password: str,
    full_name: str = "",
    role: str = "",
    dealer=None,
    scope_node=None,
    is_staff: bool = False,
    is_superuser: bool = False,
    preferred_language: str = "",
    password_hash: str = "",
) -> User:
    """Create a user in the current schema. `actor` is None for system actions (provisioning, seed).

    `password_hash` (from make_password) replaces `password` when the caller validated and hashed the
    password already, so that slow hashing stays out of the caller's transaction.
    """
    email = (email or "").strip().lower()
    errors = user_field_errors(
        email=email, password=password, full_name=full_name, check_password=not password_hash
    )
    if errors:
        raise UserInvalid(_("The user could not be created."), fields=errors)
    # an email in use is found by the insert (emails are stored lower-cased, unique), below
    user = User(
        email=email,
        full_name=full_name,
        role=role,
        dealer=dealer,
        scope_node=scope_node,
        is_staff=is_staff,
        is_superuser=is_superuser,
        preferred_language=preferred_language,
    )
    if password_hash:
        user.password = password_hash
    else:
        user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            user_created.send(sender=User, email=email, schema_name=connection.schema_name)
    except IntegrityError:
        raise EmailTaken(
            _("A user with this email already exists."), fields={"email": [_("Already in use.")]}
        ) from None
    if connection.schema_name != get_public_schema_name():  # operators (public schema) have no audit log
        from tenant_apps.audit.services import audit_record

        audit_record(actor=actor, action="accounts.user.created", target=user, after={
            "email": email, "role": role, "dealer": getattr(dealer, "pk", None),
            "scope_node": getattr(scope_node, "pk", None), "is_staff": is_staff,
            "is_superuser": is_superuser})
    return user


def user_ensure_support(*, email: str) -> User:
    """The platform-support user of this workspace for an operator (no password: hand-off only)."""
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, full_name="Platform support", role=Role.SUPPORT)
        user.set_unusable_password()
        user.save()
    elif not user.is_support:
        raise EmailTaken(_("A workspace user already has this email."), fields={"email": [_("Already in use.")]})
    return user


@transaction.atomic
def user_profile_update(*, actor: User, user: User, full_name: str | None = None,
                        preferred_language: str | None = None) -> User:
    """A user's own profile (name, language). Only the user themselves."""
    if actor.pk != user.pk:
        raise UserInvalid(_("You can only change your own profile."))
    errors = {}
    if full_name is not None and not full_name.strip():
        errors["full_name"] = [_("Enter your name.")]
    if preferred_language is not None and preferred_language not in ("", "zh-hans", "en"):
        errors["preferred_language"] = [_("Choose zh-hans or en.")]
    if errors:
        raise UserInvalid(_("The profile could not be saved."), fields=errors)
    before = {"full_name": user.full_name, "preferred_language": user.preferred_language}
    if full_name is not None:
        user.full_name = full_name.strip()
    if preferred_language is not None:
        user.preferred_language = preferred_language
    user.save(update_fields=["full_name", "preferred_language"])
    from tenant_apps.audit.services import audit_record

    audit_record(actor=actor, action="accounts.user.profile_updated", target=user, before=before,
                 after={"full_name": user.full_name, "preferred_language": user.preferred_language})
    return user


def _password_replace(*, actor: User, user: User, password: str, action: str) -> User:
    """Set the password and end every other sign-in of the user: all API tokens are deleted, and every session
    made before stops working (Django checks each session's copy of the password-derived hash on each request;
    the caller keeps its own page session with update_session_auth_hash)."""
    from rest_framework.authtoken.models import Token

    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise UserInvalid(_("The password could not be changed."),
                          fields={"new_password": list(exc.messages)}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    Token.objects.filter(user=user).delete()
    if connection.schema_name != get_public_schema_name():  # operators (public schema) have no audit log
        from tenant_apps.audit.services import audit_record

        audit_record(actor=actor, action=action, target=user)
    return user


@transaction.atomic
def user_password_change(*, actor: User, user: User, old_password: str, new_password: str,
                         reissue_token: bool = False):
    """A signed-in user changes their own password; the current one is required (a stolen session or token
    alone cannot take the account over). Ends the user's other sessions and every API token; with
    `reissue_token` (the change came with a token), returns a fresh token for the caller, else None."""
    from rest_framework.authtoken.models import Token

    if actor.pk != user.pk:
        raise UserInvalid(_("You can only change your own password."))
    right, wait = throttle.password_verify(user, old_password)
    if not right:
        raise UserInvalid(_("The password could not be changed."), fields={
            "old_password": [throttle.message(wait) if wait else _("Your current password is not right.")]})
    _password_replace(actor=actor, user=user, password=new_password, action="accounts.user.password_changed")
    return Token.objects.create(user=user) if reissue_token else None


@transaction.atomic
def user_password_reset(*, actor: User, user: User, new_password: str) -> User:
    """A user sets a new password from a reset link (the link's token is the proof; the actor is the user).
    Ends every session and API token of the user."""
    return _password_replace(actor=actor, user=user, password=new_password, action="accounts.user.password_reset")
