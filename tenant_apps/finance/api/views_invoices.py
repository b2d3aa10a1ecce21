"""Invoice API: a dealer's tax details (its own staff with finance.pay, or brand finance), invoice requests for an
order or a statement, issuing them through the provider (brand finance) and cancelling. Outside the actor's data
scope a dealer or an invoice does not exist (404)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tenant_apps.accounts.permissions import FINANCE_EDIT, FINANCE_PAY, FINANCE_VIEW, FINANCE_VIEW_OWN
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.finance import selectors_invoices as selectors
from tenant_apps.finance import services_invoices as services
from tenant_apps.finance.api.serializers_invoices import (
    DealerInvoiceIn,
    DealerInvoiceSerializer,
    TaxProfileIn,
    TaxProfileSerializer,
)
from tenant_apps.finance.api.views import _dealer, _valid
from tenant_apps.finance.errors import TaxProfileNotFound
from tenant_apps.finance.models import InvoiceStatus

READ = (FINANCE_VIEW, FINANCE_VIEW_OWN)
WRITE = (FINANCE_EDIT, FINANCE_PAY)


class TaxProfileViewSet(viewsets.GenericViewSet):
    """The dealer's tax details, as its invoices name the buyer."""

    serializer_class = TaxProfileSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"retrieve": READ, "update": WRITE}

    def retrieve(self, request, dealer_id=None):
        profile = selectors.tax_profile_of(_dealer(request.user, dealer_id))
        if profile is None:
            raise TaxProfileNotFound(_no_profile())
        return Response(TaxProfileSerializer(profile).data)

    @extend_schema(request=TaxProfileIn, responses=TaxProfileSerializer,
                   description="Replaces the details; the taxpayer ID's check character is verified; a special "
                               "invoice needs the bank, account, registered address and phone.")
    def update(self, request, dealer_id=None):
        dealer = _dealer(request.user, dealer_id)
        profile = services.tax_profile_set(actor=request.user, dealer=dealer, **_valid(TaxProfileIn, request))
        return Response(TaxProfileSerializer(profile).data)


def _no_profile() -> str:
    from django.utils.translation import gettext as _

    return _("No tax details entered yet.")


class DealerInvoiceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Invoice requests of the dealers in the reader's scope, newest first. Filters: `status`, `dealer`,
    `reference`."""

    serializer_class = DealerInvoiceSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": READ, "retrieve": READ, "create": WRITE, "issue": FINANCE_EDIT,
                             "cancel": WRITE}

    def get_queryset(self):
        rows = selectors.invoices_visible_to(self.request.user).order_by("-created_at", "-pk")
        params = self.request.query_params
        if params.get("status") in InvoiceStatus.values:
            rows = rows.filter(status=params["status"])
        if params.get("dealer", "").isdigit() and len(params["dealer"]) < 19:
            rows = rows.filter(dealer_id=int(params["dealer"]))
        if params.get("reference"):
            rows = rows.filter(reference=params["reference"][:40])
        return rows

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=InvoiceStatus.values),
                               OpenApiParameter("dealer", int), OpenApiParameter("reference", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, pk=None):
        return Response(DealerInvoiceSerializer(selectors.invoice_get_for(actor=request.user, invoice_id=pk)).data)

    @extend_schema(request=DealerInvoiceIn, responses={201: DealerInvoiceSerializer},
                   summary="Ask for an invoice of an order or a statement, to the dealer's tax details")
    def create(self, request):
        data = _valid(DealerInvoiceIn, request)
        invoice = services.invoice_request_create(actor=request.user, dealer=_dealer(request.user, data["dealer"]),
                                                  subject=data["subject"], reference=data["reference"],
                                                  amount=data["amount"])
        return Response(DealerInvoiceSerializer(invoice).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=DealerInvoiceSerializer,
                   summary="Have the provider issue it (or try a failed one again); issued in the background")
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        invoice = selectors.invoice_get_for(actor=request.user, invoice_id=pk)
        return Response(DealerInvoiceSerializer(services.invoice_request_issue(actor=request.user,
                                                                               invoice=invoice)).data)

    @extend_schema(request=None, responses=DealerInvoiceSerializer, summary="Cancel a requested or failed invoice")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        invoice = selectors.invoice_get_for(actor=request.user, invoice_id=pk)
        return Response(DealerInvoiceSerializer(services.invoice_request_cancel(actor=request.user,
                                                                                invoice=invoice)).data)
