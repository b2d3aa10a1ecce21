"""The finance API's shapes: what comes in (checked here for type and size; the services check the rules) and
what goes out."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from tenant_apps.finance.models import (
    AMOUNT,
    Adjustment,
    AdjustmentStatus,
    DealerAccount,
    DealerSettlement,
    EntryKind,
    FinanceSettings,
    LedgerEntry,
    SettlementMode,
)

ID_MAX = 2**63 - 1


class AccountSerializer(serializers.ModelSerializer):
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    dealer_name = serializers.CharField(source="dealer.legal_name", read_only=True)

    class Meta:
        model = DealerAccount
        fields = ["id", "dealer", "dealer_code", "dealer_name", "currency", "balance", "credit_used", "rebate_balance",
                  "updated_at"]
        read_only_fields = fields


class LedgerEntrySerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text=" | ".join(EntryKind.values), read_only=True)

    class Meta:
        model = LedgerEntry
        fields = ["id", "kind", "amount", "balance_delta", "credit_delta", "rebate_delta", "balance_after",
                  "credit_used_after", "rebate_balance_after", "currency", "reference", "reason", "actor_label",
                  "created_at"]
        read_only_fields = fields


# --- in ------------------------------------------------------------------------------------------------------


def _amount(**extra) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=AMOUNT["max_digits"], decimal_places=AMOUNT["decimal_places"],
                                    **extra)


class TopUpRequest(serializers.Serializer):
    dealer = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    amount = _amount(help_text=gettext_lazy("above zero"))
    currency = serializers.CharField(required=False, allow_blank=True, default="", max_length=3,
                                     help_text=gettext_lazy("the brand's currency when omitted"))
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class AdjustmentRequest(serializers.Serializer):
    dealer = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    amount = _amount(help_text=gettext_lazy("signed: positive in the dealer's favour"))
    currency = serializers.CharField(required=False, allow_blank=True, default="", max_length=3)
    reason = serializers.CharField(max_length=255)


class SettingsRequest(serializers.Serializer):
    """Omitted fields keep their value."""

    settlement_mode = serializers.ChoiceField(choices=SettlementMode.choices, required=False)
    credit_limit = _amount(required=False, min_value=0)
    terms_days = serializers.IntegerField(required=False, min_value=0, max_value=365)
    overdue_block_days = serializers.IntegerField(required=False, min_value=0, max_value=365)
    adjustment_threshold = _amount(required=False, min_value=0)


class SettlementRequest(serializers.Serializer):
    """The dealer's whole override: a blank mode or a null limit/terms falls back to the brand's default."""

    mode = serializers.ChoiceField(choices=SettlementMode.choices, required=False, allow_blank=True, default="")
    credit_limit = _amount(required=False, allow_null=True, default=None, min_value=0)
    terms_days = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0,
                                          max_value=365)


# --- out -----------------------------------------------------------------------------------------------------


class AdjustmentSerializer(serializers.ModelSerializer):
    status = serializers.CharField(help_text=" | ".join(AdjustmentStatus.values), read_only=True)

    class Meta:
        model = Adjustment
        fields = ["id", "dealer", "currency", "amount", "reason", "status", "requested_by", "approved_by", "entry",
                  "created_at", "decided_at"]
        read_only_fields = fields


class SettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = FinanceSettings
        fields = ["settlement_mode", "credit_limit", "terms_days", "overdue_block_days", "adjustment_threshold"]
        read_only_fields = fields


class EffectiveSettlement(serializers.Serializer):
    mode = serializers.CharField()
    credit_limit = _amount()
    terms_days = serializers.IntegerField()
    currency = serializers.CharField()


class SettlementSerializer(serializers.ModelSerializer):
    """The dealer's override (blank/null: the brand's default) and the terms in effect."""

    dealer = serializers.IntegerField(source="dealer_id", read_only=True)
    effective = EffectiveSettlement(read_only=True)

    class Meta:
        model = DealerSettlement
        fields = ["dealer", "mode", "credit_limit", "terms_days", "effective"]
        read_only_fields = fields
