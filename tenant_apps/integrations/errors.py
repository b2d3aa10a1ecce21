"""The integrations' domain errors."""

from __future__ import annotations

from tenant_apps.core.errors import DomainError


class KeyInvalid(DomainError):
    status = 400
    code = "invalid"
