"""The receivables API's shapes (selectors_receivables computes them; nothing here checks rules)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from tenant_apps.finance.api.serializers import ID_MAX
from tenant_apps.finance.models import AMOUNT, TOTAL
from tenant_apps.finance.selectors_receivables import BUCKETS


def _money(**extra) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=TOTAL["max_digits"], decimal_places=TOTAL["decimal_places"],
                                    read_only=True, **extra)


class ItemSerializer(serializers.Serializer):
    dealer = serializers.IntegerField(source="dealer_id", read_only=True)
    reference = serializers.CharField(read_only=True, help_text=gettext_lazy("the order number"))
    shipped_on = serializers.DateField(read_only=True, allow_null=True,
                                       help_text=gettext_lazy("null: not shipped yet (owed, not yet due)"))
    due_on = serializers.DateField(read_only=True, allow_null=True)
    amount = _money(source="gross", help_text=gettext_lazy("the order's credit part (less releases)"))
    paid = _money()
    open = _money(help_text=gettext_lazy("still owed after allocation"))
    bucket = serializers.CharField(read_only=True, help_text=" | ".join(BUCKETS))
    days_overdue = serializers.IntegerField(read_only=True)


class BucketsSerializer(serializers.Serializer):
    current = _money()
    d1_30 = _money()
    d31_60 = _money()
    d61_90 = _money()
    d90_plus = _money()
    overdue = _money()
    total = _money()
    due_soon = _money(help_text=gettext_lazy("due within the next 7 days"))


class DealerAgeingSerializer(serializers.Serializer):
    dealer = serializers.IntegerField(source="dealer.pk", read_only=True)
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    dealer_name = serializers.CharField(source="dealer.display_name", read_only=True)
    region = serializers.IntegerField(source="region_id", read_only=True, allow_null=True)
    oldest_due = serializers.DateField(read_only=True, allow_null=True)
    items = serializers.IntegerField(read_only=True)
    buckets = BucketsSerializer(read_only=True)


class RegionAgeingSerializer(serializers.Serializer):
    region = serializers.IntegerField(source="region.pk", read_only=True, allow_null=True,
                                      help_text=gettext_lazy("null: dealers under no region"))
    region_name = serializers.CharField(source="region.name", read_only=True, allow_null=True, default=None)
    dealers = serializers.IntegerField(read_only=True)
    buckets = BucketsSerializer(read_only=True)


class AgeingSerializer(serializers.Serializer):
    as_of = serializers.DateField(source="today", read_only=True)
    currency = serializers.CharField(read_only=True)
    totals = BucketsSerializer(read_only=True)
    regions = RegionAgeingSerializer(many=True, read_only=True)
    dealers = DealerAgeingSerializer(many=True, read_only=True)


class BlockLiftRequest(serializers.Serializer):
    reason = serializers.CharField(max_length=255)
    until = serializers.DateField(required=False, allow_null=True, default=None,
                                  help_text=gettext_lazy("the last day of the lift; none: until ended"))


class BlockLiftEndRequest(serializers.Serializer):
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class LiftSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    reason = serializers.CharField(read_only=True)
    until = serializers.DateField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    created_by = serializers.IntegerField(source="created_by_id", read_only=True, allow_null=True)


class BlockSerializer(serializers.Serializer):
    dealer = serializers.IntegerField(read_only=True, max_value=ID_MAX)
    block_reason = serializers.CharField(read_only=True, allow_null=True,
                                         help_text=gettext_lazy("why orders are blocked; null: not blocked"))
    overdue_beyond_limit = serializers.DecimalField(max_digits=AMOUNT["max_digits"] + 4,
                                                    decimal_places=AMOUNT["decimal_places"], read_only=True)
    lift = LiftSerializer(read_only=True, allow_null=True)
