"""Fixtures of the promotions tests: tiers, regions, two dealers, a small catalog, staff and buyers."""

import pytest

from tests.factories import UserFactory
from tests.factories.catalog import CategoryFactory, ProductFactory, SkuFactory, unit
from tests.factories.dealers import DealerFactory, TerritoryFactory, TierFactory, headquarters
from tests.factories.promotions import START

__all__ = ["START"]


@pytest.fixture
def world(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        yield world_make()


def world_make() -> dict:
    """The world, made in the current schema."""
    hq = headquarters()
    tier_a = TierFactory(code="A", name="A", rank=1)
    tier_b = TierFactory(code="B", name="B", rank=2)
    china = TerritoryFactory(code="86", name="中国")
    east = TerritoryFactory(code="31", name="上海", parent=china)
    south = TerritoryFactory(code="44", name="广东", parent=china)
    gold = DealerFactory(code="SH-1", legal_name="上海金牌经销商", tier=tier_a, territories=[east], status="active")
    silver = DealerFactory(code="GZ-1", legal_name="广州经销商", tier=tier_b, territories=[south], status="active")
    owner = UserFactory(email="admin@promo.test", full_name="", role="admin")
    analyst = UserFactory(email="analyst@promo.test", full_name="", role="analyst")
    buyer = UserFactory(email="buyer@promo.test", full_name="", role="dealer_buyer", dealer=gold)
    buyer_b = UserFactory(email="buyer-b@promo.test", full_name="", role="dealer_buyer", dealer=silver)
    piece = unit("pc", "罐")
    root = CategoryFactory(code="ALL", name="全部")
    energy = CategoryFactory(parent=root, code="ENERGY", name="能量饮料")
    water = CategoryFactory(parent=root, code="WATER", name="饮用水")
    skus = {}
    for code, name, category in [("RB", "红牛", energy), ("DP", "东鹏特饮", energy), ("NF", "农夫山泉", water)]:
        product = ProductFactory(category=category, code=code, name=name)
        skus[code] = SkuFactory(product=product, code=f"{code}-250", name=f"{name} 250ml", base_unit=piece)
    return {"hq": hq, "A": tier_a, "B": tier_b, "china": china, "east": east, "south": south, "gold": gold,
            "silver": silver, "owner": owner, "analyst": analyst, "buyer": buyer, "buyer_b": buyer_b,
            "energy": energy, "water": water, "root": root, "piece": piece, **skus}
