"""docs/examples/erp_client.py against a live HTTP server: it acknowledges the new orders, confirms the
shipment of the allocated one and pushes a price twice with the same Idempotency-Key.

The server (wsgiref, the project's WSGI application) answers in the test's own thread, so on the test's
connection and in its transaction (it sees the test's data and rolls back with it); the client runs in another
thread and speaks HTTP to it over a real socket."""

import importlib.util
import threading
from decimal import Decimal
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection

from tenant_apps.fulfillment.models import Shipment
from tenant_apps.fulfillment.services import order_allocate
from tenant_apps.integrations.selectors import cursor_encode
from tenant_apps.ordering.models import Order
from tenant_apps.pricing.models import PriceEntry
from tests.factories.fulfillment import carrier as carrier_set_up
from tests.factories.ordering import OrderFactory
from tests.integrations.conftest import ALL_SCOPES

CLIENT = Path(__file__).resolve().parents[2] / "docs" / "examples" / "erp_client.py"


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def _load_client():
    spec = importlib.util.spec_from_file_location("erp_client", CLIENT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_example_client_acknowledges_orders_and_confirms_a_shipment(store, make_key):
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('events_outboxevent', 'id'))")
        start = cursor_encode(cursor.fetchone()[0])
    waiting = OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.water, 3)])
    to_ship = OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 2)])
    order_allocate(actor=store.owner, order=to_ship)
    carrier = carrier_set_up()
    _key, secret = make_key(scopes=[*ALL_SCOPES, "prices:write"])
    tenant = connection.tenant
    erp = _load_client()
    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=_Quiet)
    server.timeout = 0.1
    outcome = {}

    def run():
        try:
            client = erp.Client(f"http://127.0.0.1:{server.server_port}", secret, host="acme.localhost")
            outcome["cursor"] = erp.run_once(client, start, warehouse=store.east.code, carrier=carrier.code)
            price = {"list_code": store.base.code, "sku_code": store.sku.code, "unit_code": "CAN", "price": "5.50"}
            outcome["prices"] = client.upsert("prices", [price], "push-1") + client.upsert("prices", [price], "push-1")
        except Exception as error:  # noqa: BLE001 - reported below
            outcome["error"] = error

    thread = threading.Thread(target=run)
    # as Django's test client does: the requests must not close the test's connection (its transaction)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        thread.start()
        while thread.is_alive():
            server.handle_request()
            connection.set_tenant(tenant)
        thread.join()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        server.server_close()
    assert "error" not in outcome, outcome
    assert Order.objects.get(pk=waiting.pk).erp_order_number == f"ERP-{waiting.number}"
    shipped = Order.objects.get(pk=to_ship.pk)
    assert shipped.erp_order_number == f"ERP-{to_ship.number}" and shipped.status == "shipped"
    shipment = Shipment.objects.get(order=to_ship)
    assert shipment.tracking_number == f"T{to_ship.number}" and shipment.carrier == carrier
    counts = {"rows": 1, "created": 0, "updated": 1, "unchanged": 0}
    assert outcome["prices"] == [(200, counts), (200, counts)]  # the repeat: the stored answer
    assert PriceEntry.objects.get(price_list=store.base, sku=store.sku).price == Decimal("5.5")
    assert outcome["cursor"] != start
