"""Fixtures of the promotions tests: tiers, regions, two dealers, a small catalog, staff and buyers."""

from datetime import UTC, datetime

import pytest

from tenant_apps.accounts.services import user_create
from tenant_apps.catalog import services as catalog
from tenant_apps.dealers import services as dealers
from tests.factories import DEFAULT_PASSWORD

START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def world(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        hq = dealers.headquarters_ensure(name="HQ")
        tier_a = dealers.tier_create(actor=None, code="A", name="A", rank=1)
        tier_b = dealers.tier_create(actor=None, code="B", name="B", rank=2)
        china = dealers.territory_create(actor=None, code="86", name="中国")
        east = dealers.territory_create(actor=None, code="31", name="上海", parent=china)
        south = dealers.territory_create(actor=None, code="44", name="广东", parent=china)
        gold = dealers.dealer_create(actor=None, parent=hq, code="SH-1", legal_name="上海金牌经销商", tier=tier_a,
                                     territories=[east], status="active")
        silver = dealers.dealer_create(actor=None, parent=hq, code="GZ-1", legal_name="广州经销商", tier=tier_b,
                                       territories=[south], status="active")
        owner = user_create(actor=None, email="admin@promo.test", password=DEFAULT_PASSWORD, role="admin")
        analyst = user_create(actor=None, email="analyst@promo.test", password=DEFAULT_PASSWORD, role="analyst")
        buyer = user_create(actor=None, email="buyer@promo.test", password=DEFAULT_PASSWORD, role="dealer_buyer",
                            dealer=gold)
        buyer_b = user_create(actor=None, email="buyer-b@promo.test", password=DEFAULT_PASSWORD,
                              role="dealer_buyer", dealer=silver)
        piece = catalog.unit_ensure(code="pc", name="罐")
        root = catalog.category_create(actor=None, parent=None, code="ALL", name="全部")
        energy = catalog.category_create(actor=None, parent=root, code="ENERGY", name="能量饮料")
        water = catalog.category_create(actor=None, parent=root, code="WATER", name="饮用水")
        skus = {}
        for code, name, category in [("RB", "红牛", energy), ("DP", "东鹏特饮", energy), ("NF", "农夫山泉", water)]:
            product = catalog.product_create(actor=None, category=category, code=code, name=name, status="on_sale")
            skus[code] = catalog.sku_create(actor=None, product=product, code=f"{code}-250", name=f"{name} 250ml",
                                            base_unit=piece)
        yield {"hq": hq, "A": tier_a, "B": tier_b, "china": china, "east": east, "south": south, "gold": gold,
               "silver": silver, "owner": owner, "analyst": analyst, "buyer": buyer, "buyer_b": buyer_b,
               "energy": energy, "water": water, "root": root, "piece": piece, **skus}
