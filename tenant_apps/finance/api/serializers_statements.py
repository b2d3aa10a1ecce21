"""The statement API's shapes. States and sections are plain strings listed in help_text (no enum components
that would collide in the schema)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from tenant_apps.finance.api.serializers import ID_MAX, _amount
from tenant_apps.finance.models import (
    DisputeStatus,
    Statement,
    StatementDispute,
    StatementLine,
    StatementSection,
    StatementStatus,
)


class StatementSerializer(serializers.ModelSerializer):
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    dealer_name = serializers.CharField(source="dealer.legal_name", read_only=True)
    status = serializers.CharField(help_text=" | ".join(StatementStatus.values), read_only=True)
    open_disputes = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Statement
        fields = ["id", "number", "dealer", "dealer_code", "dealer_name", "currency", "period", "starts_at",
                  "ends_at", "opening", "closing", "status", "issue_count", "issued_at", "confirmed_at",
                  "open_disputes"]
        read_only_fields = fields


class StatementLineSerializer(serializers.ModelSerializer):
    section = serializers.CharField(help_text=" | ".join(StatementSection.values), read_only=True)

    class Meta:
        model = StatementLine
        fields = ["id", "entry", "section", "kind", "occurred_at", "reference", "reason", "amount", "running"]
        read_only_fields = fields


class DisputeSerializer(serializers.ModelSerializer):
    status = serializers.CharField(help_text=" | ".join(DisputeStatus.values), read_only=True)

    class Meta:
        model = StatementDispute
        fields = ["id", "line", "comment", "raised_at", "status", "reply", "resolved_at", "adjustment"]
        read_only_fields = fields


class ExtraSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class StatementDetailSerializer(StatementSerializer):
    lines = StatementLineSerializer(many=True, read_only=True)
    disputes = DisputeSerializer(many=True, read_only=True)
    extra_sections = ExtraSectionSerializer(many=True, read_only=True,
                                            help_text=gettext_lazy("informational sections (shipments): no money"))

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "lines", "disputes", "extra_sections"]
        read_only_fields = fields


class DisputeRequest(serializers.Serializer):
    lines = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=ID_MAX), min_length=1,
                                  max_length=500)
    comment = serializers.CharField(max_length=1000)


class ResolveRequest(serializers.Serializer):
    dispute = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    reply = serializers.CharField(max_length=1000)
    adjustment_amount = _amount(required=False, allow_null=True, default=None,
                                help_text=gettext_lazy("signed, in the dealer's favour when positive; optional"))


class GenerateRequest(serializers.Serializer):
    period = serializers.RegexField(r"^\d{4}-\d{2}$", required=False, allow_blank=True, default="",
                                    help_text=gettext_lazy("YYYY-MM; the latest period that has ended when omitted"))


class GeneratedSerializer(serializers.Serializer):
    period = serializers.CharField()
    created = StatementSerializer(many=True)
    skipped = serializers.IntegerField()
    failed = serializers.ListField(child=serializers.CharField(),
                                   help_text=gettext_lazy("accounts whose ledger does not add up: not issued"))
