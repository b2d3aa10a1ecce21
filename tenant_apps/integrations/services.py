"""API keys: create (the whole key is returned once, never stored), rotate with an overlap, revoke; the record
of a call made with a key (docs/integrations.md)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.audit.services import audit_record
from tenant_apps.integrations.errors import IdempotencyKeyBusy, IdempotencyKeyReused, KeyInvalid
from tenant_apps.integrations.models import DEFAULT_RATE, SCOPES, ApiKey, IdempotentResult

KEY_START = "dms_"
ROTATION_OVERLAP = timedelta(hours=24)
LAST_USED_EVERY = timedelta(minutes=1)
IDEMPOTENCY_TTL = timedelta(hours=24)


def key_hash(salt: str, key: str) -> str:
    return hashlib.sha256(f"{salt}:{key}".encode()).hexdigest()


def key_split(key: str) -> str | None:
    """The prefix of a key as sent ("dms_<prefix>_<secret>"), or None when it has not that shape."""
    if not isinstance(key, str) or not key.startswith(KEY_START) or len(key) > 100:
        return None
    prefix, _sep, secret = key[len(KEY_START):].partition("_")
    return prefix if prefix and secret and len(prefix) <= 16 else None


def key_matches(api_key: ApiKey, key: str) -> bool:
    return hmac.compare_digest(api_key.secret_hash, key_hash(api_key.salt, key))


def _clean(name, scopes, rate_per_minute) -> tuple[str, list[str], int]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name or len(name) > 100:
        errors["name"] = [_("Enter a name of at most 100 characters.")]
    if not isinstance(scopes, list | tuple) or not scopes or any(scope not in SCOPES for scope in scopes):
        errors["scopes"] = [_("Choose one or more of the listed scopes.")]
    try:
        rate = int(rate_per_minute if rate_per_minute not in (None, "") else DEFAULT_RATE)
    except (TypeError, ValueError):
        rate = 0
    if not 1 <= rate <= 100_000:
        errors["rate_per_minute"] = [_("Enter a whole number from 1 to 100000.")]
    if errors:
        raise KeyInvalid(_("The API key could not be saved."), fields=errors)
    return name, sorted(set(scopes)), rate


def _new(*, name: str, scopes: list[str], rate: int, created_by) -> tuple[ApiKey, str]:
    prefix, salt = secrets.token_hex(4), secrets.token_hex(8)
    key = f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey.objects.create(name=name, prefix=prefix, salt=salt, secret_hash=key_hash(salt, key),
                                    scopes=scopes, rate_per_minute=rate, created_by=created_by)
    return api_key, key


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None


@transaction.atomic
def api_key_create(*, actor, name, scopes, rate_per_minute=DEFAULT_RATE) -> tuple[ApiKey, str]:
    """A new key and its whole text: shown once, only its prefix and a salted hash are kept."""
    name, scopes, rate = _clean(name, scopes, rate_per_minute)
    api_key, key = _new(name=name, scopes=scopes, rate=rate, created_by=_user(actor))
    audit_record(actor=actor, action="integrations.apikey.created", target=api_key,
                 after={"name": name, "prefix": api_key.prefix, "scopes": scopes, "rate_per_minute": rate})
    return api_key, key


@transaction.atomic
def api_key_rotate(*, actor, api_key: ApiKey, overlap: timedelta = ROTATION_OVERLAP) -> tuple[ApiKey, str]:
    """A new key with the same name, scopes and rate; the old one keeps working until the overlap ends."""
    old = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    now = timezone.now()
    if not old.usable(now):
        raise KeyInvalid(_("This key is revoked or expired; create a new one."), code="key_unusable", status=409)
    new, key = _new(name=old.name, scopes=old.scopes, rate=old.rate_per_minute, created_by=_user(actor))
    before = {"expires_at": old.expires_at.isoformat() if old.expires_at else None}
    old.expires_at = min(old.expires_at, now + overlap) if old.expires_at else now + overlap
    old.replaced_by = new
    old.save(update_fields=["expires_at", "replaced_by"])
    audit_record(actor=actor, action="integrations.apikey.rotated", target=old, before=before,
                 after={"expires_at": old.expires_at.isoformat(), "new_prefix": new.prefix})
    return new, key


@transaction.atomic
def api_key_revoke(*, actor, api_key: ApiKey) -> ApiKey:
    """The key stops working now (a repeat changes nothing)."""
    key = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="integrations.apikey.revoked", target=key,
                     after={"revoked_at": key.revoked_at.isoformat()})
    return key


def api_key_touch(*, api_key: ApiKey) -> None:
    """Remember when the key was last used, at most once a minute (no write in between)."""
    now = timezone.now()
    if api_key.last_used_at is not None and now - api_key.last_used_at < LAST_USED_EVERY:
        return
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now


def api_call_record(*, actor, api_key: ApiKey, method: str, path: str, status: int) -> None:
    """Every call made with a key, in the audit log: one insert, the key named as the actor."""
    audit_record(actor=actor, action="integrations.apikey.called", target=api_key,
                 after={"method": method, "path": path[:200], "status": status, "key": api_key.name})


# --- Idempotency-Key ---------------------------------------------------------------------------------


def request_hash(data) -> str:
    """The fingerprint of a request body, whatever the order of its keys."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)  # ASCII: lone surrogates too
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Answer:
    status: int
    body: dict
    replayed: bool = False  # the stored answer of an earlier call with the same key


class _NotKept(Exception):
    def __init__(self, answer: Answer):
        super().__init__(answer.status)
        self.answer = answer


def idempotent_answer(*, api_key: ApiKey, endpoint: str, key: str, body_hash: str,
                      perform: Callable[[], tuple[int, dict]]) -> Answer:
    """`perform()` once per (API key, endpoint, Idempotency-Key), in one transaction with the record of its
    answer: a repeat within IDEMPOTENCY_TTL gets that answer back (`replayed`) and nothing is redone; the same
    key with another body is refused (422 idempotency_key_reused). An answer of 400 or more, or an exception,
    keeps nothing (the write and the key's record roll back together), so the key can be used again once the
    body is fixed. A concurrent call with the same key waits on the unique row, then reads the stored answer.
    The records of this API key older than the TTL are deleted on the way."""
    try:
        with transaction.atomic():
            IdempotentResult.objects.filter(api_key=api_key, created_at__lt=timezone.now() - IDEMPOTENCY_TTL).delete()
            first = IdempotentResult.objects.filter(api_key=api_key, endpoint=endpoint, key=key).first()
            if first is None:
                try:
                    with transaction.atomic():  # a concurrent same key waits here for the first to finish
                        first = IdempotentResult.objects.create(api_key=api_key, endpoint=endpoint, key=key,
                                                                request_hash=body_hash, status=0)
                except IntegrityError:
                    first = IdempotentResult.objects.filter(api_key=api_key, endpoint=endpoint, key=key).first()
                    if first is None:  # the other call failed and kept nothing
                        raise IdempotencyKeyBusy(_("A call with this Idempotency-Key has just failed; send it "
                                                   "again.")) from None
                else:
                    status, body = perform()
                    if status >= 400:
                        raise _NotKept(Answer(status, body))
                    first.status, first.body = status, body
                    first.save(update_fields=["status", "body"])
                    return Answer(status, body)
            if first.request_hash and first.request_hash != body_hash:
                raise IdempotencyKeyReused(_("This Idempotency-Key was used with another body. Use a new key for "
                                             "a new request."))
            return Answer(first.status, first.body, replayed=True)
    except _NotKept as refused:
        return refused.answer
