"""The fulfilment API over real HTTP requests: roles, scope (another dealer's order is a 404), shipments
from two warehouses, the signed carrier webhook (applied once, repeat idempotent, bad signature 401 with
nothing written), receipt confirmation, returns, and constant query counts on lists."""

import json
import time

import pytest

from tenant_apps.accounts.services import user_create
from tenant_apps.dealers import services as dealers
from tenant_apps.fulfillment import services
from tenant_apps.fulfillment.models import ReturnRequest, Shipment, TrackingEvent
from tenant_apps.inventory.models import Stock
from tenant_apps.inventory.selectors import ledger_mismatches
from tenant_apps.ordering.models import OrderEvent, OrderLine, OrderStatus
from tenant_apps.ordering.submission import SubmitLine
from tests.factories import DEFAULT_PASSWORD
from tests.fulfillment.conftest import SECRET, TenantClient, approved_order, client_for, ship_everything


def api(user):
    return client_for(user)


@pytest.fixture
def other_buyer(store):
    hq = dealers.headquarters_ensure(name="HQ")
    other = dealers.dealer_create(actor=None, parent=hq, code="BJ-9", legal_name="北京经销商", tier=store.tier,
                                  territories=[store.shanghai], status="active")
    return user_create(actor=None, email="buyer@bj.test", password=DEFAULT_PASSWORD, role="dealer_buyer",
                       dealer=other)


def test_ship_from_two_warehouses_over_the_api(store, people, order, carrier):
    warehouse = api(people.warehouse)
    assert warehouse.post(f"/api/v1/fulfillment/orders/{order.pk}/allocate/").json()["status"] == "allocated"
    picking = warehouse.get(f"/api/v1/fulfillment/orders/{order.pk}/picking/").json()
    assert [(p["warehouse_code"], [(r["sku_code"], r["to_pick"]) for r in p["rows"]]) for p in picking] == [
        ("E", [("RB-250", 100), ("RB-330", 10)]), ("W", [("RB-250", 20)])]
    red_bull = OrderLine.objects.get(order=order, sku=store.sku)
    made = warehouse.post("/api/v1/shipments/", {"order": order.pk, "warehouse": store.west.pk,
                                                 "lines": [{"line": red_bull.pk, "quantity": 20}]},
                          content_type="application/json")
    assert made.status_code == 201, made.content
    west = made.json()
    assert (west["status"], west["lines"][0]["quantity"]) == ("picking", 20)
    shipped = warehouse.post(f"/api/v1/shipments/{west['id']}/ship/", {"carrier": "sf", "tracking_number": "SF1"},
                             content_type="application/json")
    assert shipped.status_code == 200 and shipped.json()["tracking_url"] == "https://track.example.com/?no=SF1"
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    east = warehouse.post("/api/v1/shipments/", {"order": order.pk, "warehouse": store.east.pk},
                          content_type="application/json").json()
    assert warehouse.post(f"/api/v1/shipments/{east['id']}/ship/", {"carrier": "sf", "tracking_number": "SF2"},
                          content_type="application/json").status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    on_hand = {(s.sku_id, s.warehouse_id): (s.on_hand, s.reserved) for s in Stock.objects.all()}
    assert on_hand == {(store.sku.pk, store.east.pk): (0, 0), (store.sku.pk, store.west.pk): (30, 0),
                       (store.water.pk, store.east.pk): (90, 0), (store.water.pk, store.west.pk): (50, 0)}
    assert ledger_mismatches() == []
    # A bad carrier code and an over-quantity are field errors, nothing written.
    again = warehouse.post("/api/v1/shipments/", {"order": order.pk, "warehouse": store.east.pk},
                           content_type="application/json")
    assert again.status_code == 409  # shipped: nothing more to ship


