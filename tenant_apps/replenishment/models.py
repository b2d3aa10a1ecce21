"""What a dealer's replenishment suggestions are computed from besides its orders: the safety stock it (or the
brand for it) wants to keep of a SKU, and its sell-out (POS / sales records) when it sends them.

Suggestions themselves are not stored: they are computed on request (tenant_apps/replenishment/selectors.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SetBy(models.TextChoices):
    BRAND = "brand", _("Brand")
    DEALER = "dealer", _("Dealer")


class DealerSafetyStock(models.Model):
    """The stock of a SKU a dealer wants to keep on top of what it sells, in base units: added to each suggestion.
    Set by the brand (console) or by the dealer (storefront); who set it last is kept."""

    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.CASCADE, related_name="+")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("safety stock"))
    set_by = models.CharField(_("set by"), max_length=8, choices=SetBy.choices)
    set_by_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dealer", "sku"], name="one_safety_stock_per_dealer_sku")]

    def __str__(self) -> str:
        return f"{self.dealer_id}:{self.sku_id}={self.quantity}"


class SellOutSource(models.TextChoices):
    UPLOAD = "upload", _("File upload")
    API = "api", _("API")


class SellOutRecord(models.Model):
    """What a dealer sold of a SKU on a day (its POS or sales records), and optionally its stock on hand at the end
    of that day. One row per dealer, SKU and day: sending a day again replaces it."""

    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.CASCADE, related_name="+")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    quantity = models.PositiveIntegerField(_("quantity sold"))
    on_hand = models.PositiveIntegerField(_("stock on hand"), null=True, blank=True)
    source = models.CharField(max_length=8, choices=SellOutSource.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dealer", "sku", "date"], name="one_sell_out_per_day")]
        indexes = [models.Index(fields=["dealer", "date"], name="sell_out_dealer_date")]

    def __str__(self) -> str:
        return f"{self.dealer_id}:{self.sku_id}@{self.date}"
