"""API keys of the brand's other systems (an ERP, a WMS): in the tenant's schema, so a key of one brand does not
exist on another's host. The secret is never stored: only its prefix (shown to people) and a salted hash."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SCOPES = {
    "orders:read": _("Read orders and shipments"),
    "orders:acknowledge": _("Acknowledge orders"),
    "shipments:write": _("Confirm shipments"),
    "stock:write": _("Write stock"),
    "catalog:write": _("Write the catalog"),
    "dealers:write": _("Write dealers"),
    "prices:write": _("Write prices"),
    "sellout:write": _("Send dealers' sell-out"),
}
DEFAULT_RATE = 600  # calls a minute


class ApiKey(models.Model):
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True)
    salt = models.CharField(max_length=32)
    secret_hash = models.CharField(max_length=64)  # sha256 hex of salt + the whole key
    scopes = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    rate_per_minute = models.PositiveIntegerField(_("calls a minute"), default=DEFAULT_RATE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)  # set when rotated: the overlap's end
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"API key {self.name} ({self.prefix})"

    @property
    def email(self) -> str:
        """How the audit log names the key as an actor (audit.services.actor_label)."""
        return str(self)

    def usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class IdempotentResult(models.Model):
    """The first answer to a write sent with an Idempotency-Key: a repeat gets it back, the write is not redone.
    Per API key (another key's same text is another key) and endpoint; `request_hash` is the body's, so that
    the same key with another body is refused; kept 24 hours (services.IDEMPOTENCY_TTL)."""

    api_key = models.ForeignKey(ApiKey, null=True, on_delete=models.CASCADE, related_name="+")
    endpoint = models.CharField(max_length=64)
    key = models.CharField(max_length=128)
    request_hash = models.CharField(max_length=64, blank=True, db_default="")
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["api_key", "endpoint", "key"],
                                               name="integrations_idempotent_once_per_key")]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"
