"""Write use cases of the catalog. Keyword-only, atomic, audited; they raise domain errors with field
errors and keep `Sku.search_text` in step with every name, code, barcode and attribute they change."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models.functions import Upper
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing_saas.models import Resource
from billing_saas.usage import storage_check, usage_limit_check
from tenant_apps.audit.services import audit_entries_save, audit_entry, audit_record
from tenant_apps.catalog import pinyin
from tenant_apps.catalog.errors import CatalogInvalid, IllegalProductTransition
from tenant_apps.catalog.models import (
    Category,
    Product,
    ProductImage,
    ProductStatus,
    Series,
    Sku,
    SkuUnit,
    Unit,
)
from tenant_apps.core import uploads

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
UNIT_CODE = re.compile(r"^[A-Za-z0-9_]{1,16}$")
BARCODE_LENGTHS = (8, 12, 13, 14)  # EAN-8, UPC-A, EAN-13, GTIN-14

PRODUCT_TRANSITIONS = {
    (ProductStatus.DRAFT, ProductStatus.ON_SALE),
    (ProductStatus.ON_SALE, ProductStatus.DISCONTINUED),
    (ProductStatus.DISCONTINUED, ProductStatus.ON_SALE),
}

BAD_CODE = gettext_lazy("Use letters, digits, dot, dash or underscore (at most 64).")


def barcode_valid(value: str) -> bool:
    """A GS1 barcode (EAN-8, UPC-A, EAN-13, GTIN-14): digits only, with a correct check digit."""
    if not value.isascii() or not value.isdigit() or len(value) not in BARCODE_LENGTHS:
        return False
    body, check = value[:-1], int(value[-1])
    total = sum(int(digit) * (3 if position % 2 == 0 else 1) for position, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def _next_category_ids(count: int) -> list[int]:
    """Reserve category ids from the table's sequence, so that ltree paths are known before the insert."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('catalog_category', 'id')) FROM generate_series(1, %s)", [count]
        )
        return [row[0] for row in cursor.fetchall()]


# --- search text ---------------------------------------------------------------------------------


def sku_search_text(sku: Sku, *, unit_barcodes: Iterable[str] | None = None) -> str:
    """What the trigram index of a SKU holds: product names, SKU name and code, barcodes, series name
    and attribute values (by name), lower-cased, one space apart. Pass `unit_barcodes` to avoid a query."""
    product = sku.product
    if unit_barcodes is None:
        unit_barcodes = sku.units.values_list("barcode", flat=True) if sku.pk else ()
    parts = [
        product.name, product.name_en, sku.name, sku.code, sku.barcode, *unit_barcodes,
        product.series.name if product.series_id else "",
        *(str(value) for _key, value in sorted((sku.attributes or {}).items())),
        *pinyin.full_pinyin(_chinese_names(sku)),  # last: a match in the names themselves ranks first
    ]
    return " ".join(" ".join(str(part).split()) for part in parts if part and str(part).strip()).lower()


def _chinese_names(sku: Sku) -> list[str]:
    product = sku.product
    return [product.name, sku.name, product.series.name if product.series_id else ""]


def sku_search_fields_set(sku: Sku, *, unit_barcodes: Iterable[str] | None = None) -> None:
    """Set the SKU's search text and pinyin initials (see catalog.pinyin) from its names, codes and barcodes;
    the callers save both (`SEARCH_FIELDS`). Pass `unit_barcodes` to avoid a query."""
    sku.search_text = sku_search_text(sku, unit_barcodes=unit_barcodes)
    sku.initials = pinyin.initials_text(_chinese_names(sku))


SEARCH_FIELDS = ["search_text", "initials"]


def _product_skus_reindex(product: Product) -> None:
    """Recompute the search text of all SKUs of a product (after its names or series changed)."""
    skus = list(product.skus.prefetch_related("units"))
    for sku in skus:
        sku.product = product
        sku_search_fields_set(sku, unit_barcodes=[u.barcode for u in sku.units.all()])
    Sku.objects.bulk_update(skus, SEARCH_FIELDS)


# --- categories, series, units --------------------------------------------------------------------


