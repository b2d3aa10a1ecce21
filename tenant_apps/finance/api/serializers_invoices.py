"""The invoice API's shapes: a dealer's tax details and its invoice requests."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from tenant_apps.finance.api.serializers import ID_MAX, _amount
from tenant_apps.finance.models import DealerTaxProfile, InvoiceKind, InvoiceRequest, InvoiceStatus, InvoiceSubject


class TaxProfileIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=InvoiceKind.choices)
    title = serializers.CharField(max_length=100)
    tax_id = serializers.CharField(max_length=64, help_text=gettext_lazy("18-character unified social credit code"))
    bank_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    bank_account = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254)


class TaxProfileSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text=" | ".join(InvoiceKind.values), read_only=True)

    class Meta:
        model = DealerTaxProfile
        fields = ["dealer", "kind", "title", "tax_id", "bank_name", "bank_account", "address", "phone", "email",
                  "updated_at"]
        read_only_fields = fields


class DealerInvoiceIn(serializers.Serializer):
    dealer = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    subject = serializers.ChoiceField(choices=InvoiceSubject.choices)
    reference = serializers.CharField(max_length=40, help_text=gettext_lazy("the order number, or the statement's "
                                                                            "(ST-202611-001)"))
    amount = _amount(help_text=gettext_lazy("above zero, tax included"))


class DealerInvoiceSerializer(serializers.ModelSerializer):
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    subject = serializers.CharField(help_text=" | ".join(InvoiceSubject.values), read_only=True)
    kind = serializers.CharField(help_text=" | ".join(InvoiceKind.values), read_only=True)
    status = serializers.CharField(help_text=" | ".join(InvoiceStatus.values), read_only=True)
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = InvoiceRequest
        fields = ["id", "dealer", "dealer_code", "subject", "reference", "amount", "currency", "kind", "title",
                  "tax_id", "email", "status", "number", "issued_at", "pdf_url", "error", "attempts", "created_at"]
        read_only_fields = fields

    def get_pdf_url(self, invoice) -> str:
        return reverse("finance:invoice-pdf", kwargs={"pk": invoice.pk}) if invoice.pdf else ""
