"""Promotions the brand sets (满减, percentage and fixed discounts, 买赠, bundles, tiered quantity
discounts, coupons), who and what they apply to, their budget and what has been used of it.

The rule parameters of each kind live in `rule` (JSON) and are validated by
`tenant_apps.promotions.rules` through the services; the engine (`engine.py`) reads them as plain specs.
Scopes: an empty set means "all" (every SKU, every tier, every region, every dealer).
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tenant_apps.core.money import currency_check


class PromotionKind(models.TextChoices):
    THRESHOLD = "threshold", _("Spend threshold")
    PERCENT = "percent", _("Percentage off")
    FIXED = "fixed", _("Fixed amount off")
    TIERED = "tiered", _("Tiered quantity discount")
    BUNDLE = "bundle", _("Bundle")
    GIFT = "gift", _("Gift with purchase")


class PromotionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")


class Stacking(models.TextChoices):
    STACKABLE = "stackable", _("Stacks with other promotions")
    NOT_STACKABLE = "not_stackable", _("Not combined: only lines no other promotion discounted")
    EXCLUSIVE = "exclusive", _("Exclusive: applies alone at its level")


class Promotion(models.Model):
    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=PromotionKind.choices)
    rule = models.JSONField(_("rule"), default=dict, blank=True)
    # Scope: what (SKUs, categories with their subtrees) and who (tiers, regions with subtrees, dealers).
    skus = models.ManyToManyField("catalog.Sku", blank=True, related_name="+", verbose_name=_("SKUs"))
    categories = models.ManyToManyField("catalog.Category", blank=True, related_name="+",
                                        verbose_name=_("categories"))
    tiers = models.ManyToManyField("dealers.Tier", blank=True, related_name="+", verbose_name=_("dealer tiers"))
    territories = models.ManyToManyField("dealers.Territory", blank=True, related_name="+",
                                         verbose_name=_("regions"))
    dealers = models.ManyToManyField("dealers.Dealer", blank=True, related_name="+", verbose_name=_("dealers"))
    # The same scopes as id arrays, written with them by services._scopes_set: a quote finds the promotions
    # that may apply in one query of array overlaps instead of five correlated link-table subqueries.
    scope_sku_ids = ArrayField(models.IntegerField(), default=list, blank=True, editable=False)
    scope_category_ids = ArrayField(models.IntegerField(), default=list, blank=True, editable=False)
    scope_tier_ids = ArrayField(models.IntegerField(), default=list, blank=True, editable=False)
    scope_territory_ids = ArrayField(models.IntegerField(), default=list, blank=True, editable=False)
    scope_dealer_ids = ArrayField(models.IntegerField(), default=list, blank=True, editable=False)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    budget = models.DecimalField(_("budget (total discount)"), max_digits=14, decimal_places=2, null=True,
                                 blank=True)
    budget_used = models.DecimalField(_("budget used"), max_digits=14, decimal_places=2, default=0)
    priority = models.IntegerField(_("priority"), default=0, help_text=_("Higher applies first."))
    stacking = models.CharField(_("stacking"), max_length=16, choices=Stacking.choices,
                                default=Stacking.STACKABLE)
    coupon_required = models.BooleanField(_("needs a coupon code"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=PromotionStatus.choices,
                              default=PromotionStatus.DRAFT)
    currency = models.CharField(_("currency"), max_length=3)
    # Whose promotion this is (S2B2B): NULL is headquarters; else the supplier node giving it to its sub-dealers.
    owner = models.ForeignKey("dealers.Node", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("owner"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-priority", "code"]
        indexes = [models.Index(fields=["status", "starts_at", "ends_at"])]
        constraints = [
            currency_check("promotion_currency_code"),
            models.CheckConstraint(condition=Q(budget_used__gte=0), name="promotion_budget_used_not_negative"),
            models.CheckConstraint(condition=Q(budget__isnull=True) | Q(budget_used__lte=F("budget")),
                                   name="promotion_budget_never_exceeded"),
            models.CheckConstraint(condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                                   name="promotion_window_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def budget_remaining(self):
        return None if self.budget is None else self.budget - self.budget_used


class Coupon(models.Model):
    """A code that unlocks a promotion with `coupon_required`; limits per dealer and in total."""

    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="coupons")
    code = models.CharField(_("code"), max_length=32, unique=True)  # stored upper case
    per_dealer_limit = models.PositiveIntegerField(_("uses per dealer"), null=True, blank=True)
    total_limit = models.PositiveIntegerField(_("uses in total"), null=True, blank=True)
    used = models.PositiveIntegerField(_("used"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(total_limit__isnull=True) | Q(used__lte=F("total_limit")),
                                   name="coupon_total_limit_never_exceeded"),
        ]

    def __str__(self) -> str:
        return self.code


class CouponDealerUse(models.Model):
    """How often one dealer has used one coupon: the counter the per-dealer limit is checked against by a
    conditional update."""

    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="dealer_uses")
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.CASCADE, related_name="+")
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["coupon", "dealer"], name="one_counter_per_coupon_dealer")]

    def __str__(self) -> str:
        return f"{self.coupon_id}/{self.dealer_id}: {self.used}"


class PromotionUsage(models.Model):
    """A promotion's discount taken by one order (written when the order is submitted); the ledger whose
    sum is `Promotion.budget_used`."""

    promotion = models.ForeignKey(Promotion, on_delete=models.PROTECT, related_name="usages")
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="+")
    order_ref = models.CharField(_("order"), max_length=64)
    discount = models.DecimalField(_("discount"), max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["promotion", "order_ref"], name="one_usage_per_order")]

    def __str__(self) -> str:
        return f"{self.promotion_id} {self.order_ref}: {self.discount}"


class CouponRedemption(models.Model):
    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="redemptions")
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="+")
    order_ref = models.CharField(_("order"), max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["coupon", "order_ref"], name="one_redemption_per_order")]

    def __str__(self) -> str:
        return f"{self.coupon_id} {self.order_ref}"
