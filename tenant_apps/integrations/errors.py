"""The integrations' domain errors."""

from __future__ import annotations

from tenant_apps.core.errors import DomainError


class KeyInvalid(DomainError):
    status = 400
    code = "invalid"


class IdempotencyKeyReused(DomainError):
    """The same Idempotency-Key with another body (IETF draft-ietf-httpapi-idempotency-key-header: 422)."""

    status = 422
    code = "idempotency_key_reused"


class IdempotencyKeyBusy(DomainError):
    """A call with the same key is still running, or has just failed: try again."""

    status = 409
    code = "idempotency_key_in_use"


class KeyMissing(DomainError):
    """A write that needs an Idempotency-Key header was sent without one."""

    status = 400
    code = "idempotency_key_missing"


class BatchTooLarge(DomainError):
    status = 413
    code = "batch_too_large"
