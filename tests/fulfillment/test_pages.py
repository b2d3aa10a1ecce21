"""Console and storefront pages of fulfilment, driven like a user: allocate, pick, ship with a tracking
number, print the picking list, track; the dealer sees the timeline, confirms receipt, asks for a return;
the brand decides and receives it. Roles and scope: 403 without the capability, 404 outside the scope."""

import pytest

from tenant_apps.fulfillment import services
from tenant_apps.fulfillment.models import ReturnRequest, Shipment
from tenant_apps.inventory.models import Stock
from tenant_apps.ordering.models import OrderLine, OrderStatus
from tenant_apps.ordering.submission import SubmitLine
from tests.fulfillment.conftest import approved_order, client_for, ship_everything
from tests.fulfillment.test_api import other_buyer  # noqa: F401


def page(user):
    return client_for(user, token=False)


@pytest.mark.parametrize(("who", "status"), [("warehouse", 200), ("owner", 200), ("sales", 403), ("analyst", 403),
                                             ("buyer", 403)])
def test_who_opens_the_fulfilment_console(store, people, who, status):
    assert page(getattr(people, who)).get("/console/fulfillment/").status_code == status


@pytest.mark.parametrize(("who", "status"), [("warehouse", 200), ("sales", 200), ("analyst", 403), ("buyer", 403)])
def test_who_opens_the_returns_inbox(store, people, who, status):
    assert page(getattr(people, who)).get("/console/fulfillment/returns/").status_code == status


def test_allocate_pick_and_ship_from_the_console(store, people, order, carrier):
    console = page(people.warehouse)
    home = console.get("/console/fulfillment/").content.decode()
    assert order.number in home
    url = f"/console/fulfillment/orders/{order.pk}/"
    assert console.post(url, {"action": "allocate"}).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.ALLOCATED
    detail = console.get(url).content.decode()
    assert "Pick at 成都仓" in detail and "Pick at 上海仓" in detail
    printable = console.get(f"/console/fulfillment/orders/{order.pk}/picking/{store.west.pk}/")
    assert printable.status_code == 200 and "RB-250" in printable.content.decode()
    assert console.get(f"/console/fulfillment/orders/{order.pk}/picking/999999/").status_code == 404
    red_bull = OrderLine.objects.get(order=order, sku=store.sku)
    too_many = console.post(url, {"action": "create_shipment", "warehouse": store.west.pk, f"line_{red_bull.pk}": 21})
    assert too_many.status_code == 400 and "Enter a whole number from 0 to 20." in too_many.content.decode()
    assert console.post(url, {"action": "create_shipment", "warehouse": store.west.pk,
                              f"line_{red_bull.pk}": 20}).status_code == 302
    shipment = Shipment.objects.get(order=order)
    no_number = console.post(url, {"action": "ship", "shipment": shipment.pk, "carrier": carrier.pk})
    assert no_number.status_code == 400 and "tracking number" in no_number.content.decode()
    assert console.post(url, {"action": "ship", "shipment": shipment.pk, "carrier": carrier.pk,
                              "tracking_number": "SF123"}).status_code == 302
    shipment.refresh_from_db()
    assert (shipment.status, shipment.tracking_number) == ("shipped", "SF123")
    assert console.post(url, {"action": "tracking", "shipment": shipment.pk, "status": "in_transit",
                              "location": "成都"}).status_code == 302
    listing = console.get("/console/fulfillment/shipments/?q=SF123").content.decode()
    assert shipment.number in listing and "成都" in listing
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    assert Stock.objects.get(sku=store.sku, warehouse=store.west).on_hand == 30


def test_shipments_page_runs_constant_queries(store, people, count_queries):
    console = page(people.owner)
    console.get("/console/fulfillment/shipments/")

    def one(quantity):
        order = approved_order(store, people, lines=[SubmitLine(store.sku.pk, None, quantity)])
        services.order_allocate(actor=people.warehouse, order=order)
        ship_everything(order, people)

    one(1)
    with count_queries() as few:
        console.get("/console/fulfillment/shipments/")
    one(2)
    one(3)
    with count_queries() as more:
        assert console.get("/console/fulfillment/shipments/").content.decode().count('data-number="') == 3
    assert len(more.sql) == len(few.sql)


