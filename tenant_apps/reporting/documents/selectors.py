"""What a document shows, read in a constant number of queries whatever the number of lines. The order and the
shipment come from their apps' scoped getters (ordering.selectors.order_get_for, fulfillment.selectors.
shipment_get_for), which the pages call; these functions only read what hangs below an object already allowed."""

from __future__ import annotations

from dataclasses import dataclass, field

from tenant_apps.fulfillment.models import Shipment, ShipmentLine
from tenant_apps.ordering.models import Order, OrderLine
from tenant_apps.ordering.presentation import breakdown_rows, line_pack_quantity


@dataclass
class OrderConfirmation:
    order: Order
    lines: list[OrderLine]
    promotions: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def dealer(self):
        return self.order.dealer

    @property
    def address(self) -> dict:
        return self.order.shipping_address or {}


@dataclass
class DeliveryRow:
    line_no: int
    sku_code: str
    sku_name: str
    quantity: int  # base units shipped
    base_unit: str
    in_packs: str  # "5 箱 (120 罐)"


@dataclass
class DeliveryNote:
    shipment: Shipment
    rows: list[DeliveryRow]

    @property
    def order(self) -> Order:
        return self.shipment.order

    @property
    def dealer(self):
        return self.shipment.order.dealer

    @property
    def address(self) -> dict:
        return self.shipment.order.shipping_address or {}


def order_confirmation(order: Order) -> OrderConfirmation:
    """The order (with its dealer loaded) and its lines with SKU and units: one query for the lines."""
    lines = list(OrderLine.objects.filter(order_id=order.pk).select_related("sku", "sku__base_unit", "unit")
                 .order_by("line_no"))
    breakdown = breakdown_rows(order)
    return OrderConfirmation(order=order, lines=lines, promotions=breakdown["promotions"],
                             notes=[str(note) for note in breakdown["notes"]])


def delivery_note(shipment: Shipment) -> DeliveryNote:
    """The shipment (with its order, dealer, warehouse and carrier loaded) and its lines: one query."""
    lines = ShipmentLine.objects.filter(shipment_id=shipment.pk).select_related(
        "order_line", "order_line__sku", "order_line__sku__base_unit", "order_line__unit",
    ).order_by("order_line__line_no", "id")
    rows = [DeliveryRow(line_no=line.order_line.line_no, sku_code=line.order_line.sku.code,
                        sku_name=line.order_line.sku.name, quantity=line.quantity,
                        base_unit=line.order_line.sku.base_unit.name,
                        in_packs=line_pack_quantity(line.quantity, line.order_line))
            for line in lines]
    return DeliveryNote(shipment=shipment, rows=rows)
