"""The endpoints an ERP / WMS calls with an API key (docs/integrations.md)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from tenant_apps.core.errors import DomainError
from tenant_apps.fulfillment import services as fulfillment
from tenant_apps.fulfillment.models import Carrier
from tenant_apps.integrations import selectors
from tenant_apps.integrations.api import serializers as s
from tenant_apps.integrations.api.auth import IntegrationView
from tenant_apps.integrations.models import IdempotentResult
from tenant_apps.inventory.models import Warehouse
from tenant_apps.ordering import services as ordering
from tenant_apps.ordering.models import OrderLine

FEED = OpenApiResponse(description="{items: [...], cursor, more}")


def _page_of(request, **kwargs):
    query = s.IntegrationFeedQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    after = selectors.cursor_decode(query.validated_data.get("cursor"))
    if after is None:
        raise exceptions.ValidationError({"cursor": [_("Not a cursor of this feed.")]})
    return selectors.events_after(after, limit=query.validated_data.get("limit", selectors.DEFAULT_LIMIT), **kwargs)


class OrderChanges(IntegrationView):
    required_scopes = {"GET": "orders:read"}

    @extend_schema(parameters=[s.IntegrationFeedQuerySerializer], responses={200: FEED})
    def get(self, request):
        page = _page_of(request)
        items = [s.order_data(order, events) for order, events in selectors.orders_of(page.events)]
        return Response({"items": items, "cursor": page.cursor, "more": page.more})


class ShipmentChanges(IntegrationView):
    required_scopes = {"GET": "orders:read"}

    @extend_schema(parameters=[s.IntegrationFeedQuerySerializer], responses={200: FEED})
    def get(self, request):
        page = _page_of(request, kinds=selectors.SHIPMENT_KINDS)
        items = [{"order_number": order.number, "dealer_code": order.dealer.code, "order_status": order.status,
                  "erp_order_number": order.erp_order_number,
                  "shipments": [s.shipment_data(shipment) for shipment in shipments],
                  "events": [{"id": event.id, "kind": event.kind} for event in events]}
                 for order, shipments, events in selectors.shipments_of(page.events)]
        return Response({"items": items, "cursor": page.cursor, "more": page.more})


class OrderAcknowledge(IntegrationView):
    required_scopes = {"POST": "orders:acknowledge"}

    @extend_schema(request=s.IntegrationAcknowledgeSerializer, responses={200: OpenApiResponse(
        description="{number, erp_order_number, changed}")})
    def post(self, request, number: str):
        order = selectors.order_by_number(number)
        if order is None:
            raise exceptions.NotFound()
        body = s.IntegrationAcknowledgeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        order, changed = ordering.order_erp_acknowledge(
            actor=request.user, order=order, erp_order_number=body.validated_data["erp_order_number"])
        return Response({"number": order.number, "erp_order_number": order.erp_order_number, "changed": changed})


def _confirm(actor, data) -> dict:
    order = selectors.order_by_number(data["order_number"])
    if order is None:
        raise exceptions.ValidationError({"order_number": [_("No order with this number.")]})
    warehouse = Warehouse.objects.filter(code=data["warehouse"]).first()
    if warehouse is None:
        raise exceptions.ValidationError({"warehouse": [_("No warehouse with this code.")]})
    carrier = None
    if data.get("carrier"):
        carrier = Carrier.objects.filter(code=data["carrier"], is_active=True).first()
        if carrier is None:
            raise exceptions.ValidationError({"carrier": [_("No active carrier with this code.")]})
    lines = None
    if data.get("lines"):
        ids = dict(OrderLine.objects.filter(order=order).values_list("line_no", "id"))
        lines, errors = {}, {}
        for index, line in enumerate(data["lines"], start=1):
            if line["line_no"] not in ids:
                errors[f"lines.{index}.line_no"] = ["No such line on this order."]
            else:
                lines[ids[line["line_no"]]] = lines.get(ids[line["line_no"]], 0) + line["quantity"]
        if errors:
            raise exceptions.ValidationError(errors)
    shipment = fulfillment.shipment_create(actor=actor, order=order, warehouse_id=warehouse.pk, lines=lines)
    shipment = fulfillment.shipment_ship(actor=actor, shipment=shipment, carrier=carrier,
                                         tracking_number=data.get("tracking_number", ""))
    return {"order_number": order.number, "shipment": shipment.number, "status": shipment.status,
            "tracking_number": shipment.tracking_number}


class ShipmentConfirm(IntegrationView):
    """The WMS confirms what left a warehouse for an order: a shipment created and shipped in one go. With an
    Idempotency-Key header, a repeat gets the first answer back and ships nothing more."""

    required_scopes = {"POST": "shipments:write"}

    @extend_schema(request=s.IntegrationShipmentConfirmSerializer, responses={201: OpenApiResponse(
        description="{order_number, shipment, status, tracking_number}")})
    def post(self, request):
        body = s.IntegrationShipmentConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > 128:
            raise exceptions.ValidationError({"Idempotency-Key": [_("At most 128 characters.")]})
        if not key:
            with transaction.atomic():
                return Response(_confirm(request.user, body.validated_data), status=201)
        with transaction.atomic():
            first = IdempotentResult.objects.filter(endpoint="shipments.confirm", key=key).first()
            if first is None:
                try:
                    with transaction.atomic():  # a concurrent same key waits here for the first to finish
                        first = IdempotentResult.objects.create(endpoint="shipments.confirm", key=key, status=0)
                except IntegrityError:
                    first = IdempotentResult.objects.get(endpoint="shipments.confirm", key=key)
                else:
                    try:
                        result = _confirm(request.user, body.validated_data)
                    except DomainError:
                        raise  # nothing kept: the whole transaction rolls back, the key is free again
                    first.status, first.body = 201, result
                    first.save(update_fields=["status", "body"])
            return Response(first.body, status=first.status)
