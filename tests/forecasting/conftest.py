"""Fixtures of the forecasting tests: a store (tests.factories.ordering.store) whose dealer sits in a region and has
ordered every week for 24 weeks, through the real submission, at noon on each week's Wednesday."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from tenant_apps.dealers import services as dealers
from tests.factories.accounts import UserFactory
from tests.factories.dealers import RegionFactory
from tests.factories.ordering import OrderFactory
from tests.factories.ordering import store as make_store

HOST = "acme.localhost"
AS_OF = date(2026, 6, 1)  # a Monday
WEEKS = 24


def rb_quantity(week: int) -> int:
    return 20 + (week % 4) * 5


def water_quantity(week: int) -> int:
    return 10 if week % 2 == 0 else 0


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


def at(day: date, hour: int = 12):
    return time_machine.travel(timezone.make_aware(datetime.combine(day, time(hour))), tick=False)


@pytest.fixture
def history(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        first = AS_OF - timedelta(weeks=WEEKS)
        with at(first - timedelta(days=7)):  # the store (its prices) before the first order
            made = make_store(stock_east=700, stock_west=700)
            made.region = RegionFactory(name="华东大区", code="EAST-R")
            dealers.node_move(actor=None, node=made.dealer.node, new_parent=made.region)
        made.tenant = tenant_a
        for week in range(WEEKS):
            lines = [(made.sku, rb_quantity(week))] + ([(made.water, water_quantity(week))]
                                                        if water_quantity(week) else [])
            with at(first + timedelta(weeks=week, days=2)):
                OrderFactory(actor=made.buyer, dealer=made.dealer, lines=lines)
        with at(AS_OF + timedelta(days=1)):  # after as_of: not in the history
            OrderFactory(actor=made.buyer, dealer=made.dealer, lines=[(made.sku, 500)])
        made.owner = UserFactory(email="boss@brand.test", full_name="", role="owner")
        made.analyst = UserFactory(email="analyst@brand.test", full_name="", role="analyst")
        yield made