@transaction.atomic
def category_create(*, actor, parent: Category | None, code: str, name: str, name_en: str = "",
                    sort_order: int = 0) -> Category:
    code, name = (code or "").strip(), (name or "").strip()
    errors = {}
    if not CODE.match(code):
        errors["code"] = [BAD_CODE]
    elif Category.objects.filter(code=code).exists():
        errors["code"] = [_("This code is already used.")]
    if not name:
        errors["name"] = [_("Enter a name.")]
    if errors:
        raise CatalogInvalid(_("The category could not be created."), fields=errors)
    [category_id] = _next_category_ids(1)
    path = f"{parent.path}.{category_id}" if parent else str(category_id)
    category = Category.objects.create(id=category_id, code=code, name=name, name_en=(name_en or "").strip(),
                                       parent=parent, path=path, sort_order=sort_order)
    audit_record(actor=actor, action="catalog.category.created", target=category,
                 after={"code": code, "name": name, "path": path})
    return category


@transaction.atomic
def series_create(*, actor, code: str, name: str) -> Series:
    code, name = (code or "").strip(), (name or "").strip()
    errors = {}
    if not CODE.match(code):
        errors["code"] = [BAD_CODE]
    elif Series.objects.filter(code=code).exists():
        errors["code"] = [_("This code is already used.")]
    if not name:
        errors["name"] = [_("Enter a name.")]
    if errors:
        raise CatalogInvalid(_("The series could not be created."), fields=errors)
    series = Series.objects.create(code=code, name=name)
    audit_record(actor=actor, action="catalog.series.created", target=series, after={"code": code, "name": name})
    return series


