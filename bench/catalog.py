"""Catalog search: 50,000 SKUs (10,000 products, mixed Chinese/English names, 3-level category tree), then

  search     p50/p95 of selectors.sku_search(q=...)[:50] over ~200 queries: Chinese words of 2-4
             characters, English words, SKU code prefixes, full barcodes, a few typos
  category   p95 of a category listing page of 50 (selectors.sku_search(category=..., order="name")[:50]),
             top-level and leaf categories

Measured through the selectors and through the HTTP API, one page fully read including the
related product, category and unit. Runs in its own throwaway tenant (enterprise plan), deleted and
purged at the end.

Run: .venv/bin/python bench/catalog.py [--skus 50000]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import time

from _setup import django_setup, percentile, pgbench_select_only, throwaway_tenant

BRANDS = [  # (code, Chinese, English, category group)
    ("RB", "红牛", "Red Bull", "drink"), ("DP", "东鹏", "Dongpeng", "drink"),
    ("NF", "农夫山泉", "Nongfu Spring", "drink"), ("KS", "康师傅", "Master Kong", "food"),
    ("TY", "统一", "Uni-President", "food"), ("WH", "娃哈哈", "Wahaha", "drink"),
    ("YL", "伊利", "Yili", "dairy"), ("MN", "蒙牛", "Mengniu", "dairy"), ("PS", "百事", "Pepsi", "drink"),
    ("KK", "可口可乐", "Coca-Cola", "drink"), ("NC", "雀巢", "Nestle", "drink"), ("WL", "王老吉", "Wanglaoji", "drink"),
    ("YQ", "元气森林", "Genki Forest", "drink"), ("YB", "怡宝", "C'estbon", "drink"),
    ("GM", "光明", "Bright Dairy", "dairy"),
    ("MP", "马可波罗", "Marco Polo", "tile"), ("DC", "东鹏瓷砖", "Dongpeng Ceramics", "tile"),
    ("NB", "诺贝尔", "Nabel", "tile"), ("GN", "公牛", "Bull", "electric"), ("LB", "立邦", "Nippon Paint", "paint"),
    ("SK", "三棵树", "Skshu", "paint"), ("OP", "欧普", "Opple", "electric"), ("JM", "今麦郎", "Jinmailang", "food"),
    ("BH", "白象", "Baixiang", "food"),
]
TYPES = {  # group -> [(Chinese, English)]
    "drink": [("功能饮料", "Energy Drink"), ("矿泉水", "Mineral Water"), ("绿茶", "Green Tea"), ("果汁", "Fruit Juice"),
              ("碳酸饮料", "Soda"), ("咖啡", "Coffee"), ("凉茶", "Herbal Tea"), ("苏打水", "Sparkling Water")],
    "dairy": [("纯牛奶", "Pure Milk"), ("酸奶", "Yogurt"), ("奶粉", "Milk Powder"), ("乳饮料", "Milk Drink")],
    "food": [("方便面", "Instant Noodles"), ("拌面", "Dry Noodles"), ("火腿肠", "Ham Sausage"), ("饼干", "Biscuits")],
    "tile": [("抛光砖", "Polished Tile"), ("仿古砖", "Rustic Tile"), ("木纹砖", "Wood-look Tile"),
             ("大理石瓷砖", "Marble Tile")],
    "paint": [("乳胶漆", "Latex Paint"), ("木器漆", "Wood Lacquer"), ("防水涂料", "Waterproof Coating")],
    "electric": [("插座", "Socket"), ("开关", "Switch"), ("LED灯", "LED Lamp"), ("排插", "Power Strip")],
}
ADJECTIVES = [("经典", "Classic"), ("无糖", "Sugar Free"), ("加强型", "Plus"), ("新品", "New"), ("家庭装", "Family"),
              ("高端", "Premium"), ("", "")]
FLAVOURS = ["原味", "草莓", "柠檬", "蜜桃", "香草", "无糖", "低脂", "红烧牛肉", "香辣", "灰色", "米白", "浅灰", "五孔"]
SIZES = {"drink": ["250ml", "330ml", "500ml", "1L", "1.5L"], "dairy": ["200ml", "250ml", "1L", "400g"],
         "food": ["85g", "105g", "120g", "5连包"], "tile": ["600x600", "800x800", "600x1200", "300x600"],
         "paint": ["5L", "15L", "18L"], "electric": ["10A", "16A", "3米", "5米"]}
TREE = {  # top category -> (English, sub categories -> leaf groups)
    "饮料": ("Beverages", {"功能饮料": "drink", "饮用水": "drink", "茶饮": "drink", "碳酸饮料": "drink"}),
    "乳品": ("Dairy", {"常温奶": "dairy", "低温奶": "dairy"}),
    "方便食品": ("Convenience Food", {"方便面": "food", "休闲食品": "food"}),
    "瓷砖": ("Tiles", {"客厅砖": "tile", "厨卫砖": "tile", "外墙砖": "tile"}),
    "涂料": ("Paint", {"内墙漆": "paint", "外墙漆": "paint"}),
    "电工": ("Electrical", {"插座开关": "electric", "照明": "electric"}),
}
LEAVES_PER_SUB = 4


def ean13(number: int) -> str:
    body = f"69{number:010d}"
    total = sum(int(digit) * (3 if position % 2 == 0 else 1) for position, digit in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def build(*, skus: int, seed: int) -> tuple[list, list, list]:
    """Categories and series through the services; products and SKUs by bulk_create (search text built
    by services.sku_search_text, as sku_create does). Returns (leaf categories, top categories, SKUs)."""
    from tenant_apps.catalog import services
    from tenant_apps.catalog.models import Product, ProductStatus, Sku

    rng = random.Random(seed)
    leaves: dict[str, list] = {}
    tops = []
    for number, (top_name, (top_en, subs)) in enumerate(TREE.items()):
        top = services.category_create(actor=None, parent=None, code=f"C{number}", name=top_name, name_en=top_en)
        tops.append(top)
        for sub_number, (sub_name, group) in enumerate(subs.items()):
            sub = services.category_create(actor=None, parent=top, code=f"C{number}{sub_number}", name=sub_name)
            for leaf_number in range(LEAVES_PER_SUB):
                leaf = services.category_create(actor=None, parent=sub, code=f"C{number}{sub_number}{leaf_number}",
                                                name=f"{sub_name}{leaf_number + 1}类")
                leaves.setdefault(group, []).append(leaf)
    series = {code: services.series_create(actor=None, code=code, name=f"{cn}系列") for code, cn, _en, _g in BRANDS}
    units = [services.unit_ensure(code=code, name=name) for code, name in (("PCS", "件"), ("BTL", "瓶"), ("BOX", "盒"))]

    per_product = 5
    products = []
    for number in range(skus // per_product):
        code, cn, en, group = BRANDS[number % len(BRANDS)]
        type_cn, type_en = rng.choice(TYPES[group])
        adjective_cn, adjective_en = rng.choice(ADJECTIVES)
        products.append(Product(
            code=f"{code}{number:05d}", name=f"{cn}{adjective_cn}{type_cn}",
            name_en=" ".join(part for part in (en, adjective_en, type_en) if part),
            category=rng.choice(leaves[group]), series=series[code] if rng.random() < 0.7 else None,
            status=ProductStatus.ON_SALE if rng.random() < 0.9 else ProductStatus.DISCONTINUED,
        ))
    Product.objects.bulk_create(products, batch_size=2000)
    rows = []
    for number, product in enumerate(products):
        group = next(g for c, _cn, _en, g in BRANDS if product.code.startswith(c))
        for variant in range(per_product):
            size, flavour = rng.choice(SIZES[group]), rng.choice(FLAVOURS)
            sku = Sku(product=product, code=f"{product.code}-{variant + 1}{size.replace('.', '')}"[:64],
                      name=f"{product.name} {flavour} {size}", attributes={"规格": size, "口味": flavour},
                      barcode=ean13(number * per_product + variant), base_unit=rng.choice(units))
            sku.search_text = services.sku_search_text(sku, unit_barcodes=())
            rows.append(sku)
    Sku.objects.bulk_create(rows, batch_size=2000)
    return [leaf for group in leaves.values() for leaf in group], tops, rows


def queries(*, rows: list, rng: random.Random) -> list[str]:
    chinese = [cn for _c, cn, _e, _g in BRANDS] + [t for types in TYPES.values() for t, _e in types] + FLAVOURS
    english = [en.lower() for _c, _cn, en, _g in BRANDS] + [e for types in TYPES.values() for _t, e in types]
    chinese = [word for word in chinese if 2 <= len(word) <= 4]
    picked = rng.sample(chinese, 60) + rng.sample(english, 50)
    picked += [rng.choice(rows).code[: rng.choice((4, 6, 8))] for _ in range(40)]  # code prefixes
    picked += [rng.choice(rows).barcode for _ in range(40)]  # full barcodes
    picked += ["redbul", "nongfu sprng", "instant nodles", "polishd tile", "mastr kong", "pepsy", "yoghurt",
               "cocacola", "wahha", "socket 16a"]  # typos and run-together words
    return picked


def page_ms(queryset, size: int = 50) -> float:
    started = time.perf_counter()
    page = [(sku.code, sku.product.name, sku.product.category.name, sku.base_unit.name) for sku in queryset[:size]]
    assert len(page) <= size
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skus", type=int, default=50000)
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "false")  # no query log in the request path
    django_setup()

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context
    from rest_framework.authtoken.models import Token

    from tenant_apps.accounts.models import User
    from tenant_apps.catalog import selectors
    from tenant_apps.catalog.models import Sku

    baseline = pgbench_select_only()
    password = secrets.token_urlsafe(12)
    rng = random.Random(7)
    with throwaway_tenant("Bench catalog", "bench-cat", owner_password=password) as tenant:
        with schema_context(tenant.schema_name):
            started = time.perf_counter()
            leaves, tops, rows = build(skus=args.skus, seed=1)
            load_s = time.perf_counter() - started
            with connection.cursor() as cursor:
                # As autovacuum leaves a table after a bulk load: statistics, and the GIN indexes' pending lists merged.
                for table in ("catalog_sku", "catalog_product", "catalog_category"):
                    cursor.execute(f"VACUUM ANALYZE {table}")
            assert Sku.objects.count() == len(rows)
            searches = queries(rows=rows, rng=rng)
            for q in searches[:10]:  # warm-up, untimed
                page_ms(selectors.sku_search(q=q))
            search_ms = [page_ms(selectors.sku_search(q=q)) for q in searches]
            for barcode in searches[150:190]:
                assert [s.barcode for s in selectors.sku_search(q=barcode, status=None)] == [barcode]
            assert [s.product.name_en for s in selectors.sku_search(q="redbul")[:1]][0].startswith("Red Bull")
            categories = [rng.choice(leaves) for _ in range(80)] + [rng.choice(tops) for _ in range(20)]
            category_ms = [page_ms(selectors.sku_search(category=c, order="name")) for c in categories]
            by_kind = {"chinese": search_ms[:60], "english": search_ms[60:110], "code_prefix": search_ms[110:150],
                       "barcode": search_ms[150:190], "typo": search_ms[190:]}
            token = Token.objects.create(user=User.objects.get(email="owner@bench.test")).key
        # The same searches and category pages through the HTTP API (the full middleware + DRF stack,
        # in-process): tenant routing, token auth, capability check, search, stock annotation, JSON.
        connection.set_schema_to_public()
        client = Client(HTTP_HOST=f"{tenant.slug}.{settings.PLATFORM_HOST}", HTTP_AUTHORIZATION=f"Token {token}")

        def api_ms(params: dict) -> float:
            started = time.perf_counter()
            response = client.get("/api/v1/catalog/skus/", params)
            assert response.status_code == 200, response.content[:300]
            return (time.perf_counter() - started) * 1000

        for q in searches[:10]:
            api_ms({"q": q})
        api_search_ms = [api_ms({"q": q}) for q in searches]
        api_category_ms = [api_ms({"category": c.pk, "order": "name"}) for c in categories]

    print(f"SKUs: {len(rows)} in {len(rows) // 5} products, {len(leaves)} leaf categories; load {load_s:.1f} s")
    print(f"search, {len(search_ms)} queries, page of 50: p50 {percentile(search_ms, 50):.1f} ms, "
          f"p95 {percentile(search_ms, 95):.1f} ms, max {max(search_ms):.1f} ms")
    for kind, values in by_kind.items():
        print(f"  {kind:12s} n={len(values):3d} p50 {percentile(values, 50):7.1f} ms  "
              f"p95 {percentile(values, 95):7.1f} ms")
    slowest = sorted(zip(search_ms, searches, strict=True), reverse=True)[:8]
    print("  slowest: " + ", ".join(f"{q!r} {ms:.0f} ms" for ms, q in slowest))
    print(f"category page of 50 (subtree, by name), {len(category_ms)} pages: "
          f"p50 {percentile(category_ms, 50):.1f} ms, p95 {percentile(category_ms, 95):.1f} ms")
    print(
        f"pgbench -S, 1 client, same server: {baseline['pgbench_select_ms']:.3f} ms/select, "
        f"{baseline['pgbench_select_tps']:.0f} tps"
    )
    print(f"API /api/v1/catalog/skus/ (page of 50): search p50 {percentile(api_search_ms, 50):.1f} ms, "
          f"p95 {percentile(api_search_ms, 95):.1f} ms; category p50 {percentile(api_category_ms, 50):.1f} ms, "
          f"p95 {percentile(api_category_ms, 95):.1f} ms")
    result = {"api_search_p50_ms": percentile(api_search_ms, 50), "api_search_p95_ms": percentile(api_search_ms, 95),
              "api_category_p95_ms": percentile(api_category_ms, 95),
              "search_p50_ms": percentile(search_ms, 50), "search_p95_ms": percentile(search_ms, 95),
              "category_p95_ms": percentile(category_ms, 95), "pgbench_select_ms": baseline["pgbench_select_ms"]}
    print("RESULT " + " ".join(f"{key}={value:.3f}" for key, value in result.items()))


if __name__ == "__main__":
    main()
