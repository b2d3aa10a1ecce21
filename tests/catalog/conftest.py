"""Fixtures of the catalog tests: a small drinks catalog with stock and one tier-restricted product."""

import pytest

from tenant_apps.accounts.services import user_create
from tenant_apps.catalog import services as catalog
from tenant_apps.dealers import services as dealers
from tenant_apps.inventory import services as inventory
from tests.factories import DEFAULT_PASSWORD


@pytest.fixture
def shop(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        hq = dealers.headquarters_ensure(name="HQ")
        gold = dealers.tier_create(actor=None, code="A", name="A")
        silver = dealers.tier_create(actor=None, code="B", name="B")
        dealer = dealers.dealer_create(actor=None, parent=hq, code="SH-1", legal_name="上海经销商", tier=silver)
        user_create(actor=None, email="buyer@sh.test", password=DEFAULT_PASSWORD, role="dealer_buyer", dealer=dealer)
        piece = catalog.unit_ensure(code="pc", name="罐")
        root = catalog.category_create(actor=None, parent=None, code="ALL", name="全部")
        energy = catalog.category_create(actor=None, parent=root, code="ENERGY", name="能量饮料")
        water = catalog.category_create(actor=None, parent=root, code="WATER", name="饮用水")
        warehouse = inventory.warehouse_create(actor=None, code="SH", name="上海仓")
        made = {}
        for code, name, category, quantity in [
            ("RB", "红牛维生素功能饮料", energy, 500), ("DP", "东鹏特饮", energy, 3), ("NF", "农夫山泉天然水", water, 0),
        ]:
            product = catalog.product_create(actor=None, category=category, code=code, name=name, status="on_sale")
            sku = catalog.sku_create(actor=None, product=product, code=f"{code}-250", name=f"{name} 250ml",
                                     base_unit=piece, min_order_qty=24, order_step=24)
            if quantity:
                inventory.stock_receive(actor=None, sku_id=sku.pk, warehouse_id=warehouse.pk, quantity=quantity)
            inventory.low_threshold_set(actor=None, sku_id=sku.pk, warehouse_id=warehouse.pk, threshold=10)
            made[code] = product
        vip = catalog.product_create(actor=None, category=energy, code="VIP", name="红牛金罐礼盒", status="on_sale")
        catalog.sku_create(actor=None, product=vip, code="VIP-1", name="红牛金罐礼盒 6罐", base_unit=piece)
        catalog.product_visibility_set(actor=None, product=vip, tiers=[gold])  # not for a B-tier dealer
        made["VIP"] = vip
        made["energy"] = energy
    return made
