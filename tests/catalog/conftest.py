"""Fixtures of the catalog tests: a small drinks catalog with stock and one tier-restricted product."""

import pytest

from tenant_apps.catalog import services as catalog
from tenant_apps.inventory import services as inventory
from tests.factories import UserFactory
from tests.factories.catalog import CategoryFactory, ProductFactory, SkuFactory, unit
from tests.factories.dealers import DealerFactory, TierFactory, headquarters
from tests.factories.inventory import WarehouseFactory, stock_receive


@pytest.fixture
def shop(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        return shop_make()


def shop_make() -> dict:
    """The shop, made in the current schema."""
    headquarters()
    gold = TierFactory(code="A", name="A")
    silver = TierFactory(code="B", name="B")
    dealer = DealerFactory(code="SH-1", legal_name="上海经销商", tier=silver)
    UserFactory(email="buyer@sh.test", full_name="", role="dealer_buyer", dealer=dealer)
    piece = unit("pc", "罐")
    root = CategoryFactory(code="ALL", name="全部")
    energy = CategoryFactory(parent=root, code="ENERGY", name="能量饮料")
    water = CategoryFactory(parent=root, code="WATER", name="饮用水")
    warehouse = WarehouseFactory(code="SH", name="上海仓")
    made = {}
    for code, name, category, quantity in [
        ("RB", "红牛维生素功能饮料", energy, 500), ("DP", "东鹏特饮", energy, 3),
        ("NF", "农夫山泉天然水", water, 0),
    ]:
        product = ProductFactory(category=category, code=code, name=name)
        sku = SkuFactory(product=product, code=f"{code}-250", name=f"{name} 250ml", base_unit=piece,
                         min_order_qty=24, order_step=24)
        if quantity:
            stock_receive(sku=sku, warehouse=warehouse, quantity=quantity)
        inventory.low_threshold_set(actor=None, sku_id=sku.pk, warehouse_id=warehouse.pk, threshold=10)
        made[code] = product
    vip = ProductFactory(category=energy, code="VIP", name="红牛金罐礼盒")
    SkuFactory(product=vip, code="VIP-1", name="红牛金罐礼盒 6罐", base_unit=piece)
    catalog.product_visibility_set(actor=None, product=vip, tiers=[gold])  # not for a B-tier dealer
    made["VIP"] = vip
    made["energy"] = energy
    return made
