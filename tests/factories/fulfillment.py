"""Carriers, allocation, shipments and returns."""

from __future__ import annotations

from tenant_apps.fulfillment import services
from tenant_apps.fulfillment.models import Carrier


def carrier(*, code: str = "sf", name: str = "顺丰速运", webhook_secret: str | None = None, actor=None,
            tracking_url_template: str = "https://track.example.com/?no={number}") -> Carrier:
    """A carrier the workspace came with (SF), set up by the brand with its webhook secret and tracking page."""
    return services.carrier_save(actor=actor, carrier=Carrier.objects.get(code=code), name=name,
                                 tracking_url_template=tracking_url_template, webhook_secret=webhook_secret)


def shipped(*, order, warehouse, actor, carrier=None, tracking_number: str = ""):
    """One shipment of what `warehouse` holds reserved for `order`, picked and shipped."""
    shipment = services.shipment_create(actor=actor, order=order, warehouse_id=warehouse.pk)
    return services.shipment_ship(actor=actor, shipment=shipment, carrier=carrier, tracking_number=tracking_number)


def ship_everything(order, people, carrier=None):
    """One shipment per warehouse holding the order's reservations, each shipped (by `people.warehouse`)."""
    from tenant_apps.fulfillment.selectors import picking_lists

    shipments = []
    for pick in picking_lists(order):
        shipment = services.shipment_create(actor=people.warehouse, order=order, warehouse_id=pick.warehouse.pk)
        services.shipment_ship(actor=people.warehouse, shipment=shipment, carrier=carrier,
                               tracking_number=f"SF{shipment.pk:08d}" if carrier else "")
        shipments.append(shipment)
    order.refresh_from_db()
    return shipments
