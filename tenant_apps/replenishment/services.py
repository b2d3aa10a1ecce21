"""Replenishment's writes: a dealer's safety stock, its sell-out records (file or API, all or nothing), and
suggestions put into its cart (through the ordering app's cart services: this app never writes a cart line)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.audit.services import audit_record
from tenant_apps.catalog.selectors import sku_search
from tenant_apps.core.numbers import fits_integer
from tenant_apps.core.tables import (
    FileUnreadable,
    RowError,
    read_table,
    report_errors,
    rows_from_records,
    rows_from_table,
)
from tenant_apps.ordering.quick import Added, Entry, cart_quick_add
from tenant_apps.replenishment.errors import ReplenishmentInvalid, SellOutInvalid
from tenant_apps.replenishment.models import DealerSafetyStock, SellOutRecord, SellOutSource, SetBy
from tenant_apps.replenishment.selectors import suggestions_for

SELL_OUT_COLUMNS = ("date", "sku", "quantity", "on_hand")
SELL_OUT_ALIASES = {"日期": "date", "商品编码": "sku", "SKU": "sku", "编码": "sku", "销量": "quantity",
                    "数量": "quantity", "销售数量": "quantity", "库存": "on_hand", "期末库存": "on_hand"}
MAX_SELL_OUT_ROWS = 20_000
MAX_BACKDATE_DAYS = 730


def _quantity(text: str, *, required: bool) -> tuple[int | None, str | None]:
    value = (text or "").replace(",", "").strip()
    if not value:
        return None, (_("Required.") if required else None)
    if value.endswith(".0"):  # a number cell of a spreadsheet
        value = value[:-2]
    if not value.isdigit() or not fits_integer(int(value)):
        return None, _("“%(value)s” is not a whole number, zero or more.") % {"value": text[:40]}
    return int(value), None


@transaction.atomic
def safety_stock_set(*, actor, dealer, sku_id, quantity) -> DealerSafetyStock | None:
    """The safety stock of a SKU the dealer can order, in base units, set by the brand's staff (console) or the
    dealer's own people (storefront): who set it is kept. 0 removes it. Field errors, nothing written."""
    errors = {}
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        errors["quantity"] = [_("Enter a whole number of base units, zero or more.")]
    elif not fits_integer(quantity):
        errors["quantity"] = [_("This number is too large.")]
    sku = (sku_search(dealer=dealer).filter(pk=int(str(sku_id))).first()
           if str(sku_id).isdigit() and fits_integer(int(str(sku_id))) else None)
    if sku is None:
        errors["sku"] = [_("No such product for this dealer.")]
    if errors:
        raise ReplenishmentInvalid(_("The safety stock could not be saved."), fields=errors)
    side = SetBy.DEALER if getattr(actor, "is_dealer_staff", False) else SetBy.BRAND
    current = DealerSafetyStock.objects.select_for_update().filter(dealer=dealer, sku=sku).first()
    before = {"sku": sku.pk, "quantity": current.quantity if current else 0}
    after = {"sku": sku.pk, "quantity": quantity, "set_by": side}
    if quantity == 0:
        if current is not None:
            audit_record(actor=actor, action="replenishment.safety_stock.removed", target=current, before=before,
                         after=after, dealer_id=dealer.pk)
            current.delete()
        return None
    user = actor if getattr(actor, "is_authenticated", False) else None
    if current is None:
        current = DealerSafetyStock.objects.create(dealer=dealer, sku=sku, quantity=quantity, set_by=side,
                                                   set_by_user=user)
    else:
        current.quantity, current.set_by, current.set_by_user = quantity, side, user
        current.save(update_fields=["quantity", "set_by", "set_by_user", "updated_at"])
    audit_record(actor=actor, action="replenishment.safety_stock.set", target=current, before=before, after=after,
                 dealer_id=dealer.pk)
    return current


def _validated_rows(dealer, rows, today: date) -> tuple[list[SellOutRecord], list[RowError]]:
    """Each row as a record of a SKU the dealer can order; every problem as a row error."""
    codes = {row.values["sku"].strip() for row in rows if row.values["sku"].strip()}
    skus = {}
    for sku in sku_search(dealer=dealer, status=None).filter(code__in=codes | {code.upper() for code in codes}):
        skus.setdefault(sku.code, sku)
        skus.setdefault(sku.code.upper(), sku)
    records, errors, seen = [], [], {}
    for row in rows:
        values = row.values
        code = values["sku"].strip()
        sku = skus.get(code) or skus.get(code.upper())
        if not code:
            errors.append(RowError(row.number, "sku", _("Required.")))
        elif sku is None:
            errors.append(RowError(row.number, "sku", _("No product with the code “%(code)s” for your company.")
                                   % {"code": code[:64]}))
        day = None
        text = values["date"].strip()[:10]
        try:
            day = date.fromisoformat(text)
        except ValueError:
            errors.append(RowError(row.number, "date", _("“%(value)s” is not a date (YYYY-MM-DD).")
                                   % {"value": values["date"][:40]}))
        if day is not None and not (0 <= (today - day).days <= MAX_BACKDATE_DAYS):
            errors.append(RowError(row.number, "date", _("The date must be today or in the last two years.")))
            day = None
        quantity, problem = _quantity(values["quantity"], required=True)
        if problem:
            errors.append(RowError(row.number, "quantity", problem))
        on_hand, problem = _quantity(values["on_hand"], required=False)
        if problem:
            errors.append(RowError(row.number, "on_hand", problem))
        if sku is None or day is None or quantity is None or (values["on_hand"].strip() and on_hand is None):
            continue
        if (sku.pk, day) in seen:
            errors.append(RowError(row.number, "date", _("Row %(row)s already gives %(code)s on this date.")
                                   % {"row": seen[(sku.pk, day)], "code": sku.code}))
            continue
        seen[(sku.pk, day)] = row.number
        records.append(SellOutRecord(dealer=dealer, sku=sku, date=day, quantity=quantity, on_hand=on_hand))
    return records, errors


