"""The replenishment API's bodies (component names prefixed Replenishment: unique across the project)."""

from __future__ import annotations

from rest_framework import serializers


class ReplenishmentSkuOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField(source="base_unit.name")
    unit_code = serializers.CharField(source="base_unit.code")


class ReplenishmentReasonOutput(serializers.Serializer):
    code = serializers.CharField()
    figures = serializers.DictField()


class ReplenishmentLineOutput(serializers.Serializer):
    sku = ReplenishmentSkuOutput()
    due_in_days = serializers.IntegerField()
    quantity = serializers.IntegerField()
    reason = ReplenishmentReasonOutput()
    sentence = serializers.CharField()


class ReplenishmentSuggestionsOutput(serializers.Serializer):
    dealer = serializers.IntegerField(source="dealer.pk")
    today = serializers.DateField()
    has_history = serializers.BooleanField()
    supplier = serializers.BooleanField()
    due = ReplenishmentLineOutput(many=True)
    later = ReplenishmentLineOutput(many=True)


class ReplenishmentCartLineInput(serializers.Serializer):
    sku = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    quantity = serializers.IntegerField(min_value=0, max_value=1_000_000)


class ReplenishmentToCartInput(serializers.Serializer):
    lines = ReplenishmentCartLineInput(many=True, required=False, max_length=500)


class ReplenishmentAddedOutput(serializers.Serializer):
    lines = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


class ReplenishmentSafetyStockInput(serializers.Serializer):
    sku = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    quantity = serializers.IntegerField(min_value=0, max_value=2**31 - 1)


class ReplenishmentSafetyStockOutput(serializers.Serializer):
    sku = serializers.IntegerField(source="sku_id")
    sku_code = serializers.CharField(source="sku.code")
    quantity = serializers.IntegerField()
    set_by = serializers.CharField()
    updated_at = serializers.DateTimeField()


class ReplenishmentSellOutRecordInput(serializers.Serializer):
    date = serializers.CharField()
    sku = serializers.CharField()
    quantity = serializers.IntegerField()
    on_hand = serializers.IntegerField(required=False, allow_null=True)


class ReplenishmentSellOutInput(serializers.Serializer):
    records = serializers.ListField(child=serializers.JSONField())


class ReplenishmentSellOutOutput(serializers.Serializer):
    rows = serializers.IntegerField()
