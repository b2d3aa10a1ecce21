"""Fulfilment: carriers, shipments (from one warehouse each) with their lines and tracking events, and
returns (RMA). Quantities are in the SKU's base unit, like stock. Rows change only through
tenant_apps.fulfillment.services."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenant_apps.core.fields import EncryptedTextField


class Carrier(models.Model):
    """A logistics company. Its webhook secret signs the tracking events it pushes (encrypted at rest)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    tracking_url_template = models.CharField(
        _("tracking page URL"), max_length=300, blank=True,
        help_text=_("With {number} where the tracking number goes, e.g. https://track.example.com/?no={number}"))
    webhook_secret = EncryptedTextField(_("webhook secret"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def tracking_url(self, number: str) -> str:
        if not self.tracking_url_template or not number:
            return ""
        return self.tracking_url_template.replace("{number}", number)


class ShipmentStatus(models.TextChoices):
    PICKING = "picking", _("Picking")
    SHIPPED = "shipped", _("Shipped")
    IN_TRANSIT = "in_transit", _("In transit")
    DELIVERED = "delivered", _("Delivered")


class Shipment(models.Model):
    """Goods of one order leaving one warehouse together. Created in "picking" (the quantities are set
    aside from the order's reservations there), then shipped (stock leaves), tracked, delivered."""

    order = models.ForeignKey("ordering.Order", on_delete=models.PROTECT, related_name="shipments")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("shipment number"), max_length=40, unique=True)
    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, null=True, blank=True, related_name="shipments")
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ShipmentStatus.choices,
                              default=ShipmentStatus.PICKING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # A drop-ship (S2B2B pass-up): headquarters' shipment of the supplier's pass-up order (`order`) sent straight to
    # the sub-dealer; it counts for the sub-dealer's order too (its lines' shipped quantities, its state, its page).
    drop_ship_for = models.ForeignKey("ordering.Order", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="drop_shipments", db_index=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"]), models.Index(fields=["carrier", "tracking_number"]),
                   models.Index(fields=["drop_ship_for"], condition=Q(drop_ship_for__isnull=False),
                                name="shipment_drop_ship_for")]

    def __str__(self) -> str:
        return self.number

    @property
    def tracking_url(self) -> str:
        return self.carrier.tracking_url(self.tracking_number) if self.carrier_id else ""

    @property
    def last_event(self):
        """The latest tracking event (uses the prefetched events of shipment_list; no query then)."""
        events = list(self.tracking_events.all())
        return events[-1] if events else None


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("ordering.OrderLine", on_delete=models.PROTECT, related_name="shipment_lines")
    quantity = models.PositiveIntegerField(_("quantity (base units)"))

    class Meta:
        ordering = ["order_line__line_no", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "order_line"], name="one_shipment_line_per_order_line"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="shipment_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.order_line_id}"


class TrackingStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    EXCEPTION = "exception", _("Exception")
    INFO = "info", _("Information")


class TrackingEvent(models.Model):
    class Source(models.TextChoices):
        WEBHOOK = "webhook", _("Carrier webhook")
        MANUAL = "manual", _("Entered by hand")

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="tracking_events")
    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The carrier's own id of the event: a repeated push of the same id is recognised and ignored.
    carrier_event_id = models.CharField(max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=TrackingStatus.choices)
    location = models.CharField(_("location"), max_length=200, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    occurred_at = models.DateTimeField(_("when"))
    source = models.CharField(max_length=10, choices=Source.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [models.UniqueConstraint(fields=["carrier", "carrier_event_id"],
                                               condition=~Q(carrier_event_id=""), name="one_event_per_carrier_id")]

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.status} {self.occurred_at:%Y-%m-%d %H:%M}"


class ReturnReason(models.TextChoices):
    DAMAGED = "damaged", _("Damaged in transit")
    DEFECTIVE = "defective", _("Defective or quality problem")
    WRONG_ITEM = "wrong_item", _("Wrong item or quantity delivered")
    EXPIRED = "expired", _("Expired or near expiry")
    SURPLUS = "surplus", _("Surplus stock")
    OTHER = "other", _("Other")


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RECEIVED = "received", _("Received")


class ReturnRequest(models.Model):
    """An RMA: the dealer asks to send shipped goods back; the brand approves or rejects with a reason;
    the warehouse receives them (stock back in through the ledger)."""

    order = models.ForeignKey("ordering.Order", on_delete=models.PROTECT, related_name="returns")
    number = models.CharField(_("RMA number"), max_length=40, unique=True)
    reason_code = models.CharField(_("reason"), max_length=16, choices=ReturnReason.choices)
    reason_text = models.TextField(_("details"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ReturnStatus.choices,
                              default=ReturnStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    received_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return self.number


class ReturnLine(models.Model):
    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("ordering.OrderLine", on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.PositiveIntegerField(_("quantity (base units)"))

    class Meta:
        ordering = ["order_line__line_no", "id"]
        constraints = [
            models.UniqueConstraint(fields=["return_request", "order_line"], name="one_return_line_per_order_line"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="return_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.order_line_id}"