def test_bad_shipment_input_is_a_400_with_fields(store, people, allocated):
    warehouse = api(people.warehouse)
    red_bull = OrderLine.objects.get(order=allocated, sku=store.sku)
    response = warehouse.post("/api/v1/shipments/", {"order": allocated.pk, "warehouse": store.west.pk,
                                                     "lines": [{"line": red_bull.pk, "quantity": 999}]},
                              content_type="application/json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"lines.1.quantity": ["Enter a whole number from 0 to 20."]}
    response = warehouse.post("/api/v1/shipments/", {"order": allocated.pk, "warehouse": "x"},
                              content_type="application/json")
    assert response.status_code == 400 and "warehouse" in response.json()["fields"]
    assert not Shipment.objects.exists()


def test_a_dealer_cannot_ship_and_sees_only_its_own(store, people, allocated, other_buyer):
    shipment = services.shipment_create(actor=people.warehouse, order=allocated, warehouse_id=store.west.pk)
    buyer, other = api(store.buyer), api(other_buyer)
    assert buyer.post(f"/api/v1/shipments/{shipment.pk}/ship/", {}, content_type="application/json").status_code == 403
    assert buyer.post("/api/v1/shipments/", {"order": allocated.pk, "warehouse": store.east.pk},
                      content_type="application/json").status_code == 403
    assert buyer.post(f"/api/v1/fulfillment/orders/{allocated.pk}/allocate/").status_code == 403
    shipment.refresh_from_db()
    assert shipment.status == "picking" and Shipment.objects.count() == 1
    assert [s["number"] for s in buyer.get("/api/v1/shipments/").json()["results"]] == [shipment.number]
    assert other.get("/api/v1/shipments/").json()["results"] == []
    assert other.get(f"/api/v1/shipments/{shipment.pk}/").status_code == 404
    assert other.post(f"/api/v1/fulfillment/orders/{allocated.pk}/confirm-receipt/").status_code == 404
    line = OrderLine.objects.filter(order=allocated).first()
    assert other.post("/api/v1/returns/", {"order": allocated.pk, "reason_code": "damaged",
                                           "lines": [{"line": line.pk, "quantity": 1}]},
                      content_type="application/json").status_code == 404
    assert client_for().get("/api/v1/shipments/").status_code == 401
    assert api(people.analyst).post(f"/api/v1/shipments/{shipment.pk}/ship/", {},
                                    content_type="application/json").status_code == 403


def _webhook(body: dict, *, secret=SECRET, timestamp=None, code="sf"):
    raw = json.dumps(body).encode()
    stamp = str(int(timestamp if timestamp is not None else time.time()))
    return client_for().post(
        f"/api/v1/carriers/{code}/webhook/", raw, content_type="application/json",
        HTTP_X_CARRIER_TIMESTAMP=stamp, HTTP_X_CARRIER_SIGNATURE=services.webhook_signature(secret, stamp, raw))


def test_carrier_webhook_is_verified_and_applied_once(store, people, allocated, carrier):
    first, second = ship_everything(allocated, people, carrier=carrier)
    events = OrderEvent.objects.filter(order=allocated).count()
    delivered = {"event_id": "evt-1", "tracking_number": first.tracking_number, "status": "delivered",
                 "location": "上海浦东", "description": "已签收", "occurred_at": "2026-01-05T10:00:00+08:00"}
    # Wrong secret, stale timestamp, missing headers: 401 and nothing written.
    assert _webhook(delivered, secret="not-the-secret-0000").status_code == 401
    assert _webhook(delivered, timestamp=time.time() - 3600).status_code == 401
    bare = client_for().post("/api/v1/carriers/sf/webhook/", json.dumps(delivered),
                                              content_type="application/json")
    assert bare.status_code == 401 and bare.json()["code"] == "bad_signature"
    assert TrackingEvent.objects.count() == 0 and OrderEvent.objects.filter(order=allocated).count() == events
    first.refresh_from_db()
    assert first.status == "shipped"
    # Good signature: applied once.
    response = _webhook(delivered)
    assert response.status_code == 200 and response.json()["applied"] is True
    assert response.json()["shipment_status"] == "delivered"
    repeat = _webhook(delivered)
    assert repeat.status_code == 200 and repeat.json() == {**response.json(), "applied": False}
    assert TrackingEvent.objects.filter(shipment=first).count() == 1
    allocated.refresh_from_db()
    assert allocated.status == OrderStatus.SHIPPED  # the second shipment is still under way
    # Unknown carrier, unknown tracking number.
    assert _webhook(delivered, code="deppon").status_code == 404
    assert _webhook(delivered, code="ems").status_code == 401  # a carrier without a webhook secret takes no pushes
    unknown = _webhook({**delivered, "event_id": "evt-x", "tracking_number": "NOPE"})
    assert unknown.status_code == 400 and "tracking_number" in unknown.json()["fields"]
    # The last shipment delivered: the order is delivered; the dealer confirms and it completes.
    assert _webhook({**delivered, "event_id": "evt-2", "tracking_number": second.tracking_number}).status_code == 200
    allocated.refresh_from_db()
    assert allocated.status == OrderStatus.DELIVERED
    confirmed = api(store.buyer).post(f"/api/v1/fulfillment/orders/{allocated.pk}/confirm-receipt/")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "completed"
    timeline = api(store.buyer).get(f"/api/v1/shipments/{first.pk}/tracking/").json()
    assert [(e["status"], e["location"], e["source"]) for e in timeline] == [("delivered", "上海浦东", "webhook")]


def test_manual_tracking_over_the_api(store, people, allocated):
    first, _second = ship_everything(allocated, people)
    warehouse = api(people.warehouse)
    added = warehouse.post(f"/api/v1/shipments/{first.pk}/tracking/", {"status": "in_transit", "location": "嘉兴"},
                           content_type="application/json")
    assert added.status_code == 201 and added.json()["source"] == "manual"
    assert warehouse.post(f"/api/v1/shipments/{first.pk}/tracking/", {"status": "lost"},
                          content_type="application/json").status_code == 400
    assert api(store.buyer).post(f"/api/v1/shipments/{first.pk}/tracking/", {"status": "delivered"},
                                 content_type="application/json").status_code == 403
    first.refresh_from_db()
    assert first.status == "in_transit"


def test_returns_over_the_api(store, people, allocated):
    ship_everything(allocated, people)
    red_bull = OrderLine.objects.get(order=allocated, sku=store.sku)
    buyer = api(store.buyer)
    too_many = buyer.post("/api/v1/returns/", {"order": allocated.pk, "reason_code": "damaged",
                                               "lines": [{"line": red_bull.pk, "quantity": 121}]},
                          content_type="application/json")
    assert too_many.status_code == 400
    assert too_many.json()["fields"]["lines.1.quantity"][0].startswith("At most 120 can be returned")
    assert not ReturnRequest.objects.exists()
    made = buyer.post("/api/v1/returns/", {"order": allocated.pk, "reason_code": "damaged", "reason_text": "破损",
                                           "lines": [{"line": red_bull.pk, "quantity": 6}]},
                      content_type="application/json")
    assert made.status_code == 201
    rma = made.json()
    assert buyer.post(f"/api/v1/returns/{rma['id']}/approve/").status_code == 403
    assert api(people.warehouse).post(f"/api/v1/returns/{rma['id']}/approve/").status_code == 403
    sales = api(people.sales)  # a sales rep sees no dealer unless assigned: outside the scope is a 404
    assert sales.post(f"/api/v1/returns/{rma['id']}/approve/").status_code == 404
    owner = api(people.owner)
    assert owner.post(f"/api/v1/returns/{rma['id']}/reject/", {}, content_type="application/json").status_code == 400
    assert owner.post(f"/api/v1/returns/{rma['id']}/approve/", {"note": "ok"},
                      content_type="application/json").json()["status"] == "approved"
    received = api(people.warehouse).post(f"/api/v1/returns/{rma['id']}/receive/", {"warehouse": store.west.pk},
                                          content_type="application/json")
    assert received.status_code == 200 and received.json()["warehouse"] == "W"
    assert Stock.objects.get(sku=store.sku, warehouse=store.west).on_hand == 36
    assert OrderLine.objects.get(pk=red_bull.pk).returned_base == 6
    assert ledger_mismatches() == []
    assert api(people.warehouse).post(f"/api/v1/returns/{rma['id']}/receive/").status_code == 409


def test_lists_run_a_constant_number_of_queries(store, people, count_queries):
    def ship_one(quantity):
        order = approved_order(store, people, lines=[SubmitLine(store.sku.pk, None, quantity)])
        services.order_allocate(actor=people.warehouse, order=order)
        shipment = ship_everything(order, people)[0]
        services.tracking_event_add(actor=people.warehouse, shipment=shipment, status="in_transit")
        line = OrderLine.objects.get(order=order)
        services.return_request_create(actor=store.buyer, order=order, reason_code="surplus", lines={line.pk: 1})

    owner = api(people.owner)
    owner.get("/api/v1/shipments/")  # warm up (token, content types)
    ship_one(2)
    with count_queries() as one:
        assert len(owner.get("/api/v1/shipments/").json()["results"]) == 1
    with count_queries() as one_rma:
        assert len(owner.get("/api/v1/returns/").json()["results"]) == 1
    for quantity in (3, 4, 5):
        ship_one(quantity)
    with count_queries() as many:
        assert len(owner.get("/api/v1/shipments/").json()["results"]) == 4
    with count_queries() as many_rma:
        assert len(owner.get("/api/v1/returns/").json()["results"]) == 4
    assert len(many.sql) == len(one.sql)
    assert len(many_rma.sql) == len(one_rma.sql)


def test_another_brand_host_knows_neither_the_token_nor_the_carrier(store, people, allocated, carrier, tenant_b):
    first, _second = ship_everything(allocated, people, carrier=carrier)
    token = client_for(store.buyer).defaults["HTTP_AUTHORIZATION"]
    globex = TenantClient(HTTP_HOST="globex.localhost", HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=token)
    assert globex.get("/api/v1/shipments/").status_code == 401
    raw = json.dumps({"event_id": "e1", "tracking_number": first.tracking_number, "status": "delivered"}).encode()
    stamp = str(int(time.time()))
    pushed = TenantClient(HTTP_HOST="globex.localhost").post(
        "/api/v1/carriers/sf/webhook/", raw, content_type="application/json", HTTP_X_CARRIER_TIMESTAMP=stamp,
        HTTP_X_CARRIER_SIGNATURE=services.webhook_signature(SECRET, stamp, raw))
    assert pushed.status_code == 401  # globex's own SF (from its sign-up) has no secret; acme's is worthless there
    assert TrackingEvent.objects.count() == 0
