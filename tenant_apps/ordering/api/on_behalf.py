"""The API of ordering on a dealer's behalf (ordering.on_behalf), mounted with the ordering API at /api/v1/:

- POST dealers/<dealer_id>/orders/ (orders.place_for; the dealer in the actor's scope, else 404): the body of
  POST orders/ with its lines (required: never the dealer's cart) and the Idempotency-Key header; 201 with the
  order, marked `on_behalf`, placed_by the caller, in "awaiting_dealer" when the brand asks dealers to confirm.
- POST orders/<id>/confirm/ and orders/<id>/decline/ (the dealer's owner and buyers: cart.edit; their own
  company's orders, else 404): 200 with the order; not awaiting confirmation: 409."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from tenant_apps.accounts.permissions import CART_EDIT, ORDERS_PLACE_FOR
from tenant_apps.dealers.selectors import dealer_get_for
from tenant_apps.ordering import on_behalf, selectors
from tenant_apps.ordering.api.serializers import OrderDetailOutput, OrderReasonInput, ProblemOutput, SubmitExtraInput
from tenant_apps.ordering.api.views import OrderingViewSet, _submit_lines, order_body, submit_response
from tenant_apps.ordering.errors import OrderNotFound
from tenant_apps.ordering.submission import OrderInvalid

_PLACE_BODY = inline_serializer("OnBehalfSubmitInput", fields={
    "lines": serializers.ListField(child=serializers.DictField()),
    "address": serializers.IntegerField(required=False), "note": serializers.CharField(required=False),
    "coupon_codes": serializers.ListField(child=serializers.CharField(), required=False),
    "consent_reduce": serializers.BooleanField(required=False),
    "expected_total": serializers.DecimalField(max_digits=16, decimal_places=2, required=False)})


@extend_schema_view(
    place=extend_schema(summary="Submit an order for a dealer in your scope, on its behalf (代客下单)",
                        request=_PLACE_BODY,
                        responses={200: OrderDetailOutput, 201: OrderDetailOutput, 400: ProblemOutput,
                                   404: ProblemOutput, 409: ProblemOutput}),
    confirm=extend_schema(summary="The dealer confirms an order placed on its behalf: it goes to approval",
                          request=None, responses={200: OrderDetailOutput, 404: ProblemOutput, 409: ProblemOutput}),
    decline=extend_schema(summary="The dealer declines an order placed on its behalf: it is cancelled",
                          request=OrderReasonInput,
                          responses={200: OrderDetailOutput, 404: ProblemOutput, 409: ProblemOutput}),
)
class OnBehalfViewSet(OrderingViewSet):
    serializer_class = OrderDetailOutput
    required_capabilities = {"place": ORDERS_PLACE_FOR, "confirm": CART_EDIT, "decline": CART_EDIT}

    @action(detail=False, methods=["post"])  # routed by hand (api/urls.py); marks it for the schema
    def place(self, request, dealer_id: int):
        dealer = dealer_get_for(actor=request.user, dealer_id=dealer_id)
        data = request.data if isinstance(request.data, dict) else {}
        lines = _submit_lines(data.get("lines"))
        if not lines:
            raise OrderInvalid(_("The order could not be submitted."),
                               fields={"lines": [_("Give the lines to order.")]})
        return submit_response(request, dealer=dealer, lines=lines, extra=self.validated(SubmitExtraInput),
                               submit=on_behalf.order_submit_for)

    def _dealer_order(self):
        if not self.request.user.dealer_id:  # brand staff: not theirs to confirm (and cart.edit is dealers')
            raise OrderNotFound(_("No such order."))
        return selectors.order_get_for(actor=self.request.user, order_id=self.kwargs["pk"])

    @action(detail=True, methods=["post"])  # routed by hand (api/urls.py); marks it for the schema
    def confirm(self, request, pk):
        order = on_behalf.order_dealer_confirm(actor=request.user, order=self._dealer_order())
        return Response(order_body(selectors.order_get_for(actor=request.user, order_id=order.pk), events=True))

    @action(detail=True, methods=["post"])  # routed by hand (api/urls.py); marks it for the schema
    def decline(self, request, pk):
        reason = self.validated(OrderReasonInput)["reason"]
        order = on_behalf.order_dealer_decline(actor=request.user, order=self._dealer_order(), reason=reason)
        return Response(order_body(selectors.order_get_for(actor=request.user, order_id=order.pk), events=True))
