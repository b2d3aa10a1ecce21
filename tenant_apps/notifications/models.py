"""A person's notifications: one row per recipient and event (a replayed event writes nothing twice). The text is
not stored: it is rendered from the event when shown, in the reader's language (notifications.render)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("recipient"))
    event = models.ForeignKey("events.OutboxEvent", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "event"], name="notifications_once_per_event")]
        indexes = [models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True),
                                name="notifications_unread")]

    def __str__(self) -> str:
        return f"{self.kind} -> {self.recipient_id}"
