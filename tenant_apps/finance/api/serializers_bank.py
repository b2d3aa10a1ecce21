"""The bank API's shapes: remittances (a dealer's transfer records), statement imports and their lines, matches,
mappings. States are plain strings (their values in the help text), so the schema has no enum collisions."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from tenant_apps.core.uploads import IMAGE_MAX_BYTES, UploadSerializerField
from tenant_apps.finance.api.serializers import ID_MAX, _amount
from tenant_apps.finance.models import (
    BankMapping,
    BankMatch,
    BankStatementLine,
    Confidence,
    LineStatus,
    MatchHow,
    Remittance,
    RemittanceStatus,
    StatementImport,
)


def _state(choices, **extra) -> serializers.CharField:
    return serializers.CharField(read_only=True, help_text=" | ".join(v for v in choices.values if v), **extra)


class RemittanceSerializer(serializers.ModelSerializer):
    status = _state(RemittanceStatus)
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    slip_url = serializers.SerializerMethodField()

    class Meta:
        model = Remittance
        fields = ["id", "dealer", "dealer_code", "amount", "currency", "paid_on", "payer_name", "payer_bank",
                  "remark", "status", "reason", "slip_url", "created_at"]
        read_only_fields = fields

    def get_slip_url(self, remittance) -> str:
        """The slip's address (only its dealer and brand finance may open it), or "" without one."""
        return reverse("finance:transfer-slip", args=[remittance.pk]) if remittance.slip else ""


class RemittanceRequest(serializers.Serializer):
    amount = _amount(help_text=gettext_lazy("above zero"))
    paid_on = serializers.DateField()
    payer_name = serializers.CharField(max_length=200)
    payer_bank = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    remark = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    slip = UploadSerializerField(kind="image", max_bytes=IMAGE_MAX_BYTES, required=False, allow_null=True,
                                 help_text=gettext_lazy("a photo of the transfer slip: PNG, JPEG or WebP"))


class ReasonRequest(serializers.Serializer):
    reason = serializers.CharField(max_length=255)


class NoteRequest(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class BankStatementSerializer(serializers.ModelSerializer):
    mapping = serializers.CharField(source="mapping.code", read_only=True)

    class Meta:
        model = StatementImport
        fields = ["id", "mapping", "filename", "rows", "lines_created", "duplicates", "debits", "created_at"]
        read_only_fields = fields


class StatementRequest(serializers.Serializer):
    file = serializers.FileField(help_text=gettext_lazy("the bank's export: .csv or .xlsx"))
    mapping = serializers.CharField(max_length=32, help_text=gettext_lazy("a mapping's code, e.g. icbc"))


class MatchSerializer(serializers.ModelSerializer):
    how = _state(MatchHow)
    confidence = _state(Confidence)
    active = serializers.BooleanField(read_only=True)

    class Meta:
        model = BankMatch
        fields = ["id", "line", "dealer", "remittance", "amount", "currency", "reference", "confidence", "how",
                  "entry", "reversal", "active", "created_at", "reversed_at", "reversed_reason"]
        read_only_fields = fields


class LineSerializer(serializers.ModelSerializer):
    status = _state(LineStatus)
    confidence = _state(Confidence)
    match = serializers.SerializerMethodField()

    class Meta:
        model = BankStatementLine
        fields = ["id", "statement", "row", "booked_on", "amount", "currency", "payer_name", "payer_account",
                  "remark", "serial", "status", "note", "confidence", "rule", "suggested_dealer",
                  "suggested_reference", "suggested_remittance", "match"]
        read_only_fields = fields

    def get_match(self, line) -> int | None:
        """The active match's id."""
        active = getattr(line, "active_matches", None)
        return active[0].pk if active else None


class ManualMatchRequest(serializers.Serializer):
    dealer = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100,
                                      help_text=gettext_lazy("an order number the dealer was charged under"))
    remittance = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                          max_value=ID_MAX)


class MappingSerializer(serializers.ModelSerializer):
    encoding = serializers.CharField(read_only=True, help_text=" | ".join(BankMapping.Encoding.values))

    class Meta:
        model = BankMapping
        fields = ["id", "code", "name", "columns", "date_formats", "encoding", "header_row", "credit_marks",
                  "builtin"]
        read_only_fields = fields