def _sell_out_write(*, actor, dealer, rows, source: str, label: str) -> int:
    records, errors = _validated_rows(dealer, rows, timezone.localdate())
    if errors:
        raise SellOutInvalid(_("Some rows cannot be used; nothing was imported."),
                             errors=report_errors(errors, SELL_OUT_COLUMNS))
    user = actor if getattr(actor, "is_authenticated", False) else None
    for record in records:
        record.source, record.created_by = source, user
    SellOutRecord.objects.bulk_create(records, update_conflicts=True, unique_fields=["dealer", "sku", "date"],
                                      update_fields=["quantity", "on_hand", "source", "created_by"])
    audit_record(actor=actor, action="replenishment.sell_out.imported", target=dealer, dealer_id=dealer.pk,
                 after={"rows": len(records), "source": source, "file": label[:200]})
    return len(records)


@transaction.atomic
def sell_out_import(*, actor, dealer, file, filename: str) -> int:
    """A CSV/XLSX of the dealer's sell-out (columns date, sku, quantity, on_hand; Chinese headers accepted), all or
    nothing: every bad row named. A day sent again replaces what was there. Returns the rows written."""
    try:
        rows, _seen = rows_from_table(read_table(file=file, filename=filename, max_rows=MAX_SELL_OUT_ROWS),
                                      columns=SELL_OUT_COLUMNS, required=("date", "sku", "quantity"),
                                      aliases=SELL_OUT_ALIASES)
    except FileUnreadable as unreadable:
        raise SellOutInvalid(_("The file could not be used; nothing was imported."),
                             errors=unreadable.errors) from None
    return _sell_out_write(actor=actor, dealer=dealer, rows=rows, source=SellOutSource.UPLOAD, label=filename)


@transaction.atomic
def sell_out_records_add(*, actor, dealer, records) -> int:
    """A JSON batch of sell-out records ([{"date", "sku", "quantity", "on_hand"?}], from a POS or ERP), validated
    and written as a file's rows are: all or nothing."""
    if not isinstance(records, list) or not records:
        raise SellOutInvalid(_("Send a list of records."), errors=[RowError(0, "records", _("Send a list of "
                                                                                             "records."))],
                             prefix="records")
    if len(records) > MAX_SELL_OUT_ROWS:
        raise SellOutInvalid(_("At most %(max)s records at once.") % {"max": MAX_SELL_OUT_ROWS},
                             errors=[RowError(0, "records", _("At most %(max)s records at once.")
                                              % {"max": MAX_SELL_OUT_ROWS})], prefix="records")
    try:
        rows = rows_from_records(records, columns=SELL_OUT_COLUMNS)
    except FileUnreadable as unreadable:
        raise SellOutInvalid(_("Some records cannot be used; nothing was imported."), errors=unreadable.errors,
                             prefix="records") from None
    try:
        return _sell_out_write(actor=actor, dealer=dealer, rows=rows, source=SellOutSource.API, label="api")
    except SellOutInvalid as invalid:
        raise SellOutInvalid(invalid.detail, errors=invalid.errors, prefix="records") from None


@transaction.atomic
def suggestions_to_cart(*, actor, dealer, quantities: dict[int, int] | None = None) -> Added:
    """Suggested lines into the dealer's cart in its base unit, all or nothing (the cart's own rules: visibility,
    minimum, step). `quantities` (SKU id -> base units, edited by the dealer) picks the lines; None adds every line
    due now or soon at its suggested quantity. Only SKUs among the dealer's suggestions are taken: 400 otherwise."""
    suggestions = suggestions_for(dealer=dealer)
    by_id = {line.sku.pk: line for line in suggestions.lines}
    if quantities is None:
        quantities = {line.sku.pk: line.quantity for line in suggestions.due}
    errors = {}
    entries = []
    for ref, (sku_id, quantity) in enumerate(quantities.items(), start=1):
        line = by_id.get(sku_id)
        if line is None:
            errors[f"lines.{ref}.sku"] = [_("Not among your suggestions.")]
            continue
        if quantity:
            entries.append(Entry(ref=ref, code=line.sku.code, quantity=str(quantity), unit=line.sku.base_unit.code))
    if errors:
        raise ReplenishmentInvalid(_("Some lines are not among your suggestions; nothing was added."), fields=errors)
    if not entries:
        raise ReplenishmentInvalid(_("Nothing to add: no line is due."), fields={"lines": [_("No line to add.")]})
    added = cart_quick_add(actor=actor, dealer=dealer, entries=entries)
    audit_record(actor=actor, action="replenishment.suggestions.added", target=dealer, dealer_id=dealer.pk,
                 after={"lines": [[entry.code, entry.quantity] for entry in entries[:20]], "count": len(entries)})
    return added
