"""Bulk import and export of the catalog (CSV and XLSX): one row per SKU with its product's columns.

Import (upsert by code): products and SKUs new to the catalog are created, existing ones are updated
where the file differs, unchanged rows are not written at all. A product spread over several rows
(one per SKU) must have the same product columns on each. A row with a product code and no SKU
columns stands for a product without SKUs. SKUs missing from the file are left as they are: the
import never deletes. Columns left out of the header keep their current values (new rows get the
defaults); an empty status, MOQ or order step keeps the current value too.

All or nothing: the file is read whole and every row is checked against the catalog (categories,
units, tiers, territories, series) and the rest of the file (codes, barcodes) in a constant number of
queries; with any error nothing is written and every bad row is reported by row and column. Otherwise
the changes are applied in one transaction with bulk statements (search text computed here, without a
query per row) and one audit entry with the counts.

Export writes the same columns, so that exporting and importing the file again changes nothing.

Reading and writing the files (encodings, header aliases, spreadsheet safety): `tenant_apps.core.tables`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from billing_saas.limits import PlanLimitReached
from billing_saas.models import Resource
from billing_saas.usage import usage_limit_check
from tenant_apps.audit.services import Collection, audit_record
from tenant_apps.catalog import services
from tenant_apps.catalog.models import Category, Product, ProductStatus, Series, Sku, SkuUnit, Unit
from tenant_apps.core.tables import (
    FileUnreadable,
    ImportResult,
    RowError,
    TableRow,
    read_table,
    report_errors,
    rows_from_records,
    rows_from_table,
    split_codes,
)
from tenant_apps.dealers.models import Territory, Tier

PRODUCT_COLUMNS = (
    "product_name", "product_name_en", "category_code", "series_code", "series_name", "product_status",
    "description", "visible_tiers", "visible_territories",
)
SKU_COLUMNS = (
    "sku_code", "sku_name", "attributes", "barcode", "base_unit", "min_order_qty", "order_step", "sku_status",
    "units",
)
COLUMNS: list[str] = [
    "product_code", "product_name", "product_name_en", "category_code", "series_code", "series_name",
    "product_status", "description", "sku_code", "sku_name", "attributes", "barcode", "base_unit",
    "min_order_qty", "order_step", "sku_status", "units", "visible_tiers", "visible_territories",
]
REQUIRED_COLUMNS = ("product_code", "sku_code")
# Header names a Chinese spreadsheet may use instead of the codes (compared case-insensitively).
ALIASES = {
    "商品编码": "product_code", "产品编码": "product_code",
    "商品名称": "product_name", "产品名称": "product_name",
    "英文名称": "product_name_en", "商品英文名称": "product_name_en",
    "分类编码": "category_code", "类目编码": "category_code",
    "系列编码": "series_code", "系列名称": "series_name",
    "商品状态": "product_status", "商品描述": "description", "描述": "description",
    "SKU编码": "sku_code", "SKU名称": "sku_name", "属性": "attributes", "规格属性": "attributes",
    "条码": "barcode", "条形码": "barcode", "基本单位": "base_unit",
    "起订量": "min_order_qty", "最小起订量": "min_order_qty", "订货倍数": "order_step", "订购倍数": "order_step",
    "SKU状态": "sku_status", "包装单位": "units", "可见等级": "visible_tiers", "可见区域": "visible_territories",
}
MAX_ROWS = 50_000
MAX_CELL_CHARS = 10_000  # product descriptions are longer than the other cells
BATCH_SIZE = 1_000
MAX_QUANTITY = 2_147_483_647  # PositiveIntegerField
SAMPLE = 20  # codes named in the audit entry, per kind

__all__ = ["ALIASES", "COLUMNS", "CatalogImportResult", "RowError", "catalog_import",
           "catalog_import_rows", "catalog_upsert"]


@dataclass
class CatalogImportResult(ImportResult):
    """`created` / `updated` / `unchanged` count rows (a row is updated when its SKU or its product
    changes); the product and series counts are on top."""

    products_created: int = 0
    products_updated: int = 0
    series_created: int = 0


def _max_lengths() -> dict[str, int]:
    return {
        "product_name": Product._meta.get_field("name").max_length,
        "product_name_en": Product._meta.get_field("name_en").max_length,
        "series_name": Series._meta.get_field("name").max_length,
        "sku_name": Sku._meta.get_field("name").max_length,
    }


def _status_names() -> dict[str, str]:
    """Accepted spellings of a status -> its value: the code, and the label in English and Chinese."""
    names = {value: value for value in ProductStatus.values}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            names.update({str(label).casefold(): value for value, label in ProductStatus.choices})
    return names


# --- cell formats ---------------------------------------------------------------------------------


def attributes_text(attributes: dict) -> str:
    return "; ".join(f"{name}={value}" for name, value in (attributes or {}).items())


def units_text(units: list[tuple[str, int, str]]) -> str:
    return "; ".join(f"{code}:{factor}:{barcode}" if barcode else f"{code}:{factor}" for code, factor, barcode in units)


def _attributes_parse(text: str) -> tuple[dict[str, str], str]:
    """`size=250ml; pack=24` -> ({"size": "250ml", "pack": "24"}, problem or "")."""
    attributes: dict[str, str] = {}
    for part in text.replace("；", ";").split(";"):
        if not part.strip():
            continue
        name, equals, value = part.replace("＝", "=").partition("=")
        name, value = name.strip(), value.strip()
        if not equals or not name:
            return {}, _("Write the attributes as name=value, separated by semicolons (size=250ml; pack=24).")
        if name in attributes:
            return {}, _("The attribute “%(name)s” appears twice.") % {"name": name}
        attributes[name] = value
    return attributes, ""


def _quantity(text: str) -> int | None:
    """A whole number of at least 1 (None if not)."""
    if not text.isascii() or not text.isdigit() or len(text) > 10:  # int() of 4,300 digits or more raises
        return None
    value = int(text)
    return value if 1 <= value <= MAX_QUANTITY else None


def _same_attributes(current: dict, wanted: dict[str, str]) -> bool:
    """Attribute values are compared as text: {"pack": 24} in the catalog is "pack=24" in a file."""
    return {k: str(v) for k, v in (current or {}).items()} == wanted


# --- import ---------------------------------------------------------------------------------------


def catalog_import(*, actor, file, filename: str) -> CatalogImportResult:
    """Validate every row of a CSV or XLSX file; apply all of it in one transaction, or nothing.

    `file` is an uploaded file (anything with `read()`) or bytes. Errors never raise: they come back in
    the result's `errors`, by spreadsheet row (the header is row 1; row 0 is the file as a whole) and
    column.
    """
    try:
        rows, named = rows_from_table(
            read_table(file=file, filename=filename, max_rows=MAX_ROWS, max_cell_chars=MAX_CELL_CHARS),
            columns=COLUMNS, required=REQUIRED_COLUMNS, aliases=ALIASES,
            no_rows=_("The file has a header but no product rows."),
        )
    except FileUnreadable as unreadable:
        return CatalogImportResult(applied=False, rows=0, errors=unreadable.errors)
    return catalog_import_rows(actor=actor, rows=rows, named=named, source=filename)


def catalog_upsert(*, actor, records: list, source: str) -> CatalogImportResult:
    """A JSON batch of SKU rows (the integration API): each item an object of the import's columns, made rows
    by `tables.rows_from_records`; a field an item leaves out keeps its current value, as a column a file
    leaves out does."""
    try:
        rows = rows_from_records(records, columns=COLUMNS, max_cell_chars=MAX_CELL_CHARS)
    except FileUnreadable as unreadable:
        return CatalogImportResult(applied=False, rows=len(records), errors=unreadable.errors)
    return catalog_import_rows(actor=actor, rows=rows, source=source)


def catalog_import_rows(*, actor, rows: list[TableRow], source: str, named: set[str] | None = None
                        ) -> CatalogImportResult:
    """The import of rows already read (a file's, or a JSON batch's: `tables.rows_from_records`, whose rows
    each name the fields they give): validated, then all applied or none. `named`: the file's header (a
    column it leaves out keeps its current values); `source` names the rows in the audit entry."""
    filename = source
    plan = _Plan(rows=rows, named=named or set())
    plan.validate()
    new_skus = sum(1 for sku in plan.skus if sku.current is None)
    if new_skus and not plan.errors:
        try:  # the plan's SKU limit holds for the whole file: all of it or none
            usage_limit_check(resource=Resource.SKUS, adding=new_skus)
        except PlanLimitReached as reached:
            plan.errors.append(RowError(row=0, field="plan", message=str(reached.detail)))
    if plan.errors:
        return CatalogImportResult(applied=False, rows=len(rows), errors=report_errors(plan.errors, COLUMNS))
    try:
        with transaction.atomic():
            plan.apply(actor=actor, filename=filename)
            _import_record(actor=actor, plan=plan, filename=filename)
    except IntegrityError:
        # Someone created one of these codes between the validation and the writes.
        return CatalogImportResult(applied=False, rows=len(rows), errors=[RowError(
            row=0, field="file",
            message=_("The catalog changed during the import (a code was taken meanwhile). Nothing was imported; "
                      "import the file again to see which rows are affected."),
        )])
    return plan.result()


@dataclass
class _ProductPlan:
    row: TableRow  # the product's first row
    code: str
    current: Product | None
    name: str = ""
    name_en: str = ""
    category: Category | None = None
    series_code: str = ""
    status: str = ""
    description: str = ""
    tiers: frozenset[int] = frozenset()
    territories: frozenset[int] = frozenset()
    changed: list[str] = field(default_factory=list)  # fields of an existing product that change
    visibility_changed: bool = False
    instance: Product | None = None  # after apply: the saved product


@dataclass
class _SkuPlan:
    row: TableRow
    product: _ProductPlan
    current: Sku | None
    code: str = ""
    name: str = ""
    attributes: dict = field(default_factory=dict)
    barcode: str = ""
    base_unit: Unit | None = None
    min_order_qty: int = 1
    order_step: int = 1
    status: str = ProductStatus.ON_SALE
    units: list[tuple[Unit, int, str]] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    units_changed: bool = False


class _Plan:
    """The file checked against the catalog, and what applying it takes: no reads after validate()."""

    def __init__(self, *, rows: list[TableRow], named: set[str]):
        self.rows = rows
        self.named = named
        self.errors: list[RowError] = []
        self.products: dict[str, _ProductPlan] = {}
        self.skus: list[_SkuPlan] = []
        self.new_series: dict[str, Series] = {}
        self.series: dict[str, Series] = {}
        # SKUs of the file's products that are not in the file (their search text follows product names)
        self.other_skus: list[Sku] = []
        self.current_units: dict[int, list[SkuUnit]] = {}
        self._first_values: dict[int, dict[str, str]] = {}  # the first row of each product, normalized

    def error(self, row: TableRow, column: str, message: str) -> None:
        self.errors.append(RowError(row=row.number, field=column, message=str(message)))

    def given(self, column: str, row: TableRow | None = None) -> bool:
        """Whether the file's header (or a JSON item: the row itself) gives the column."""
        if row is not None and row.named is not None:
            return column in row.named
        return column in self.named

    # --- validation ---------------------------------------------------------------------------

    def validate(self) -> None:
        rows = self.rows
        column_values = {column: {row.values[column] for row in rows} - {""} for column in COLUMNS}
        product_codes = column_values["product_code"]
        sku_codes = column_values["sku_code"]

        # Everything the file refers to, in a constant number of queries.
        products = {p.code: p for p in Product.objects.filter(code__in=product_codes).select_related(
            "category", "series")}
        product_ids = [p.pk for p in products.values()]
        tiers_of: dict[int, set[int]] = {}
        for product_id, tier_id in Product.visible_tiers.through.objects.filter(
                product_id__in=product_ids).values_list("product_id", "tier_id"):
            tiers_of.setdefault(product_id, set()).add(tier_id)
        territories_of: dict[int, set[int]] = {}
        for product_id, territory_id in Product.visible_territories.through.objects.filter(
                product_id__in=product_ids).values_list("product_id", "territory_id"):
            territories_of.setdefault(product_id, set()).add(territory_id)
        skus = list(Sku.objects.filter(Q(code__in=sku_codes) | Q(product_id__in=product_ids))
                    .annotate(product_code=F("product__code")))
        skus_by_code = {sku.code: sku for sku in skus}
        for unit in SkuUnit.objects.filter(sku_id__in=[s.pk for s in skus]).order_by("pk"):
            self.current_units.setdefault(unit.sku_id, []).append(unit)
        categories = {c.code: c for c in Category.objects.filter(code__in=column_values["category_code"])}
        self.series = {s.code: s for s in Series.objects.filter(code__in=column_values["series_code"])}
        for product in products.values():
            if product.series_id:
                self.series.setdefault(product.series.code, product.series)
        unit_codes = column_values["base_unit"] | {
            part.replace("：", ":").split(":", 1)[0].strip()
            for text in column_values["units"] for part in split_codes(text)
        }
        units = {u.code: u for u in Unit.objects.filter(code__in=unit_codes)}
        units_by_id = {u.pk: u for u in Unit.objects.filter(pk__in={s.base_unit_id for s in skus} | {
            u.unit_id for us in self.current_units.values() for u in us})}
        units_by_id.update({u.pk: u for u in units.values()})
        tiers = dict(Tier.objects.filter(code__in={c for t in column_values["visible_tiers"] for c in split_codes(t)})
                     .values_list("code", "id"))
        territories = dict(Territory.objects.filter(
            code__in={c for t in column_values["visible_territories"] for c in split_codes(t)})
            .values_list("code", "id"))
        barcodes_in_file = column_values["barcode"] | {
            pieces[2].strip() for text in column_values["units"] for part in split_codes(text)
            if len(pieces := part.replace("：", ":").split(":")) > 2
        }
        barcode_owners: dict[str, set[str]] = {}  # barcode -> codes of the SKUs holding it in the catalog
        for barcode, code in Sku.objects.filter(barcode__in=barcodes_in_file).values_list("barcode", "code"):
            barcode_owners.setdefault(barcode, set()).add(code)
        for barcode, code in SkuUnit.objects.filter(barcode__in=barcodes_in_file).values_list("barcode", "sku__code"):
            barcode_owners.setdefault(barcode, set()).add(code)

        statuses = _status_names()
        lengths = _max_lengths()
        first_row_of_sku: dict[str, int] = {}
        barcode_rows: dict[str, int] = {}
        new_series_rows: dict[str, TableRow] = {}

        for row in rows:
            values = row.values
            code = values["product_code"]
            if not code:
                self.error(row, "product_code", _("Enter the product code."))
                continue
            product = self.products.get(code)
            if product is None:
                if not services.CODE.match(code):
                    self.error(row, "product_code", services.BAD_CODE)
                    continue
                product = self.products[code] = _ProductPlan(row=row, code=code, current=products.get(code))
                self._product_check(product, statuses=statuses, lengths=lengths, categories=categories,
                                    tiers=tiers, territories=territories, tiers_of=tiers_of,
                                    territories_of=territories_of, new_series_rows=new_series_rows)
            else:
                self._product_agrees(row, product.row, statuses)

            # The SKU of the row (none: a product without SKUs, if every SKU column is empty).
            sku_code = values["sku_code"]
            if not sku_code:
                for column in SKU_COLUMNS[1:]:
                    if values[column]:
                        self.error(row, "sku_code", _("Enter the SKU code (the row has SKU columns filled in)."))
                        break
                continue
            if not services.CODE.match(sku_code):
                self.error(row, "sku_code", services.BAD_CODE)
                continue
            if sku_code in first_row_of_sku:
                self.error(row, "sku_code", _("This SKU code is also on row %(row)s.")
                           % {"row": first_row_of_sku[sku_code]})
                continue
            first_row_of_sku[sku_code] = row.number
            current = skus_by_code.get(sku_code)
            if current is not None and (product.current is None or current.product_id != product.current.pk):
                self.error(row, "sku_code", _("This SKU belongs to another product (%(product)s); a SKU cannot move "
                                              "to another product.") % {"product": current.product_code})
                continue
            sku = _SkuPlan(row=row, product=product, current=current, code=sku_code)
            self._sku_check(sku, statuses=statuses, lengths=lengths, units=units, units_by_id=units_by_id,
                            barcode_rows=barcode_rows, barcode_owners=barcode_owners, file_skus=sku_codes)
            self.skus.append(sku)

        # SKUs of the file's products not in the file: kept, their search text may follow the product.
        known_products = set(product_ids)
        self.other_skus = [sku for sku in skus if sku.code not in sku_codes and sku.product_id in known_products]

    def _product_values(self, row: TableRow, statuses: dict[str, str]) -> dict[str, str]:
        """The product columns of a row, normalized for comparing rows of the same product."""
        values = {column: row.values[column] for column in PRODUCT_COLUMNS}
        status = values["product_status"]
        values["product_status"] = statuses.get(status.casefold(), status)
        for column in ("visible_tiers", "visible_territories"):
            values[column] = ";".join(sorted(split_codes(values[column])))
        return values

    def _product_agrees(self, row: TableRow, first: TableRow, statuses: dict[str, str]) -> None:
        mine = self._product_values(row, statuses)
        theirs = self._first_values.get(first.number)
        if theirs is None:
            theirs = self._first_values[first.number] = self._product_values(first, statuses)
        for column in PRODUCT_COLUMNS:
            if mine[column] != theirs[column] and self.given(column, row):  # a JSON item may leave some out
                self.error(row, column, _("Differs from row %(row)s, the first row of product %(code)s: the product "
                                          "columns must be the same on every row of a product.")
                           % {"row": first.number, "code": first.values["product_code"]})

    def _product_check(self, product: _ProductPlan, *, statuses, lengths, categories, tiers, territories,
                       tiers_of, territories_of, new_series_rows) -> None:
        row, values, current = product.row, product.row.values, product.current

        def value(column: str, now: str) -> str:
            return values[column] if self.given(column, row) else (now if current is not None else "")

        product.name = value("product_name", current.name if current else "")
        product.name_en = value("product_name_en", current.name_en if current else "")
        product.description = value("description", current.description if current else "")
        if not product.name:
            self.error(row, "product_name", _("Enter the product name."))
        for column in ("product_name", "product_name_en"):
            text = product.name if column == "product_name" else product.name_en
            if len(text) > lengths[column]:
                self.error(row, column, _("Use at most %(max)s characters (this has %(length)s).")
                           % {"max": lengths[column], "length": len(text)})

        category_code = value("category_code", current.category.code if current else "")
        product.category = categories.get(category_code) if self.given("category_code", row) else (
            current.category if current else None)
        if not category_code:
            self.error(row, "category_code", _("Enter the category code."))
        elif product.category is None:
            self.error(row, "category_code", _("No category has the code “%(code)s”.") % {"code": category_code})

        product.series_code = value("series_code", current.series.code if current and current.series_id else "")
        if product.series_code and product.series_code not in self.series:
            name = values["series_name"]
            if not services.CODE.match(product.series_code):
                self.error(row, "series_code", services.BAD_CODE)
            elif not name:
                self.error(row, "series_name", _("No series has the code “%(code)s”; give its name in series_name "
                                                 "to create it.") % {"code": product.series_code})
            elif len(name) > lengths["series_name"]:
                self.error(row, "series_name", _("Use at most %(max)s characters (this has %(length)s).")
                           % {"max": lengths["series_name"], "length": len(name)})
            elif product.series_code in new_series_rows:
                first = new_series_rows[product.series_code]
                if first.values["series_name"] != name:
                    self.error(row, "series_name", _("Row %(row)s names the new series %(code)s differently.")
                               % {"row": first.number, "code": product.series_code})
            else:
                new_series_rows[product.series_code] = row
                self.new_series[product.series_code] = Series(code=product.series_code, name=name)

        status = values["product_status"] if self.given("product_status", row) else ""
        if status and status.casefold() not in statuses:
            self.error(row, "product_status", _("Unknown status “%(status)s”; use one of %(choices)s.")
                       % {"status": status, "choices": ", ".join(ProductStatus.values)})
        product.status = statuses.get(status.casefold()) or (current.status if current else ProductStatus.DRAFT)
        if current is not None and product.status != current.status and (
                (current.status, product.status) not in services.PRODUCT_TRANSITIONS):
            self.error(row, "product_status", _("A product cannot go from %(from)s to %(to)s.")
                       % {"from": ProductStatus(current.status).label, "to": ProductStatus(product.status).label})

        for column, known, now, target in (
            ("visible_tiers", tiers, tiers_of, "tiers"),
            ("visible_territories", territories, territories_of, "territories"),
        ):
            if not self.given(column, row):
                setattr(product, target, frozenset(now.get(current.pk, ())) if current else frozenset())
                continue
            codes = split_codes(values[column])
            unknown = [c for c in codes if c not in known]
            if unknown:
                message = (_("No tier has the code %(codes)s.") if target == "tiers"
                           else _("No territory has the code %(codes)s."))
                self.error(row, column, message % {"codes": ", ".join(f"“{c}”" for c in unknown)})
            setattr(product, target, frozenset(known[c] for c in codes if c in known))

        if current is not None:
            wanted = {"name": product.name, "name_en": product.name_en, "description": product.description,
                      "status": product.status}
            product.changed = [f for f, v in wanted.items() if v != (getattr(current, f) or "").strip()
                               and not (f == "description" and v == current.description)]
            if product.category is not None and product.category.pk != current.category_id:
                product.changed.append("category")
            if product.series_code != (current.series.code if current.series_id else ""):
                product.changed.append("series")
            product.visibility_changed = (product.tiers != frozenset(tiers_of.get(current.pk, ()))
                                          or product.territories != frozenset(territories_of.get(current.pk, ())))

    def _sku_check(self, sku: _SkuPlan, *, statuses, lengths, units, units_by_id, barcode_rows, barcode_owners,
                   file_skus) -> None:
        row, values, current = sku.row, sku.row.values, sku.current

        def value(column: str, now: str) -> str:
            return values[column] if self.given(column, row) else (now if current is not None else "")

        sku.name = value("sku_name", current.name if current else "")
        if not sku.name:
            self.error(row, "sku_name", _("Enter the SKU name."))
        elif len(sku.name) > lengths["sku_name"]:
            self.error(row, "sku_name", _("Use at most %(max)s characters (this has %(length)s).")
                       % {"max": lengths["sku_name"], "length": len(sku.name)})

        if self.given("attributes", row):
            sku.attributes, problem = _attributes_parse(values["attributes"])
            if problem:
                self.error(row, "attributes", problem)
        else:
            sku.attributes = {k: str(v) for k, v in (current.attributes or {}).items()} if current else {}

        def barcode_check(barcode: str, column: str, unit_code: str = "") -> None:
            taken = barcode_owners[barcode] - file_skus if barcode in barcode_owners else ()
            if not taken and barcode not in barcode_rows and services.barcode_valid(barcode):
                barcode_rows[barcode] = row.number
                return  # the usual case, without building messages
            label = _("Unit %(unit)s") % {"unit": unit_code} if unit_code else _("Barcode")
            if not services.barcode_valid(barcode):
                self.error(row, column, _("%(what)s: enter an EAN-8, UPC-12, EAN-13 or GTIN-14 barcode with a "
                                          "correct check digit.") % {"what": label})
            elif barcode in barcode_rows:
                self.error(row, column, _("%(what)s: the barcode %(barcode)s is also on row %(row)s.")
                           % {"what": label, "barcode": barcode, "row": barcode_rows[barcode]})
            elif taken:
                self.error(row, column, _("%(what)s: the barcode %(barcode)s is already used by SKU %(sku)s.")
                           % {"what": label, "barcode": barcode, "sku": ", ".join(sorted(taken))})
            barcode_rows.setdefault(barcode, row.number)

        sku.barcode = value("barcode", current.barcode if current else "")
        if sku.barcode and self.given("barcode", row):
            barcode_check(sku.barcode, "barcode")

        unit_code = value("base_unit", units_by_id[current.base_unit_id].code if current else "")
        sku.base_unit = units.get(unit_code) if self.given("base_unit", row) else (
            units_by_id[current.base_unit_id] if current else None)
        if not unit_code:
            self.error(row, "base_unit", _("Enter the base unit's code."))
        elif sku.base_unit is None:
            self.error(row, "base_unit", _("No unit has the code “%(code)s”.") % {"code": unit_code})
        elif current is not None and sku.base_unit.pk != current.base_unit_id:
            self.error(row, "base_unit", _("The base unit of an existing SKU cannot change: its stock, prices and "
                                           "orders are counted in it."))

        for column in ("min_order_qty", "order_step"):
            text = values[column] if self.given(column, row) else ""
            if not text:
                setattr(sku, column, getattr(current, column) if current else 1)
            elif (quantity := _quantity(text)) is None:
                self.error(row, column, _("Must be a whole number of at least 1."))
            else:
                setattr(sku, column, quantity)

        status = values["sku_status"] if self.given("sku_status", row) else ""
        if status and status.casefold() not in statuses:
            self.error(row, "sku_status", _("Unknown status “%(status)s”; use one of %(choices)s.")
                       % {"status": status, "choices": ", ".join(ProductStatus.values)})
        sku.status = statuses.get(status.casefold()) or (current.status if current else ProductStatus.ON_SALE)

        now_units = self.current_units.get(current.pk, []) if current else []
        if not self.given("units", row):
            sku.units = [(units_by_id[u.unit_id], u.factor, u.barcode) for u in now_units]
        else:
            problems = []
            for part in split_codes(values["units"]):
                pieces = [piece.strip() for piece in part.replace("：", ":").split(":")]
                if len(pieces) not in (2, 3) or not pieces[0]:
                    problems.append(_("Write each unit as code:base units in one[:barcode], separated by semicolons "
                                      "(box:12:6901234567892; case:48)."))
                    continue
                unit, factor = units.get(pieces[0]), _quantity(pieces[1])
                barcode = pieces[2] if len(pieces) == 3 else ""
                if unit is None:
                    problems.append(_("No unit has the code “%(code)s”.") % {"code": pieces[0]})
                elif sku.base_unit is not None and unit.pk == sku.base_unit.pk:
                    problems.append(_("%(unit)s is the base unit; list only the other units.") % {"unit": unit.code})
                elif any(unit.pk == other.pk for other, _f, _b in sku.units):
                    problems.append(_("The unit %(unit)s appears twice.") % {"unit": unit.code})
                if factor is None:
                    problems.append(_("%(unit)s must hold a whole number of base units, at least 1.")
                                    % {"unit": pieces[0]})
                if barcode:
                    barcode_check(barcode, "units", pieces[0])
                if unit is not None and factor is not None:
                    sku.units.append((unit, factor, barcode))
            for problem in problems:
                self.error(row, "units", problem)

        if current is not None:
            wanted = {"name": sku.name, "barcode": sku.barcode, "min_order_qty": sku.min_order_qty,
                      "order_step": sku.order_step, "status": sku.status}
            sku.changed = [f for f, v in wanted.items() if v != getattr(current, f)]
            if not _same_attributes(current.attributes, sku.attributes):
                sku.changed.append("attributes")
            sku.units_changed = ({(u.unit_id, u.factor, u.barcode) for u in now_units}
                                 != {(unit.pk, factor, barcode) for unit, factor, barcode in sku.units})

    # --- applying -------------------------------------------------------------------------------

    def apply(self, *, actor, filename: str) -> None:
        """Write everything in bulk (the caller holds the transaction); no reads but the ids returned."""
        now = timezone.now()
        Series.objects.bulk_create(list(self.new_series.values()), batch_size=BATCH_SIZE)
        self.series.update(self.new_series)

        created, updated = [], []
        for plan in self.products.values():
            series = self.series.get(plan.series_code) if plan.series_code else None
            if plan.current is None:
                plan.instance = Product(code=plan.code, name=plan.name, name_en=plan.name_en, category=plan.category,
                                        series=series, description=plan.description, status=plan.status)
                created.append(plan.instance)
            else:
                plan.instance = product = plan.current
                if plan.changed:
                    product.name, product.name_en, product.description = plan.name, plan.name_en, plan.description
                    product.status, product.category, product.series = plan.status, plan.category, series
                    product.updated_at = now
                    updated.append(product)
        Product.objects.bulk_create(created, batch_size=BATCH_SIZE)
        fields = sorted({f for plan in self.products.values() for f in plan.changed})
        if updated:
            _bulk_update(Product, updated, [*fields, "updated_at"])

        # Visibility of new products and of products whose tiers or territories change: replaced.
        replaced = [plan for plan in self.products.values() if plan.current is None or plan.visibility_changed]
        for through, attribute, column in ((Product.visible_tiers.through, "tiers", "tier_id"),
                                           (Product.visible_territories.through, "territories", "territory_id")):
            through.objects.filter(product_id__in=[p.instance.pk for p in replaced if p.current]).delete()
            through.objects.bulk_create(
                [through(product_id=plan.instance.pk, **{column: target})
                 for plan in replaced for target in sorted(getattr(plan, attribute))],
                batch_size=BATCH_SIZE,
            )

        # SKUs: search text computed here from the product in memory (its series attached).
        searched = {plan.code for plan in self.products.values() if {"name", "name_en", "series"} & set(plan.changed)}
        new_skus, changed_skus, sku_fields = [], [], set()
        for plan in self.skus:
            product = plan.product.instance
            if plan.current is None:
                sku = Sku(product=product, code=plan.code, name=plan.name, attributes=plan.attributes,
                          barcode=plan.barcode, base_unit=plan.base_unit, min_order_qty=plan.min_order_qty,
                          order_step=plan.order_step, status=plan.status)
                new_skus.append(sku)
            elif plan.changed or plan.units_changed or plan.product.code in searched:
                sku = plan.current
                sku.product = product
                for name in plan.changed:
                    setattr(sku, name, getattr(plan, name))
                sku_fields.update(plan.changed)
                changed_skus.append(sku)
            else:
                continue
            services.sku_search_fields_set(sku, unit_barcodes=[b for _u, _f, b in plan.units])
        plan_of = {p.current.pk: p for p in self.products.values() if p.current is not None and p.code in searched}
        for sku in self.other_skus:
            plan = plan_of.get(sku.product_id)
            if plan is not None:
                sku.product = plan.instance
                services.sku_search_fields_set(
                    sku, unit_barcodes=[u.barcode for u in self.current_units.get(sku.pk, [])])
                changed_skus.append(sku)
        Sku.objects.bulk_create(new_skus, batch_size=BATCH_SIZE)
        if changed_skus:
            _bulk_update(Sku, changed_skus, sorted(sku_fields | set(services.SEARCH_FIELDS)))

        # Packaging units: removed ones deleted, changed ones updated, new ones created.
        removed, kept, added = [], [], []
        for plan, sku in self._skus_with_instances(new_skus):
            if plan.current is not None and not plan.units_changed:
                continue
            existing = {u.unit_id: u for u in self.current_units.get(sku.pk, [])} if plan.current else {}
            wanted = {unit.pk for unit, _f, _b in plan.units}
            removed += [u.pk for unit_id, u in existing.items() if unit_id not in wanted]
            for unit, factor, barcode in plan.units:
                row = existing.get(unit.pk)
                if row is None:
                    added.append(SkuUnit(sku=sku, unit=unit, factor=factor, barcode=barcode))
                elif (row.factor, row.barcode) != (factor, barcode):
                    row.factor, row.barcode = factor, barcode
                    kept.append(row)
        SkuUnit.objects.filter(pk__in=removed).delete()
        _bulk_update(SkuUnit, kept, ["factor", "barcode"])
        SkuUnit.objects.bulk_create(added, batch_size=BATCH_SIZE)

    def _skus_with_instances(self, new_skus: list[Sku]):
        """(plan, saved Sku) for every SKU of the file: new ones in the order they were created."""
        created = iter(new_skus)
        for plan in self.skus:
            yield plan, (next(created) if plan.current is None else plan.current)

    def result(self) -> CatalogImportResult:
        product_changed = {code for code, p in self.products.items()
                           if p.current is None or p.changed or p.visibility_changed}
        created = updated = 0
        skus_of: dict[str, int] = {}
        for plan in self.skus:
            skus_of[plan.product.code] = skus_of.get(plan.product.code, 0) + 1
            if plan.current is None:
                created += 1
            elif plan.changed or plan.units_changed or plan.product.code in product_changed:
                updated += 1
        # Rows without a SKU (a product alone) count for their product, if it has no SKU rows.
        for row in self.rows:
            plan = self.products.get(row.values["product_code"])
            if row.values["sku_code"] or plan is None or plan.code in skus_of:
                continue
            if plan.current is None:
                created += 1
            elif plan.code in product_changed:
                updated += 1
        return CatalogImportResult(
            applied=True, rows=len(self.rows), created=created, updated=updated,
            unchanged=len(self.rows) - created - updated,
            products_created=sum(1 for p in self.products.values() if p.current is None),
            products_updated=sum(1 for p in self.products.values()
                                 if p.current and (p.changed or p.visibility_changed)),
            series_created=len(self.new_series),
        )


