"""The demo helpers take an order through every fulfilment state via the services."""

from shared_apps.demo.fulfillment import deliver_demo_order, return_demo_order, seed_carriers, ship_demo_order
from tenant_apps.fulfillment.models import Carrier
from tenant_apps.inventory.selectors import ledger_mismatches
from tenant_apps.ordering.models import OrderStatus


def test_demo_ships_delivers_completes_and_returns(store, people, allocated):
    seed_carriers()
    demo = seed_carriers()
    # the demo's three (SF and JD among the workspace's seven, and Deppon) all push tracking events: signed
    assert [c.code for c in demo] == ["sf", "jd", "deppon"] and all(c.webhook_secret for c in demo)
    assert Carrier.objects.count() == 8
    assert len(ship_demo_order(order=allocated, partial=True)) == 1
    assert allocated.status == OrderStatus.PARTIALLY_SHIPPED
    ship_demo_order(order=allocated)
    assert allocated.status == OrderStatus.SHIPPED
    assert deliver_demo_order(order=allocated).status == OrderStatus.DELIVERED
    assert deliver_demo_order(order=allocated, actor=store.buyer, confirm=True).status == OrderStatus.COMPLETED
    assert return_demo_order(order=allocated, actor=store.buyer).status == "requested"
    assert ledger_mismatches() == []
