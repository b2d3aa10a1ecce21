"""Optional two-step sign-in (TOTP, RFC 6238) for brand staff. The secret is encrypted at rest."""

from __future__ import annotations

import pyotp
from django.db import transaction
from django.utils.translation import gettext as _

from tenant_apps.accounts.errors import UserInvalid
from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import BRAND_ROLES
from tenant_apps.audit.services import audit_record

ISSUER = "DMS"


def totp_uri(user: User, brand: str) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=f"{ISSUER} {brand}")


def totp_verify(user: User, code: str) -> bool:
    code = (code or "").replace(" ", "")
    return bool(user.totp_enabled and user.totp_secret and code.isdigit()
                and pyotp.TOTP(user.totp_secret).verify(code, valid_window=1))


@transaction.atomic
def totp_begin(*, actor: User) -> User:
    """Start setting up: a new secret, not active until confirmed with a code from the app."""
    if actor.role not in BRAND_ROLES:
        raise UserInvalid(_("Two-step sign-in is for brand staff."))
    was_enabled = actor.totp_enabled
    actor.totp_secret = pyotp.random_base32()
    actor.totp_enabled = False
    actor.save(update_fields=["totp_secret", "totp_enabled"])
    # never the secret: only that a new one was made (and two-step sign-in is off until it is confirmed)
    audit_record(actor=actor, action="accounts.user.totp_started", target=actor,
                 before={"totp_enabled": was_enabled}, after={"totp_enabled": False})
    return actor


@transaction.atomic
def totp_confirm(*, actor: User, code: str) -> User:
    if not actor.totp_secret or not pyotp.TOTP(actor.totp_secret).verify((code or "").replace(" ", ""),
                                                                           valid_window=1):
        raise UserInvalid(_("That code is not right. Check the time on your phone and try again."),
                          fields={"code": [_("Wrong code.")]})
    actor.totp_enabled = True
    actor.save(update_fields=["totp_enabled"])
    audit_record(actor=actor, action="accounts.user.totp_enabled", target=actor)
    return actor


@transaction.atomic
def totp_disable(*, actor: User, code: str) -> User:
    if not totp_verify(actor, code):
        raise UserInvalid(_("That code is not right."), fields={"code": [_("Wrong code.")]})
    actor.totp_enabled = False
    actor.totp_secret = ""
    actor.save(update_fields=["totp_enabled", "totp_secret"])
    audit_record(actor=actor, action="accounts.user.totp_disabled", target=actor)
    return actor
