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
    code = serializers.CharField(help_text="rhythm | sell_out | supplier")
    figures = serializers.DictField(help_text="The figures behind the sentence (interval_days, typical_quantity, "
                                              "days_since, lead_days, season, promotion, promotion_ends, safety, ...)")


class ReplenishmentLineOutput(serializers.Serializer):
    sku = ReplenishmentSkuOutput()
    due_in_days = serializers.IntegerField(help_text="0: order now")
    quantity = serializers.IntegerField(help_text="Suggested, in base units (rounded to the minimum and step)")
    reason = ReplenishmentReasonOutput()
    sentence = serializers.CharField(help_text="The reason as one sentence in the request's language")


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
    lines = ReplenishmentCartLineInput(many=True, required=False, max_length=500,
                                       help_text="Omitted: every line due, at its suggested quantity")


class ReplenishmentAddedOutput(serializers.Serializer):
    lines = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


class ReplenishmentSafetyStockInput(serializers.Serializer):
    sku = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    quantity = serializers.IntegerField(min_value=0, max_value=2**31 - 1, help_text="Base units; 0 removes it")


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
    records = serializers.ListField(child=serializers.JSONField(), help_text=(
        "[{date: YYYY-MM-DD, sku: code, quantity: sold, on_hand?: stock at the end of the day}]"))


class ReplenishmentSellOutOutput(serializers.Serializer):
    rows = serializers.IntegerField()
