"""The brand's approval chain for orders: workflows with conditions and ordered steps, auto-approval rules,
and one row per step an order goes through (who was asked, who decided, when, why)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenant_apps.core.money import currency_check


class ApprovalWorkflow(models.Model):
    """A chain of steps for the orders that match its conditions (an empty condition matches any order).
    Active workflows are tried by priority (1 first); the first that matches applies; none: auto-approve."""

    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    priority = models.PositiveIntegerField(_("priority"), default=100, help_text=_("Lower numbers are tried first."))
    min_total = models.DecimalField(_("order total from"), max_digits=16, decimal_places=2, null=True, blank=True)
    max_total = models.DecimalField(_("order total up to"), max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3)
    tiers = models.ManyToManyField("dealers.Tier", blank=True, related_name="+", verbose_name=_("dealer tiers"))
    nodes = models.ManyToManyField("dealers.Node", blank=True, related_name="+",
                                   verbose_name=_("parts of the network"))
    territories = models.ManyToManyField("dealers.Territory", blank=True, related_name="+",
                                         verbose_name=_("territories"))
    categories = models.ManyToManyField("catalog.Category", blank=True, related_name="+",
                                        verbose_name=_("product categories"))
    # Whose row this is (S2B2B): NULL is headquarters; else the supplier node (tenant_apps.dealers.Supplier).
    owner = models.ForeignKey("dealers.Node", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("owner"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "id"]
        constraints = [currency_check("approval_workflow_currency_code"), models.CheckConstraint(
            condition=Q(min_total__isnull=True) | Q(max_total__isnull=True) | Q(min_total__lte=models.F("max_total")),
            name="approval_workflow_total_range")]

    def __str__(self) -> str:
        return self.name


class StepScope(models.TextChoices):
    REGION = "region", _("The dealer's region (a regional manager above the dealer)")
    HQ = "hq", _("Headquarters (anyone with the role)")
    USER = "user", _("A named person")


class OnTimeout(models.TextChoices):
    WAIT = "wait", _("Keep waiting")
    ESCALATE = "escalate", _("Escalate")
    AUTO_APPROVE = "auto_approve", _("Approve automatically")


class ApprovalStep(models.Model):
    workflow = models.ForeignKey(ApprovalWorkflow, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=200)
    approver_roles = ArrayField(models.CharField(max_length=32), verbose_name=_("approver roles"), default=list,
                                blank=True)
    scope = models.CharField(_("who"), max_length=16, choices=StepScope.choices, default=StepScope.HQ)
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("named approver"))
    timeout_hours = models.PositiveIntegerField(_("timeout (hours)"), null=True, blank=True)
    on_timeout = models.CharField(_("on timeout"), max_length=16, choices=OnTimeout.choices, default=OnTimeout.WAIT)
    escalate_roles = ArrayField(models.CharField(max_length=32), verbose_name=_("escalate to roles"), default=list,
                                blank=True)
    escalate_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("escalate to person"))
    skip_below = models.DecimalField(_("skip when the order total is below"), max_digits=16, decimal_places=2,
                                     null=True, blank=True)

    class Meta:
        ordering = ["workflow_id", "position"]
        constraints = [models.UniqueConstraint(fields=["workflow", "position"], name="one_step_per_position")]

    def __str__(self) -> str:
        return f"{self.workflow_id}.{self.position} {self.name}"


class AutoApprovalRule(models.Model):
    """Orders at or below `max_total` from dealers of these tiers (empty: any tier) are approved at submission."""

    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    max_total = models.DecimalField(_("order total up to"), max_digits=16, decimal_places=2)
    currency = models.CharField(max_length=3)
    tiers = models.ManyToManyField("dealers.Tier", blank=True, related_name="+", verbose_name=_("dealer tiers"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["max_total", "id"]
        constraints = [currency_check("auto_approval_rule_currency_code")]

    def __str__(self) -> str:
        return self.name


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SENT_BACK = "sent_back", _("Sent back")
    SKIPPED = "skipped", _("Skipped")
    ESCALATED = "escalated", _("Escalated")
    SUPERSEDED = "superseded", _("Superseded by a new revision")


class OrderApproval(models.Model):
    """One step of one revision of an order's chain. The step's rule is copied (name, roles, scope, person) so
    that history reads the same after the workflow changes."""

    order = models.ForeignKey("ordering.Order", on_delete=models.CASCADE, related_name="approvals")
    revision = models.PositiveIntegerField()
    workflow = models.ForeignKey(ApprovalWorkflow, on_delete=models.SET_NULL, null=True, related_name="+")
    step = models.ForeignKey(ApprovalStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    position = models.PositiveIntegerField(default=0)  # 0: no step (auto-approval)
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING)
    assigned_roles = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    scope = models.CharField(max_length=16, choices=StepScope.choices, default=StepScope.HQ)
    assigned_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+")
    due_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_by_label = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order_id", "revision", "id"]
        indexes = [models.Index(fields=["status", "due_at"]), models.Index(fields=["order", "revision"])]
        constraints = [models.UniqueConstraint(fields=["order"], condition=Q(status="pending"),
                                               name="one_pending_step_per_order")]

    def __str__(self) -> str:
        return f"{self.order_id} r{self.revision} {self.name}: {self.status}"
