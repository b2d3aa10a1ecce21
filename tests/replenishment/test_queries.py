"""Suggestions cost a constant number of queries whatever the number of SKUs and orders."""

from __future__ import annotations

import time_machine

from tenant_apps.replenishment.selectors import suggestions_for
from tests.factories.catalog import SkuFactory
from tests.factories.inventory import WarehouseFactory
from tests.factories.pricing import PriceEntryFactory
from tests.replenishment.conftest import at, signed_in


def _skus(shop, n: int):
    with time_machine.travel(at(400), tick=False):
        made = [SkuFactory(product=shop.sku.product, code=f"RB-X{i}", name=f"X{i}", base_unit=shop.can)
                for i in range(n)]
        for sku in made:
            PriceEntryFactory(price_list=shop.base, sku=sku, unit=shop.can, price="3.00")
        WarehouseFactory(code="E2", name="上海二仓", territories=[shop.shanghai], stock=dict.fromkeys(made, 100_000))
    return made


def test_query_count_does_not_grow_with_skus(shop, now, count_queries):
    extra = _skus(shop, 5)
    for days_ago in (40, 26, 12):
        shop.ordered(days_ago, (shop.sku, 40))
    with count_queries() as few:
        assert len(suggestions_for(dealer=shop.dealer).lines) == 1
    for days_ago in (41, 27, 13):
        shop.ordered(days_ago, *[(sku, 10) for sku in extra], (shop.water, 5))
    with count_queries() as many:
        assert len(suggestions_for(dealer=shop.dealer).lines) == 7
    assert len(many.sql) == len(few.sql)
    client = signed_in(shop, shop.buyer)
    with count_queries() as page:
        assert client.get("/replenishment/").status_code == 200
    assert len(page.sql) < len(many.sql) + 20