@transaction.atomic
def category_update(*, actor, category: Category, name: str, name_en: str = "", sort_order: int = 0) -> Category:
    """Rename a category or change its place among its siblings (`sort_order`, smaller first)."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = [_("Enter a name.")]
    if not isinstance(sort_order, int) or isinstance(sort_order, bool) or sort_order < 0:
        errors["sort_order"] = [_("Must be a whole number, 0 or more.")]
    if errors:
        raise CatalogInvalid(_("The category could not be saved."), fields=errors)
    category = Category.objects.select_for_update().get(pk=category.pk)
    before = {"name": category.name, "name_en": category.name_en, "sort_order": category.sort_order}
    category.name, category.name_en, category.sort_order = name, (name_en or "").strip(), sort_order
    category.save(update_fields=["name", "name_en", "sort_order"])
    audit_record(actor=actor, action="catalog.category.updated", target=category, before=before,
                 after={"name": category.name, "name_en": category.name_en, "sort_order": sort_order})
    return category


@transaction.atomic
def category_move(*, actor, category: Category, parent: Category | None) -> Category:
    """Put a category (with everything below it) under `parent`, or at the top with None. The ltree
    paths of the whole subtree change in one statement; products keep their category."""
    category = Category.objects.select_for_update().get(pk=category.pk)
    if parent is not None:
        parent = Category.objects.get(pk=parent.pk)
        if parent.path == category.path or parent.path.startswith(f"{category.path}."):
            raise CatalogInvalid(_("The category could not be moved."),
                                 fields={"parent": [_("A category cannot go under itself or its own subcategory.")]})
    if (parent.pk if parent else None) == category.parent_id:
        return category
    old_path = category.path
    new_path = f"{parent.path}.{category.pk}" if parent else str(category.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE catalog_category SET path = CASE WHEN path = %s::ltree THEN %s::ltree "
            "ELSE %s::ltree || subpath(path, nlevel(%s::ltree)) END WHERE path <@ %s::ltree",
            [old_path, new_path, new_path, old_path, old_path],
        )
    Category.objects.filter(pk=category.pk).update(parent=parent)
    category.refresh_from_db()
    audit_record(actor=actor, action="catalog.category.moved", target=category,
                 before={"path": old_path}, after={"path": new_path, "parent": parent.code if parent else ""})
    return category


@transaction.atomic
def series_update(*, actor, series: Series, name: str) -> Series:
    """Rename a series; the search text of its SKUs follows."""
    name = (name or "").strip()
    if not name:
        raise CatalogInvalid(_("The series could not be saved."), fields={"name": [_("Enter a name.")]})
    series = Series.objects.select_for_update().get(pk=series.pk)
    before = series.name
    series.name = name
    series.save(update_fields=["name"])
    # Every SKU of the series at once (a query per product was three per product).
    skus = list(Sku.objects.filter(product__series=series).select_related("product__series")
                .prefetch_related("units"))
    for sku in skus:
        sku_search_fields_set(sku, unit_barcodes=[u.barcode for u in sku.units.all()])
    Sku.objects.bulk_update(skus, SEARCH_FIELDS, batch_size=1000)
    audit_record(actor=actor, action="catalog.series.updated", target=series, before={"name": before},
                 after={"name": name})
    return series


@transaction.atomic
def unit_ensure(*, code: str, name: str) -> Unit:
    """The unit with this code, made if missing (units are shared vocabulary: not audited)."""
    code = (code or "").strip()
    if not UNIT_CODE.match(code) or not (name or "").strip():
        raise CatalogInvalid(_("The unit could not be saved."),
                             fields={"code" if not UNIT_CODE.match(code) else "name": [_("Enter a valid value.")]})
    unit, _created = Unit.objects.get_or_create(code=code, defaults={"name": name.strip()})
    return unit


@transaction.atomic
def units_ensure(*, actor, units: Iterable[tuple[str, str]]) -> int:
    """Make the units (code, name) that are missing, in one insert; existing codes keep their names. Returns how
    many were made (a new workspace's defaults)."""
    wanted = dict(units)
    existing = set(Unit.objects.filter(code__in=list(wanted)).values_list("code", flat=True))
    made = Unit.objects.bulk_create([Unit(code=code, name=name) for code, name in wanted.items()
                                     if code not in existing])
    audit_entries_save([audit_entry(actor=actor, action="catalog.unit.created", target=unit,
                                    after={"code": unit.code, "name": unit.name}) for unit in made])
    return len(made)


# --- products -------------------------------------------------------------------------------------


@transaction.atomic
def product_create(*, actor, category: Category, code: str, name: str, name_en: str = "",
                   series: Series | None = None, description: str = "", specifications: dict | None = None,
                   status: str = ProductStatus.DRAFT) -> Product:
    code, name = (code or "").strip(), (name or "").strip()
    errors = {}
    if not CODE.match(code):
        errors["code"] = [BAD_CODE]
    elif Product.objects.filter(code=code).exists():
        errors["code"] = [_("This code is already used.")]
    if not name:
        errors["name"] = [_("Enter a name.")]
    if specifications is not None and not isinstance(specifications, dict):
        errors["specifications"] = [_("Give the specifications as names and values.")]
    if status not in ProductStatus.values:
        errors["status"] = [_("Unknown status.")]
    if errors:
        raise CatalogInvalid(_("The product could not be created."), fields=errors)
    product = Product.objects.create(
        category=category, code=code, name=name, name_en=(name_en or "").strip(), series=series,
        description=description, specifications=specifications or {}, status=status,
    )
    audit_record(actor=actor, action="catalog.product.created", target=product,
                 after={"code": code, "name": name, "category": category.code, "status": status})
    return product


PRODUCT_EDITABLE = ("name", "name_en", "category", "series", "description", "specifications")
SEARCHED = {"name", "name_en", "series"}


@transaction.atomic
def product_update(*, actor, product: Product, **changes) -> Product:
    """Change a product's descriptive fields; SKUs' search text follows names and series."""
    unknown = set(changes) - set(PRODUCT_EDITABLE)
    if unknown:
        raise CatalogInvalid(_("These fields cannot be changed here."),
                             fields={f: [_("Not editable.")] for f in sorted(unknown)})
    if "name" in changes and not (changes["name"] or "").strip():
        raise CatalogInvalid(_("The product could not be saved."), fields={"name": [_("Enter a name.")]})
    product = Product.objects.select_for_update().get(pk=product.pk)
    before = {f: str(getattr(product, f) or "") for f in changes}
    for field, value in changes.items():
        setattr(product, field, value.strip() if isinstance(value, str) and field != "description" else value)
    product.save()
    if SEARCHED & set(changes):
        _product_skus_reindex(product)
    audit_record(actor=actor, action="catalog.product.updated", target=product, before=before,
                 after={f: str(getattr(product, f) or "") for f in changes})
    return product


@transaction.atomic
def product_status_change(*, actor, product: Product, to: str, reason: str = "") -> Product:
    """draft -> on_sale -> discontinued, and back on sale; anything else is a 409."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    if (product.status, to) not in PRODUCT_TRANSITIONS:
        raise IllegalProductTransition(
            _("A product cannot go from %(from)s to %(to)s.")
            % {"from": ProductStatus(product.status).label,
               "to": ProductStatus(to).label if to in ProductStatus.values else to}
        )
    before = product.status
    product.status = to
    product.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="catalog.product.status_changed", target=product, before={"status": before},
                 after={"status": to}, reason=reason)
    return product


@transaction.atomic
def product_visibility_set(*, actor, product: Product, tiers=(), territories=()) -> Product:
    """Limit a product to dealers of these tiers and in these territories (empty: every dealer)."""
    before = {"tiers": sorted(product.visible_tiers.values_list("code", flat=True)),
              "territories": sorted(product.visible_territories.values_list("code", flat=True))}
    product.visible_tiers.set(tiers)
    product.visible_territories.set(territories)
    audit_record(actor=actor, action="catalog.product.visibility_changed", target=product, before=before,
                 after={"tiers": sorted(t.code for t in tiers), "territories": sorted(t.code for t in territories)})
    return product


# --- SKUs -----------------------------------------------------------------------------------------


def _barcode_taken(barcode: str) -> bool:
    return Sku.objects.filter(barcode=barcode).exists() or SkuUnit.objects.filter(barcode=barcode).exists()


def _positive_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


@transaction.atomic
def sku_create(*, actor, product: Product, code: str, name: str, base_unit: Unit, attributes: dict | None = None,
               barcode: str = "", min_order_qty: int = 1, order_step: int = 1,
               units: Iterable[tuple[Unit, int, str]] = ()) -> Sku:
    """A SKU of `product`, with its packaging units as (unit, base units in one, barcode)."""
    code, name, barcode = (code or "").strip(), (name or "").strip(), (barcode or "").strip()
    units = [(unit, factor, (unit_barcode or "").strip()) for unit, factor, unit_barcode in units]
    errors: dict[str, list[str]] = {}
    if not CODE.match(code):
        errors["code"] = [BAD_CODE]
    elif Sku.objects.filter(code=code).exists():
        errors["code"] = [_("This code is already used.")]
    if not name:
        errors["name"] = [_("Enter a name.")]
    if attributes is not None and (
        not isinstance(attributes, dict)
        or not all(isinstance(k, str) and isinstance(v, str | int | float) for k, v in attributes.items())
    ):
        errors["attributes"] = [_("Give the attributes as names and plain values.")]
    seen_barcodes = [b for b in [barcode, *(b for _u, _f, b in units)] if b]
    if barcode and not barcode_valid(barcode):
        errors["barcode"] = [_("Enter an EAN-8, UPC-12, EAN-13 or GTIN-14 barcode with a correct check digit.")]
    elif barcode and _barcode_taken(barcode):
        errors["barcode"] = [_("This barcode is already used.")]
    if not _positive_int(min_order_qty):
        errors["min_order_qty"] = [_("Must be a whole number of at least 1.")]
    if not _positive_int(order_step):
        errors["order_step"] = [_("Must be a whole number of at least 1.")]
    unit_errors = []
    unit_ids = [unit.pk for unit, _f, _b in units]
    if len(set(unit_ids)) != len(unit_ids) or base_unit.pk in unit_ids:
        unit_errors.append(_("Each unit may appear once, and not as the base unit."))
    for unit, factor, unit_barcode in units:
        if not _positive_int(factor):
            unit_errors.append(_("%(unit)s must hold a whole number of base units, at least 1.") % {"unit": unit.name})
        if unit_barcode and not barcode_valid(unit_barcode):
            unit_errors.append(_("The barcode of %(unit)s is not valid.") % {"unit": unit.name})
        elif unit_barcode and _barcode_taken(unit_barcode):
            unit_errors.append(_("The barcode of %(unit)s is already used.") % {"unit": unit.name})
    if len(set(seen_barcodes)) != len(seen_barcodes):
        unit_errors.append(_("Each barcode may be used once."))
    if unit_errors:
        errors["units"] = unit_errors
    if errors:
        raise CatalogInvalid(_("The SKU could not be created."), fields=errors)
    usage_limit_check(resource=Resource.SKUS)
    sku = Sku(product=product, code=code, name=name, base_unit=base_unit, attributes=attributes or {},
              barcode=barcode, min_order_qty=min_order_qty, order_step=order_step)
    sku_search_fields_set(sku, unit_barcodes=[b for _u, _f, b in units])
    sku.save()
    SkuUnit.objects.bulk_create(
        [SkuUnit(sku=sku, unit=unit, factor=factor, barcode=unit_barcode) for unit, factor, unit_barcode in units]
    )
    audit_record(actor=actor, action="catalog.sku.created", target=sku, after={
        "code": code, "product": product.code, "barcode": barcode, "attributes": sku.attributes,
        "units": [[unit.code, factor, unit_barcode] for unit, factor, unit_barcode in units],
    })
    return sku


SKU_EDITABLE = ("name", "attributes", "barcode", "min_order_qty", "order_step", "status")


def _attributes_valid(attributes) -> bool:
    return isinstance(attributes, dict) and all(
        isinstance(k, str) and isinstance(v, str | int | float) and not isinstance(v, bool)
        for k, v in attributes.items()
    )


@transaction.atomic
def sku_update(*, actor, sku: Sku, **changes) -> Sku:
    """Change a SKU's name, attributes, barcode, ordering quantities or status (its code and base unit
    stay: orders, prices and stock refer to them)."""
    unknown = set(changes) - set(SKU_EDITABLE)
    errors = {f: [_("Not editable.")] for f in sorted(unknown)}
    if "name" in changes and not (changes["name"] or "").strip():
        errors["name"] = [_("Enter a name.")]
    for field in ("min_order_qty", "order_step"):
        if field in changes and not _positive_int(changes[field]):
            errors[field] = [_("Must be a whole number of at least 1.")]
    if "attributes" in changes and not _attributes_valid(changes["attributes"]):
        errors["attributes"] = [_("Give the attributes as names and plain values.")]
    if "status" in changes and changes["status"] not in ProductStatus.values:
        errors["status"] = [_("Unknown status.")]
    if "barcode" in changes:
        barcode = changes["barcode"] = (changes["barcode"] or "").strip()
        if barcode and not barcode_valid(barcode):
            errors["barcode"] = [_("Enter an EAN-8, UPC-12, EAN-13 or GTIN-14 barcode with a correct check digit.")]
        elif barcode and (Sku.objects.filter(barcode=barcode).exclude(pk=sku.pk).exists()
                          or SkuUnit.objects.filter(barcode=barcode).exists()):
            errors["barcode"] = [_("This barcode is already used.")]
    if errors:
        raise CatalogInvalid(_("The SKU could not be saved."), fields=errors)
    sku = Sku.objects.select_for_update(of=("self",)).select_related("product__series").get(pk=sku.pk)
    before = {f: getattr(sku, f) for f in changes}
    for field, value in changes.items():
        setattr(sku, field, value.strip() if isinstance(value, str) else value)
    sku_search_fields_set(sku)
    sku.save()
    audit_record(actor=actor, action="catalog.sku.updated", target=sku, before=before,
                 after={f: getattr(sku, f) for f in changes})
    return sku


@transaction.atomic
def sku_unit_add(*, actor, sku: Sku, unit: Unit, factor: int, barcode: str = "") -> SkuUnit:
    """A packaging unit of `sku` holding `factor` base units (a box of 12), with its own barcode."""
    barcode = (barcode or "").strip()
    errors: dict[str, list[str]] = {}
    if unit.pk == sku.base_unit_id:
        errors["unit"] = [_("This is the base unit already.")]
    elif SkuUnit.objects.filter(sku=sku, unit=unit).exists():
        errors["unit"] = [_("This SKU has this unit already.")]
    if not _positive_int(factor):
        errors["factor"] = [_("Must be a whole number of at least 1.")]
    if barcode and not barcode_valid(barcode):
        errors["barcode"] = [_("Enter an EAN-8, UPC-12, EAN-13 or GTIN-14 barcode with a correct check digit.")]
    elif barcode and _barcode_taken(barcode):
        errors["barcode"] = [_("This barcode is already used.")]
    if errors:
        raise CatalogInvalid(_("The unit could not be added."), fields=errors)
    sku = Sku.objects.select_for_update(of=("self",)).select_related("product__series").get(pk=sku.pk)
    row = SkuUnit.objects.create(sku=sku, unit=unit, factor=factor, barcode=barcode)
    sku_search_fields_set(sku)
    sku.save(update_fields=SEARCH_FIELDS)
    audit_record(actor=actor, action="catalog.sku.unit_added", target=sku,
                 after={"unit": unit.code, "factor": factor, "barcode": barcode})
    return row


@transaction.atomic
def sku_unit_remove(*, actor, sku_unit: SkuUnit) -> None:
    sku = Sku.objects.select_for_update(of=("self",)).select_related("product__series").get(pk=sku_unit.sku_id)
    before = {"unit": sku_unit.unit.code, "factor": sku_unit.factor, "barcode": sku_unit.barcode}
    SkuUnit.objects.filter(pk=sku_unit.pk).delete()
    sku_search_fields_set(sku)
    sku.save(update_fields=SEARCH_FIELDS)
    audit_record(actor=actor, action="catalog.sku.unit_removed", target=sku, before=before)


def skus_reindex(*, product_ids: Iterable[int] | None = None) -> int:
    """Rebuild search text (after a bulk load, or to repair). Returns how many products were done."""
    products = Product.objects.select_related("series")
    if product_ids is not None:
        products = products.filter(pk__in=list(product_ids))
    count = 0
    for product in products.iterator(chunk_size=500):
        with transaction.atomic():
            _product_skus_reindex(product)
        count += 1
    return count


THUMBNAIL_SIZE = (240, 240)
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_BULK_FILES = 200
MAX_BULK_BYTES = 500 * 1024 * 1024  # all images of one bulk upload, uncompressed
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif")
BULK_NAME = re.compile(r"^(?P<code>.+?)(?:-(?P<position>\d{1,3}))?$")


def _image_problem(name: str, refused: uploads.UploadRefused) -> str:
    """A refused image's reason, naming the file (the lists of bad files show several at once)."""
    if refused.code == "too_large":
        return _("%(file)s: larger than 10 MB.") % {"file": name}
    if refused.code in ("not_image", "empty"):
        return _("%(file)s: not a PNG, JPEG or WebP image.") % {"file": name}
    return _("%(file)s: %(problem)s") % {"file": name, "problem": refused.message}


