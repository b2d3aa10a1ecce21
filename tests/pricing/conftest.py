"""Fixtures of the pricing tests: a tiny network (tiers A/B, a province with a city, dealers) and two SKUs
sold by the piece and by the case of 24, built through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import UserFactory
from tests.factories.catalog import CategoryFactory, ProductFactory, SkuFactory, unit
from tests.factories.dealers import DealerFactory, TerritoryFactory, TierFactory, headquarters

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)


@dataclass
class World:
    hq: object
    tier_a: object
    tier_b: object
    east: object  # territory: 华东
    shanghai: object  # territory inside it
    pudong: object  # inside Shanghai
    dealer: object  # tier A, in Pudong
    other: object  # tier B, in 华东 only
    piece: object
    case: object
    rb: object  # SKU, base unit piece, case of 24
    dp: object
    buyer: object  # dealer_buyer of `dealer`


@pytest.fixture
def world(tenant_a, in_tenant) -> World:
    with in_tenant(tenant_a):
        return world_make()


def world_make() -> World:
    """The world, made in the current schema."""
    hq = headquarters()
    tier_a = TierFactory(code="A", name="A", rank=1)
    tier_b = TierFactory(code="B", name="B", rank=2)
    east = TerritoryFactory(code="EAST", name="华东")
    shanghai = TerritoryFactory(code="SH", name="上海", parent=east)
    pudong = TerritoryFactory(code="PD", name="浦东", parent=shanghai)
    dealer = DealerFactory(code="PD-1", legal_name="浦东经销商", tier=tier_a, territories=[pudong], status="active")
    other = DealerFactory(code="HD-2", legal_name="华东经销商", tier=tier_b, territories=[east], status="active")
    buyer = UserFactory(email="buyer@pd.test", full_name="", role="dealer_buyer", dealer=dealer)
    piece, case = unit("pc", "罐"), unit("case", "箱")
    root = CategoryFactory(code="DRINK", name="饮料")
    made = []
    for code, name in (("RB", "红牛"), ("DP", "东鹏特饮")):
        product = ProductFactory(category=root, code=code, name=name)
        made.append(SkuFactory(product=product, code=f"{code}-250", name=f"{name} 250ml", base_unit=piece,
                               units=[(case, 24, "")]))
    return World(hq=hq, tier_a=tier_a, tier_b=tier_b, east=east, shanghai=shanghai, pudong=pudong, dealer=dealer,
                 other=other, piece=piece, case=case, rb=made[0], dp=made[1], buyer=buyer)
