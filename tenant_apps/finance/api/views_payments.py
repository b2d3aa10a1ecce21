"""Online payments API: a dealer (finance.pay) starts a payment for its own company and is sent to the
provider's page; brand finance (finance.view) lists the payments in its scope, the dealer's staff their own;
brand finance (finance.edit) refunds. Writes accept an `Idempotency-Key` header (finance.payments.idempotency)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from tenant_apps.accounts.permissions import FINANCE_EDIT, FINANCE_PAY, FINANCE_VIEW, FINANCE_VIEW_OWN
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.finance.api.serializers_payments import (
    PaymentSerializer,
    PaymentStarted,
    PaymentStartRequest,
    RefundRequest,
)
from tenant_apps.finance.models import PaymentPurpose, PaymentState
from tenant_apps.finance.payments import selectors, services
from tenant_apps.finance.payments.idempotency import idempotent

VIEW = (FINANCE_VIEW, FINANCE_VIEW_OWN)
KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                       description="The same key with the same request answers the first response again, writing "
                                   "nothing; with another request: 422 (idempotency_key_reused).")


def _valid(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


def return_url_for(request) -> str:
    """Where the provider sends the payer back: the storefront's page of the payment ("{payment}": its id)."""
    url = request.build_absolute_uri(reverse("finance:payment_return", kwargs={"payment_id": 0}))
    return url.replace("/payments/0/", "/payments/{payment}/")


def webhook_url_for(request, provider: str) -> str:
    """Our endpoint for `provider`'s notifications; "" for a name that is not one (payment_start refuses it)."""
    try:
        return request.build_absolute_uri(reverse("finance-payment-webhook", kwargs={"provider": provider}))
    except NoReverseMatch:
        return ""


class PaymentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Online payments by dealers: an order's amount still owed, or a top-up of the prepaid balance. A payment is
    `pending` until the provider's webhook says it succeeded or failed; refunds move it to partially_refunded /
    refunded. Filters: `dealer`, `state`, `purpose`."""

    serializer_class = PaymentSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": VIEW, "retrieve": VIEW, "create": FINANCE_PAY, "refund": FINANCE_EDIT}

    def get_queryset(self):
        payments = selectors.payments_visible_to(self.request.user).prefetch_related("refunds")
        params = self.request.query_params
        if params.get("dealer", "").isdigit() and len(params["dealer"]) < 19:
            payments = payments.filter(dealer_id=int(params["dealer"]))
        if params.get("state") in PaymentState.values:
            payments = payments.filter(state=params["state"])
        if params.get("purpose") in PaymentPurpose.values:
            payments = payments.filter(purpose=params["purpose"])
        return payments.order_by("-created_at", "-id")

    @extend_schema(parameters=[OpenApiParameter("dealer", int), OpenApiParameter("state", str,
                                                                                 enum=PaymentState.values),
                               OpenApiParameter("purpose", str, enum=PaymentPurpose.values)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, pk=None):
        return Response(PaymentSerializer(selectors.payment_get_for(actor=request.user, payment_id=pk)).data)

    @extend_schema(request=PaymentStartRequest, parameters=[KEY],
                   responses={201: PaymentStarted, 400: OpenApiResponse(description="Field errors"),
                              409: OpenApiResponse(description="The provider is not connected"),
                              422: OpenApiResponse(description="Idempotency-Key reused"),
                              502: OpenApiResponse(description="The provider refused")},
                   summary="Start a payment for the dealer's own company; send the payer to `redirect_url`")
    def create(self, request):
        if request.user.dealer_id is None:
            raise PermissionDenied

        def run() -> Response:
            data = _valid(PaymentStartRequest, request)
            payment, checkout = services.payment_start(
                actor=request.user, dealer=request.user.dealer, purpose=data["purpose"], provider=data["provider"],
                amount=data["amount"], reference=data["reference"], currency=data["currency"] or None,
                method=data["method"], return_url=return_url_for(request),
                notify_url=webhook_url_for(request, data["provider"]))
            payment.qr_code = checkout.qr_code
            return Response(PaymentStarted(payment).data, status=status.HTTP_201_CREATED)

        return idempotent(request=request, scope="finance.payment", run=run)

    @extend_schema(request=RefundRequest, parameters=[KEY],
                   responses={200: PaymentSerializer, 409: OpenApiResponse(description="Not refundable now")},
                   summary="Refund part or all of a paid payment through its provider")
    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        payment = selectors.payment_get_for(actor=request.user, payment_id=pk)

        def run() -> Response:
            data = _valid(RefundRequest, request)
            services.payment_refund(actor=request.user, payment=payment, amount=data["amount"],
                                    reason=data["reason"])
            fresh = selectors.payments_visible_to(request.user).prefetch_related("refunds").get(pk=payment.pk)
            return Response(PaymentSerializer(fresh).data)

        return idempotent(request=request, scope="finance.payment_refund", run=run)
