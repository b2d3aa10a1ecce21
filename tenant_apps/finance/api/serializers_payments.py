"""Shapes of the online payments API (finance.payments)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from tenant_apps.finance.api.serializers import _amount
from tenant_apps.finance.models import Payment, PaymentPurpose, PaymentRefund, PaymentState


class PaymentRefundSerializer(serializers.ModelSerializer):
    class Meta:
        model = PaymentRefund
        fields = ["id", "amount", "reason", "provider_refund_id", "entry", "created_at"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    state = serializers.CharField(help_text=" | ".join(PaymentState.values), read_only=True)
    purpose = serializers.CharField(help_text=" | ".join(PaymentPurpose.values), read_only=True)
    refunds = PaymentRefundSerializer(many=True, read_only=True)

    class Meta:
        model = Payment
        fields = ["id", "dealer", "dealer_code", "currency", "amount", "purpose", "reference", "provider",
                  "provider_ref", "state", "amount_refunded", "entry", "redirect_url", "failure", "created_at",
                  "paid_at", "refunds"]
        read_only_fields = fields


class PaymentStartRequest(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=PaymentPurpose.choices)
    provider = serializers.CharField(max_length=20)
    amount = _amount(help_text=gettext_lazy("above zero; an order payment at most what is still owed on it"))
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100,
                                      help_text=gettext_lazy("the order number an order payment pays"))
    currency = serializers.CharField(required=False, allow_blank=True, default="", max_length=3)
    method = serializers.CharField(required=False, allow_blank=True, default="", max_length=20,
                                   help_text=gettext_lazy("a provider's method (Stripe: card, alipay, wechat_pay)"))


class PaymentStarted(PaymentSerializer):
    qr_code = serializers.CharField(read_only=True)

    class Meta(PaymentSerializer.Meta):
        fields = [*PaymentSerializer.Meta.fields, "qr_code"]
        read_only_fields = fields


class RefundRequest(serializers.Serializer):
    amount = _amount(required=False, allow_null=True, default=None,
                     help_text=gettext_lazy("what to pay back; all that is left when omitted"))
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
