"""The dealer's own approval of its buyers' larger orders on the API (ordering.internal_approval):
POST /api/v1/orders/<id>/internal-approve/ and .../internal-decline/ (a reason), for the dealer's owner or a
person with the approve right; another company's order, or one that never waited, is a 404."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from tenant_apps.accounts.permissions import ORDERS_APPROVE_OWN
from tenant_apps.ordering import internal_approval
from tenant_apps.ordering.api.serializers import OrderDetailOutput, OrderReasonInput
from tenant_apps.ordering.api.views import OrderingViewSet, order_body


class InternalApprovalViewSet(OrderingViewSet):
    serializer_class = OrderDetailOutput
    required_capabilities = {"approve": ORDERS_APPROVE_OWN, "decline": ORDERS_APPROVE_OWN}

    @extend_schema(request=None, responses=OrderDetailOutput,
                   summary="Approve your buyer's order above their limit: it goes on to the brand")
    def approve(self, request, pk):
        return Response(order_body(internal_approval.order_internal_approve(actor=request.user, order_id=pk)))

    @extend_schema(request=OrderReasonInput, responses=OrderDetailOutput,
                   summary="Decline your buyer's order above their limit (rejected)")
    def decline(self, request, pk):
        reason = self.validated(OrderReasonInput)["reason"]
        return Response(order_body(internal_approval.order_internal_decline(actor=request.user, order_id=pk,
                                                                            reason=reason)))
