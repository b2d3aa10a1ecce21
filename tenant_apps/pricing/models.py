"""Models of pricing: price lists and their entries (with quantity breaks), resale floors (MAP), price
protection windows (价格保护) with their protected prices and the compensation owed, and the purchases that
compensation is computed on.

How a dealer's price is chosen (the engine in `tenant_apps.pricing.engine` applies exactly this):

1. Levels, highest first: protection > contract > dealer > region > tier > base. A price protection window
   that covers the dealer and the SKU, with a protected price for it, wins over every list.
2. Only lists that are active, valid on the day (valid_from <= day <= valid_to, both inclusive, in the
   brand's time zone), in the dealer's currency and that match the dealer count: the dealer's own lists
   (dealer, contract), region lists whose territory contains one of the dealer's territories, tier lists of
   the dealer's tier, base lists.
3. Within a level, the most specific list first (for regions the deepest territory), then the latest
   valid_from, then the list code. The first list that has a price for the SKU sets it; a SKU a contract
   list does not mention falls through to the next list and level.
4. In a list, the entry in the ordered unit wins; without one, the base-unit price times the unit's
   factor (a case of 24 costs 24 pieces). Quantity breaks: the entry with the largest minimum quantity not
   above the ordered quantity (in base units when the base-unit price is used).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenant_apps.core.money import currency_check


class PriceLevel(models.TextChoices):
    """The precedence levels, highest first (the order of this enumeration is the precedence)."""

    PROTECTION = "protection", _("Price protection")
    CONTRACT = "contract", _("Contract")
    DEALER = "dealer", _("Dealer")
    REGION = "region", _("Region")
    TIER = "tier", _("Tier")
    BASE = "base", _("Base")


PRECEDENCE = [level.value for level in PriceLevel]


class PriceListKind(models.TextChoices):
    BASE = "base", _("Base price list")
    TIER = "tier", _("Tier price list")
    REGION = "region", _("Region price list")
    DEALER = "dealer", _("Dealer price list")
    CONTRACT = "contract", _("Contract price list")


class PriceListStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")


class PriceList(models.Model):
    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=PriceListKind.choices)
    tier = models.ForeignKey("dealers.Tier", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("tier"))
    territory = models.ForeignKey("dealers.Territory", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("region"))
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("dealer"))
    contract_number = models.CharField(_("contract number"), max_length=64, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=PriceListStatus.choices,
                              default=PriceListStatus.INACTIVE)
    # Whose row this is (S2B2B): NULL is headquarters; else the supplier node (tenant_apps.dealers.Supplier).
    owner = models.ForeignKey("dealers.Node", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("owner"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "code"]
        indexes = [models.Index(fields=["status", "kind"]), models.Index(fields=["dealer", "status"]),
                   models.Index(fields=["tier", "status"])]
        constraints = [
            currency_check("price_list_currency_code"),
            models.CheckConstraint(name="price_list_target_fits_kind", condition=(
                Q(kind="base", tier__isnull=True, territory__isnull=True, dealer__isnull=True)
                | Q(kind="tier", tier__isnull=False, territory__isnull=True, dealer__isnull=True)
                | Q(kind="region", tier__isnull=True, territory__isnull=False, dealer__isnull=True)
                | Q(kind__in=["dealer", "contract"], tier__isnull=True, territory__isnull=True,
                    dealer__isnull=False)
            )),
            models.CheckConstraint(name="price_list_contract_number", condition=~Q(kind="contract")
                                   | ~Q(contract_number="")),
            models.CheckConstraint(name="price_list_valid_range", condition=Q(valid_to__isnull=True)
                                   | Q(valid_to__gte=models.F("valid_from"))),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PriceEntry(models.Model):
    """The price of one unit of a SKU in a list, from `min_quantity` ordered units on (quantity breaks)."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="entries")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("catalog.Unit", on_delete=models.PROTECT, related_name="+")
    min_quantity = models.PositiveIntegerField(_("from quantity"), default=1)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=4)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["price_list", "sku", "unit", "min_quantity"]
        indexes = [models.Index(fields=["sku", "price_list"], name="pricing_entry_sku_list")]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "sku", "unit", "min_quantity"], name="one_price_per_break"),
            models.CheckConstraint(condition=Q(price__gte=0), name="price_not_negative"),
            models.CheckConstraint(condition=Q(min_quantity__gte=1), name="min_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.price_list_id}/{self.sku_id}/{self.unit_id} {self.min_quantity}+ {self.price}"


class ResalePrice(models.Model):
    """The minimum advertised / resale price of a SKU's base unit from a day on (for 乱价 checks)."""

    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    price = models.DecimalField(_("minimum resale price"), max_digits=14, decimal_places=4)
    currency = models.CharField(_("currency"), max_length=3)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sku", "-valid_from"]
        constraints = [
            currency_check("resale_price_currency_code"),
            models.UniqueConstraint(fields=["sku", "currency", "valid_from"], name="one_resale_price_per_day"),
            models.CheckConstraint(condition=Q(price__gte=0), name="resale_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.sku_id} >= {self.price} from {self.valid_from}"


class FloorSource(models.TextChoices):
    PRICE_LIST = "price_list", _("Price list")
    PROMOTION = "promotion", _("Promotion")


class FloorViolation(models.Model):
    """A supplier's refused attempt to resell a SKU below its minimum resale price (乱价), kept for headquarters:
    the write was refused and rolled back, this row is written after (`pricing.floors.records_floor_violations`).
    `attempted_price` and `floor` are per `unit` (the floor is per base unit times the unit's factor)."""

    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    supplier = models.ForeignKey("dealers.Node", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("supplier"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("who"))
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+", verbose_name=_("SKU"))
    unit = models.ForeignKey("catalog.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    attempted_price = models.DecimalField(_("attempted price"), max_digits=14, decimal_places=4)
    floor = models.DecimalField(_("minimum resale price"), max_digits=14, decimal_places=4)
    currency = models.CharField(_("currency"), max_length=3)
    source = models.CharField(_("source"), max_length=16, choices=FloorSource.choices)
    # the price list's or the promotion's id (None: a promotion refused at creation, which never existed)
    source_id = models.BigIntegerField(_("source id"), null=True, blank=True)
    source_ref = models.CharField(_("reference"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="floor_violation_recent"),
                   models.Index(fields=["supplier", "-created_at"], name="floor_violation_supplier")]

    def __str__(self) -> str:
        return f"{self.supplier_id} {self.sku_id} {self.attempted_price} < {self.floor}"


class ProtectionWindow(models.Model):
    """A price protection period (价格保护) for one dealer or all dealers, for some SKUs or all.

    Protected prices hold for the covered dealers during the window whatever the lists say; when the brand
    lowers a price during the window, what the dealers bought in it is compensated (ProtectionCompensation)."""

    name = models.CharField(_("name"), max_length=200)
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("dealer"), help_text=_("Empty: all dealers."))
    skus = models.ManyToManyField("catalog.Sku", blank=True, related_name="+", verbose_name=_("SKUs"),
                                  help_text=_("Empty: all SKUs."))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    currency = models.CharField(_("currency"), max_length=3)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "pk"]
        indexes = [models.Index(fields=["starts_on", "ends_on"])]
        constraints = [currency_check("protection_window_currency_code"),
                       models.CheckConstraint(name="protection_window_range", condition=Q(ends_on__gte=models.F(
            "starts_on")))]

    def __str__(self) -> str:
        return self.name


class ProtectedPrice(models.Model):
    window = models.ForeignKey(ProtectionWindow, on_delete=models.CASCADE, related_name="prices")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("catalog.Unit", on_delete=models.PROTECT, related_name="+")
    price = models.DecimalField(_("protected price"), max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["window", "sku", "unit"]
        indexes = [models.Index(fields=["sku", "window"], name="pricing_protected_sku")]
        constraints = [
            models.UniqueConstraint(fields=["window", "sku", "unit"], name="one_protected_price"),
            models.CheckConstraint(condition=Q(price__gte=0), name="protected_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.window_id}/{self.sku_id} {self.price}"


class PurchaseRecord(models.Model):
    """What a dealer bought at what price (written by ordering at submission); price protection reads it."""

    # A fact copied from an order line as it was submitted (every order writes one per line): its dealer, SKU and
    # unit are the line's, which are checked there; only (sku, bought_at), what price protection reads by, is indexed.
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="+", db_constraint=False,
                               db_index=False)
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+", db_constraint=False,
                            db_index=False)
    unit = models.ForeignKey("catalog.Unit", on_delete=models.PROTECT, related_name="+", db_constraint=False,
                             db_index=False)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4)
    currency = models.CharField(_("currency"), max_length=3)
    bought_at = models.DateTimeField(_("bought at"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)

    class Meta:
        ordering = ["-bought_at", "pk"]
        indexes = [models.Index(fields=["sku", "bought_at"], name="pricing_purchase_sku_when")]
        constraints = [currency_check("purchase_currency_code")]

    def __str__(self) -> str:
        return f"{self.reference or self.pk}: {self.quantity} x {self.sku_id} @ {self.unit_price}"


class CompensationStatus(models.TextChoices):
    OWED = "owed", _("Owed")
    BOOKED = "booked", _("Booked")


class ProtectionCompensation(models.Model):
    """What the brand owes a dealer because it lowered a price that a protection window covers:
    (price paid - new price) x quantity of a purchase in the window. Booked later by finance."""

    window = models.ForeignKey(ProtectionWindow, on_delete=models.PROTECT, related_name="compensations")
    purchase = models.ForeignKey(PurchaseRecord, on_delete=models.PROTECT, related_name="compensations")
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("catalog.Unit", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    price_before = models.DecimalField(_("price before"), max_digits=14, decimal_places=4)
    price_after = models.DecimalField(_("new price"), max_digits=14, decimal_places=4)
    amount = models.DecimalField(_("amount owed"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=16, choices=CompensationStatus.choices,
                              default=CompensationStatus.OWED)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        indexes = [models.Index(fields=["status", "dealer"])]
        constraints = [currency_check("compensation_currency_code"),
                       models.CheckConstraint(condition=Q(amount__gt=0), name="compensation_positive")]

    def __str__(self) -> str:
        return f"{self.dealer_id} {self.amount}"
