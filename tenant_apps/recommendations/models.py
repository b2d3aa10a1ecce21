"""Recommendations: the brand's switches per storefront block (one row per tenant), and what the periodic task
precomputes from the orders (pair scores for "often bought together", popularity per region x tier for "popular
with dealers like you"), replaced whole by each computation (services.recommendations_compute)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Block(models.TextChoices):
    TOGETHER = "together", _("Often bought together")
    SIMILAR = "similar", _("Popular with dealers like you")
    LAPSED = "lapsed", _("You used to order")
    NEW = "new", _("New products")
    PROMOTIONS = "promotions", _("Promotions for your cart")


class RecommendationSettings(models.Model):
    """The brand's switches, one per block (one row per tenant): a block turned off is neither shown nor computed."""

    together = models.BooleanField(_("often bought together"), default=True)
    similar = models.BooleanField(_("popular with dealers like you"), default=True)
    lapsed = models.BooleanField(_("you used to order"), default=True)
    new = models.BooleanField(_("new products"), default=True)
    promotions = models.BooleanField(_("promotions for your cart"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = _("recommendation settings")

    def __str__(self) -> str:
        return "recommendation settings"

    def enabled(self) -> list[str]:
        return [block for block in Block.values if getattr(self, block)]


class Computation(models.Model):
    """One run of the computation: on what history, when, and how much it found (the latest one is in use)."""

    computed_at = models.DateTimeField(auto_now_add=True)
    as_of = models.DateField()  # trained on the orders submitted before this day
    orders = models.PositiveIntegerField(default=0)
    pairs = models.PositiveIntegerField(default=0)
    popular = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"computation of {self.computed_at:%Y-%m-%d %H:%M}"


class PairScore(models.Model):
    """Of the orders holding `sku`, how many also hold `other` (co-purchase within the brand's dealers): only pairs
    with at least MIN_SUPPORT such orders and a lift above 1 are kept, best confidence first per SKU."""

    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+", db_index=False)
    other = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    together = models.PositiveIntegerField()  # orders holding both
    with_sku = models.PositiveIntegerField()  # orders holding `sku`
    confidence = models.FloatField()  # together / with_sku
    lift = models.FloatField()  # confidence / share of all orders holding `other`

    class Meta:
        indexes = [models.Index(fields=["sku", "-confidence"], name="recommend_pair_sku")]
        constraints = [models.UniqueConstraint(fields=["sku", "other"], name="one_pair_score")]

    def __str__(self) -> str:
        return f"{self.sku_id} -> {self.other_id}: {self.confidence:.2f}"


class Popularity(models.Model):
    """How many dealers of a region x tier (NULL: any) ordered a SKU in the recent weeks, and in how many orders.
    region NULL and tier NULL together is the brand-wide popularity."""

    region = models.ForeignKey("dealers.Node", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                               db_index=False)
    tier = models.ForeignKey("dealers.Tier", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                             db_index=False)
    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    dealers = models.PositiveIntegerField()  # dealers of the group that ordered it
    group_dealers = models.PositiveIntegerField()  # dealers of the group that ordered anything
    orders = models.PositiveIntegerField()
    weeks = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["region", "tier", "-dealers"], name="recommend_popular_group")]

    def __str__(self) -> str:
        return f"{self.region_id}/{self.tier_id}: {self.sku_id} by {self.dealers}"
