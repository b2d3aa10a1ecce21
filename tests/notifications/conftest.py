"""Fixtures of the notifications tests: the ordering store, with the dealer's approvers and a second dealer."""

from types import SimpleNamespace

import pytest

from tenant_apps.events.models import OutboxEvent
from tenant_apps.events.services import outbox_relay
from tests.factories import UserFactory
from tests.factories.dealers import DealerFactory
from tests.factories.ordering import store as make_store


@pytest.fixture
def world(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        store = make_store()
        rm = UserFactory(email="rm@brand.test", role="regional_manager", preferred_language="zh-hans")
        rep = UserFactory(email="rep@brand.test", role="sales_rep", preferred_language="en")
        store.dealer.regional_manager = rm
        store.dealer.sales_rep = rep
        store.dealer.save(update_fields=["regional_manager", "sales_rep"])
        owner = UserFactory(email="owner@sh.test", role="dealer_owner", dealer=store.dealer)
        other = DealerFactory(code="BJ-1", legal_name="北京经销商", tier=store.tier, territories=[store.shanghai])
        other_rm = UserFactory(email="rm2@brand.test", role="regional_manager")
        other.regional_manager = other_rm
        other.save(update_fields=["regional_manager"])
        other_buyer = UserFactory(email="buyer@bj.test", role="dealer_buyer", dealer=other)
        brand_owner = UserFactory(email="boss@brand.test", role="owner")
        outbox_relay()  # anything the setup emitted is out of the way
        yield SimpleNamespace(store=store, dealer=store.dealer, buyer=store.buyer, rm=rm, rep=rep, owner=owner,
                              other=other, other_rm=other_rm, other_buyer=other_buyer, brand_owner=brand_owner,
                              tenant=tenant_a, inside=lambda: in_tenant(tenant_a))


def relay() -> list:
    """Relay the pending events; the events relayed."""
    pending = list(OutboxEvent.objects.filter(relayed_at__isnull=True).order_by("id"))
    outbox_relay()
    return pending
