"""The tenant's audit log: who changed what, when, before and after (in the tenant's schema)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    action = models.CharField(_("action"), max_length=64, db_index=True)  # dealers.dealer.status_changed
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(_("who"), max_length=254)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    # The dealer the change is about (an order's, a cart's, the dealer itself), for the reader's data scope: a
    # regional manager reads the entries of the dealers in their part of the network. Empty: brand-wide.
    dealer_id = models.BigIntegerField(null=True, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"]),
                   models.Index(fields=["dealer_id", "-created_at"], name="audit_dealer_recent")]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"

    @property
    def action_label(self) -> str:
        from tenant_apps.audit.labels import action_label

        return action_label(self.action)
