"""Fixtures of the ordering tests: an active dealer with a shipping address, priced SKUs in stock in two
warehouses (one serving the dealer's region), and people on both sides."""

import pytest

from tenant_apps.ordering import services as cart
from tests.factories.ordering import store as make_store

__all__ = ["make_store"]


@pytest.fixture
def store(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        made = make_store()
        made.tenant = tenant_a
        made.fill = lambda *lines: [cart.cart_line_set(actor=made.buyer, dealer=made.dealer, sku_id=s.pk,
                                                       unit_id=u.pk, quantity=q) for s, u, q in lines]
        yield made
