"""The endpoints an ERP / WMS calls with an API key (docs/integrations.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.response import Response

from tenant_apps.catalog import transfer as catalog_transfer
from tenant_apps.dealers import transfer as dealers_transfer
from tenant_apps.dealers.errors import DealerNotFound
from tenant_apps.dealers.models import Dealer
from tenant_apps.fulfillment import services as fulfillment
from tenant_apps.fulfillment.models import Carrier
from tenant_apps.integrations import selectors, services
from tenant_apps.integrations.api import serializers as s
from tenant_apps.integrations.api.auth import IntegrationView
from tenant_apps.integrations.errors import BatchTooLarge, KeyMissing
from tenant_apps.inventory.models import Warehouse
from tenant_apps.ordering import services as ordering
from tenant_apps.ordering.models import OrderLine
from tenant_apps.pricing import transfer as pricing_transfer
from tenant_apps.replenishment import services as replenishment

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


def _idempotency_key(request, *, required: bool) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 128:
        raise exceptions.ValidationError({"Idempotency-Key": [_("At most 128 characters.")]})
    if required and not key:
        raise KeyMissing(_("Send an Idempotency-Key header (any unique text of at most 128 characters, e.g. a "
                           "UUID): a repeat of the call with the same key and body is answered without writing "
                           "again."), fields={"Idempotency-Key": [_("This header is required.")]})
    return key


def _answer(answer: services.Answer) -> Response:
    response = Response(answer.body, status=answer.status)
    if answer.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


class ShipmentConfirm(IntegrationView):
    """The WMS confirms what left a warehouse for an order: a shipment created and shipped in one go. With an
    Idempotency-Key header, a repeat gets the first answer back and ships nothing more."""

    required_scopes = {"POST": "shipments:write"}

    @extend_schema(request=s.IntegrationShipmentConfirmSerializer, responses={201: OpenApiResponse(
        description="{order_number, shipment, status, tracking_number}")})
    def post(self, request):
        body = s.IntegrationShipmentConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        key = _idempotency_key(request, required=False)
        if not key:
            with transaction.atomic():
                return Response(_confirm(request.user, body.validated_data), status=201)
        return _answer(services.idempotent_answer(
            api_key=request.auth, endpoint="shipments.confirm", key=key, body_hash=services.request_hash(request.data),
            perform=lambda: (201, _confirm(request.user, body.validated_data))))


# --- bulk upserts ---------------------------------------------------------------------------------------

MAX_BATCH = 1000
MAX_BODY_BYTES = 12_000_000  # 1,000 catalog rows with long descriptions; DRF reads a JSON body without a limit


class BulkUpsert(IntegrationView):
    """A batch of rows through the same validation and writes as the file import of the same kind (`upsert`:
    its JSON entry point), all or nothing; an Idempotency-Key header is required."""

    endpoint = ""
    upsert = None

    def post(self, request):
        key = _idempotency_key(request, required=True)
        limit = getattr(settings, "INTEGRATIONS_BULK_MAX_BYTES", MAX_BODY_BYTES)
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit:  # before the JSON is parsed
            raise BatchTooLarge(_("A batch's body holds at most %(max)s MB; send the rows in several batches.")
                                % {"max": round(limit / 1_000_000, 1)})
        rows = request.data.get("rows") if isinstance(request.data, dict) else None
        if not isinstance(rows, list) or not rows:
            raise exceptions.ValidationError({"rows": [_("Send the rows as a list of 1 to %(max)s objects.")
                                                       % {"max": MAX_BATCH}]})
        if len(rows) > MAX_BATCH:
            raise BatchTooLarge(_("A batch holds at most %(max)s rows (this one has %(count)s); send them in "
                                  "several batches.") % {"max": MAX_BATCH, "count": len(rows)},
                                fields={"rows": [_("At most %(max)s rows.") % {"max": MAX_BATCH}]})
        upsert = type(self).upsert

        def perform() -> tuple[int, dict]:
            result = upsert(actor=request.user, records=rows, source=str(request.auth))
            return (200, s.bulk_result(result)) if result.applied else (400, s.bulk_errors(result))

        return _answer(services.idempotent_answer(api_key=request.auth, endpoint=self.endpoint, key=key,
                                                  body_hash=services.request_hash(request.data), perform=perform))


BULK_SCHEMA = extend_schema_view(post=extend_schema(request=s.IntegrationBulkSerializer, responses={
    200: OpenApiResponse(description="{rows, created, updated, unchanged}"),
    400: OpenApiResponse(description="{code: rows_invalid, detail, fields: {rows.<n>.<field>: [...]}, "
                                     "errors: [{index, row, field, message}], error_count}"),
    413: OpenApiResponse(description="{code: batch_too_large}"),
    422: OpenApiResponse(description="{code: idempotency_key_reused}")}))


@BULK_SCHEMA
class DealersUpsert(BulkUpsert):
    """Dealers by code: new ones created, existing ones updated (dealers.transfer.dealers_upsert)."""

    required_scopes = {"POST": "dealers:write"}
    endpoint = "dealers.bulk"
    upsert = staticmethod(dealers_transfer.dealers_upsert)


@BULK_SCHEMA
class SkusUpsert(BulkUpsert):
    """Products and SKUs by code, as the catalog import (catalog.transfer.catalog_upsert)."""

    required_scopes = {"POST": "catalog:write"}
    endpoint = "skus.bulk"
    upsert = staticmethod(catalog_transfer.catalog_upsert)


@BULK_SCHEMA
class PricesUpsert(BulkUpsert):
    """Price entries by list, SKU, unit and quantity, as the price import (pricing.transfer.prices_upsert)."""

    required_scopes = {"POST": "prices:write"}
    endpoint = "prices.bulk"
    upsert = staticmethod(pricing_transfer.prices_upsert)


class SellOutRecords(IntegrationView):
    """A dealer's POS / sales records sent by the brand's system: {"dealer": "<dealer code>", "records": [{date, sku,
    quantity, on_hand?}]}, validated and written all or nothing (replenishment.services.sell_out_records_add). With
    an Idempotency-Key header, a repeat gets the first answer back."""

    required_scopes = {"POST": "sellout:write"}

    @extend_schema(request=s.IntegrationSellOutSerializer, responses={201: OpenApiResponse(description="{rows}")})
    def post(self, request):
        body = s.IntegrationSellOutSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        dealer = Dealer.objects.filter(code=body.validated_data["dealer"]).first()
        if dealer is None:
            raise DealerNotFound(_("No dealer with this code."))

        def perform() -> tuple[int, dict]:
            return 201, {"rows": replenishment.sell_out_records_add(actor=request.user, dealer=dealer,
                                                                    records=body.validated_data["records"])}

        key = _idempotency_key(request, required=False)
        if not key:
            with transaction.atomic():
                status, answer = perform()
                return Response(answer, status=status)
        return _answer(services.idempotent_answer(
            api_key=request.auth, endpoint="sellout.records", key=key, body_hash=services.request_hash(request.data),
            perform=perform))
