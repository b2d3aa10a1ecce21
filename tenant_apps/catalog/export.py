"""The catalog exported in the import's columns (catalog.transfer), and the empty template to fill in: exporting
and importing the file again changes nothing."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.audit.services import Collection, audit_record
from tenant_apps.catalog.errors import CatalogInvalid
from tenant_apps.catalog.models import Product, Sku, SkuUnit
from tenant_apps.catalog.transfer import COLUMNS, SKU_COLUMNS, attributes_text, units_text
from tenant_apps.core.tables import CSV_CONTENT_TYPE, FORMATS, XLSX_CONTENT_TYPE, table_bytes


def catalog_export(*, actor, fmt: str) -> tuple[bytes, str, str]:
    """The whole catalog in the import's columns: (content, content_type, filename). One row per SKU
    (a product without SKUs gets one row of its own); five queries whatever the size, read as values."""
    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in FORMATS:
        raise CatalogInvalid(_("Export as csv or xlsx."), fields={"format": [_("Choose csv or xlsx.")]})
    rows = _export_rows()
    filename = f"catalog-{timezone.localdate():%Y%m%d}.{fmt}"
    content = table_bytes(fmt=fmt, columns=COLUMNS, rows=rows, sheet="catalog")
    audit_record(actor=actor, action="catalog.catalog.exported",
                 target=Collection("catalog.catalog", "export"), after={"file": filename, "rows": len(rows)})
    return content, CSV_CONTENT_TYPE if fmt == "csv" else XLSX_CONTENT_TYPE, filename


def catalog_template(*, fmt: str) -> tuple[bytes, str, str]:
    """An empty file with the header only, to fill in."""
    fmt = fmt if fmt in FORMATS else "csv"
    content = table_bytes(fmt=fmt, columns=COLUMNS, rows=[], sheet="catalog")
    return content, CSV_CONTENT_TYPE if fmt == "csv" else XLSX_CONTENT_TYPE, f"catalog-template.{fmt}"


def _export_rows() -> list[list[str]]:
    def codes_by_product(through, lookup: str) -> dict[int, str]:
        found: dict[int, list[str]] = {}
        for product_id, code in through.objects.order_by(lookup).values_list("product_id", lookup):
            found.setdefault(product_id, []).append(code)
        return {product_id: ";".join(codes) for product_id, codes in found.items()}

    tiers = codes_by_product(Product.visible_tiers.through, "tier__code")
    territories = codes_by_product(Product.visible_territories.through, "territory__code")
    units: dict[int, list[tuple[str, int, str]]] = {}
    for sku_id, code, factor, barcode in SkuUnit.objects.order_by("factor", "unit__code").values_list(
            "sku_id", "unit__code", "factor", "barcode"):
        units.setdefault(sku_id, []).append((code, factor, barcode))
    skus: dict[int, list[dict]] = {}
    for sku in Sku.objects.order_by("code").values("pk", "product_id", "code", "name", "attributes", "barcode",
                                                   "base_unit__code", "min_order_qty", "order_step", "status"):
        skus.setdefault(sku["product_id"], []).append(sku)
    rows = []
    for product in Product.objects.order_by("code").values(
            "pk", "code", "name", "name_en", "category__code", "series__code", "series__name", "status",
            "description"):
        head = [product["code"], product["name"], product["name_en"], product["category__code"],
                product["series__code"] or "", product["series__name"] or "", product["status"],
                product["description"]]
        visibility = [tiers.get(product["pk"], ""), territories.get(product["pk"], "")]
        for sku in skus.get(product["pk"]) or [None]:
            if sku is None:
                rows.append([*head, *([""] * len(SKU_COLUMNS)), *visibility])
                continue
            rows.append([*head, sku["code"], sku["name"], attributes_text(sku["attributes"]), sku["barcode"],
                         sku["base_unit__code"], str(sku["min_order_qty"]), str(sku["order_step"]), sku["status"],
                         units_text(units.get(sku["pk"], [])), *visibility])
    return rows
