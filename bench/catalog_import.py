"""Bulk import of the catalog: 10,000 SKU rows (2,000 products of 5 SKUs each, Chinese and English names,
attributes, EAN-13 barcodes, packaging units with their own barcodes, tier visibility, new series).

  invalid      validate a file with exactly 3 bad rows (nothing applied, exactly those rows named)
  import_csv   clean import of 10,000 new rows from CSV (UTF-8 with BOM), one transaction
  import_xlsx  the same from XLSX (other codes), into the catalog that now holds 10,000 SKUs
  update_csv   the CSV file again with every product renamed and every MOQ changed (10,000 updates)
  unchanged    the export of all 20,000 SKUs imported again (nothing written)
  export_*     export of all 20,000 SKUs

Target (issue): 10,000 rows in a few seconds on 2 cores. Runs in its own throwaway tenant (enterprise
plan), deleted and purged at the end.

Run: .venv/bin/python bench/catalog_import.py [--rows 10000]
"""

from __future__ import annotations

import argparse
import io
import random
import secrets

from _setup import django_setup, pgbench_select_only, throwaway_tenant
from catalog import BRANDS, SIZES, TYPES, ean13
from dealer_import import as_csv, as_xlsx, timed

FLAVOURS = ["原味", "草莓", "柠檬", "蜜桃", "无糖", "低脂", "灰色", "米白"]
PER_PRODUCT = 5


def build_catalog() -> None:
    """Categories (one per brand group), units, tiers A/B/C, series of half of the brands."""
    from tenant_apps.catalog import services
    from tenant_apps.dealers import services as dealers

    for group in TYPES:
        services.category_create(actor=None, parent=None, code=f"CAT-{group.upper()}", name=f"{group}类")
    for code, name in (("PCS", "件"), ("BTL", "瓶"), ("BOX", "盒"), ("CASE", "箱")):
        services.unit_ensure(code=code, name=name)
    for rank, code in enumerate("ABC", start=1):
        dealers.tier_create(actor=None, code=code, name=f"{code}级", rank=rank)
    for code, cn, _en, _group in BRANDS[::2]:
        services.series_create(actor=None, code=f"S-{code}", name=f"{cn}系列")


