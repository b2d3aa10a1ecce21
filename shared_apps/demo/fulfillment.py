"""Demo fulfilment: carriers, and helpers that take a demo order from allocated to shipped, delivered and
completed (or a return), through the fulfilment services, so the seed has orders in every state.

    seed_carriers()                              # 顺丰速运, 京东物流, 德邦 (idempotent)
    ship_demo_order(order=o)                     # allocated -> shipped (one shipment per warehouse)
    ship_demo_order(order=o, partial=True)       # allocated -> partially shipped (half of the first pick)
    deliver_demo_order(order=o)                  # shipped -> delivered (carrier-style tracking events)
    deliver_demo_order(order=o, confirm=True)    # ... -> completed (the dealer confirms receipt)
    return_demo_order(order=o, actor=buyer)      # a requested return of one unit of the first line
"""

from __future__ import annotations

import secrets

from django.utils import timezone, translation

from tenant_apps.fulfillment import services
from tenant_apps.fulfillment.models import Carrier, Shipment, ShipmentStatus
from tenant_apps.fulfillment.selectors import picking_lists, returnable_lines
from tenant_apps.ordering.models import Order, OrderStatus

CARRIERS = [
    ("sf", "顺丰速运", "SF Express", "https://www.sf-express.com/chn/sc/waybill/waybill-detail/{number}"),
    ("jd", "京东物流", "JD Logistics", "https://www.jdl.com/orderSearch/?waybillCodes={number}"),
    ("deppon", "德邦快递", "Deppon Express", "https://www.deppon.com/gwapi/trackService/?mailNo={number}"),
]


def say(chinese: str, english: str) -> str:
    """The demo's words in the language it is seeded in (the brand's)."""
    return chinese if (translation.get_language() or "").startswith("zh") else english


def seed_carriers(*, actor=None) -> list[Carrier]:
    made = []
    for code, name, name_en, url in CARRIERS:
        carrier = Carrier.objects.filter(code=code).first()
        if carrier is None or not carrier.webhook_secret:  # SF and JD come with the workspace, without a secret
            carrier = services.carrier_save(actor=actor, carrier=carrier, code=code, name=say(name, name_en),
                                            tracking_url_template=url, webhook_secret=secrets.token_urlsafe(24))
        made.append(carrier)
    return made


def ship_demo_order(*, order: Order, actor=None, partial: bool = False) -> list[Shipment]:
    """Ship an allocated (or partially shipped) order: one shipment per warehouse holding its reservations,
    each with a carrier and a tracking number and an "in transit" event. `partial` ships only half of the
    first warehouse's first line (when there is more than one unit), leaving the order partially shipped."""
    order.refresh_from_db()
    if order.status == OrderStatus.APPROVED:
        services.order_allocate(actor=actor, order=order)
    carriers = seed_carriers(actor=actor)
    shipments = []
    for number, pick in enumerate(picking_lists(order)):
        if not pick.total_to_pick:
            continue
        lines = None
        if partial:
            first = next(row for row in pick.rows if row.to_pick)
            if first.to_pick > 1 or pick.total_to_pick > first.to_pick:
                lines = {first.line.pk: max(first.to_pick // 2, 1)}
        shipment = services.shipment_create(actor=actor, order=order, warehouse_id=pick.warehouse.pk, lines=lines)
        carrier = carriers[(order.pk + number) % len(carriers)]
        services.shipment_ship(actor=actor, shipment=shipment, carrier=carrier,
                               tracking_number=f"{carrier.code.upper()}{order.pk:06d}{number + 1:02d}")
        services.tracking_event_add(actor=actor, shipment=shipment, status="in_transit",
                                    location=pick.warehouse.name, description=say("已揽收", "Picked up"))
        shipments.append(shipment)
        if partial:
            break
    order.refresh_from_db()
    return shipments


def deliver_demo_order(*, order: Order, actor=None, confirm: bool = False) -> Order:
    """Every shipment of a shipped order delivered (so the order is delivered); `confirm`: the dealer's
    receipt confirmation then completes it (`actor` should be one of the dealer's buyers)."""
    for shipment in Shipment.objects.filter(order=order).exclude(status=ShipmentStatus.DELIVERED).order_by("id"):
        services.tracking_event_add(actor=actor, shipment=shipment, status="delivered", occurred_at=timezone.now(),
                                    description=say("已签收", "Delivered"))
    order.refresh_from_db()
    if confirm:
        services.order_receipt_confirm(actor=actor, order=order)
        order.refresh_from_db()
    return order


def return_demo_order(*, order: Order, actor, reason_code: str = "damaged"):
    """A requested return of one unit of the first returnable line (None if nothing can be returned)."""
    row = next((row for row in returnable_lines(order) if row.returnable), None)
    if row is None:
        return None
    return services.return_request_create(actor=actor, order=order, reason_code=reason_code,
                                          reason_text=say("外箱破损", "Outer carton damaged"), lines={row.line.pk: 1})
