"""The receivables API's shapes (selectors_receivables computes them; nothing here checks rules)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from tenant_apps.finance.api.serializers import ID_MAX
from tenant_apps.finance.models import AMOUNT, TOTAL, DealerSettlement, FinanceSettings, TermsKind
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


# --- payment terms -------------------------------------------------------------------------------------------


class TermsRequest(serializers.Serializer):
    """The brand's default terms and reminder days; omitted fields keep their value."""

    terms_kind = serializers.ChoiceField(choices=TermsKind.choices, required=False)
    cutoff_day = serializers.IntegerField(required=False, min_value=1, max_value=31)
    due_day = serializers.IntegerField(required=False, min_value=1, max_value=28)
    remind_before_days = serializers.IntegerField(required=False, min_value=0, max_value=365)
    remind_after_days = serializers.IntegerField(required=False, min_value=0, max_value=365)


class TermsSerializer(serializers.ModelSerializer):
    class Meta:
        model = FinanceSettings
        fields = ["terms_kind", "terms_days", "cutoff_day", "due_day", "remind_before_days", "remind_after_days"]
        read_only_fields = fields


class DealerTermsRequest(serializers.Serializer):
    """The dealer's whole override of the terms kind and monthly days: blank/null falls back to the brand's."""

    terms_kind = serializers.ChoiceField(choices=TermsKind.choices, required=False, allow_blank=True, default="")
    cutoff_day = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=31)
    due_day = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=28)


class EffectiveTerms(serializers.Serializer):
    kind = serializers.CharField(help_text=" | ".join(TermsKind.values))
    days = serializers.IntegerField()
    cutoff_day = serializers.IntegerField()
    due_day = serializers.IntegerField()
    description = serializers.CharField(source="describe")


class DealerTermsSerializer(serializers.ModelSerializer):
    """The dealer's override (blank/null: the brand's default) and the terms in effect."""

    dealer = serializers.IntegerField(source="dealer_id", read_only=True)
    effective = EffectiveTerms(read_only=True)

    class Meta:
        model = DealerSettlement
        fields = ["dealer", "terms_kind", "cutoff_day", "due_day", "effective"]
        read_only_fields = fields
