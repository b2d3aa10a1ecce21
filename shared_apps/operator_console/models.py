"""The operator audit log: every operator action on a tenant, with who, when, why, before and after."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.labels import action_label, status_label


class OperatorAuditLog(models.Model):
    action = models.CharField(_("action"), max_length=64)  # dotted: operator.tenant.suspended
    actor_email = models.EmailField(_("operator"))
    tenant_slug = models.CharField(_("tenant"), max_length=63, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.tenant_slug} by {self.actor_email}"

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    @property
    def status_change(self) -> str:
        """The workspace's status before and after, in words ("Active → Suspended"); empty when unchanged."""
        before, after = (self.before or {}).get("status"), (self.after or {}).get("status")
        if not before and not after:
            return ""
        return f"{status_label(before)} → {status_label(after)}"
