"""Fulfilment API: shipments (list, create, ship, cancel, tracking), order allocation, picking lists and
receipt confirmation, returns (dealer requests, brand decides, warehouse receives), carriers, and the
carrier webhook. Every object is looked up through the actor's data scope (outside it: 404)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.accounts.permissions import (
    CART_EDIT,
    COMPANY_VIEW,
    FULFILLMENT_SHIP,
    ORDERS_VIEW,
    RETURNS_DECIDE,
    SETTINGS_EDIT,
)
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.fulfillment import selectors, services
from tenant_apps.fulfillment.api.serializers import (
    CarrierSerializer,
    DecisionRequest,
    OrderStatusOut,
    PickingListOut,
    ReceiveRequest,
    ReturnCreate,
    ReturnSerializer,
    ShipmentCreate,
    ShipmentSerializer,
    ShipRequest,
    TrackingEventSerializer,
    TrackingRequest,
    _status_field,
)
from tenant_apps.fulfillment.errors import FulfillmentInvalid
from tenant_apps.fulfillment.models import (
    Carrier,
    ReturnRequest,
    ReturnStatus,
    Shipment,
    ShipmentStatus,
    TrackingStatus,
)
from tenant_apps.ordering.models import Order
from tenant_apps.ordering.selectors import order_get_for

VIEW = (ORDERS_VIEW, COMPANY_VIEW)  # brand staff in scope; a dealer's own staff


def _valid(serializer_class, request):
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


def _lines(items) -> dict[int, int]:
    merged: dict[int, int] = {}
    for item in items:
        merged[item["line"]] = merged.get(item["line"], 0) + item["quantity"]
    return merged


class ShipmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Shipments in the actor's scope (a dealer: its own). Filters: `status`, `order`."""

    serializer_class = ShipmentSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": VIEW, "retrieve": VIEW, "create": FULFILLMENT_SHIP, "ship": FULFILLMENT_SHIP,
                             "cancel": FULFILLMENT_SHIP, "tracking": VIEW, "tracking_add": FULFILLMENT_SHIP}

    def get_queryset(self):
        shipments = selectors.shipment_list(selectors.shipments_visible_to(self.request.user)).order_by(
            "-created_at", "-id")
        params = self.request.query_params
        if params.get("status") in ShipmentStatus.values:
            shipments = shipments.filter(status=params["status"])
        if params.get("order", "").isdigit():
            shipments = shipments.filter(order_id=params["order"])
        return shipments

    def _shipment(self, pk) -> Shipment:
        return selectors.shipment_get_for(actor=self.request.user, shipment_id=pk)

    def _out(self, shipment, code=status.HTTP_200_OK):
        fresh = selectors.shipment_list(Shipment.objects.filter(pk=shipment.pk)).get()
        return Response(ShipmentSerializer(fresh).data, status=code)

    @extend_schema(request=ShipmentCreate, responses={201: ShipmentSerializer})
    def create(self, request):
        data = _valid(ShipmentCreate, request)
        order = order_get_for(actor=request.user, order_id=data["order"])
        shipment = services.shipment_create(actor=request.user, order=order, warehouse_id=data["warehouse"],
                                            lines=_lines(data["lines"]) if "lines" in data else None)
        return self._out(shipment, status.HTTP_201_CREATED)

    @extend_schema(request=ShipRequest, responses=ShipmentSerializer)
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        shipment = self._shipment(pk)
        data = _valid(ShipRequest, request)
        carrier = None
        if data["carrier"]:
            carrier = Carrier.objects.filter(code=data["carrier"], is_active=True).first()
            if carrier is None:
                raise FulfillmentInvalid(_("The shipment could not be shipped."),
                                         fields={"carrier": [_("Unknown carrier code.")]})
        services.shipment_ship(actor=request.user, shipment=shipment, carrier=carrier,
                               tracking_number=data["tracking_number"])
        return self._out(shipment)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        services.shipment_cancel(actor=request.user, shipment=self._shipment(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=TrackingEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def tracking(self, request, pk=None):
        shipment = self._shipment(pk)
        return Response(TrackingEventSerializer(shipment.tracking_events.order_by("occurred_at", "id"),
                                                many=True).data)

    @extend_schema(request=TrackingRequest, responses={201: TrackingEventSerializer})
    @tracking.mapping.post
    def tracking_add(self, request, pk=None):
        shipment = self._shipment(pk)
        data = _valid(TrackingRequest, request)
        event = services.tracking_event_add(actor=request.user, shipment=shipment, **data)
        return Response(TrackingEventSerializer(event).data, status=status.HTTP_201_CREATED)


class FulfillmentOrderViewSet(viewsets.GenericViewSet):
    """Fulfilment actions on an order: /api/v1/fulfillment/orders/<id>/allocate|picking|confirm-receipt/."""

    permission_classes = [HasCapability]
    serializer_class = OrderStatusOut
    queryset = Order.objects.none()  # lookups go through order_get_for (scope); this types the id
    required_capabilities = {"allocate": FULFILLMENT_SHIP, "picking": FULFILLMENT_SHIP,
                             "confirm_receipt": CART_EDIT}

    def _order(self, pk):
        return order_get_for(actor=self.request.user, order_id=pk)

    @extend_schema(request=None, responses=OrderStatusOut)
    @action(detail=True, methods=["post"])
    def allocate(self, request, pk=None):
        order = services.order_allocate(actor=request.user, order=self._order(pk))
        return Response(OrderStatusOut(order).data)

    @extend_schema(responses=PickingListOut(many=True))
    @action(detail=True, methods=["get"])
    def picking(self, request, pk=None):
        return Response(PickingListOut(selectors.picking_lists(self._order(pk)), many=True).data)

    @extend_schema(request=None, responses=OrderStatusOut, summary="The dealer confirms receipt (completes the order)")
    @action(detail=True, methods=["post"], url_path="confirm-receipt")
    def confirm_receipt(self, request, pk=None):
        order = services.order_receipt_confirm(actor=request.user, order=self._order(pk))
        return Response(OrderStatusOut(order).data)


class ReturnViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Return requests (RMA) in the actor's scope. Filter: `status`."""

    serializer_class = ReturnSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": VIEW, "retrieve": VIEW, "create": CART_EDIT, "approve": RETURNS_DECIDE,
                             "reject": RETURNS_DECIDE, "receive": FULFILLMENT_SHIP}

    def get_queryset(self):
        returns = selectors.return_list(selectors.returns_visible_to(self.request.user)).order_by("-created_at", "-id")
        if self.request.query_params.get("status") in ReturnStatus.values:
            returns = returns.filter(status=self.request.query_params["status"])
        return returns

    def _rma(self, pk) -> ReturnRequest:
        return selectors.return_get_for(actor=self.request.user, return_id=pk)

    def _out(self, rma, code=status.HTTP_200_OK):
        return Response(ReturnSerializer(selectors.return_list(ReturnRequest.objects.filter(pk=rma.pk)).get()).data,
                        status=code)

    @extend_schema(request=ReturnCreate, responses={201: ReturnSerializer})
    def create(self, request):
        data = _valid(ReturnCreate, request)
        order = order_get_for(actor=request.user, order_id=data["order"])
        rma = services.return_request_create(actor=request.user, order=order, reason_code=data["reason_code"],
                                             reason_text=data["reason_text"], lines=_lines(data["lines"]))
        return self._out(rma, status.HTTP_201_CREATED)

    @extend_schema(request=DecisionRequest, responses=ReturnSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        rma = services.return_decide(actor=request.user, rma=self._rma(pk), approve=True,
                                     note=_valid(DecisionRequest, request)["note"])
        return self._out(rma)

    @extend_schema(request=DecisionRequest, responses=ReturnSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        rma = services.return_decide(actor=request.user, rma=self._rma(pk), approve=False,
                                     note=_valid(DecisionRequest, request)["note"])
        return self._out(rma)

    @extend_schema(request=ReceiveRequest, responses=ReturnSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        rma = services.return_receive(actor=request.user, rma=self._rma(pk),
                                      warehouse_id=_valid(ReceiveRequest, request).get("warehouse"))
        return self._out(rma)


class CarrierViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = CarrierSerializer
    queryset = Carrier.objects.order_by("name", "id")
    permission_classes = [HasCapability]
    required_capabilities = {"list": (FULFILLMENT_SHIP, SETTINGS_EDIT), "create": SETTINGS_EDIT}

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.carrier_save(
            actor=self.request.user, code=data["code"], name=data["name"],
            tracking_url_template=data.get("tracking_url_template", ""),
            webhook_secret=data.get("webhook_secret") or None, is_active=data.get("is_active", True))


class CarrierWebhookView(APIView):
    """A carrier pushes a tracking event. No session or token: the body is signed with the carrier's webhook
    secret, `X-Carrier-Signature: sha256=<hex HMAC-SHA256 of "<X-Carrier-Timestamp>." + raw body>`, and the
    timestamp must be within 5 minutes. Body: {"event_id", "tracking_number", "status", "occurred_at",
    "location", "description"}. 200 {"applied": true} the first time, 200 {"applied": false} for a repeat of
    the same event_id, 401 on a bad signature or timestamp (nothing written), 400 on a bad body."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=inline_serializer("CarrierEvent", {
            "event_id": serializers.CharField(), "tracking_number": serializers.CharField(),
            "status": _status_field(TrackingStatus),
            "occurred_at": serializers.DateTimeField(required=False),
            "location": serializers.CharField(required=False), "description": serializers.CharField(required=False)}),
        parameters=[OpenApiParameter(services.SIGNATURE_HEADER, str, OpenApiParameter.HEADER, required=True),
                    OpenApiParameter(services.TIMESTAMP_HEADER, str, OpenApiParameter.HEADER, required=True)],
        responses={200: inline_serializer("CarrierEventResult", {
            "applied": serializers.BooleanField(), "event": serializers.IntegerField(),
            "shipment": serializers.CharField(), "shipment_status": _status_field(ShipmentStatus)})},
    )
    def post(self, request, code: str):
        body = request.body
        event, applied = services.carrier_webhook_receive(
            carrier_code=code, body=body, signature=request.headers.get(services.SIGNATURE_HEADER, ""),
            timestamp=request.headers.get(services.TIMESTAMP_HEADER, ""))
        shipment = Shipment.objects.get(pk=event.shipment_id)
        return Response({"applied": applied, "event": event.pk, "shipment": shipment.number,
                         "shipment_status": shipment.status})
