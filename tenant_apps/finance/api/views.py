"""Finance API: the dealer accounts in the reader's scope (a dealer's staff: their own company's) and each
account's ledger, newest first; top-ups, adjustments and their approval, the brand's settlement defaults and a
dealer's override. Thin over finance.services; a dealer outside the actor's scope does not exist (404). Sign
convention of the amounts: tenant_apps/finance/models.py."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tenant_apps.accounts.permissions import FINANCE_EDIT, FINANCE_VIEW, FINANCE_VIEW_OWN
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.dealers.errors import DealerNotFound
from tenant_apps.dealers.selectors import dealer_get_for
from tenant_apps.finance import selectors, services
from tenant_apps.finance.api.serializers import (
    AccountSerializer,
    AdjustmentRequest,
    AdjustmentSerializer,
    LedgerEntrySerializer,
    SettingsRequest,
    SettingsSerializer,
    SettlementRequest,
    SettlementSerializer,
    TopUpRequest,
)
from tenant_apps.finance.models import AdjustmentStatus, DealerSettlement
from tenant_apps.finance.payments.idempotency import idempotent

IDEMPOTENCY_KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)

VIEW = (FINANCE_VIEW, FINANCE_VIEW_OWN)


def _valid(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


def _dealer(actor, dealer_id):
    """The dealer in the actor's scope, else DealerNotFound (404), existing or not."""
    if not str(dealer_id).isdigit() or len(str(dealer_id)) > 18:
        raise DealerNotFound(_("No such dealer."))
    return dealer_get_for(actor=actor, dealer_id=int(dealer_id))


class AccountViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Dealer accounts (balance: prepaid money; credit_used: owed on credit), one per dealer and currency.
    Filters: `dealer`, `currency`."""

    serializer_class = AccountSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": VIEW, "ledger": VIEW}

    def get_queryset(self):
        accounts = selectors.accounts_visible_to(self.request.user).order_by("dealer__code", "currency")
        params = self.request.query_params
        if params.get("dealer", "").isdigit():
            accounts = accounts.filter(dealer_id=int(params["dealer"]))
        if params.get("currency"):
            accounts = accounts.filter(currency=params["currency"][:3])
        return accounts

    @extend_schema(responses=LedgerEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def ledger(self, request, pk=None):
        account = selectors.account_get_for(actor=request.user, account_id=pk)
        entries = account.entries.order_by("-created_at", "-id")
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(LedgerEntrySerializer(page, many=True).data)


class TopUpViewSet(viewsets.GenericViewSet):
    """Prepaid money received from a dealer (its balance goes up). Send an `Idempotency-Key` header: a repeat
    with the same key and body answers the first top-up without recording a second; the same key with another
    body is a 422 (`idempotency_key_reused`)."""

    serializer_class = LedgerEntrySerializer
    permission_classes = [HasCapability]
    required_capabilities = {"create": FINANCE_EDIT}

    @extend_schema(request=TopUpRequest, responses={201: LedgerEntrySerializer}, parameters=[IDEMPOTENCY_KEY])
    def create(self, request):
        def run() -> Response:
            data = _valid(TopUpRequest, request)
            entry = services.top_up_record(actor=request.user, dealer=_dealer(request.user, data["dealer"]),
                                           amount=data["amount"], currency=data["currency"] or None,
                                           reference=data["reference"], reason=data["reason"])
            return Response(LedgerEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

        return idempotent(request=request, scope="finance.top_up", run=run)


class AdjustmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Corrections of a dealer's balance. At or below the brand's threshold applied at once; above it they wait
    (`pending`) for another person's approval. Filters: `status`, `dealer`."""

    serializer_class = AdjustmentSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": FINANCE_EDIT, "create": FINANCE_EDIT, "approve": FINANCE_EDIT}

    def get_queryset(self):
        adjustments = selectors.adjustments_visible_to(self.request.user).order_by("-created_at", "-id")
        params = self.request.query_params
        if params.get("status") in AdjustmentStatus.values:
            adjustments = adjustments.filter(status=params["status"])
        if params.get("dealer", "").isdigit() and len(params["dealer"]) < 19:
            adjustments = adjustments.filter(dealer_id=int(params["dealer"]))
        return adjustments

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=AdjustmentStatus.values),
                               OpenApiParameter("dealer", int)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=AdjustmentRequest, responses={201: AdjustmentSerializer})
    def create(self, request):
        data = _valid(AdjustmentRequest, request)
        adjustment = services.adjustment_request(actor=request.user, dealer=_dealer(request.user, data["dealer"]),
                                                 amount=data["amount"], reason=data["reason"],
                                                 currency=data["currency"] or None)
        return Response(AdjustmentSerializer(adjustment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=AdjustmentSerializer,
                   summary="Approve a pending adjustment (never the requester's own: 409)")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        adjustment = selectors.adjustment_get_for(actor=request.user, adjustment_id=pk)
        adjustment = services.adjustment_approve(actor=request.user, adjustment=adjustment)
        return Response(AdjustmentSerializer(adjustment).data)


class SettingsViewSet(viewsets.GenericViewSet):
    """The brand's finance defaults: settlement mode, credit limit, terms, overdue block, adjustment threshold."""

    serializer_class = SettingsSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"retrieve": FINANCE_VIEW, "update": FINANCE_EDIT}

    def retrieve(self, request):
        return Response(SettingsSerializer(services.finance_settings()).data)

    @extend_schema(request=SettingsRequest, responses=SettingsSerializer,
                   description="Omitted fields keep their value.")
    def update(self, request):
        settings = services.finance_settings_update(actor=request.user, **_valid(SettingsRequest, request))
        return Response(SettingsSerializer(settings).data)


class SettlementViewSet(viewsets.GenericViewSet):
    """One dealer's override of the brand's settlement defaults, with the terms in effect."""

    serializer_class = SettlementSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"retrieve": FINANCE_VIEW, "update": FINANCE_EDIT}

    def _out(self, dealer) -> Response:
        row = DealerSettlement.objects.filter(dealer=dealer).first() or DealerSettlement(dealer=dealer)
        row.effective = services.settlement_for(dealer)
        return Response(SettlementSerializer(row).data)

    def retrieve(self, request, dealer_id=None):
        return self._out(_dealer(request.user, dealer_id))

    @extend_schema(request=SettlementRequest, responses=SettlementSerializer,
                   description="Replaces the whole override: a blank mode or a null limit/terms falls back to "
                               "the brand's default.")
    def update(self, request, dealer_id=None):
        dealer = _dealer(request.user, dealer_id)
        services.dealer_settlement_set(actor=request.user, dealer=dealer, **_valid(SettlementRequest, request))
        return self._out(dealer)
