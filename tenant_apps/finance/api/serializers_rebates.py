"""The rebate API's shapes (rules, runs with their lines) and the tax details / invoice requests'."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tenant_apps.dealers.models import Territory, Tier
from tenant_apps.dealers.selectors import dealers_visible_to
from tenant_apps.finance.api.serializers import ID_MAX, _amount
from tenant_apps.finance.models import RebateLine, RebateMode, RebatePeriod, RebateRule, RebateRun, RebateRunStatus


@extend_schema_field(OpenApiTypes.INT)
class ScopedDealers(serializers.PrimaryKeyRelatedField):
    """Dealer ids, looked up in the requesting user's data scope (outside it: "does not exist")."""

    def get_queryset(self):
        return dealers_visible_to(self.context["request"].user)


class Tier_(serializers.Serializer):  # noqa: N801 - "Tier" is the dealer tier model
    threshold = _amount(min_value=0, help_text=gettext_lazy("basis at or above which the rate applies"))
    rate = serializers.DecimalField(max_digits=6, decimal_places=3, min_value=0, max_value=100,
                                    help_text=gettext_lazy("percent"))

    class Meta:
        ref_name = "RebateTier"


class RebateRuleIn(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    period = serializers.ChoiceField(choices=RebatePeriod.choices)
    mode = serializers.ChoiceField(choices=RebateMode.choices,
                                   help_text=gettext_lazy("whole: the rate of the highest tier reached on the "
                                                          "whole basis; excess: each tier's rate on the part "
                                                          "above its threshold"))
    tiers = Tier_(many=True)
    active_from = serializers.DateField()
    active_to = serializers.DateField(required=False, allow_null=True, default=None)
    dealer_tiers = serializers.PrimaryKeyRelatedField(queryset=Tier.objects.all(), many=True, required=False,
                                                      default=list)
    territories = serializers.PrimaryKeyRelatedField(queryset=Territory.objects.all(), many=True, required=False,
                                                     default=list)
    dealers = ScopedDealers(many=True, required=False, default=list)

    def validate_tiers(self, tiers):
        return [{"threshold": str(tier["threshold"]), "rate": str(tier["rate"])} for tier in tiers]


class RebateRuleSerializer(serializers.ModelSerializer):
    period = serializers.CharField(help_text=" | ".join(RebatePeriod.values), read_only=True)
    mode = serializers.CharField(help_text=" | ".join(RebateMode.values), read_only=True)
    tiers = Tier_(many=True, read_only=True)
    run_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = RebateRule
        fields = ["id", "name", "period", "mode", "tiers", "currency", "active_from", "active_to", "dealer_tiers",
                  "territories", "dealers", "run_count", "created_at", "updated_at"]
        read_only_fields = fields


class RebateLineSerializer(serializers.ModelSerializer):
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    dealer_name = serializers.CharField(source="dealer.legal_name", read_only=True)

    class Meta:
        model = RebateLine
        fields = ["id", "dealer", "dealer_code", "dealer_name", "basis", "rate", "amount", "excluded",
                  "exclude_reason", "entry"]
        read_only_fields = fields


class RebateRunSerializer(serializers.ModelSerializer):
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    status = serializers.CharField(help_text=" | ".join(RebateRunStatus.values), read_only=True)
    mode = serializers.CharField(help_text=" | ".join(RebateMode.values), read_only=True)
    tiers = Tier_(many=True, read_only=True)
    line_count = serializers.IntegerField(read_only=True, default=0)
    total = _amount(read_only=True, help_text=gettext_lazy("the lines not excluded"))

    class Meta:
        model = RebateRun
        fields = ["id", "rule", "rule_name", "period_start", "period_end", "currency", "mode", "tiers", "status",
                  "line_count", "total", "computed_at", "approved_by", "approved_at"]
        read_only_fields = fields


class RebateRunDetailSerializer(RebateRunSerializer):
    lines = RebateLineSerializer(source="scoped_lines", many=True, read_only=True)

    class Meta(RebateRunSerializer.Meta):
        fields = [*RebateRunSerializer.Meta.fields, "lines"]
        read_only_fields = fields


class RebateRunIn(serializers.Serializer):
    rule = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    period_start = serializers.DateField(help_text=gettext_lazy("any day of a closed period"))


class RebateLineExcludeIn(serializers.Serializer):
    excluded = serializers.BooleanField(default=True)
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
