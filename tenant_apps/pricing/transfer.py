"""Import and export of price entries (CSV and XLSX), columns: list_code, sku_code, unit_code, min_quantity,
price, currency (the list's: written by the export; on import optional, and when given it must be the list's).

Import: every row is validated first (unknown list, SKU or unit, a unit the SKU is not sold in, a bad
quantity or price, the same price twice in the file), with every error named by row and column; then either
every change is applied or none. Only rows that change are written: the file is compared with the stored
entries of its lists, new prices are inserted, changed prices updated, identical ones left alone (a
one-row change of a 50,000-row list is one UPDATE). With `remove_missing`, the entries of the file's lists
that the file does not mention are deleted.

Concurrency: the writes run in one short transaction, after all reading and validation, in one key order
(rows to delete and update are locked by id, ascending; inserts sorted by list, SKU, unit, quantity), with
row locks only: quotes and orders read the previous prices meanwhile (MVCC) and are never blocked, and two
imports touching the same rows wait for each other instead of deadlocking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.audit.services import Collection, audit_record
from tenant_apps.catalog.models import Sku, SkuUnit, Unit
from tenant_apps.core.ownership import brand_side
from tenant_apps.core.tables import (
    CSV_CONTENT_TYPE,
    FORMATS,
    XLSX_CONTENT_TYPE,
    FileUnreadable,
    ImportResult,
    RowError,
    TableRow,
    read_table,
    report_errors,
    rows_from_records,
    rows_from_table,
    table_bytes,
)
from tenant_apps.pricing.engine import price_text
from tenant_apps.pricing.errors import PricingInvalid
from tenant_apps.pricing.models import PriceEntry, PriceList, PriceListStatus
from tenant_apps.pricing.selectors import in_scope
from tenant_apps.pricing.services import price_parse, protection_compensate

COLUMNS = ["list_code", "sku_code", "unit_code", "min_quantity", "price", "currency"]
REQUIRED = ("list_code", "sku_code", "unit_code", "price")
ALIASES = {"价目表": "list_code", "价目表编码": "list_code", "商品编码": "sku_code", "SKU编码": "sku_code",
           "单位": "unit_code", "单位编码": "unit_code", "起订量": "min_quantity", "起始数量": "min_quantity",
           "价格": "price", "单价": "price", "币种": "currency", "货币": "currency"}
MAX_ROWS = 200_000
MAX_QUANTITY = 2_147_483_647  # PositiveIntegerField: a larger one would fail in the database
BATCH = 5_000


@dataclass
class PriceImportResult(ImportResult):
    deleted: int = 0
    lists: list[str] = field(default_factory=list)


def prices_import(*, actor, file, filename: str, remove_missing: bool = False,
                  only_list: PriceList | None = None) -> PriceImportResult:
    """Validate every row; apply the changes all or nothing. Errors never raise: they come back in the
    result by row (1 is the header, 0 the file as a whole) and column. `only_list`: every row must name
    this list (an import from a list's page)."""
    try:
        rows, _seen = rows_from_table(
            read_table(file=file, filename=filename, max_rows=MAX_ROWS), columns=COLUMNS, required=REQUIRED,
            aliases=ALIASES, no_rows=_("The file has a header but no price rows."))
    except FileUnreadable as unreadable:
        return PriceImportResult(applied=False, rows=0, errors=unreadable.errors)
    return prices_import_rows(actor=actor, rows=rows, source=filename, remove_missing=remove_missing,
                              only_list=only_list)


def prices_upsert(*, actor, records: list, source: str) -> PriceImportResult:
    """A JSON batch of price entries (the integration API): each item an object of the import's columns, made
    rows by `tables.rows_from_records` and imported as a file's are (never removing what the batch leaves out)."""
    try:
        rows = rows_from_records(records, columns=COLUMNS)
    except FileUnreadable as unreadable:
        return PriceImportResult(applied=False, rows=len(records), errors=unreadable.errors)
    return prices_import_rows(actor=actor, rows=rows, source=source)


def prices_import_rows(*, actor, rows: list[TableRow], source: str, remove_missing: bool = False,
                       only_list: PriceList | None = None) -> PriceImportResult:
    """The import of rows already read (a file's, or a JSON batch's: `tables.rows_from_records`): every row
    validated, then all applied or none. `source` names them in the audit entries and messages (the file's
    name, or the API key's)."""
    filename = source
    errors: list[RowError] = []

    def error(number: int, column: str, message: str) -> None:
        errors.append(RowError(row=number, field=column, message=message))

    list_codes = {row.values["list_code"] for row in rows}
    sku_codes = {row.values["sku_code"] for row in rows}
    unit_codes = {row.values["unit_code"] for row in rows}
    lists = {code: (pk, status, currency) for code, pk, status, currency in
             PriceList.objects.filter(code__in=list_codes).values_list("code", "pk", "status", "currency")}
    # a supplier's lists are its own people's (core.ownership): not imported into by headquarters' staff
    suppliers_lists = set(PriceList.objects.filter(code__in=list_codes, owner__isnull=False)
                          .values_list("code", flat=True)) if brand_side(actor) else set()
    skus = {code: (pk, base_unit_id) for code, pk, base_unit_id in
            Sku.objects.filter(code__in=sku_codes).values_list("code", "pk", "base_unit_id")}
    units = dict(Unit.objects.filter(code__in=unit_codes).values_list("code", "pk"))
    sku_units = set(SkuUnit.objects.filter(sku_id__in=[pk for pk, _b in skus.values()])
                    .values_list("sku_id", "unit_id"))

    wanted: dict[tuple[int, int, int, int], Decimal] = {}
    first_row: dict[tuple[int, int, int, int], int] = {}
    for row in rows:
        values, number = row.values, row.number
        listed = lists.get(values["list_code"])
        sku = skus.get(values["sku_code"])
        unit_id = units.get(values["unit_code"])
        if not values["list_code"]:
            error(number, "list_code", _("Enter the price list code."))
        elif listed is None:
            error(number, "list_code", _("No price list with the code “%(code)s”.") % {"code": values["list_code"]})
        elif values["list_code"] in suppliers_lists:
            error(number, "list_code", _("Price list %(code)s belongs to a supplier: only the supplier's own people "
                                         "change it, on their supplier console. Headquarters can read it.")
                  % {"code": values["list_code"]})
        elif only_list is not None and listed[0] != only_list.pk:
            error(number, "list_code", _("This import is for the list “%(code)s” only.") % {"code": only_list.code})
        elif values["currency"] and values["currency"].upper() != listed[2]:
            error(number, "currency", _("The list “%(code)s” is in %(currency)s; leave the currency empty or "
                                        "write %(currency)s.") % {"code": values["list_code"], "currency": listed[2]})
        if not values["sku_code"]:
            error(number, "sku_code", _("Enter the SKU code."))
        elif sku is None:
            error(number, "sku_code", _("No SKU with the code “%(code)s”.") % {"code": values["sku_code"]})
        if not values["unit_code"]:
            error(number, "unit_code", _("Enter the unit code."))
        elif unit_id is None:
            error(number, "unit_code", _("No unit with the code “%(code)s”.") % {"code": values["unit_code"]})
        elif sku is not None and unit_id != sku[1] and (sku[0], unit_id) not in sku_units:
            error(number, "unit_code", _("SKU %(sku)s is not sold in “%(unit)s”.") % {
                "sku": values["sku_code"], "unit": values["unit_code"]})
        raw_quantity = values["min_quantity"] or "1"
        min_quantity = (int(raw_quantity) if raw_quantity.isascii() and raw_quantity.isdigit()
                        and len(raw_quantity) <= 10 else 0)
        if not 1 <= min_quantity <= MAX_QUANTITY:
            min_quantity = 0
            error(number, "min_quantity", _("Enter a whole number from 1 to %(max)s.") % {"max": MAX_QUANTITY})
        price = price_parse(values["price"]) if values["price"] else None
        if price is None:
            error(number, "price", _("Enter a price of 0 or more, with at most 4 decimals."))
        if listed is None or sku is None or unit_id is None or min_quantity < 1 or price is None:
            continue
        key = (listed[0], sku[0], unit_id, min_quantity)
        if key in first_row:
            error(number, "sku_code", _("The same list, SKU, unit and quantity are on row %(row)s already.")
                  % {"row": first_row[key]})
            continue
        first_row[key] = number
        wanted[key] = price
    if errors:
        return PriceImportResult(applied=False, rows=len(rows), errors=report_errors(errors, COLUMNS))

    list_ids = sorted({key[0] for key in wanted})
    stored = {(list_id, sku_id, unit_id, min_quantity): (pk, price)
              for pk, list_id, sku_id, unit_id, min_quantity, price
              in PriceEntry.objects.filter(price_list_id__in=list_ids).values_list(
                  "pk", "price_list_id", "sku_id", "unit_id", "min_quantity", "price")}
    new = sorted(key for key in wanted if key not in stored)
    changed_keys = [key for key in wanted if key in stored and stored[key][1] != wanted[key]]
    changed = sorted((stored[key][0], wanted[key]) for key in changed_keys)
    lowered = {key[1] for key in wanted if key in stored and stored[key][1] > wanted[key]}
    removed_keys = [key for key in stored if key not in wanted] if remove_missing else []
    removed = sorted(stored[key][0] for key in removed_keys)
    removed_skus = {key[1] for key in removed_keys}
    active = {pk for pk, status, _currency in lists.values() if status == PriceListStatus.ACTIVE}
    touched_skus = sorted({key[1] for key in new if key[0] in active} | lowered | removed_skus)
    result = PriceImportResult(applied=True, rows=len(rows), created=len(new), updated=len(changed),
                               unchanged=len(wanted) - len(new) - len(changed), deleted=len(removed),
                               lists=sorted(code for code, (pk, _s, _c) in lists.items() if pk in list_ids))
    try:
        with transaction.atomic():
            _write(new=new, wanted=wanted, changed=changed, removed=removed)
            if touched_skus:
                protection_compensate(actor=actor, sku_ids=touched_skus, reason=_("Price import %(file)s") % {
                    "file": filename})
            for price_list in PriceList.objects.filter(pk__in=list_ids).order_by("pk"):
                audit_record(actor=actor, action="pricing.price_list.imported", target=price_list, after={
                    "file": filename, "created": sum(1 for key in new if key[0] == price_list.pk),
                    "updated": sum(1 for key in changed_keys if key[0] == price_list.pk),
                    "deleted": sum(1 for key in removed_keys if key[0] == price_list.pk),
                    "remove_missing": remove_missing})
    except IntegrityError:
        return PriceImportResult(applied=False, rows=len(rows), errors=[RowError(row=0, field="file", message=_(
            "The prices changed during the import (someone added one of these prices meanwhile). Nothing was "
            "imported; import the file again."))])
    return result


def _write(*, new, wanted, changed, removed) -> None:
    """Delete, update, insert: rows locked by id in ascending order first, then written in batches."""
    now = timezone.now()
    with connection.cursor() as cursor:
        locked = sorted([pk for pk, _price in changed] + removed)
        for start in range(0, len(locked), BATCH):
            cursor.execute("SELECT id FROM pricing_priceentry WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                           [locked[start:start + BATCH]])
        for start in range(0, len(removed), BATCH):
            cursor.execute("DELETE FROM pricing_priceentry WHERE id = ANY(%s)", [removed[start:start + BATCH]])
        for start in range(0, len(changed), BATCH):
            batch = changed[start:start + BATCH]
            cursor.execute(
                "UPDATE pricing_priceentry AS e SET price = v.price, updated_at = %s "
                "FROM unnest(%s::bigint[], %s::numeric[]) AS v(id, price) WHERE e.id = v.id",
                [now, [pk for pk, _p in batch], [price for _pk, price in batch]])
    PriceEntry.objects.bulk_create(
        [PriceEntry(price_list_id=list_id, sku_id=sku_id, unit_id=unit_id, min_quantity=min_quantity,
                    price=wanted[(list_id, sku_id, unit_id, min_quantity)])
         for list_id, sku_id, unit_id, min_quantity in new], batch_size=BATCH)


def prices_export(*, actor, fmt: str, price_list: PriceList | None = None) -> tuple[bytes, str, str]:
    """The entries (of one list, or all the actor's data scope holds; for headquarters' staff, of its own lists) in
    the import's columns:
    (content, content_type, filename). One query."""
    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in FORMATS:
        raise PricingInvalid(_("Export as csv or xlsx."), fields={"fmt": [_("Choose csv or xlsx.")]})
    entries = in_scope(PriceEntry.objects.all(), actor, "price_list__dealer")
    if price_list is not None:
        entries = entries.filter(price_list=price_list)
    elif brand_side(actor):  # all of headquarters' own lists: what its staff may import again (core.ownership)
        entries = entries.filter(price_list__owner__isnull=True)
    rows = ([list_code, sku_code, unit_code, str(min_quantity), price_text(price), currency]
            for list_code, sku_code, unit_code, min_quantity, price, currency in entries.order_by(
                "price_list__code", "sku__code", "unit__code", "min_quantity").values_list(
                "price_list__code", "sku__code", "unit__code", "min_quantity", "price", "price_list__currency")
            .iterator(chunk_size=5000))
    stem = f"prices-{price_list.code}" if price_list is not None else "prices"
    content = table_bytes(fmt=fmt, columns=COLUMNS, rows=rows, sheet="prices")
    filename = f"{stem}-{timezone.localdate():%Y%m%d}.{fmt}"
    audit_record(actor=actor, action="pricing.price_list.exported",
                 target=price_list if price_list is not None else Collection("pricing.pricelist", "export"),
                 after={"file": filename})
    return content, CSV_CONTENT_TYPE if fmt == "csv" else XLSX_CONTENT_TYPE, filename

