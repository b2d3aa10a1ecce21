"""The transactional outbox: every business event, written in the transaction that caused it (docs/dev/events.md).

A row exists only if its transaction committed; the relay (events.services.outbox_relay) hands committed rows to
the registered consumers (notifications, webhooks...) in id order, each consumer writing its own rows in the
relay's transaction, then marks them relayed. Nothing is lost when a worker dies (the rows wait) and nothing is
sent for a transaction that rolled back (there is no row)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class OutboxEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=64)  # "order.submitted": events.catalog.KINDS
    subject_type = models.CharField(max_length=32)  # "order", "shipment", "return", "stock", ...
    subject_id = models.CharField(max_length=64)
    subject_ref = models.CharField(max_length=64, blank=True)  # what people call it: an order number
    # The dealer it concerns (no constraint: the events app sits below the dealers), for recipients and scope.
    dealer_id = models.IntegerField(null=True, blank=True)
    actor_id = models.IntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    relayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["id"], condition=models.Q(relayed_at__isnull=True),
                                name="events_outbox_pending"),
                   models.Index(fields=["subject_type", "subject_id", "id"], name="events_outbox_subject")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_type}:{self.subject_id}"
