"""The supplier's receivables over the API (S2B2B, /api/v1/supplier/receivables/): what each sub-dealer owes the
caller's company, one sub-dealer's open items and ledger with it, a payment received from it, and the credit and
terms the company gives it. Reads: `supplier.orders`; writes: `supplier.finance` (the supplier's dealer owner).
A dealer not buying from the caller's company does not exist here (404). Thin over finance.selectors_suppliers and
finance.services_suppliers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tenant_apps.accounts.permissions import SUPPLIER_FINANCE, SUPPLIER_ORDERS, supplier_node_id
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.dealers.selectors import supplier_dealer_get
from tenant_apps.finance.models import AMOUNT, SettlementMode
from tenant_apps.finance.payments.idempotency import idempotent
from tenant_apps.finance.selectors_suppliers import supplier_receivable, supplier_receivables
from tenant_apps.finance.services_suppliers import METHODS, supplier_payment_record, supplier_terms_set

IDEMPOTENCY_KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)


def _amount(**extra) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=AMOUNT["max_digits"], decimal_places=AMOUNT["decimal_places"],
                                    **extra)


class PaymentRequest(serializers.Serializer):
    amount = _amount(help_text=gettext_lazy("above zero"))
    method = serializers.ChoiceField(choices=list(METHODS))
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100,
                                      help_text=gettext_lazy("an order number pays that order first"))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class SupplierTermsRequest(serializers.Serializer):
    """The whole of what the company gives the sub-dealer: omitted values fall back to cash on delivery, no credit,
    net 30 days."""

    mode = serializers.ChoiceField(choices=SettlementMode.choices, required=False, allow_blank=True, default="")
    credit_limit = _amount(required=False, allow_null=True, default=None, min_value=0)
    terms_days = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0,
                                          max_value=365)


def _figures(row) -> dict:
    f = row.figures
    return {"currency": f.currency, "balance": str(f.balance), "credit_used": str(f.credit_used),
            "credit_limit": str(f.credit_limit), "available": str(f.available), "mode": row.settlement.mode,
            "terms_days": row.settlement.terms_days}


def _dealer(row) -> dict:
    return {"dealer": row.dealer.pk, "code": row.dealer.code, "name": row.dealer.display_name}


def _detail(node_id: int, dealer) -> dict:
    found = supplier_receivable(node_id=node_id, dealer=dealer)
    return {**_dealer(found), **_figures(found),
            "items": [{"reference": i.reference, "shipped_on": i.shipped_on, "due_on": i.due_on,
                       "amount": str(i.gross), "open": str(i.open), "days_overdue": i.days_overdue}
                      for i in found.items],
            "entries": [{"id": e.pk, "kind": e.kind, "amount": str(e.amount), "reference": e.reference,
                         "reason": e.reason, "created_at": e.created_at} for e in found.entries]}


class SupplierReceivableViewSet(viewsets.ViewSet):
    """What the sub-dealers owe the caller's company: `GET` one row per sub-dealer (balance, credit used and limit
    with the company, open and overdue); `GET {dealer}/` its open items with due dates and its latest ledger rows;
    `POST {dealer}/payments/` a payment received (bank transfer or cash; Idempotency-Key accepted);
    `POST {dealer}/terms/` the credit and terms the company gives it."""

    permission_classes = [HasCapability]
    required_capabilities = {"list": SUPPLIER_ORDERS, "retrieve": SUPPLIER_ORDERS, "payments": SUPPLIER_FINANCE,
                             "terms": SUPPLIER_FINANCE}

    def _found(self, pk):
        node_id = supplier_node_id(self.request.user)
        return node_id, supplier_dealer_get(node_id=node_id, dealer_id=pk)

    @extend_schema(responses={200: {"type": "array", "items": {"type": "object"}}})
    def list(self, request):
        rows = supplier_receivables(node_id=supplier_node_id(request.user))
        return Response([{**_dealer(row), **_figures(row), "owed": str(row.owed), "overdue": str(row.overdue),
                          "oldest_due": row.oldest_due, "items": row.items} for row in rows])

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def retrieve(self, request, pk=None):
        node_id, dealer = self._found(pk)
        return Response(_detail(node_id, dealer))

    @extend_schema(request=PaymentRequest, responses={201: OpenApiTypes.OBJECT}, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    def payments(self, request, pk=None):
        node_id, dealer = self._found(pk)

        def run() -> Response:
            given = PaymentRequest(data=request.data)
            given.is_valid(raise_exception=True)
            data = given.validated_data
            entry = supplier_payment_record(actor=request.user, creditor=node_id, dealer=dealer,
                                            amount=data["amount"], method=data["method"],
                                            reference=data["reference"], note=data["note"])
            return Response({"id": entry.pk, "kind": entry.kind, "amount": str(entry.amount),
                             "reference": entry.reference, "reason": entry.reason,
                             "credit_used_after": str(entry.credit_used_after),
                             "balance_after": str(entry.balance_after)}, status=status.HTTP_201_CREATED)

        return idempotent(request=request, scope="finance.supplier_payment", run=run)

    @extend_schema(request=SupplierTermsRequest, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def terms(self, request, pk=None):
        node_id, dealer = self._found(pk)
        given = SupplierTermsRequest(data=request.data)
        given.is_valid(raise_exception=True)
        supplier_terms_set(actor=request.user, creditor=node_id, dealer=dealer, **given.validated_data)
        return Response(_detail(node_id, dealer))
