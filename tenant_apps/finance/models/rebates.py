"""Rebates (返利): a brand's rules ("2 % of what a dealer was shipped in the quarter, net of returns, once it passed
¥1,000,000"), the run that computes them per dealer after each period closes, and its lines, which finance reviews
(a line may be excluded, with a reason) and approves: each line left is credited to the dealer's rebate pool
(EntryKind.REBATE, rebate_delta = +amount) once.

Tiers are `[{"threshold": "1000000.00", "rate": "2.00"}, ...]` (rate in %), kept sorted by threshold; a tier is
reached when the basis is at or above its threshold. `mode` says how the rates apply:
- whole: the rate of the highest tier reached applies to the whole basis (1,200,000 at 2 % -> 24,000);
- excess: each tier's rate applies to the part of the basis between its threshold and the next one
  (progressive, like income tax: with 0 % to 1,000,000 and 2 % above, 1,200,000 -> 4,000)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenant_apps.core.money import currency_check
from tenant_apps.finance.models.ledger import AMOUNT, TOTAL, LedgerEntry


class RebatePeriod(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class RebateMode(models.TextChoices):
    WHOLE = "whole", _("Rate of the tier reached on the whole amount")
    EXCESS = "excess", _("Each tier's rate on the part above its threshold")


class RebateRule(models.Model):
    name = models.CharField(_("name"), max_length=200)
    period = models.CharField(_("period"), max_length=8, choices=RebatePeriod.choices, default=RebatePeriod.QUARTER)
    mode = models.CharField(_("how rates apply"), max_length=8, choices=RebateMode.choices, default=RebateMode.WHOLE)
    tiers = models.JSONField(_("tiers"), default=list)
    currency = models.CharField(_("currency"), max_length=3)
    active_from = models.DateField(_("active from"))
    active_to = models.DateField(_("active until"), null=True, blank=True)
    # which dealers: empty lists mean every dealer; several lists narrow it down (a tier AND a territory)
    dealer_tiers = models.ManyToManyField("dealers.Tier", blank=True, related_name="+", verbose_name=_("tiers"))
    territories = models.ManyToManyField("dealers.Territory", blank=True, related_name="+",
                                         verbose_name=_("territories"))
    dealers = models.ManyToManyField("dealers.Dealer", blank=True, related_name="+", verbose_name=_("dealers"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [currency_check("finance_rebate_rule_currency_code"),
                       models.CheckConstraint(condition=Q(active_to__isnull=True)
                                              | Q(active_to__gte=models.F("active_from")),
                                              name="finance_rebate_rule_dates")]

    def __str__(self) -> str:
        return self.name


class RebateRunStatus(models.TextChoices):
    DRAFT = "draft", _("To review")
    APPROVED = "approved", _("Approved and credited")


class RebateRun(models.Model):
    """One rule's rebates for one closed period: computed once (the rule's tiers copied in), reviewed, approved."""

    rule = models.ForeignKey(RebateRule, on_delete=models.PROTECT, related_name="runs")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))  # inclusive
    currency = models.CharField(_("currency"), max_length=3)
    mode = models.CharField(_("how rates apply"), max_length=8, choices=RebateMode.choices)
    tiers = models.JSONField(_("tiers"), default=list)
    status = models.CharField(_("status"), max_length=8, choices=RebateRunStatus.choices,
                              default=RebateRunStatus.DRAFT)
    computed_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "-pk"]
        constraints = [models.UniqueConstraint(fields=["rule", "period_start"], name="one_rebate_run_per_period"),
                       currency_check("finance_rebate_run_currency_code")]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.period_start:%Y-%m-%d}..{self.period_end:%Y-%m-%d}"


class RebateLine(models.Model):
    run = models.ForeignKey(RebateRun, on_delete=models.CASCADE, related_name="lines")
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="+")
    basis = models.DecimalField(_("shipped, net of returns"), **TOTAL)
    rate = models.DecimalField(_("rate (%)"), max_digits=6, decimal_places=3)  # the highest tier reached
    amount = models.DecimalField(_("rebate"), **AMOUNT)
    excluded = models.BooleanField(_("excluded"), default=False)
    exclude_reason = models.CharField(_("why excluded"), max_length=255, blank=True)
    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["run", "dealer__code", "pk"]
        constraints = [models.UniqueConstraint(fields=["run", "dealer"], name="one_rebate_line_per_dealer"),
                       models.CheckConstraint(condition=Q(amount__gt=0), name="finance_rebate_line_positive")]

    def __str__(self) -> str:
        return f"{self.dealer_id}: {self.amount}"
