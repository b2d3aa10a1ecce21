"""Fixtures of the fulfilment tests: the ordering store (tests/ordering/conftest.py) with an approved
order of 120 cans of red bull, reserved 100 in the Shanghai warehouse (it serves the dealer's region)
and 20 in Chengdu, plus 10 cans of the 330 ml in Shanghai; brand staff to ship and decide returns."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client

from tenant_apps.accounts.services import user_create
from tenant_apps.fulfillment import services
from tenant_apps.fulfillment.models import Carrier
from tenant_apps.ordering.lifecycle import order_transition
from tenant_apps.ordering.models import Order, OrderStatus
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tests.factories import DEFAULT_PASSWORD
from tests.ordering.conftest import store  # noqa: F401  (the ordering tests' store fixture)

SECRET = "s3cret-webhook-key-0123456789"


@pytest.fixture
def people(store):  # noqa: F811
    made = SimpleNamespace()
    made.owner = user_create(actor=None, email="boss@brand.test", password=DEFAULT_PASSWORD, role="owner")
    made.warehouse = user_create(actor=None, email="wh@brand.test", password=DEFAULT_PASSWORD, role="warehouse")
    made.sales = user_create(actor=None, email="sales@brand.test", password=DEFAULT_PASSWORD, role="sales_rep")
    made.analyst = user_create(actor=None, email="analyst@brand.test", password=DEFAULT_PASSWORD, role="analyst")
    made.buyer = store.buyer
    return made


def approved_order(store, people, lines=None) -> Order:  # noqa: F811
    lines = lines or [SubmitLine(store.sku.pk, None, 120), SubmitLine(store.water.pk, None, 10)]
    order = order_submit(actor=store.buyer, dealer=store.dealer, lines=lines).order
    if order.status != OrderStatus.APPROVED:  # without an approval workflow, orders are approved at once
        order_transition(actor=people.owner, order=order, action="approve")
    return order


@pytest.fixture
def order(store, people):  # noqa: F811
    return approved_order(store, people)


@pytest.fixture
def allocated(order, people):
    return services.order_allocate(actor=people.warehouse, order=order)


@pytest.fixture
def carrier(store, people):  # noqa: F811
    # SF comes with the workspace; the brand sets its webhook secret and tracking page
    return services.carrier_save(actor=people.owner, carrier=Carrier.objects.get(code="sf"), name="顺丰速运",
                                 tracking_url_template="https://track.example.com/?no={number}",
                                 webhook_secret=SECRET)


def ship_everything(order, people, carrier=None):
    """One shipment per warehouse holding the order's reservations, each shipped."""
    from tenant_apps.fulfillment.selectors import picking_lists

    shipments = []
    for pick in picking_lists(order):
        shipment = services.shipment_create(actor=people.warehouse, order=order, warehouse_id=pick.warehouse.pk)
        services.shipment_ship(actor=people.warehouse, shipment=shipment, carrier=carrier,
                               tracking_number=f"SF{shipment.pk:08d}" if carrier else "")
        shipments.append(shipment)
    order.refresh_from_db()
    return shipments


class TenantClient(Client):
    """A browser on tenant A's host that puts the test's connection back on the schema it was on after
    each request (a request leaves it on the public schema), so a test can go on reading through the ORM."""

    def request(self, **request):
        schema = connection.schema_name
        try:
            return super().request(**request)
        finally:
            connection.set_schema(schema)


def client_for(user=None, *, token: bool = True) -> TenantClient:
    """Tenant A's host, as `user`: with an API token, or (token=False) signed in with a session."""
    from rest_framework.authtoken.models import Token

    if user is None:
        return TenantClient(HTTP_HOST="acme.localhost", HTTP_ACCEPT_LANGUAGE="en")
    if token:
        key = Token.objects.get_or_create(user=user)[0].key
        return TenantClient(HTTP_HOST="acme.localhost", HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Token {key}")
    client = TenantClient(HTTP_HOST="acme.localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client