@transaction.atomic
def product_image_add(*, actor, product: Product, image, sort_order: int | None = None) -> ProductImage:
    """Add an image to a product (tenant media storage) with a thumbnail for lists and phones. The image is
    checked by its content and re-encoded (tenant_apps.core.uploads) and stored under a random name, within the
    plan's file storage."""
    try:
        checked = uploads.image_checked(image, max_bytes=MAX_IMAGE_BYTES)
    except uploads.UploadRefused as refused:
        raise CatalogInvalid(_("The image could not be added."), fields={"image": [refused.message]}) from None
    storage_check(adding_bytes=checked.size)
    return _image_store(actor=actor, product=product, checked=checked, sort_order=sort_order)


def _image_store(*, actor, product: Product, checked: uploads.CheckedFile, sort_order: int | None = None,
                 ) -> ProductImage:
    """A checked image stored with its thumbnail (the callers checked the plan's storage for it)."""
    import io
    from pathlib import PurePath

    from django.core.files.base import ContentFile
    from PIL import Image

    with Image.open(io.BytesIO(checked.read())) as picture:
        thumb = picture.convert("RGB")
    checked.seek(0)
    thumb.thumbnail(THUMBNAIL_SIZE)
    buffer = io.BytesIO()
    thumb.save(buffer, "JPEG", quality=82)
    if sort_order is None:
        last = product.images.order_by("-sort_order").values_list("sort_order", flat=True).first()
        sort_order = 0 if last is None else last + 1
    row = ProductImage(product=product, sort_order=sort_order)
    row.image.save(checked.name, checked, save=False)
    row.thumbnail.save(f"{PurePath(checked.name).stem}.jpg", ContentFile(buffer.getvalue()), save=False)
    row.save()
    audit_record(actor=actor, action="catalog.product.image_added", target=row, after={"product": product.code})
    return row


