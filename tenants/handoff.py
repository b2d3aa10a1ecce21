"""One-time, short-lived sign-in tokens that carry a user from the platform host to a tenant host.

No cookie is shared across hosts: the platform host issues a token, redirects the browser to the
tenant host, and the tenant host redeems it once (within TTL seconds) and starts its own session.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tenants.models import HandoffToken, Tenant

TTL_SECONDS = 60


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def handoff_issue(*, tenant: Tenant, user_email: str, purpose: str, ttl: int = TTL_SECONDS) -> str:
    raw = secrets.token_urlsafe(32)
    HandoffToken.objects.create(
        token_hash=_hash(raw), tenant=tenant, user_email=user_email, purpose=purpose,
        expires_at=timezone.now() + timedelta(seconds=ttl),
    )
    return raw


@transaction.atomic
def handoff_redeem(*, tenant: Tenant, raw_token: str) -> HandoffToken | None:
    """Use a token once, on the tenant it was issued for, before it expires; None otherwise."""
    now = timezone.now()
    token = (
        HandoffToken.objects.select_for_update()
        .filter(token_hash=_hash(raw_token or ""), tenant=tenant, used_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None:
        return None
    token.used_at = now
    token.save(update_fields=["used_at"])
    return token
