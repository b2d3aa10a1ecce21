"""Statement API: the statements in the reader's scope (a dealer's staff: their own company's), one with its
lines and disputes, PDF and XLSX; the dealer confirms or disputes lines (finance.pay), brand finance answers a
dispute and issues a period's statements now (finance.edit). Outside the scope: 404."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tenant_apps.accounts.permissions import FINANCE_EDIT, FINANCE_PAY, FINANCE_VIEW, FINANCE_VIEW_OWN
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.finance import selectors_statements as selectors
from tenant_apps.finance import services_statements as services
from tenant_apps.finance.api.serializers_statements import (
    DisputeRequest,
    DisputeSerializer,
    GeneratedSerializer,
    GenerateRequest,
    ResolveRequest,
    StatementDetailSerializer,
    StatementSerializer,
)
from tenant_apps.finance.models import StatementStatus
from tenant_apps.finance.statement_files import (
    PDF_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    statement_pdf,
    statement_xlsx,
)

VIEW = (FINANCE_VIEW, FINANCE_VIEW_OWN)


def _valid(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


def statement_download(statement, fmt: str) -> HttpResponse:
    """The statement as a PDF or XLSX attachment (pages and API)."""
    view = selectors.statement_view(statement)
    if fmt == "pdf":
        response = HttpResponse(statement_pdf(view), content_type=PDF_CONTENT_TYPE)
    else:
        response = HttpResponse(statement_xlsx(view), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{statement.number}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


class StatementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Monthly dealer statements (对账单). Balance: the dealer's net position (balance + rebate balance - credit
    used); opening + lines == closing. Filters: `status`, `dealer`, `period`."""

    serializer_class = StatementSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": VIEW, "retrieve": VIEW, "pdf": VIEW, "xlsx": VIEW, "confirm": (FINANCE_PAY,),
                             "dispute": (FINANCE_PAY,), "resolve": (FINANCE_EDIT,), "generate": (FINANCE_EDIT,)}

    def get_queryset(self):
        statements = selectors.statements_visible_to(self.request.user).order_by("-ends_at", "dealer__code", "id")
        params = self.request.query_params
        if params.get("status") in StatementStatus.values:
            statements = statements.filter(status=params["status"])
        if params.get("dealer", "").isdigit() and len(params["dealer"]) < 19:
            statements = statements.filter(dealer_id=int(params["dealer"]))
        if params.get("period"):
            statements = statements.filter(period=params["period"][:7])
        return statements

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=StatementStatus.values),
                               OpenApiParameter("dealer", int), OpenApiParameter("period", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _statement(self, request, pk):
        return selectors.statement_get_for(actor=request.user, statement_id=pk)

    def _detail(self, request, pk) -> Response:
        statement = self._statement(request, pk)
        data = StatementDetailSerializer(statement).data
        return Response(data)

    @extend_schema(responses=StatementDetailSerializer)
    def retrieve(self, request, pk=None):
        return self._detail(request, pk)

    @extend_schema(request=None, responses=StatementDetailSerializer, summary="The dealer confirms the statement")
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        services.statement_confirm(actor=request.user, statement=self._statement(request, pk))
        return self._detail(request, pk)

    @extend_schema(request=DisputeRequest, responses={201: DisputeSerializer(many=True)},
                   summary="The dealer disputes lines of the statement, with a comment")
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        data = _valid(DisputeRequest, request)
        disputes = services.statement_dispute(actor=request.user, statement=self._statement(request, pk),
                                              line_ids=data["lines"], comment=data["comment"])
        return Response(DisputeSerializer(disputes, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ResolveRequest, responses=DisputeSerializer,
                   summary="Finance answers a dispute (optionally with an adjustment naming the statement)")
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        data = _valid(ResolveRequest, request)
        statement = self._statement(request, pk)
        dispute = selectors.dispute_get_for(actor=request.user, statement=statement, dispute_id=data["dispute"])
        dispute = services.dispute_resolve(actor=request.user, dispute=dispute, reply=data["reply"],
                                           adjustment_amount=data["adjustment_amount"])
        return Response(DisputeSerializer(dispute).data)

    @extend_schema(responses={(200, PDF_CONTENT_TYPE): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        return statement_download(self._statement(request, pk), "pdf")

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def xlsx(self, request, pk=None):
        return statement_download(self._statement(request, pk), "xlsx")

    @extend_schema(request=GenerateRequest, responses={201: GeneratedSerializer},
                   summary="Issue a period's statements now (idempotent: issued ones are skipped)")
    @action(detail=False, methods=["post"])
    def generate(self, request):
        data = _valid(GenerateRequest, request)
        result = services.statements_generate(actor=request.user, period=data["period"] or None)
        return Response(GeneratedSerializer(result).data, status=status.HTTP_201_CREATED)
