"""Outbound webhooks: the brand's endpoints, and one delivery per (endpoint, event) (docs/dev/webhooks.md)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenant_apps.core.fields import EncryptedTextField


class WebhookEndpoint(models.Model):
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_kinds = models.JSONField(_("event types"), default=list)  # kinds of events.catalog.KINDS
    active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(_("disabled because"), max_length=200, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # "whsec_..." (Standard Webhooks), encrypted at rest; the previous one still signs until previous_until.
    secret = EncryptedTextField(_("secret"))
    previous_secret = EncryptedTextField(blank=True, default="")
    previous_until = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url

    def secrets(self, now=None) -> list[str]:
        """The secrets to sign with now: the current one, and the previous one during its overlap."""
        now = now or timezone.now()
        if self.previous_secret and self.previous_until and self.previous_until > now:
            return [self.secret, self.previous_secret]
        return [self.secret]


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed, will retry")
    DEAD = "dead", _("Gave up")


OPEN_STATES = (DeliveryState.PENDING, DeliveryState.FAILED)


class WebhookDelivery(models.Model):
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.BigIntegerField()
    kind = models.CharField(max_length=64)
    subject_type = models.CharField(max_length=32)
    subject_id = models.CharField(max_length=64)
    subject_ref = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(default=dict)
    state = models.CharField(max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveIntegerField(null=True, blank=True)  # the HTTP status; null: no response
    last_error = models.CharField(max_length=200, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-event_id"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhooks_delivery_once")]
        indexes = [models.Index(fields=["next_attempt_at"], condition=models.Q(state__in=["pending", "failed"]),
                                name="webhooks_delivery_due"),
                   models.Index(fields=["endpoint", "subject_type", "subject_id", "event_id"],
                                name="webhooks_delivery_subject")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.event_id} -> {self.endpoint_id}"
