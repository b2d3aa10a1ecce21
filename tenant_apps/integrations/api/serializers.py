"""What the integration endpoints take and give (names prefixed Integration: one OpenAPI component each)."""

from __future__ import annotations

from django.utils.translation import ngettext
from rest_framework import serializers

from tenant_apps.integrations.selectors import MAX_LIMIT


class IntegrationFeedQuerySerializer(serializers.Serializer):
    cursor = serializers.CharField(required=False, allow_blank=True, max_length=40)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT)


class IntegrationAcknowledgeSerializer(serializers.Serializer):
    erp_order_number = serializers.CharField(max_length=64)


class IntegrationShipLineSerializer(serializers.Serializer):
    line_no = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)


class IntegrationShipmentConfirmSerializer(serializers.Serializer):
    order_number = serializers.CharField(max_length=32)
    warehouse = serializers.CharField(max_length=32)  # the warehouse's code
    carrier = serializers.CharField(max_length=32, required=False, allow_blank=True)  # the carrier's code
    tracking_number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    lines = IntegrationShipLineSerializer(many=True, required=False, max_length=2000)


class IntegrationBulkSerializer(serializers.Serializer):
    """The body of a bulk upsert (for the schema only: the rows are checked by the import they go through)."""

    rows = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=1000)


def bulk_result(result) -> dict:
    """The counts of an applied batch (and the catalog's product and series counts)."""
    body = {"rows": result.rows, "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged}
    for name in ("products_created", "products_updated", "series_created"):
        if hasattr(result, name):
            body[name] = getattr(result, name)
    return body


def bulk_errors(result) -> dict:
    """A refused batch: every problem by row (`row` counted from 1 as the messages do, `index` from 0 as the
    list is; both null for the batch as a whole) and field, at most 100 of them, then one "… and N more" line."""
    errors, fields = [], {}
    for error in result.errors:
        row = error.row or None
        errors.append({"index": row - 1 if row else None, "row": row, "field": error.field,
                       "message": str(error.message)})
        if getattr(error, "count", 0):
            continue  # the "… and N more" line
        name = f"rows.{row}.{error.field}" if row and error.field else (f"rows.{row}" if row else
                                                                        error.field or "rows")
        fields.setdefault(name, []).append(str(error.message))
    count = result.problem_count
    detail = ngettext("Nothing was written: the rows have %(count)s problem.",
                      "Nothing was written: the rows have %(count)s problems.", count) % {"count": count}
    return {"code": "rows_invalid", "detail": detail, "fields": fields, "errors": errors, "error_count": count}


def money(value) -> str:
    return f"{value:.2f}"


def order_data(order, events) -> dict:
    return {
        "number": order.number, "status": order.status, "revision": order.revision,
        "dealer_code": order.dealer.code, "currency": order.currency,
        "subtotal": money(order.subtotal), "discount_total": money(order.discount_total),
        "total": money(order.total), "shipping_address": order.shipping_address,
        "erp_order_number": order.erp_order_number,
        "submitted_at": order.submitted_at.isoformat() if order.submitted_at else None,
        "lines": [{"line_no": line.line_no, "sku": line.sku.code, "unit": line.unit.code,
                   "quantity": line.quantity, "factor": line.factor, "unit_price": f"{line.unit_price:.4f}",
                   "gross": money(line.gross), "discount": money(line.discount), "net": money(line.net),
                   "shipped_base": line.shipped_base} for line in order.lines.all()],
        "events": [{"id": event.id, "kind": event.kind, "at": event.created_at.isoformat()} for event in events],
    }


def shipment_data(shipment) -> dict:
    return {
        "number": shipment.number, "status": shipment.status,
        "carrier": shipment.carrier.code if shipment.carrier else "",
        "tracking_number": shipment.tracking_number,
        "shipped_at": shipment.shipped_at.isoformat() if shipment.shipped_at else None,
        "lines": [{"line_no": item.order_line.line_no, "sku": item.order_line.sku.code, "quantity": item.quantity}
                  for item in sorted(shipment.lines.all(), key=lambda item: item.order_line.line_no)],
    }


class IntegrationSellOutSerializer(serializers.Serializer):
    dealer = serializers.CharField(max_length=64)
    records = serializers.ListField(child=serializers.JSONField(), min_length=1, max_length=20_000)