def test_dealer_tracks_confirms_and_asks_for_a_return(store, people, allocated, carrier, other_buyer):  # noqa: F811
    first, second = ship_everything(allocated, people, carrier=carrier)
    services.tracking_event_add(actor=people.warehouse, shipment=first, status="in_transit", location="嘉兴中转")
    buyer = page(store.buyer)
    mine = buyer.get("/shipments/").content.decode()
    assert first.number in mine and second.number in mine
    url = f"/shipments/orders/{allocated.pk}/"
    detail = buyer.get(url).content.decode()
    assert "嘉兴中转" in detail and "https://track.example.com/?no=" in detail and 'id="confirm-receipt"' in detail
    assert page(other_buyer).get(url).status_code == 404
    assert page(other_buyer).post(f"{url}confirm/").status_code == 404
    assert page(people.owner).get(url).status_code == 403
    red_bull = OrderLine.objects.get(order=allocated, sku=store.sku)
    over = buyer.post(f"{url}returns/", {f"line_{red_bull.pk}": "500", "reason_code": "damaged"})
    assert over.status_code == 400 and "At most 120 can be returned" in over.content.decode()
    assert not ReturnRequest.objects.exists()
    assert buyer.post(f"{url}returns/", {f"line_{red_bull.pk}": "4", "reason_code": "damaged",
                                         "reason_text": "外箱破损"}).status_code == 302
    rma = ReturnRequest.objects.get()
    assert buyer.post(f"{url}confirm/").status_code == 302
    allocated.refresh_from_db()
    assert allocated.status == OrderStatus.COMPLETED
    # The brand: a sales rep outside the dealer's scope cannot touch it; the owner approves; the warehouse receives.
    assert page(people.sales).post("/console/fulfillment/returns/", {"rma": rma.pk, "action": "approve"}).status_code \
        == 404
    assert page(people.warehouse).post("/console/fulfillment/returns/", {"rma": rma.pk, "action": "approve"}
                                       ).status_code == 403
    owner = page(people.owner)
    assert rma.number in owner.get("/console/fulfillment/returns/").content.decode()
    rejected = owner.post("/console/fulfillment/returns/", {"rma": rma.pk, "action": "reject", "note": ""})
    assert rejected.status_code == 400
    assert owner.post("/console/fulfillment/returns/", {"rma": rma.pk, "action": "approve"}).status_code == 302
    assert page(people.warehouse).post("/console/fulfillment/returns/", {"rma": rma.pk, "action": "receive"}
                                       ).status_code == 302
    rma.refresh_from_db()
    assert rma.status == "received"
    assert Stock.objects.get(sku=store.sku, warehouse=store.east).on_hand == 4
    assert "Received" in buyer.get(url).content.decode()


def test_the_dealers_order_page_reads_its_shipments_and_returns_once(store, people, allocated, count_queries):
    ship_everything(allocated, people)
    buyer = page(store.buyer)
    with count_queries() as seen:
        assert buyer.get(f"/shipments/orders/{allocated.pk}/").status_code == 200

    def reads(table):
        return sum(f'FROM "{table}" ' in sql for sql in seen.sql)

    assert (reads("fulfillment_shipment"), reads("fulfillment_returnrequest")) == (1, 1)


def test_carriers_page(store, people):
    owner = page(people.owner)
    bad = owner.post("/console/fulfillment/carriers/", {"code": "deppon", "name": "德邦快递",
                                                         "tracking_url_template": "ftp://x", "webhook_secret": "short"})
    assert bad.status_code == 400 and "At least 16 characters." in bad.content.decode()
    assert owner.post("/console/fulfillment/carriers/", {"code": "deppon", "name": "德邦快递",
                                                          "webhook_secret": "a-long-enough-secret"}).status_code == 302
    assert "secret set" in owner.get("/console/fulfillment/carriers/").content.decode()
    assert page(people.warehouse).get("/console/fulfillment/carriers/").status_code == 403


def test_the_carriers_page_speaks_to_the_brand_not_to_a_programmer(store, people):
    """The page says what to hand a carrier and links the API documentation; signing details live there."""
    zh = page(people.owner).get("/console/fulfillment/carriers/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "推送密钥" in zh and "物流轨迹推送" in zh and 'href="/api/docs/"' in zh
    for detail in ("HMAC", "sha256", "X-Carrier-Signature", "Unix", "Webhook"):
        assert detail not in zh
