"""The operator audit log: every operator action on a tenant, with who, when, why, before and after."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
