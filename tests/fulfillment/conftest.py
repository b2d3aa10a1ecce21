"""Fixtures of the fulfilment tests: the ordering store (tests/ordering/conftest.py) with an approved
order of 120 cans of red bull, reserved 100 in the Shanghai warehouse (it serves the dealer's region)
and 20 in Chengdu, plus 10 cans of the 330 ml in Shanghai; brand staff to ship and decide returns."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client

from tenant_apps.fulfillment import services
from tenant_apps.ordering.models import Order
from tenant_apps.ordering.submission import SubmitLine
from tests.factories import UserFactory
from tests.factories.fulfillment import carrier as carrier_set_up
from tests.factories.fulfillment import ship_everything
from tests.factories.ordering import OrderFactory
from tests.ordering.conftest import store  # noqa: F401  (the ordering tests' store fixture)

SECRET = "s3cret-webhook-key-0123456789"
__all__ = ["approved_order", "client_for", "ship_everything"]


@pytest.fixture
def people(store):  # noqa: F811
    made = SimpleNamespace()
    made.owner = UserFactory(email="boss@brand.test", full_name="", role="owner")
    made.warehouse = UserFactory(email="wh@brand.test", full_name="", role="warehouse")
    made.sales = UserFactory(email="sales@brand.test", full_name="", role="sales_rep")
    made.analyst = UserFactory(email="analyst@brand.test", full_name="", role="analyst")
    made.buyer = store.buyer
    return made


def approved_order(store, people, lines=None) -> Order:  # noqa: F811
    lines = lines or [SubmitLine(store.sku.pk, None, 120), SubmitLine(store.water.pk, None, 10)]
    # without an approval workflow, orders are approved at once
    return OrderFactory(actor=store.buyer, dealer=store.dealer, lines=lines, approve_as=people.owner)


@pytest.fixture
def order(store, people):  # noqa: F811
    return approved_order(store, people)


@pytest.fixture
def allocated(order, people):
    return services.order_allocate(actor=people.warehouse, order=order)


@pytest.fixture
def carrier(store, people):  # noqa: F811
    # SF comes with the workspace; the brand sets its webhook secret and tracking page
    return carrier_set_up(actor=people.owner, webhook_secret=SECRET)


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