def _bulk_update(model, objects: list, fields: list[str]) -> None:
    """What `QuerySet.bulk_update` does, as `UPDATE ... FROM (VALUES ...)` by primary key: Django's CASE
    per row and field costs seconds for 10,000 rows (measured 5 s), the VALUES join a fraction of that."""
    if not objects:
        return
    model_fields = [model._meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    names = [pk.column, *(f.column for f in model_fields)]
    # Every value cast to its column's type: a NULL or a text literal in the first row must not decide it.
    placeholder = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in [pk, *model_fields]) + ")"
    assignments = ", ".join(f"{quote(name)} = v.{quote(name)}" for name in names[1:])
    for start in range(0, len(objects), BATCH_SIZE):
        batch = objects[start:start + BATCH_SIZE]
        params = []
        for instance in batch:
            params.append(instance.pk)
            params.extend(f.get_db_prep_save(getattr(instance, f.attname), connection) for f in model_fields)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(model._meta.db_table)} AS t SET {assignments} "  # noqa: S608 - names from the model
                f"FROM (VALUES {', '.join([placeholder] * len(batch))}) AS v({', '.join(quote(n) for n in names)}) "
                f"WHERE t.{quote(pk.column)} = v.{quote(pk.column)}",
                params,
            )


def _import_record(*, actor, plan: _Plan, filename: str) -> None:
    """The import's audit entry: what it changed, with samples of the codes (none when it changed nothing)."""
    counts = plan.result()
    if counts.created or counts.updated or counts.products_created or counts.products_updated:
        target = Collection("catalog.catalog", "import")
        audit_record(actor=actor, action="catalog.catalog.imported", target=target, after={
            "file": filename[:200], "rows": counts.rows, "created": counts.created, "updated": counts.updated,
            "unchanged": counts.unchanged, "products_created": counts.products_created,
            "products_updated": counts.products_updated, "series_created": counts.series_created,
            "skus_created_sample": [p.code for p in plan.skus if p.current is None][:SAMPLE],
            "skus_updated_sample": [p.code for p in plan.skus if p.current and (p.changed or p.units_changed)
                                    ][:SAMPLE],
            "products_updated_sample": [p.code for p in plan.products.values() if p.current and (
                p.changed or p.visibility_changed)][:SAMPLE],
        })
