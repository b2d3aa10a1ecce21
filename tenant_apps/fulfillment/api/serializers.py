"""The API's serializers: the shapes of what comes in and what goes out (views.py stays thin)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from tenant_apps.core.dates import MomentField
from tenant_apps.fulfillment import services
from tenant_apps.fulfillment.models import (
    Carrier,
    ReturnReason,
    ReturnRequest,
    ReturnStatus,
    Shipment,
    ShipmentStatus,
    TrackingEvent,
    TrackingStatus,
)


def _status_field(choices, **kwargs):
    """A status as a plain string (values listed in the help): several apps have a "status" enum, and
    drf-spectacular would otherwise give them clashing component names."""
    return serializers.CharField(help_text=" | ".join(choices.values), **kwargs)


class TrackingEventSerializer(serializers.ModelSerializer):
    status = _status_field(TrackingStatus, read_only=True)

    class Meta:
        model = TrackingEvent
        fields = ["id", "status", "location", "description", "occurred_at", "source", "created_at"]


class ShipmentLineOut(serializers.Serializer):
    order_line = serializers.IntegerField(source="order_line_id")
    line_no = serializers.IntegerField(source="order_line.line_no")
    sku = serializers.IntegerField(source="order_line.sku_id")
    sku_code = serializers.CharField(source="order_line.sku.code")
    sku_name = serializers.CharField(source="order_line.sku.name")
    quantity = serializers.IntegerField()


class ShipmentSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    dealer = serializers.CharField(source="order.dealer.code", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    carrier = serializers.CharField(source="carrier.code", read_only=True, default="")
    tracking_url = serializers.CharField(read_only=True)
    lines = ShipmentLineOut(many=True, read_only=True)
    tracking_events = TrackingEventSerializer(many=True, read_only=True)
    status = _status_field(ShipmentStatus, read_only=True)

    class Meta:
        model = Shipment
        fields = ["id", "number", "order", "order_number", "dealer", "warehouse", "warehouse_code", "status",
                  "carrier", "tracking_number", "tracking_url", "created_at", "shipped_at", "delivered_at", "lines",
                  "tracking_events"]


class LineQuantity(serializers.Serializer):
    line = serializers.IntegerField(help_text=gettext_lazy("order line id"))
    quantity = serializers.IntegerField(min_value=0, help_text=gettext_lazy("base units"))


class ShipmentCreate(serializers.Serializer):
    order = serializers.IntegerField()
    warehouse = serializers.IntegerField()
    lines = LineQuantity(
        many=True, required=False, max_length=services.MAX_LINES,
        help_text=gettext_lazy("omit to ship everything reserved in this warehouse and not being picked"))


class ShipRequest(serializers.Serializer):
    carrier = serializers.CharField(required=False, allow_blank=True, default="",
                                    help_text=gettext_lazy("carrier code"))
    tracking_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)


class TrackingRequest(serializers.Serializer):
    status = _status_field(TrackingStatus, max_length=20)
    occurred_at = MomentField(required=False)
    location = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ReturnLineOut(serializers.Serializer):
    order_line = serializers.IntegerField(source="order_line_id")
    line_no = serializers.IntegerField(source="order_line.line_no")
    sku_code = serializers.CharField(source="order_line.sku.code")
    quantity = serializers.IntegerField()


class ReturnSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    dealer = serializers.CharField(source="order.dealer.code", read_only=True)
    warehouse = serializers.CharField(source="warehouse.code", read_only=True, default="")
    lines = ReturnLineOut(many=True, read_only=True)
    status = _status_field(ReturnStatus, read_only=True)

    class Meta:
        model = ReturnRequest
        fields = ["id", "number", "order", "order_number", "dealer", "reason_code", "reason_text", "status",
                  "decision_note", "decided_at", "warehouse", "received_at", "created_at", "lines"]


class ReturnCreate(serializers.Serializer):
    order = serializers.IntegerField()
    reason_code = serializers.ChoiceField(choices=ReturnReason.choices)
    reason_text = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    lines = LineQuantity(many=True, allow_empty=False, max_length=services.MAX_LINES)


class DecisionRequest(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ReceiveRequest(serializers.Serializer):
    warehouse = serializers.IntegerField(required=False,
                                         help_text=gettext_lazy("default: where the order first shipped from"))


class CarrierSerializer(serializers.ModelSerializer):
    webhook_secret = serializers.CharField(write_only=True, required=False, allow_blank=True, default="")
    has_webhook_secret = serializers.SerializerMethodField()

    class Meta:
        model = Carrier
        fields = ["id", "code", "name", "tracking_url_template", "is_active", "webhook_secret", "has_webhook_secret"]

    def get_has_webhook_secret(self, carrier) -> bool:
        return bool(carrier.webhook_secret)


class PickRowOut(serializers.Serializer):
    order_line = serializers.IntegerField(source="line.pk")
    line_no = serializers.IntegerField(source="line.line_no")
    sku_code = serializers.CharField(source="line.sku.code")
    sku_name = serializers.CharField(source="line.sku.name")
    reserved = serializers.IntegerField()
    in_picking = serializers.IntegerField()
    to_pick = serializers.IntegerField()


class PickingListOut(serializers.Serializer):
    warehouse = serializers.IntegerField(source="warehouse.pk")
    warehouse_code = serializers.CharField(source="warehouse.code")
    rows = PickRowOut(many=True)


class OrderStatusOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
