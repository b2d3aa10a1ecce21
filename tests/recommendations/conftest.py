"""A small brand for the recommendation tests: regions 华东 (East) and 华西 (West) under headquarters, tiers A and
B; "me" (East, tier A, no orders yet), two peers of mine (East, A), an East dealer of tier B and a West dealer of
tier A, all active in 上海 with a shipping address and a buyer; SKUs (made with `shop.sku(...)`) priced on the base
list and stocked in the East warehouse. Orders go through ordering's submission (`shop.order(dealer, *skus,
days_ago=...)`), approved at once."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tenant_apps.inventory import services as inventory
from tenant_apps.ordering.models import Order
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tenant_apps.pricing import services as pricing
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD
from tests.factories.accounts import UserFactory
from tests.factories.catalog import ProductFactory, SkuFactory
from tests.factories.dealers import DealerFactory, RegionFactory, TierFactory, address, headquarters
from tests.factories.ordering import store as make_store


def login(user) -> object:
    client = host_client("acme.localhost")
    assert client.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


@pytest.fixture
def shop(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        base = make_store()
        hq = headquarters()
        east = RegionFactory(parent=hq, code="R-EAST", name="华东")
        west = RegionFactory(parent=hq, code="R-WEST", name="华西")
        tier_b = TierFactory(code="B", name="B")
        tier_a = base.tier
        dealers, buyers = {}, {}
        for key, region, tier in (("me", east, tier_a), ("peer1", east, tier_a), ("peer2", east, tier_a),
                                  ("east_b", east, tier_b), ("west", west, tier_a)):
            dealer = DealerFactory(parent=region, code=f"D-{key}", legal_name=f"经销商 {key}", name=key, tier=tier,
                                   territories=[base.shanghai], status="active")
            address(dealer=dealer, territory=base.shanghai)
            dealers[key] = dealer
            buyers[key] = UserFactory(email=f"{key}@dealers.test", role="dealer_buyer", dealer=dealer)
        made = SimpleNamespace(base=base, east=east, west=west, tier_a=tier_a, tier_b=tier_b, dealers=dealers,
                               buyers=buyers, tenant=tenant_a, category=base.sku.product.category)

        def sku(code: str, *, price: str = "5.00", product=None, min_order_qty: int = 1):
            product = product or ProductFactory(category=made.category, code=f"P-{code}", name=f"产品 {code}")
            item = SkuFactory(product=product, code=code, name=f"商品 {code}", base_unit=base.can,
                              min_order_qty=min_order_qty)
            pricing.price_entry_set(actor=None, price_list=base.base, sku=item, unit=base.can, price=price)
            inventory.stock_receive(actor=None, sku_id=item.pk, warehouse_id=base.east.pk, quantity=10_000)
            return item

        def order(dealer_key: str, *skus, days_ago: int = 1, quantity: int = 1):
            """Submitted now through ordering, then dated `days_ago` days back (the price lists and stock of
            this small brand start today, so the submission itself cannot run in the past)."""
            placed = order_submit(actor=buyers[dealer_key], dealer=dealers[dealer_key],
                                  lines=[SubmitLine(item.pk, None, quantity) for item in skus]).order
            at = timezone.now() - timedelta(days=days_ago)
            Order.objects.filter(pk=placed.pk).update(submitted_at=at, created_at=at)
            placed.refresh_from_db()
            return placed

        made.sku = sku
        made.order = order
        yield made
