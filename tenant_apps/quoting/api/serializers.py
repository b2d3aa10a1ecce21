"""Input of the quote endpoint."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

MAX_QUOTE_LINES = 2000
MAX_QUANTITY = 10_000_000


class QuoteLineInput(serializers.Serializer):
    sku_id = serializers.IntegerField(required=False, min_value=1)
    sku_code = serializers.CharField(required=False, max_length=64)
    unit = serializers.CharField(max_length=16,
                                 help_text=gettext_lazy("Unit code (the base unit or a packaging unit)."))
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)

    def validate(self, attrs):
        if ("sku_id" in attrs) == ("sku_code" in attrs):
            raise serializers.ValidationError({"sku_id": [_("Give either sku_id or sku_code.")]})
        return attrs


class QuoteInput(serializers.Serializer):
    dealer_id = serializers.IntegerField(
        required=False, min_value=1,
        help_text=gettext_lazy("Brand staff: the dealer to quote for. Dealer staff: leave out."))
    lines = QuoteLineInput(many=True, allow_empty=False, max_length=MAX_QUOTE_LINES)
    coupon_codes = serializers.ListField(child=serializers.CharField(max_length=64), required=False,
                                         max_length=20, default=list)