def generate(*, rows: int, prefix: str, seed: int, barcode_base: int) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for number in range(rows // PER_PRODUCT):
        code, cn, en, group = BRANDS[number % len(BRANDS)]
        type_cn, type_en = rng.choice(TYPES[group])
        product = {
            "product_code": f"{prefix}{code}{number:05d}", "product_name": f"{cn}{type_cn}",
            "product_name_en": f"{en} {type_en}", "category_code": f"CAT-{group.upper()}",
            "series_code": f"S-{code}", "series_name": f"{cn}系列",  # created for the brands without one
            "product_status": rng.choice(["on_sale", "on_sale", "draft"]),
            "description": f"{cn}{type_cn}，{rng.choice(FLAVOURS)}口味。",
            "visible_tiers": rng.choice(["", "", "A", "A;B"]), "visible_territories": "",
        }
        for variant in range(PER_PRODUCT):
            size, flavour = rng.choice(SIZES[group]), rng.choice(FLAVOURS)
            serial = barcode_base + number * PER_PRODUCT + variant
            pack = rng.choice([6, 12, 24])
            out.append({
                **product, "sku_code": f"{product['product_code']}-{variant + 1}",
                "sku_name": f"{cn}{type_cn} {flavour} {size}", "attributes": f"规格={size}; 口味={flavour}",
                "barcode": ean13(serial), "base_unit": "BTL" if group in ("drink", "dairy") else "PCS",
                "min_order_qty": str(pack), "order_step": str(pack), "sku_status": "on_sale",
                "units": f"BOX:{pack}:{ean13(serial + 5_000_000)}; CASE:{pack * 4}",
            })
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10000)
    args = parser.parse_args()
    django_setup()

    from django_tenants.utils import schema_context

    from tenant_apps.accounts.models import User
    from tenant_apps.catalog import services as catalog
    from tenant_apps.catalog.export import catalog_export
    from tenant_apps.catalog.models import Product, Sku, SkuUnit
    from tenant_apps.catalog.transfer import COLUMNS, catalog_import

    baseline = pgbench_select_only()
    result: dict[str, float] = {}
    with throwaway_tenant("Bench catalog import", "bench-cimp", owner_password=secrets.token_hex(8)) as tenant:
        with schema_context(tenant.schema_name):
            owner = User.objects.get(email="owner@bench.test")
            build_catalog()
            rows = generate(rows=args.rows, prefix="", seed=1, barcode_base=0)
            clean_csv = as_csv(rows, COLUMNS)

            bad = [dict(row) for row in rows]
            bad[100]["base_unit"] = "KG"  # spreadsheet row 102: no such unit
            bad[2000]["barcode"] = bad[2000]["barcode"][:-1] + str((int(bad[2000]["barcode"][-1]) + 1) % 10)  # 2002
            bad[7000]["min_order_qty"] = "0"  # row 7002
            invalid, result["invalid_ms"] = timed(catalog_import, actor=owner, file=as_csv(bad, COLUMNS),
                                                  filename="商品-有误.csv")
            expected = [(102, "base_unit"), (2002, "barcode"), (7002, "min_order_qty")]
            assert not invalid.applied and [(e.row, e.field) for e in invalid.errors] == expected, invalid.errors[:5]
            assert not Product.objects.exists()

            imported, result["import_csv_ms"] = timed(catalog_import, actor=owner, file=io.BytesIO(clean_csv),
                                                      filename="商品.csv")
            assert imported.applied and imported.created == args.rows, imported.errors[:5]

            xlsx_rows = generate(rows=args.rows, prefix="X", seed=2, barcode_base=1_000_000)
            xlsx = as_xlsx(xlsx_rows, COLUMNS)
            imported, result["import_xlsx_ms"] = timed(catalog_import, actor=owner, file=io.BytesIO(xlsx),
                                                       filename="商品.xlsx")
            assert imported.applied and imported.created == args.rows, imported.errors[:5]
            assert Sku.objects.count() == 2 * args.rows and SkuUnit.objects.count() == 4 * args.rows

            changed = [{**row, "product_name": row["product_name"] + "（新）",
                        "min_order_qty": str(int(row["min_order_qty"]) * 2)} for row in rows]
            updated, result["update_csv_ms"] = timed(catalog_import, actor=owner, file=as_csv(changed, COLUMNS),
                                                     filename="商品-改.csv")
            assert updated.applied and updated.updated == args.rows, (updated.updated, updated.errors[:5])
            sku = Sku.objects.select_related("product__series").get(code=rows[0]["sku_code"])
            assert sku.search_text == catalog.sku_search_text(sku) and "（新）" in sku.search_text

            (content, _, _), result["export_csv_ms"] = timed(catalog_export, actor=owner, fmt="csv")
            assert content.count(b"\r\n") == 2 * args.rows + 1
            (xlsx_export, _, _), result["export_xlsx_ms"] = timed(catalog_export, actor=owner, fmt="xlsx")
            same, result["unchanged_csv_ms"] = timed(catalog_import, actor=owner, file=content,
                                                     filename="catalog.csv")
            assert same.applied and same.unchanged == 2 * args.rows, (same.created, same.updated, same.errors[:5])
            same, result["unchanged_xlsx_ms"] = timed(catalog_import, actor=owner, file=xlsx_export,
                                                      filename="catalog.xlsx")
            assert same.applied and same.unchanged == 2 * args.rows, (same.created, same.updated, same.errors[:5])

    print(f"rows per file: {args.rows} (CSV {len(clean_csv) / 1024:.0f} KiB, XLSX {len(xlsx) / 1024:.0f} KiB)")
    print(f"validate, 3 bad rows (nothing applied):   {result['invalid_ms']:8.1f} ms")
    print(f"import CSV  (new rows, one transaction):  {result['import_csv_ms']:8.1f} ms   target: a few seconds")
    print(f"import XLSX (new rows, one transaction):  {result['import_xlsx_ms']:8.1f} ms   target: a few seconds")
    print(f"import CSV  (every row updated):          {result['update_csv_ms']:8.1f} ms")
    print(f"export CSV / XLSX of {2 * args.rows} SKUs:        {result['export_csv_ms']:.1f} / "
          f"{result['export_xlsx_ms']:.1f} ms")
    print(f"re-import of the export, nothing changes: CSV {result['unchanged_csv_ms']:.1f} / "
          f"XLSX {result['unchanged_xlsx_ms']:.1f} ms ({2 * args.rows} rows)")
    print(
        f"pgbench -S, 1 client, same server: {baseline['pgbench_select_ms']:.3f} ms/select, "
        f"{baseline['pgbench_select_tps']:.0f} tps"
    )
    ordered = {key: result[key] for key in ("import_csv_ms", "import_xlsx_ms", "update_csv_ms", "invalid_ms")}
    ordered["pgbench_select_ms"] = baseline["pgbench_select_ms"]
    ordered.update({key: result[key] for key in ("export_csv_ms", "export_xlsx_ms", "unchanged_csv_ms",
                                                 "unchanged_xlsx_ms")})
    ordered["rows"] = args.rows
    print("RESULT " + " ".join(f"{key}={value:.3f}" for key, value in ordered.items()))


if __name__ == "__main__":
    main()
