"""Bank transfer API: a dealer's transfer records (its own company's; brand staff: in their scope), statement
imports and their lines, matches (confirm a suggestion, match by hand, mark not ours, reverse), the mappings.
Thin over finance.bank.services; an object outside the actor's scope does not exist (404)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from tenant_apps.accounts.permissions import FINANCE_EDIT, FINANCE_PAY, FINANCE_VIEW, FINANCE_VIEW_OWN
from tenant_apps.core.parsers import ObjectJSONParser
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.dealers.errors import DealerNotFound
from tenant_apps.finance.api.serializers_bank import (
    BankStatementSerializer,
    LineSerializer,
    ManualMatchRequest,
    MappingSerializer,
    MatchSerializer,
    NoteRequest,
    ReasonRequest,
    RemittanceRequest,
    RemittanceSerializer,
    StatementRequest,
)
from tenant_apps.finance.api.views import _dealer, _valid
from tenant_apps.finance.bank import selectors, services
from tenant_apps.finance.models import LineStatus, RemittanceStatus

VIEW = (FINANCE_VIEW, FINANCE_VIEW_OWN)


class RemittanceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Transfers dealers say they made (汇款登记), newest first: a dealer's staff see their own company's, brand
    staff those of the dealers in their scope. Filters: `status`, `dealer`."""

    serializer_class = RemittanceSerializer
    permission_classes = [HasCapability]
    parser_classes = [ObjectJSONParser, MultiPartParser, FormParser]
    required_capabilities = {"list": VIEW, "retrieve": VIEW, "create": FINANCE_PAY, "reject": FINANCE_EDIT}

    def get_queryset(self):
        found = selectors.remittances_visible_to(self.request.user).order_by("-created_at", "-id")
        params = self.request.query_params
        if params.get("status") in RemittanceStatus.values:
            found = found.filter(status=params["status"])
        if params.get("dealer", "").isdigit() and len(params["dealer"]) < 19:
            found = found.filter(dealer_id=int(params["dealer"]))
        return found

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=RemittanceStatus.values),
                               OpenApiParameter("dealer", int)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, pk=None):
        return Response(RemittanceSerializer(selectors.remittance_get_for(actor=request.user, remittance_id=pk)).data)

    @extend_schema(request={"multipart/form-data": RemittanceRequest}, responses={201: RemittanceSerializer},
                   summary="Record a transfer of the signed-in dealer's company (with a slip photo)")
    def create(self, request):
        if not request.user.dealer_id:
            raise DealerNotFound(_("Only a dealer's staff record their company's transfers."))
        dealer = _dealer(request.user, request.user.dealer_id)
        data = _valid(RemittanceRequest, request)
        remittance = services.remittance_record(actor=request.user, dealer=dealer, **data)
        return Response(RemittanceSerializer(remittance).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonRequest, responses=RemittanceSerializer,
                   summary="Reject a transfer record that never arrived (409 unless pending)")
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        remittance = selectors.remittance_get_for(actor=request.user, remittance_id=pk)
        remittance = services.remittance_reject(actor=request.user, remittance=remittance,
                                                **_valid(ReasonRequest, request))
        return Response(RemittanceSerializer(remittance).data)


class StatementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Bank statement imports (brand finance). Upload the bank's export with a mapping's code: all its incoming
    lines or nothing (400 with `errors` by row; 413 past a size limit; 409 for a file imported before). The
    matcher then suggests a dealer for every open line."""

    serializer_class = BankStatementSerializer
    permission_classes = [HasCapability]
    parser_classes = [MultiPartParser, FormParser]
    required_capabilities = {"list": FINANCE_EDIT, "create": FINANCE_EDIT, "lines": FINANCE_EDIT}

    def get_queryset(self):
        return selectors.statements()

    @extend_schema(request={"multipart/form-data": StatementRequest}, responses={201: BankStatementSerializer})
    def create(self, request):
        data = _valid(StatementRequest, request)
        services.bank_mappings_ensure()
        mapping = selectors.mapping_get(code=data["mapping"])
        statement, _run = services.statement_import(actor=request.user, file=data["file"],
                                                    filename=data["file"].name, mapping=mapping)
        return Response(BankStatementSerializer(statement).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=LineSerializer(many=True),
                   parameters=[OpenApiParameter("status", str, enum=LineStatus.values)])
    @action(detail=True, methods=["get"])
    def lines(self, request, pk=None):
        statement = selectors.statement_get(statement_id=pk)
        page = self.paginate_queryset(selectors.lines(statement=statement,
                                                      status=request.query_params.get("status")))
        return self.get_paginated_response(LineSerializer(page, many=True).data)


class LineViewSet(viewsets.GenericViewSet):
    """One statement line: confirm the matcher's suggestion, match it by hand, or mark it not ours. A line is
    applied once: a second confirm (even at the same moment) is a 409."""

    serializer_class = MatchSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"confirm": FINANCE_EDIT, "match": FINANCE_EDIT, "ignore": FINANCE_EDIT}

    @extend_schema(request=None, responses={201: MatchSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        match = services.bank_line_confirm(actor=request.user, line=selectors.line_get(line_id=pk))
        return Response(MatchSerializer(match).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ManualMatchRequest, responses={201: MatchSerializer})
    @action(detail=True, methods=["post"])
    def match(self, request, pk=None):
        line = selectors.line_get(line_id=pk)
        data = _valid(ManualMatchRequest, request)
        dealer = _dealer(request.user, data["dealer"])
        remittance = None
        if data["remittance"] is not None:
            remittance = selectors.remittance_get_for(actor=request.user, remittance_id=data["remittance"])
        match = services.bank_line_match(actor=request.user, line=line, dealer=dealer,
                                         reference=data["reference"], remittance=remittance)
        return Response(MatchSerializer(match).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=NoteRequest, responses=LineSerializer)
    @action(detail=True, methods=["post"])
    def ignore(self, request, pk=None):
        line = services.bank_line_ignore(actor=request.user, line=selectors.line_get(line_id=pk),
                                         **_valid(NoteRequest, request))
        return Response(LineSerializer(line).data)


class MatchViewSet(viewsets.GenericViewSet):
    """A match of a line to a dealer: reversing it reverses its payment exactly and opens the line again."""

    serializer_class = MatchSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"reverse": FINANCE_EDIT}

    @extend_schema(request=ReasonRequest, responses=MatchSerializer)
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        match = selectors.match_get_for(actor=request.user, match_id=pk)
        match = services.bank_match_reverse(actor=request.user, match=match, **_valid(ReasonRequest, request))
        return Response(MatchSerializer(match).data)


class MappingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """How each bank's statement export is read (edited in the console)."""

    serializer_class = MappingSerializer
    permission_classes = [HasCapability]
    pagination_class = None
    required_capabilities = {"list": FINANCE_EDIT}

    def get_queryset(self):
        services.bank_mappings_ensure()
        return selectors.mappings()
