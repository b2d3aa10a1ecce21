"""Fixtures of the replenishment tests: the ordering tests' store (dealer SH-1, RB-250 in cans with cases of 24,
RB-330) with plenty of stock, and a helper placing the dealer's orders on past days (time_machine: the orders are
submitted through the real services on those days)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.factories.ordering import OrderFactory
from tests.factories.ordering import store as make_store

NOW = datetime(2026, 6, 10, 10, 0)  # a Wednesday


def at(days_ago: int) -> datetime:
    return timezone.make_aware(NOW - timedelta(days=days_ago))


@pytest.fixture
def now():
    with time_machine.travel(timezone.make_aware(NOW), tick=False):
        yield timezone.make_aware(NOW)


@pytest.fixture
def shop(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        with time_machine.travel(at(400), tick=False):  # prices valid from then
            made = make_store(stock_east=1_000_000)
        made.tenant = tenant_a

        def ordered(days_ago: int, *lines, dealer=None, buyer=None):
            with time_machine.travel(at(days_ago), tick=False):
                return OrderFactory(actor=buyer or made.buyer, dealer=dealer or made.dealer, lines=list(lines))

        made.ordered = ordered
        yield made


class _StayClient(Client):
    """A browser on acme's host that puts the test's connection back in the tenant's schema after each request (the
    request's middleware leaves it on the public schema), so the test reads the tenant's rows in between."""

    tenant = None

    def request(self, **request):
        try:
            return super().request(**request)
        finally:
            connection.set_tenant(self.tenant)


def signed_in(shop, user) -> Client:
    client = _StayClient(HTTP_HOST="acme.localhost", HTTP_ACCEPT_LANGUAGE="en")
    client.tenant = shop.tenant
    client.force_login(user)  # not the sign-in form: its throttle counts other tests' attempts from 127.0.0.1
    return client


def token(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
