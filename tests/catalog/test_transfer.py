"""Catalog import and export (CSV, XLSX): upsert by code, every bad row named and nothing written, one
audit entry, search text kept, export -> import changes nothing, constant query counts."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditEntry
from tenant_apps.catalog import services
from tenant_apps.catalog.export import catalog_export
from tenant_apps.catalog.models import Product, Series, Sku, SkuUnit
from tenant_apps.catalog.transfer import COLUMNS, catalog_import
from tenant_apps.dealers import services as dealers


@pytest.fixture
def base(tenant_a, in_tenant):
    """Categories DRINK > ENERGY and WATER; units can, btl, box, case; tiers A, B; territories CN > 310000;
    series RB; one existing product P-OLD (draft) with SKU OLD-1 (barcode 6901234567892, box of 12)."""
    with in_tenant(tenant_a):
        drink = services.category_create(actor=None, parent=None, code="DRINK", name="饮料")
        services.category_create(actor=None, parent=drink, code="ENERGY", name="功能饮料")
        services.category_create(actor=None, parent=drink, code="WATER", name="饮用水")
        units = {code: services.unit_ensure(code=code, name=name)
                 for code, name in (("can", "罐"), ("btl", "瓶"), ("box", "盒"), ("case", "箱"))}
        dealers.tier_create(actor=None, code="A", name="金牌", rank=1)
        dealers.tier_create(actor=None, code="B", name="银牌", rank=2)
        # China's divisions (CN > 310000 > 310100 > 310115, CN > 440000) come with the workspace
        services.series_create(actor=None, code="RB", name="红牛系列")
        old = services.product_create(actor=None, category=drink, code="P-OLD", name="老产品", name_en="Old one")
        services.sku_create(actor=None, product=old, code="OLD-1", name="老产品 500ml", base_unit=units["btl"],
                            attributes={"size": "500ml", "pack": 24}, barcode="6901234567892",
                            units=[(units["box"], 12, "")])
        yield User.objects.get(email="owner@acme.test")


def row(**values) -> dict:
    return {column: values.get(column, "") for column in COLUMNS}


RB = {"product_code": "P-RB", "product_name": "红牛维生素功能饮料", "product_name_en": "Red Bull",
      "category_code": "ENERGY", "series_code": "RB", "product_status": "on_sale", "description": "经典款"}
CLEAN = [
    row(**RB, sku_code="RB-250", sku_name="红牛 250ml", attributes="size=250ml; pack=24", barcode="6901234567908",
        base_unit="can", min_order_qty="24", order_step="24", units="box:24:16901234567899; case:96",
        visible_tiers="A;B", visible_territories="310000"),
    row(**RB, sku_code="RB-355", sku_name="红牛 355ml", attributes="size=355ml", base_unit="can",
        visible_tiers="B; A", visible_territories="310000"),
    row(product_code="P-WT", product_name="天然水", category_code="WATER", series_code="SPRING", series_name="山泉系列",
        sku_code="WT-550", sku_name="天然水 550ml", base_unit="btl", sku_status="On sale"),
    row(product_code="P-NEW", product_name="新品（无 SKU）", category_code="DRINK", product_status="draft"),
]


def csv_bytes(rows: list[dict], columns=COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([[values.get(column, "") for column in columns] for values in rows])
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[dict], header=COLUMNS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for values in rows:
        sheet.append([values.get(column, "") for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def errors_of(result) -> list[tuple[int, str]]:
    return [(error.row, error.field) for error in result.errors]


def snapshot() -> dict:
    """Everything an import may change, to compare before and after."""
    return {
        "products": list(Product.objects.order_by("code").values()),
        "skus": list(Sku.objects.order_by("code").values()),
        "units": list(SkuUnit.objects.order_by("pk").values()),
        "series": list(Series.objects.order_by("code").values()),
        "tiers": list(Product.visible_tiers.through.objects.order_by("pk").values()),
        "territories": list(Product.visible_territories.through.objects.order_by("pk").values()),
    }


# --- creating and updating ------------------------------------------------------------------------


def test_a_clean_file_creates_products_skus_units_series_and_visibility(base):
    result = catalog_import(actor=base, file=csv_bytes(CLEAN), filename="商品.csv")
    assert result.applied, result.errors
    assert (result.rows, result.created, result.updated, result.unchanged) == (4, 4, 0, 0)
    assert (result.products_created, result.products_updated, result.series_created) == (3, 0, 1)

    rb = Product.objects.get(code="P-RB")
    assert (rb.name, rb.name_en, rb.category.code, rb.series.code, rb.status, rb.description) == (
        "红牛维生素功能饮料", "Red Bull", "ENERGY", "RB", "on_sale", "经典款")
    assert sorted(rb.visible_tiers.values_list("code", flat=True)) == ["A", "B"]
    assert list(rb.visible_territories.values_list("code", flat=True)) == ["310000"]
    sku = Sku.objects.get(code="RB-250")
    assert (sku.attributes, sku.barcode, sku.base_unit.code, sku.min_order_qty, sku.order_step, sku.status) == (
        {"size": "250ml", "pack": "24"}, "6901234567908", "can", 24, 24, "on_sale")
    assert sorted(sku.units.values_list("unit__code", "factor", "barcode")) == [
        ("box", 24, "16901234567899"), ("case", 96, "")]
    assert sku.search_text == services.sku_search_text(sku)
    assert "16901234567899" in sku.search_text and "红牛系列" in sku.search_text
    assert Series.objects.get(code="SPRING").name == "山泉系列"
    assert Product.objects.get(code="P-WT").status == "draft" and Sku.objects.get(code="WT-550").status == "on_sale"
    assert not Product.objects.get(code="P-NEW").skus.exists()
    entry = AuditEntry.objects.get(action="catalog.catalog.imported")
    assert (entry.actor_id, entry.after["created"], entry.after["products_created"]) == (base.pk, 4, 3)
    assert entry.after["skus_created_sample"] == ["RB-250", "RB-355", "WT-550"]


def test_a_second_file_updates_what_differs_and_leaves_the_rest_alone(base):
    assert catalog_import(actor=base, file=csv_bytes(CLEAN), filename="a.csv").applied
    untouched = Product.objects.get(code="P-WT").updated_at
    second = [dict(values) for values in CLEAN]
    for values in second[:2]:  # the product of two rows: renamed, its tiers narrowed
        values.update(product_name="红牛 经典", visible_tiers="A")
    second[0].update(min_order_qty="48", units="box:24:16901234567899; case:120", attributes="size=250ml")
    second.append(row(product_code="P-OLD", product_name="老产品", product_name_en="Old one", category_code="DRINK",
                      product_status="on_sale", sku_code="OLD-2", sku_name="老产品 1L", base_unit="btl"))
    result = catalog_import(actor=base, file=csv_bytes(second), filename="b.csv")
    assert result.applied, result.errors
    assert (result.created, result.updated, result.unchanged) == (1, 2, 2)
    assert (result.products_created, result.products_updated) == (0, 2)

    rb = Product.objects.get(code="P-RB")
    assert rb.name == "红牛 经典" and list(rb.visible_tiers.values_list("code", flat=True)) == ["A"]
    sku = Sku.objects.get(code="RB-250")
    assert (sku.min_order_qty, sku.attributes) == (48, {"size": "250ml"})
    assert sorted(sku.units.values_list("unit__code", "factor")) == [("box", 24), ("case", 120)]
    assert Sku.objects.get(code="RB-355").search_text.startswith("红牛 经典 red bull")
    assert Product.objects.get(code="P-WT").updated_at == untouched
    old = Product.objects.get(code="P-OLD")
    assert old.status == "on_sale" and sorted(old.skus.values_list("code", flat=True)) == ["OLD-1", "OLD-2"]
    # OLD-1 is not in the file: kept as it was, units included.
    assert Sku.objects.get(code="OLD-1").units.get().factor == 12
    assert AuditEntry.objects.filter(action="catalog.catalog.imported").count() == 2


def test_a_product_rename_updates_the_search_text_of_skus_not_in_the_file(base):
    file = csv_bytes([{"product_code": "P-OLD", "product_name": "焕新产品"}],
                     columns=["product_code", "product_name", "sku_code"])
    result = catalog_import(actor=base, file=file, filename="rename.csv")
    assert result.applied, result.errors
    sku = Sku.objects.get(code="OLD-1")
    assert sku.search_text.startswith("焕新产品 old one") and sku.search_text == services.sku_search_text(sku)


def test_left_out_columns_keep_their_values(base):
    file = csv_bytes([{"product_code": "P-OLD", "sku_code": "OLD-1", "order_step": "6"}],
                     columns=["product_code", "sku_code", "order_step"])
    result = catalog_import(actor=base, file=file, filename="steps.csv")
    assert result.applied and (result.updated, result.unchanged) == (1, 0), result.errors
    sku = Sku.objects.get(code="OLD-1")
    assert (sku.order_step, sku.name, sku.barcode, sku.attributes) == (
        6, "老产品 500ml", "6901234567892", {"size": "500ml", "pack": 24})
    assert sku.product.name == "老产品" and sku.units.get().factor == 12


# --- refusing ---------------------------------------------------------------------------------------


def test_a_file_with_three_bad_rows_imports_nothing_and_names_exactly_them(base):
    rows = [row(product_code=f"P-{n}", product_name=f"产品{n}", category_code="WATER", sku_code=f"S-{n}",
                sku_name=f"SKU {n}", base_unit="btl", min_order_qty="6") for n in range(30)]
    rows[4]["category_code"] = "NOPE"  # row 6
    rows[11]["barcode"] = "6901234567893"  # row 13: wrong check digit
    rows[25]["min_order_qty"] = "0"  # row 27
    before = snapshot()
    result = catalog_import(actor=base, file=csv_bytes(rows), filename="bad.csv")
    assert not result.applied
    assert errors_of(result) == [(6, "category_code"), (13, "barcode"), (27, "min_order_qty")]
    assert result.errors[0].message == "No category has the code “NOPE”."
    assert snapshot() == before
    assert not AuditEntry.objects.filter(action="catalog.catalog.imported").exists()


BAD = [
    # (the rows after a good first row, the (row, column) errors)
    ([row(**RB, sku_code="RB-250", sku_name="again", base_unit="can")], [(3, "sku_code")]),
    ([row(**{**RB, "product_name": "别的名字"}, sku_code="RB-9", sku_name="x", base_unit="can")],
     [(3, "product_name")]),
    ([row(**RB, sku_code="RB-9", sku_name="x", base_unit="kg")], [(3, "base_unit")]),
    ([row(**RB, sku_code="RB-9", sku_name="x", base_unit="can", units="pallet:100")], [(3, "units")]),
    ([row(**RB, sku_code="RB-9", sku_name="x", base_unit="can", units="box:0")], [(3, "units")]),
    ([row(**RB, sku_code="RB-9", sku_name="x", base_unit="can", units="can:6")], [(3, "units")]),
    ([row(**RB, sku_code="RB-9", sku_name="x", base_unit="can", barcode="6901234567908")], [(3, "barcode")]),
    ([row(**RB, sku_code="RB-9", sku_name="x", base_unit="can", barcode="6901234567892")], [(3, "barcode")]),
    ([row(**RB, sku_code="RB-9", sku_name="x", base_unit="can", units="box:6:6901234567892")], [(3, "units")]),
    ([row(**RB, sku_code="RB 9", sku_name="x", base_unit="can")], [(3, "sku_code")]),
    ([row(**RB, sku_code="RB-9", sku_name="", base_unit="can", order_step="1.5")],
     [(3, "sku_name"), (3, "order_step")]),
    ([row(**RB, sku_code="RB-9", sku_name="x", base_unit="can", sku_status="sold")], [(3, "sku_status")]),
    ([row(**RB, sku_code="RB-9", sku_name="x", base_unit="can", attributes="size 250ml")], [(3, "attributes")]),
    ([row(product_code="P-X", product_name="x", category_code="DRINK", product_status="selling", sku_code="X-1",
          sku_name="x", base_unit="can", visible_tiers="Z", visible_territories="999999")],
     [(3, "product_status"), (3, "visible_tiers"), (3, "visible_territories")]),
    ([row(product_code="P-X", product_name="x", category_code="DRINK", series_code="NEWS", sku_code="X-1",
          sku_name="x", base_unit="can")], [(3, "series_name")]),
    ([row(product_code="P-X", product_name="x", category_code="DRINK", sku_code="OLD-1", sku_name="x",
          base_unit="btl")], [(3, "sku_code")]),  # OLD-1 belongs to P-OLD
    ([row(product_code="P-OLD", product_name="老产品", category_code="DRINK", sku_code="OLD-1", sku_name="x",
          base_unit="can")], [(3, "base_unit")]),  # a SKU's base unit cannot change
    ([row(product_code="P-OLD", product_name="老产品", category_code="DRINK", product_status="discontinued",
          sku_code="OLD-1", sku_name="x", base_unit="btl")], [(3, "product_status")]),  # draft -> discontinued
    ([row(product_code="", sku_code="Y-1")], [(3, "product_code")]),
    ([row(product_code="P-Z", product_name="z", category_code="DRINK", sku_name="orphan")], [(3, "sku_code")]),
]


@pytest.mark.parametrize(("rows", "expected"), BAD)
def test_each_kind_of_bad_row_is_named_and_nothing_is_written(base, rows, expected):
    first = row(**RB, sku_code="RB-250", sku_name="红牛 250ml", base_unit="can", barcode="6901234567908")
    before = snapshot()
    result = catalog_import(actor=base, file=csv_bytes([first, *rows]), filename="bad.csv")
    assert not result.applied
    assert errors_of(result) == expected, result.errors
    assert snapshot() == before


def test_unreadable_files_and_headers_are_reported_on_the_file(base):
    assert errors_of(catalog_import(actor=base, file=b"x", filename="catalog.txt")) == [(0, "file")]
    assert errors_of(catalog_import(actor=base, file=b"not a zip", filename="catalog.xlsx")) == [(0, "file")]
    result = catalog_import(actor=base, file=b"product_code,colour\nP-1,red\n", filename="catalog.csv")
    assert errors_of(result) == [(1, "colour"), (1, "sku_code")]


# --- files: XLSX, Chinese headers, round trips --------------------------------------------------------


def test_an_xlsx_file_with_chinese_headers_imports(base):
    chinese = {"product_code": "商品编码", "product_name": "商品名称", "category_code": "分类编码",
               "sku_code": "SKU编码", "sku_name": "SKU名称", "base_unit": "基本单位", "barcode": "条码",
               "min_order_qty": "起订量"}
    header = [chinese.get(column, column) for column in COLUMNS]
    rows = [row(product_code="P-TEA", product_name="绿茶", category_code="DRINK", sku_code="TEA-1",
                sku_name="绿茶 500ml", base_unit="btl", barcode=6901234567915,
                min_order_qty=12)]  # numbers as Excel stores them
    result = catalog_import(actor=base, file=xlsx_bytes(rows, header=header), filename="商品.xlsx")
    assert result.applied, result.errors
    sku = Sku.objects.get(code="TEA-1")
    assert (sku.barcode, sku.min_order_qty, sku.product.name) == ("6901234567915", 12, "绿茶")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(base, fmt):
    tricky = [dict(values) for values in CLEAN]
    tricky[0]["description"] = "- 清爽口感\n=不是公式"  # a line break, a leading dash and equals sign
    for values in tricky[:2]:
        values["description"] = tricky[0]["description"]
    assert catalog_import(actor=base, file=csv_bytes(tricky), filename="a.csv").applied
    content, content_type, filename = catalog_export(actor=base, fmt=fmt)
    assert filename.startswith("catalog-") and filename.endswith(f".{fmt}")
    before = snapshot()
    result = catalog_import(actor=base, file=content, filename=filename)
    assert result.applied, result.errors
    assert (result.rows, result.created, result.updated, result.unchanged) == (5, 0, 0, 5)
    assert snapshot() == before
    assert AuditEntry.objects.filter(action="catalog.catalog.imported").count() == 1  # the first import only


def test_export_has_one_row_per_sku_in_the_import_columns(base):
    assert catalog_import(actor=base, file=csv_bytes(CLEAN), filename="a.csv").applied
    content, content_type, _filename = catalog_export(actor=base, fmt="csv")
    assert content_type == "text/csv; charset=utf-8"
    table = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert list(table[0]) == COLUMNS
    assert [(r["product_code"], r["sku_code"]) for r in table] == [
        ("P-NEW", ""), ("P-OLD", "OLD-1"), ("P-RB", "RB-250"), ("P-RB", "RB-355"), ("P-WT", "WT-550")]
    rb250 = table[2]
    assert (rb250["attributes"], rb250["units"], rb250["visible_tiers"], rb250["series_name"]) == (
        "pack=24; size=250ml", "box:24:16901234567899; case:96", "A;B", "红牛系列")  # keys in jsonb's order


def test_export_reads_a_constant_number_of_queries(base, count_queries):
    with count_queries() as small:
        catalog_export(actor=base, fmt="csv")
    assert catalog_import(actor=base, file=csv_bytes(CLEAN), filename="a.csv").applied
    with count_queries() as large:
        catalog_export(actor=base, fmt="xlsx")
    assert len(small.sql) == len(large.sql) == 6  # five reads, and the export's audit entry


def test_import_reads_a_constant_number_of_queries(base, count_queries):
    def rows(prefix: str, count: int, name: str) -> list[dict]:
        return [row(product_code=f"{prefix}-{n // 3}", product_name=f"{name}{n // 3}", category_code="WATER",
                    sku_code=f"{prefix}-{n}", sku_name=f"SKU {n}", base_unit="btl", units="box:6", visible_tiers="A")
                for n in range(count)]

    counts = []
    for name in ("产品", "改名"):  # first created, then all renamed
        for prefix, count in (("S", 3), ("L", 60)):
            with count_queries() as queries:
                assert catalog_import(actor=base, file=csv_bytes(rows(prefix, count, name)), filename="a.csv").applied
            counts.append(len(queries.sql))
    assert counts[0] == counts[1] and counts[2] == counts[3], counts
