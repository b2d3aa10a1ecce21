"""Warehouses, stock per SKU and warehouse, and the movement ledger that stock is the sum of."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Warehouse(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    territories = models.ManyToManyField("dealers.Territory", blank=True, related_name="+",
                                         verbose_name=_("regions served"))
    is_active = models.BooleanField(_("active"), default=True)
    # Whose row this is (S2B2B): NULL is headquarters; else the supplier node (tenant_apps.dealers.Supplier).
    owner = models.ForeignKey("dealers.Node", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("owner"))

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Stock(models.Model):
    """On hand and reserved of one SKU in one warehouse. Changed only by inventory.services, always
    together with a ledger row, so that on_hand == sum(ledger.on_hand_delta) and reserved likewise."""

    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="stock")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock")
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)
    low_threshold = models.PositiveIntegerField(_("low-stock threshold"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sku", "warehouse"], name="one_stock_row_per_sku_warehouse"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="reserved_not_negative"),
            models.CheckConstraint(condition=Q(on_hand__gte=F("reserved")), name="never_reserve_more_than_on_hand"),
        ]

    def __str__(self) -> str:
        return f"{self.sku_id}@{self.warehouse_id}: {self.on_hand}/{self.reserved}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    RESERVATION = "reservation", _("Reservation")
    RELEASE = "release", _("Release")
    SHIPMENT = "shipment", _("Shipment")
    ADJUSTMENT = "adjustment", _("Adjustment")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    RETURN = "return", _("Return")


class StockMovement(models.Model):
    """Append-only ledger: every change of on-hand or reserved, with who, why and a reference."""

    # Its own index would duplicate (stock, created_at)'s first column. No constraint either: every order writes ~20
    # of these rows, each from the stock row the same statement has just locked and changed (the inventory services
    # are the ledger's one writer), and a stock row is never deleted (PROTECT).
    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="movements", db_index=False,
                              db_constraint=False)
    kind = models.CharField(_("kind"), max_length=16, choices=MovementKind.choices)
    on_hand_delta = models.IntegerField(default=0)
    reserved_delta = models.IntegerField(default=0)
    reference = models.CharField(_("reference"), max_length=100, blank=True)  # indexed below (no LIKE twin)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    # Who, as the audit log keeps it: an id with the label beside it, not a constraint that every order's ~20 ledger
    # rows must check (a user is deactivated, never deleted; the label stays either way).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True,
                              related_name="+", db_constraint=False, db_index=False)
    actor_label = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["stock", "created_at"]), models.Index(fields=["kind", "created_at"]),
                   models.Index(fields=["reference"], name="inventory_movement_reference")]

    def __str__(self) -> str:
        return f"{self.kind} {self.on_hand_delta:+}/{self.reserved_delta:+}"


class StockSync(models.Model):
    """An external system's stock push, processed once per sync id (idempotency)."""

    sync_id = models.CharField(max_length=100, unique=True)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    lines = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sync_id


class LowStockAlert(models.Model):
    stock = models.ForeignKey(Stock, on_delete=models.CASCADE, related_name="alerts")
    available = models.IntegerField()
    threshold = models.PositiveIntegerField()
    raised_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [models.UniqueConstraint(fields=["stock"], condition=Q(resolved_at__isnull=True),
                                               name="one_open_alert_per_stock")]

    def __str__(self) -> str:
        return f"low stock {self.stock_id}: {self.available} < {self.threshold}"


class InventorySettings(models.Model):
    class StockVisibility(models.TextChoices):
        EXACT = "exact", _("Exact quantity")
        LEVEL = "level", _("In stock / low / out")
        HIDDEN = "hidden", _("Hidden")

    dealer_stock_visibility = models.CharField(_("stock shown to dealers"), max_length=8,
                                               choices=StockVisibility.choices, default=StockVisibility.LEVEL)

    def __str__(self) -> str:
        return "inventory settings"


class SafetyStock(models.Model):
    """What a supplier (S2B2B) wants to keep of a SKU over its open orders, in base units across its own
    warehouses: the demand roll-up (ordering.demand) adds it to what its sub-dealers still wait for when it
    suggests what to buy from headquarters. One row per supplier node and SKU; none is zero."""

    owner = models.ForeignKey("dealers.Node", on_delete=models.CASCADE, related_name="+", verbose_name=_("owner"),
                              db_index=False)  # (owner, sku) serves it
    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("safety stock"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "sku"], name="one_safety_stock_per_owner_sku")]

    def __str__(self) -> str:
        return f"safety stock of {self.sku_id} for {self.owner_id}: {self.quantity}"
