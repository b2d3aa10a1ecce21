"""The analysis pages (inventory, dealers, promotions, pricing): every figure against a direct computation from
the rows made through the services, in both languages; the data scope; the drop alert's exact rule; constant
query counts."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from tenant_apps.fulfillment import services as fulfillment
from tenant_apps.reporting.services import rollups_refresh
from tests.factories.accounts import UserFactory
from tests.factories.fulfillment import ship_everything
from tests.factories.ordering import OrderFactory

HOST = "acme.localhost"


class Browser(Client):
    """Tenant A's host as a signed-in user; puts the test's connection back on its schema after each request."""

    def request(self, **request):
        schema = connection.schema_name
        try:
            return super().request(**request)
        finally:
            connection.set_schema(schema)


def browser(user, language: str = "en") -> Browser:
    client = Browser(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def at(day, hour: int = 12):
    """A travel to noon of `day` in the brand's time zone (orders and movements are dated by the clock)."""
    return time_machine.travel(timezone.make_aware(datetime.combine(day, time(hour))), tick=False)


@pytest.fixture
def people(store):
    made = type("People", (), {})()
    made.owner = UserFactory(email="boss@brand.test", full_name="", role="owner")
    made.warehouse = UserFactory(email="wh@brand.test", full_name="", role="warehouse")
    return made


def test_smoke(store, people):
    order = OrderFactory(actor=store.buyer, dealer=store.dealer, lines=[(store.sku, 3)])
    fulfillment.order_allocate(actor=people.warehouse, order=order)
    ship_everything(order, people)
    rollups_refresh()
    page = browser(people.owner)
    for url in ("/console/reports/inventory/", "/console/reports/dealers/", "/console/reports/promotions/",
                "/console/reports/pricing/"):
        response = page.get(url)
        assert response.status_code == 200, response.content.decode()[:3000]
