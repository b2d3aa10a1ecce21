"""Demo catalog and stock of a brand: 100 products x 5 SKUs = 500 SKUs, each product with an image,
stocked in 2 warehouses. Built through the catalog and inventory services."""

from __future__ import annotations

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tenant_apps.catalog import services as catalog
from tenant_apps.catalog.models import Category
from tenant_apps.inventory import services as inventory
from tenant_apps.inventory.models import Warehouse

DRINKS = {
    "ENERGY": ("能量饮料", "Energy drinks", ["红牛维生素功能饮料", "东鹏特饮", "战马能量饮料", "魔爪能量饮料"]),
    "WATER": ("饮用水", "Water", ["农夫山泉天然水", "怡宝纯净水", "百岁山矿泉水", "景田饮用水"]),
    "JUICE": ("果汁", "Juice", ["汇源100%橙汁", "农夫果园混合果汁", "美汁源果粒橙", "统一鲜橙多"]),
    "TEA": ("茶饮料", "Tea drinks", ["康师傅冰红茶", "统一绿茶", "东方树叶乌龙茶", "三得利乌龙茶"]),
    "SODA": ("碳酸饮料", "Soft drinks", ["可口可乐", "百事可乐", "雪碧柠檬味汽水", "芬达橙味汽水"]),
}
TILES = {
    "POLISH": ("抛光砖", "Polished tiles", ["超白抛光砖", "微晶石抛光砖", "渗花抛光砖", "聚晶抛光砖"]),
    "RUSTIC": ("仿古砖", "Rustic tiles", ["复古仿古砖", "水泥灰仿古砖", "哑光仿古砖", "花片仿古砖"]),
    "WOOD": ("木纹砖", "Wood-look tiles", ["橡木纹砖", "胡桃木纹砖", "柚木纹砖", "白蜡木纹砖"]),
    "WALL": ("墙砖", "Wall tiles", ["釉面墙砖", "亮光墙砖", "小白砖", "马赛克墙砖"]),
    "MARBLE": ("大理石瓷砖", "Marble-look tiles", ["爵士白大理石瓷砖", "鱼肚白大理石瓷砖", "潘多拉大理石瓷砖",
                                                  "雅士白大理石瓷砖"]),
}
DRINK_VARIANTS = [("250ml", 24), ("330ml", 24), ("500ml", 15), ("1L", 12), ("1.5L", 6)]
TILE_VARIANTS = [("300x600", 8), ("600x600", 4), ("600x1200", 2), ("750x1500", 2), ("800x800", 3)]
COLOURS = ["#D9282F", "#0E7C66", "#1F6FEB", "#F2A900", "#8250DF", "#57606A"]


def _ean13(number: int) -> str:
    digits = f"69{number:010d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def _image(colour: str, name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (480, 480), colour).save(buffer, "PNG", optimize=True)
    return SimpleUploadedFile(f"{name}.png", buffer.getvalue(), content_type="image/png")


def seed_catalog(*, brand_slug: str, kind: str, actor=None) -> None:
    """Idempotent: does nothing once the catalog has categories."""
    if Category.objects.exists():
        return
    rng = random.Random(brand_slug)
    groups, variants = (DRINKS, DRINK_VARIANTS) if kind == "drinks" else (TILES, TILE_VARIANTS)
    # the workspace's units (tenants.workspace); tiles are sold by the piece (片)
    piece = catalog.unit_ensure(code="PCE", name="件") if kind == "drinks" else catalog.unit_ensure(code="pc", name="片")
    case = catalog.unit_ensure(code="CS", name="箱")
    root = catalog.category_create(actor=actor, parent=None, code="ALL", name="全部商品", name_en="All products")
    warehouses = [  # the workspace's main warehouse ships from Shanghai
        Warehouse.objects.filter(code="MAIN").first()
        or inventory.warehouse_create(actor=actor, code="SH-WH", name="上海中心仓"),
        inventory.warehouse_create(actor=actor, code="GZ-WH", name="广州中心仓"),
    ]
    number = 0
    for group_index, (code, (name, name_en, products)) in enumerate(groups.items()):
        category = catalog.category_create(actor=actor, parent=root, code=code, name=name, name_en=name_en)
        for line in range(5):  # 5 ranges of each of the 4 products = 20 products per category
            for p_index, product_name in enumerate(products):
                product = catalog.product_create(
                    actor=actor, category=category, code=f"{code}-{line}{p_index}",
                    name=f"{product_name}{'' if line == 0 else f' 系列{line + 1}'}",
                    name_en=f"{name_en} {p_index + 1}-{line + 1}", status="on_sale",
                    specifications={"产地": rng.choice(["广东", "上海", "山东", "福建"])},
                )
                catalog.product_image_add(actor=actor, product=product,
                                          image=_image(COLOURS[(group_index + p_index) % len(COLOURS)], product.code))
                for v_index, (variant, per_case) in enumerate(variants):
                    number += 1
                    sku = catalog.sku_create(
                        actor=actor, product=product, code=f"{product.code}-{v_index + 1}",
                        name=f"{product.name} {variant}", base_unit=piece,
                        attributes={"规格": variant}, barcode=_ean13(number + (0 if kind == "drinks" else 50000)),
                        min_order_qty=per_case, order_step=per_case, units=[(case, per_case, "")],
                    )
                    for warehouse in warehouses:
                        quantity = rng.choice([0, 5, 40, 120, 600, 2400]) * per_case
                        if quantity:
                            inventory.stock_receive(actor=actor, sku_id=sku.pk, warehouse_id=warehouse.pk,
                                                    quantity=quantity, reference="DEMO-INIT")
                        inventory.low_threshold_set(actor=actor, sku_id=sku.pk, warehouse_id=warehouse.pk,
                                                    threshold=20 * per_case)
    inventory.low_stock_scan()
