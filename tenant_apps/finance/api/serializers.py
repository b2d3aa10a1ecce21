"""The finance API's shapes: what goes out (reads only so far)."""

from __future__ import annotations

from rest_framework import serializers

from tenant_apps.finance.models import DealerAccount, EntryKind, LedgerEntry


class AccountSerializer(serializers.ModelSerializer):
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    dealer_name = serializers.CharField(source="dealer.legal_name", read_only=True)

    class Meta:
        model = DealerAccount
        fields = ["id", "dealer", "dealer_code", "dealer_name", "currency", "balance", "credit_used", "updated_at"]
        read_only_fields = fields


class LedgerEntrySerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text=" | ".join(EntryKind.values), read_only=True)

    class Meta:
        model = LedgerEntry
        fields = ["id", "kind", "amount", "balance_delta", "credit_delta", "balance_after", "credit_used_after",
                  "currency", "reference", "reason", "actor_label", "created_at"]
        read_only_fields = fields
