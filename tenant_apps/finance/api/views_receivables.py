"""Receivables API: open items (a dealer's, or every dealer's in the reader's scope), the ageing report, and a
dealer's overdue block with the brand's lift of it. Thin over selectors_receivables and services_receivables;
a dealer or region outside the actor's scope does not exist (404)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from tenant_apps.accounts.permissions import FINANCE_EDIT, FINANCE_VIEW, FINANCE_VIEW_OWN, RECEIVABLES_VIEW
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.dealers.errors import NodeNotFound
from tenant_apps.dealers.selectors import node_get_for
from tenant_apps.finance import selectors_receivables as receivables
from tenant_apps.finance import services_receivables
from tenant_apps.finance.api.serializers_receivables import (
    AgeingSerializer,
    BlockLiftEndRequest,
    BlockLiftRequest,
    BlockSerializer,
    DealerTermsRequest,
    DealerTermsSerializer,
    ItemSerializer,
    TermsRequest,
    TermsSerializer,
)
from tenant_apps.finance.api.views import _dealer, _valid
from tenant_apps.finance.models import DealerSettlement
from tenant_apps.finance.services import finance_settings

READ = (FINANCE_VIEW, RECEIVABLES_VIEW)


def _region(actor, value):
    if value in (None, ""):
        return None
    if not str(value).isdigit() or len(str(value)) > 18:
        raise NodeNotFound(_("No such place in the network."))
    return node_get_for(actor=actor, node_id=int(value))


class ReceivableViewSet(viewsets.GenericViewSet):
    """Open receivables, oldest due first: one per order with a credit part still owed. `dealer` narrows to one
    dealer (a dealer's own staff always see their own); `all=1` lists paid ones too."""

    serializer_class = ItemSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": (*READ, FINANCE_VIEW_OWN), "ageing": READ}

    @extend_schema(parameters=[OpenApiParameter("dealer", int), OpenApiParameter("all", bool)])
    def list(self, request):
        params = request.query_params
        if params.get("dealer"):
            dealer = _dealer(request.user, params["dealer"])
            dealers = type(dealer).objects.filter(pk=dealer.pk)
        else:
            dealers = receivables.receivables_dealers_for(request.user)
        items = receivables.open_items(dealers=dealers, with_paid=params.get("all") in ("1", "true"))
        page = self.paginate_queryset(items)
        return self.get_paginated_response(ItemSerializer(page, many=True).data)

    @extend_schema(parameters=[OpenApiParameter("region", int, description="a region's node id: its subtree only")],
                   responses=AgeingSerializer)
    def ageing(self, request):
        report = receivables.ageing(actor=request.user, region=_region(request.user, request.query_params.get(
            "region")))
        return Response(AgeingSerializer(report).data)


class BlockLiftViewSet(viewsets.GenericViewSet):
    """A dealer's overdue block (orders refused while an item is overdue more than the brand's
    overdue_block_days) and the brand finance's lift of it: POST lifts (a reason; `until` the last day, none:
    until ended), DELETE ends the lift."""

    serializer_class = BlockSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"retrieve": READ, "create": FINANCE_EDIT, "destroy": FINANCE_EDIT}

    def _out(self, dealer, status_code=status.HTTP_200_OK) -> Response:
        days = finance_settings().overdue_block_days
        overdue = receivables.overdue_beyond(dealer, days=days).amount if days else 0
        return Response(BlockSerializer({
            "dealer": dealer.pk, "block_reason": receivables.order_block_reason(dealer),
            "overdue_beyond_limit": overdue, "lift": receivables.block_lift_active(dealer)}).data,
            status=status_code)

    def retrieve(self, request, dealer_id=None):
        return self._out(_dealer(request.user, dealer_id))

    @extend_schema(request=BlockLiftRequest, responses={201: BlockSerializer})
    def create(self, request, dealer_id=None):
        dealer = _dealer(request.user, dealer_id)
        data = _valid(BlockLiftRequest, request)
        services_receivables.block_lift(actor=request.user, dealer=dealer, reason=data["reason"],
                                        until=data["until"])
        return self._out(dealer, status.HTTP_201_CREATED)

    @extend_schema(request=BlockLiftEndRequest, responses=BlockSerializer)
    def destroy(self, request, dealer_id=None):
        dealer = _dealer(request.user, dealer_id)
        data = _valid(BlockLiftEndRequest, request)
        services_receivables.block_lift_end(actor=request.user, dealer=dealer, reason=data["reason"])
        return self._out(dealer)


class TermsViewSet(viewsets.GenericViewSet):
    """The brand's default payment terms (net days, or monthly: shipped by the cut-off day, due on the due day of
    the next month; net days are `terms_days` of the finance settings) and the reminder days (0: that reminder
    is off)."""

    serializer_class = TermsSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"retrieve": READ, "update": FINANCE_EDIT}

    def retrieve(self, request):
        return Response(TermsSerializer(finance_settings()).data)

    @extend_schema(request=TermsRequest, responses=TermsSerializer, description="Omitted fields keep their value.")
    def update(self, request):
        row = services_receivables.finance_terms_update(actor=request.user, **_valid(TermsRequest, request))
        return Response(TermsSerializer(row).data)


class DealerTermsViewSet(viewsets.GenericViewSet):
    """One dealer's override of the terms kind and monthly days, with the terms in effect."""

    serializer_class = DealerTermsSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"retrieve": READ, "update": FINANCE_EDIT}

    def _out(self, dealer) -> Response:
        row = DealerSettlement.objects.filter(dealer=dealer).first() or DealerSettlement(dealer=dealer)
        row.effective = services_receivables.terms_for(dealer)
        return Response(DealerTermsSerializer(row).data)

    def retrieve(self, request, dealer_id=None):
        return self._out(_dealer(request.user, dealer_id))

    @extend_schema(request=DealerTermsRequest, responses=DealerTermsSerializer,
                   description="Replaces the whole override: blank/null falls back to the brand's default.")
    def update(self, request, dealer_id=None):
        dealer = _dealer(request.user, dealer_id)
        services_receivables.dealer_terms_set(actor=request.user, dealer=dealer, **_valid(DealerTermsRequest, request))
        return self._out(dealer)
