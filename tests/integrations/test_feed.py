"""The change feeds, acknowledging orders and confirming shipments with a key."""

from datetime import timedelta

import time_machine
from django.db import connection
from django.utils import timezone

from tenant_apps.audit.models import AuditEntry
from tenant_apps.events.models import OutboxEvent
from tenant_apps.fulfillment.models import Shipment
from tenant_apps.fulfillment.services import order_allocate
from tenant_apps.integrations.selectors import cursor_encode
from tenant_apps.ordering.models import Order
from tests.factories.fulfillment import carrier as carrier_set_up
from tests.factories.ordering import OrderFactory
from tests.integrations.conftest import key_client

FEED = "/api/v1/integrations/orders/changes/"
SHIPMENTS = "/api/v1/integrations/shipments/changes/"
CONFIRM = "/api/v1/integrations/shipments/confirm/"


def _sequence_now() -> int:
    """The last id handed out by the outbox's sequence (earlier tests rolled back leave holes below it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('events_outboxevent', 'id'))")
        return cursor.fetchone()[0]


def test_the_feed_gives_every_change_once_across_pages(store, make_key):
    start = _sequence_now()
    orders = [OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, n)]) for n in (1, 2, 3)]
    _key, secret = make_key()
    client = key_client(secret)
    first = client.get(f"{FEED}?cursor={cursor_encode(start)}&limit=50").json()
    item = first["items"][0]
    assert item["number"] == orders[0].number and item["dealer_code"] == store.dealer.code
    assert item["total"] == f"{orders[0].total:.2f}" and item["lines"][0]["sku"] == store.sku.code
    assert item["lines"][0]["quantity"] == 1 and item["shipping_address"] == orders[0].shipping_address
    expected = [(o.number, e) for e, o in sorted(
        (event.id, order) for order in orders
        for event in OutboxEvent.objects.filter(subject_type="order", subject_id=str(order.pk)))]
    seen = []
    cursor = cursor_encode(start)
    while True:  # one event a page
        body = client.get(f"{FEED}?limit=1&cursor={cursor}").json()
        seen += [(i["number"], e["id"]) for i in body["items"] for e in i["events"]]
        cursor = body["cursor"]
        if not body["more"]:
            break
    assert seen == expected and len(expected) == 6  # submitted + approved, each order
    # nothing new: the same cursor again gives nothing; a new change comes once
    assert client.get(f"{FEED}?cursor={cursor}").json()["items"] == []
    new = OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 4)])
    body = client.get(f"{FEED}?cursor={cursor}").json()
    assert [i["number"] for i in body["items"]] == [new.number]
    assert [e["kind"] for e in body["items"][0]["events"]] == ["order.submitted", "order.approved"]


def test_the_feed_stops_at_a_hole_an_open_transaction_may_fill(store, make_key, settings):
    """An id taken by a transaction not yet committed is a hole: the feed gives nothing past it (its event
    would come with a smaller id than those after it) until it is old enough to be a rollback."""
    settings.INTEGRATIONS_FEED_GAP_WAIT = 60
    before = OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 1)])
    with connection.cursor() as cursor:  # what an open transaction's insert does: takes the next id
        cursor.execute("SELECT nextval(pg_get_serial_sequence('events_outboxevent', 'id'))")
        hole = cursor.fetchone()[0]
    after = OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 2)])
    _key, secret = make_key()
    client = key_client(secret)
    start = cursor_encode(hole - 3)
    body = client.get(f"{FEED}?cursor={start}").json()
    assert [i["number"] for i in body["items"]] == [before.number]
    assert body["cursor"] == cursor_encode(hole - 1) and body["more"] is False  # never past the hole
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        later = client.get(f"{FEED}?cursor={body['cursor']}").json()
    assert [i["number"] for i in later["items"]] == [after.number]


def test_a_bad_cursor_or_limit_is_a_400(make_key):
    _key, secret = make_key()
    client = key_client(secret)
    assert client.get(f"{FEED}?cursor=zz").json()["code"] == "invalid"
    assert client.get(f"{FEED}?limit=0").status_code == 400
    assert client.get(f"{FEED}?limit=501").status_code == 400


def test_acknowledge_is_idempotent_and_a_different_number_is_409(store, make_key):
    order = OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 2)])
    _key, secret = make_key()
    client = key_client(secret)
    path = f"/api/v1/integrations/orders/{order.number}/acknowledge/"
    first = client.post(path, {"erp_order_number": "ERP-77"}, content_type="application/json")
    assert first.status_code == 200 and first.json() == {"number": order.number, "erp_order_number": "ERP-77",
                                                         "changed": True}
    again = client.post(path, {"erp_order_number": "ERP-77"}, content_type="application/json")
    assert again.status_code == 200 and again.json()["changed"] is False
    other = client.post(path, {"erp_order_number": "ERP-78"}, content_type="application/json")
    assert other.status_code == 409 and other.json()["code"] == "erp_reference_conflict"
    assert Order.objects.get(pk=order.pk).erp_order_number == "ERP-77"
    entries = AuditEntry.objects.filter(action="ordering.order.erp_acknowledged", target_id=str(order.pk))
    assert [(e.actor_label, e.after) for e in entries] == [(f"API key ERP ({_key.prefix})",
                                                            {"erp_order_number": "ERP-77"})]
    assert client.post("/api/v1/integrations/orders/NOPE/acknowledge/", {"erp_order_number": "X"},
                       content_type="application/json").status_code == 404
    assert client.post(path, {"erp_order_number": ""}, content_type="application/json").status_code == 400


def test_shipment_confirm_is_idempotent_with_the_key(store, make_key):
    start = _sequence_now()
    order = OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 5)])
    order_allocate(actor=store.owner, order=order)
    carrier = carrier_set_up()
    _key, secret = make_key()
    client = key_client(secret)
    body = {"order_number": order.number, "warehouse": store.east.code, "carrier": carrier.code,
            "tracking_number": "SF123", "lines": [{"line_no": 1, "quantity": 5}]}
    first = client.post(CONFIRM, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="wms-1")
    assert first.status_code == 201, first.json()
    again = client.post(CONFIRM, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="wms-1")
    assert again.status_code == 201 and again.json() == first.json()
    shipments = list(Shipment.objects.filter(order=order))
    assert len(shipments) == 1 and shipments[0].tracking_number == "SF123" and shipments[0].shipped_at
    assert Order.objects.get(pk=order.pk).status == "shipped"
    feed = client.get(f"{SHIPMENTS}?limit=500&cursor={cursor_encode(start)}").json()
    assert feed["more"] is False
    mine = [item for item in feed["items"] if item["order_number"] == order.number]
    assert [event["kind"] for event in mine[0]["events"]] == ["order.shipped"]
    assert len(mine) == 1 and mine[0]["shipments"][0]["tracking_number"] == "SF123"
    assert mine[0]["shipments"][0]["lines"] == [{"line_no": 1, "sku": store.sku.code, "quantity": 5}]


def test_shipment_confirm_refuses_bad_input_without_writing(store, make_key):
    order = OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 5)])
    order_allocate(actor=store.owner, order=order)
    _key, secret = make_key()
    client = key_client(secret)
    bad_line = client.post(CONFIRM, {"order_number": order.number, "warehouse": store.east.code,
                                     "lines": [{"line_no": 9, "quantity": 1}]}, content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="wms-2")
    assert bad_line.status_code == 400 and "lines.1.line_no" in bad_line.json()["fields"]
    too_many = client.post(CONFIRM, {"order_number": order.number, "warehouse": store.east.code,
                                     "lines": [{"line_no": 1, "quantity": 6}]}, content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="wms-2")
    assert too_many.status_code == 400
    assert not Shipment.objects.filter(order=order).exists()


def test_an_event_of_a_transaction_still_open_elsewhere_is_never_given_nor_passed(store, make_key, settings):
    """Another connection writes an event and keeps its transaction open: the feed neither shows it (it is not
    committed) nor moves past it to the events committed after it."""
    import psycopg2

    settings.INTEGRATIONS_FEED_GAP_WAIT = 60
    start = _sequence_now()
    params = connection.get_connection_params()
    other = psycopg2.connect(**{k: v for k, v in params.items() if k in ("dbname", "user", "password", "host",
                                                                        "port")})
    try:
        with other.cursor() as cursor:  # an open transaction (psycopg2: not autocommit)
            cursor.execute(f'SET search_path TO "{store.tenant.schema_name}"')
            cursor.execute("INSERT INTO events_outboxevent (kind, subject_type, subject_id, subject_ref, payload, "
                           "created_at) VALUES ('stock.low', 'stock', '1', '', '{}', now()) RETURNING id")
            open_id = cursor.fetchone()[0]
        later = OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 1)])
        _key, secret = make_key()
        body = key_client(secret).get(f"{FEED}?cursor={cursor_encode(start)}").json()
        assert open_id == start + 1 and body["items"] == [] and body["more"] is False
        assert body["cursor"] == cursor_encode(start)  # held before the open transaction's id
        assert later.number  # committed after it (in this test's transaction), waiting behind it
    finally:
        other.rollback()
        other.close()
