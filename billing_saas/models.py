"""SaaS plans. Subscriptions and Stripe come with the billing issue; the limits are read by one check."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# The names of the plans shipped by migration 0002, in the reader's language; a plan the operator adds shows
# its own name.
PLAN_NAMES = {"starter": _("Starter"), "growth": _("Growth"), "enterprise": _("Enterprise")}


class Plan(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(_("default for sign-ups"), default=False)
    trial_days = models.PositiveIntegerField(_("trial days"), default=30)
    max_dealers = models.PositiveIntegerField(_("dealers"), null=True, blank=True, help_text=_("empty: unlimited"))
    max_users = models.PositiveIntegerField(_("users"), null=True, blank=True, help_text=_("empty: unlimited"))
    monthly_price = models.DecimalField(_("monthly price"), max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True), name="one_default_plan")
        ]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        """The plan's name as shown to people: translated for the shipped plans."""
        return str(PLAN_NAMES.get(self.code, self.name))