@transaction.atomic
def product_images_add(*, actor, product: Product, images) -> list[ProductImage]:
    """Several images at once, after the product's others, all or none: each file is checked first,
    and the errors name the files."""
    checked, bad = [], []
    for image in images:
        try:
            checked.append(uploads.image_checked(image, max_bytes=MAX_IMAGE_BYTES))
        except uploads.UploadRefused as refused:
            bad.append(_image_problem(image.name, refused))
    if not checked and not bad:
        bad.append(_("Choose at least one image."))
    if bad:
        raise CatalogInvalid(_("No image was added."), fields={"images": bad})
    storage_check(adding_bytes=sum(image.size for image in checked))  # all of them or none
    return [_image_store(actor=actor, product=product, checked=image) for image in checked]


def _images_renumber(product_id: int, ordered_ids: list[int]) -> None:
    rows = list(ProductImage.objects.filter(product_id=product_id))
    by_id = {row.pk: row for row in rows}
    for position, image_id in enumerate(ordered_ids):
        by_id[image_id].sort_order = position
    ProductImage.objects.bulk_update(rows, ["sort_order"])


@transaction.atomic
def product_images_reorder(*, actor, product: Product, image_ids: list[int]) -> None:
    """Put the product's images in this order (all of its images, each once); the first is the cover."""
    Product.objects.select_for_update().filter(pk=product.pk).first()
    current = set(ProductImage.objects.filter(product=product).values_list("pk", flat=True))
    if len(image_ids) != len(set(image_ids)) or set(image_ids) != current:
        raise CatalogInvalid(_("The images could not be reordered."),
                             fields={"images": [_("Give every image of the product once.")]})
    _images_renumber(product.pk, list(image_ids))
    audit_record(actor=actor, action="catalog.product.images_reordered", target=product,
                 after={"images": list(image_ids)})


@transaction.atomic
def product_image_delete(*, actor, image: ProductImage) -> None:
    """Remove an image; its files go from storage once the transaction has committed."""
    product = Product.objects.select_for_update().get(pk=image.product_id)
    names = [name for name in (image.image.name, image.thumbnail.name) if name]
    storage = image.image.storage
    ProductImage.objects.filter(pk=image.pk).delete()
    _images_renumber(product.pk, list(ProductImage.objects.filter(product=product).values_list("pk", flat=True)))
    audit_record(actor=actor, action="catalog.product.image_deleted", target=product,
                 before={"image": image.image.name})
    schema = connection.schema_name  # the tenant's media folder, wherever the callback runs

    def delete_files():
        from django_tenants.utils import schema_context

        with schema_context(schema):
            for name in names:
                storage.delete(name)

    transaction.on_commit(delete_files)


@dataclass
class BulkImageResult:
    added: int
    products: int
    files: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (file name, product code) as applied


def _bulk_entries(files) -> list[tuple[str, object, str]]:
    """(name, file-like with .size, problem) for each uploaded file; a .zip gives its members (folders
    and hidden files skipped). Raises CatalogInvalid for too many files or bytes, or a broken zip."""
    import zipfile
    from pathlib import PurePosixPath

    from django.core.files.base import ContentFile

    entries: list[tuple[str, object, str]] = []
    total = 0
    too_many = False
    for upload in files:
        if upload.name.lower().endswith(".zip"):
            try:
                archive = zipfile.ZipFile(upload)
                members = [m for m in archive.infolist() if not m.is_dir()]
            except (zipfile.BadZipFile, OSError):
                raise CatalogInvalid(_("No image was added."), fields={
                    "files": [_("%(file)s: not a readable zip file.") % {"file": upload.name}]}) from None
            members = [m for m in members if not PurePosixPath(m.filename).name.startswith((".", "__MACOSX"))
                       and "__MACOSX/" not in m.filename]
            # The sizes in the directory are checked before anything is decompressed (zip bombs), and
            # reading stops at the stated size.
            total += sum(m.file_size for m in members)
            if len(entries) + len(members) > MAX_BULK_FILES or total > MAX_BULK_BYTES:
                too_many = True
                break
            for member in members:
                name = PurePosixPath(member.filename).name
                if member.file_size > MAX_IMAGE_BYTES:
                    entries.append((name, ContentFile(b"", name=name), "too_big"))
                    continue
                try:
                    with archive.open(member) as handle:
                        data = handle.read(MAX_IMAGE_BYTES + 1)
                except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError):
                    entries.append((name, ContentFile(b"", name=name), "unreadable"))
                    continue
                entries.append((name, ContentFile(data, name=name), ""))
        else:
            total += upload.size
            entries.append((PurePosixPath(upload.name).name, upload, ""))
        if len(entries) > MAX_BULK_FILES or total > MAX_BULK_BYTES:
            too_many = True
            break
    if too_many or not entries:
        message = (_("At most %(count)s files and %(mb)s MB in one upload.")
                   % {"count": MAX_BULK_FILES, "mb": MAX_BULK_BYTES // (1024 * 1024)} if too_many
                   else _("Choose at least one image or a zip file."))
        raise CatalogInvalid(_("No image was added."), fields={"files": [message]})
    return entries


@transaction.atomic
def product_images_bulk_add(*, actor, files) -> BulkImageResult:
    """Images named by product code (`RB.jpg`, `rb-2.png`: code, optional dash and position), from
    many files or a zip, all or nothing: when any file has an unknown code, is too big or is not an
    image, nothing is saved and the error lists each bad file with its reason. Images of a product go
    after its others, in the order of their position numbers."""
    from pathlib import PurePosixPath

    entries = _bulk_entries(files)
    stems = []
    for name, _file, _problem in entries:
        stem = PurePosixPath(name).stem
        match = BULK_NAME.match(stem)
        stems.append((match["code"], int(match["position"] or 1)) if match else (stem, 1))
    wanted = {code.upper() for code, _position in stems} | {PurePosixPath(n).stem.upper() for n, _f, _p in entries}
    products = {product.code.upper(): product
                for product in Product.objects.annotate(upper=Upper("code")).filter(upper__in=wanted)}
    bad: list[str] = []
    plan: list[tuple[str, object, Product, int]] = []
    for (name, upload, problem), (code, position) in zip(entries, stems, strict=True):
        # A code may itself end in "-<digits>" (e.g. "RB-250"): the whole stem wins over code + position.
        whole = products.get(PurePosixPath(name).stem.upper())
        product = whole or products.get(code.upper())
        if whole is not None:
            position = 1
        if PurePosixPath(name).suffix.lower() not in IMAGE_SUFFIXES:
            bad.append(_("%(file)s: not a .jpg, .png, .webp or .gif file.") % {"file": name})
        elif product is None:
            bad.append(_("%(file)s: no product with the code %(code)s.") % {"file": name, "code": code})
        elif problem == "too_big":
            bad.append(_("%(file)s: larger than 10 MB.") % {"file": name})
        elif problem:
            bad.append(_("%(file)s: not a PNG, JPEG or WebP image.") % {"file": name})
        else:
            try:
                plan.append((name, uploads.image_checked(upload, max_bytes=MAX_IMAGE_BYTES), product, position))
            except uploads.UploadRefused as refused:
                bad.append(_image_problem(name, refused))
    if bad:
        raise CatalogInvalid(_("No image was added: fix these files and upload them again."),
                             fields={"files": bad})
    plan.sort(key=lambda item: (item[2].code, item[3], item[0].lower()))
    storage_check(adding_bytes=sum(upload.size for _n, upload, _p, _o in plan))  # all of them or none
    result = BulkImageResult(added=0, products=len({product.pk for _n, _u, product, _p in plan}))
    for name, upload, product, _position in plan:
        _image_store(actor=actor, product=product, checked=upload)
        result.added += 1
        result.files.append((name, product.code))
    return result
