"""Filling the cart in bulk: quick order by SKU code list (pasted lines), upload of a CSV/XLSX order, order
templates (saved carts) and reorder from a past order.

Quick order and upload are all or nothing: every bad line is named (line or spreadsheet row, field, message)
and nothing is added until the whole list is good. Quantities add to what the cart already holds, and the
sum must meet the SKU's minimum and step (tenant_apps.ordering.services.quantity_errors). Loading a template
or reordering adds what can still be ordered and names what was left out (a product taken off sale, a unit
no longer sold), because an old list must not block the rest of it.

Whatever the number of lines, the reads are a constant number of queries (SKUs by code, units, the cart's
lines) and the writes two bulk statements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from math import gcd

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.audit.services import audit_record
from tenant_apps.catalog.models import Sku, SkuUnit
from tenant_apps.catalog.selectors import sku_search
from tenant_apps.core.errors import NotFound
from tenant_apps.core.tables import (
    FileUnreadable,
    RowError,
    read_table,
    rows_from_table,
)
from tenant_apps.core.text import words
from tenant_apps.ordering.errors import QuickOrderInvalid, TemplateInvalid
from tenant_apps.ordering.lifecycle import IllegalOrderTransition, order_cancel
from tenant_apps.ordering.models import Cart, CartLine, Order, OrderStatus, OrderTemplate, OrderTemplateLine
from tenant_apps.ordering.services import MAX_CART_LINES, MAX_QUANTITY, cart_for, quantity_errors

AUDIT_SAMPLE = 20  # lines named in a cart operation's audit entry
MAX_TEMPLATES = 100
# A dealer cancels its own order until the warehouse starts on it (allocated); afterwards only the brand can.
DEALER_CANCELLABLE = (OrderStatus.DRAFT, OrderStatus.SUBMITTED, OrderStatus.IN_APPROVAL, OrderStatus.APPROVED)
UPLOAD_COLUMNS = ("sku", "quantity", "unit")
UPLOAD_ALIASES = {"code": "sku", "sku_code": "sku", "barcode": "sku", "商品编码": "sku", "SKU编码": "sku",
                  "编码": "sku", "条码": "sku", "qty": "quantity", "数量": "quantity", "订货数量": "quantity",
                  "单位": "unit"}
# Full-width punctuation and digits as typed with a Chinese input method.
_WIDE = str.maketrans({"，": ",", "；": ";", "＊": "*", "×": "*", "　": " ", "：": ":",
                       **{chr(0xFF10 + n): str(n) for n in range(10)}})
_SEPARATORS = re.compile(r"[,;\t*:]")


# Shown when the dealer can see no SKU yet (a brand still building its catalog).
GENERIC_EXAMPLES = (("SKU-001", 48, ""), ("SKU-001", 2, "CASE"))


def example_lines(dealer, *, limit: int = 2) -> list[tuple[str, int, str]]:
    """Lines the dealer could order as they stand, from its own catalog, to show how to write a quick order or an
    upload: (SKU code, quantity, unit code or "" for the base unit). The first SKUs by code the dealer can see, each
    in its base unit; the first of them also in its smallest pack; each at the fewest units its minimum and step
    allow. Two queries (SKUs, their packs)."""
    skus = list(sku_search(dealer=dealer, order="code").prefetch_related("units__unit")[:limit])
    if not skus:
        return list(GENERIC_EXAMPLES)
    lines = []
    for number, sku in enumerate(skus):
        units = [(1, "", sku.base_unit_name)]
        if number == 0:
            units += [(pack.factor, pack.unit.code, pack.unit.name) for pack in sorted(sku.units.all(),
                                                                                    key=lambda pack: pack.factor)]
        for factor, code, name in units[:2]:
            count = _fewest(sku, factor, name)
            if count is not None:
                lines.append((sku.code, count, code))
    return lines


def _fewest(sku, factor: int, unit_name: str) -> int | None:
    """The fewest units of `factor` base units of `sku` that its minimum and step allow (quantity_errors says so),
    None if even that is refused (above the largest quantity)."""
    multiple = sku.order_step // gcd(sku.order_step, factor) if sku.order_step > 1 else 1
    count = multiple * max(1, -(-sku.min_order_qty // (multiple * factor)))
    return None if quantity_errors(sku, count, factor, unit_name) else count






@dataclass
class Entry:
    """One requested line: where it came from (line or row number), a code, a quantity, maybe a unit."""

    ref: int
    code: str
    quantity: str
    unit: str = ""


@dataclass
class Added:
    lines: int = 0  # cart lines made or increased
    created: int = 0
    updated: int = 0
    skipped: list[str] = field(default_factory=list)  # what could not be added, in words (templates, reorder)


@dataclass
class _Item:
    ref: int
    sku: Sku
    unit_id: int
    factor: int
    unit_name: str
    quantity: int


# --- parsing --------------------------------------------------------------------------------------------


def parse_lines(text: str) -> tuple[list[Entry], list[RowError]]:
    """Pasted lines such as "RB-250 x 48", "RB-250,48", "RB-250 48", "RB-250*2 箱" or "RB-250, 2, CASE"
    (code, quantity, optional unit), one per line; blank lines are skipped."""
    entries, errors = [], []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.translate(_WIDE).strip()
        if not line:
            continue
        tokens = _SEPARATORS.sub(" ", line).split()
        if len(tokens) > 1 and tokens[1] in ("x", "X"):
            tokens.pop(1)
        elif len(tokens) > 1 and re.fullmatch(r"[xX]\d+", tokens[1]):
            tokens[1] = tokens[1][1:]
        if len(tokens) == 1:
            errors.append(RowError(number, "quantity", _("Write a quantity after the code, e.g. “%(code)s x 48”.")
                                   % {"code": tokens[0]}))
            continue
        if len(tokens) > 3:
            errors.append(RowError(number, "sku", _("Write one product per line: code, quantity and maybe a unit.")))
            continue
        entries.append(Entry(ref=number, code=tokens[0], quantity=tokens[1], unit=tokens[2] if len(tokens) > 2 else ""))
    return entries, errors


def parse_upload(*, file, filename: str) -> list[Entry]:
    """The rows of an uploaded CSV/XLSX order (columns sku, quantity, unit; Chinese headers accepted)."""
    try:
        rows, _seen = rows_from_table(read_table(file=file, filename=filename, max_rows=MAX_CART_LINES),
                                      columns=UPLOAD_COLUMNS, required=("sku", "quantity"), aliases=UPLOAD_ALIASES)
    except FileUnreadable as unreadable:
        raise QuickOrderInvalid(_("The file could not be used; nothing was added to the cart."),
                                errors=unreadable.errors, prefix="rows") from None
    return [Entry(ref=row.number, code=row.values["sku"], quantity=row.values["quantity"], unit=row.values["unit"])
            for row in rows]


# --- resolving ------------------------------------------------------------------------------------------


def _units_of(skus) -> dict[int, list[tuple[int, int, str, str]]]:
    """Per SKU: (unit id, factor, unit code, unit name), base unit first. One query."""
    units: dict[int, list[tuple[int, int, str, str]]] = {
        sku.pk: [(sku.base_unit_id, 1, sku.base_unit.code, sku.base_unit.name)] for sku in skus}
    for row in SkuUnit.objects.filter(sku__in=[sku.pk for sku in skus]).select_related("unit").order_by("factor"):
        units[row.sku_id].append((row.unit_id, row.factor, row.unit.code, row.unit.name))
    return units


def entries_resolve(dealer, entries: list[Entry], errors: list[RowError]) -> list[_Item]:
    """Entries to items: codes (or barcodes) the dealer can order, units of the SKU, whole quantities.
    An entry that cannot be used appends a RowError to `errors` and gives no item."""
    keys = {entry.code for entry in entries} | {entry.code.upper() for entry in entries}
    skus = list(sku_search(dealer=dealer).filter(Q(code__in=keys) | Q(barcode__in=keys)))
    by_key: dict[str, Sku] = {}
    for sku in skus:
        by_key.setdefault(sku.code, sku)
        by_key.setdefault(sku.code.upper(), sku)
        if sku.barcode:
            by_key.setdefault(sku.barcode, sku)
    units = _units_of(skus)
    items = []
    for entry in entries:
        if not entry.code:
            errors.append(RowError(entry.ref, "sku", _("Give the product's code.")))
            continue
        sku = by_key.get(entry.code) or by_key.get(entry.code.upper())
        if sku is None:
            errors.append(RowError(entry.ref, "sku", _("No product with the code “%(code)s” can be ordered by "
                                                       "your company.") % {"code": entry.code}))
            continue
        quantity = entry.quantity.replace(",", "").strip()
        if not quantity.isdigit() or not 1 <= int(quantity) <= MAX_QUANTITY:
            errors.append(RowError(entry.ref, "quantity", _("“%(value)s” is not a whole number from 1 to %(max)s.")
                                   % {"value": entry.quantity, "max": f"{MAX_QUANTITY:,}"}))
            continue
        choices = units[sku.pk]
        if entry.unit:
            wanted = entry.unit.casefold()
            match = next((u for u in choices if wanted in (u[2].casefold(), u[3].casefold())), None)
            if match is None:
                errors.append(RowError(entry.ref, "unit", _("%(code)s is sold in: %(units)s.")
                                       % {"code": sku.code, "units": words(u[3] for u in choices)}))
                continue
        else:
            match = choices[0]
        items.append(_Item(ref=entry.ref, sku=sku, unit_id=match[0], factor=match[1], unit_name=match[3],
                           quantity=int(quantity)))
    return items


def _add_items(*, actor, dealer, items: list[_Item], errors: list[RowError] | None, action: str,
               source: dict) -> Added:
    """Add the items to the cart (summed per SKU and unit, on top of what is there). With `errors` (a list)
    a line whose sum breaks the minimum or step is an error; without, it is skipped and named. Recorded as one
    audit entry `ordering.cart.<action>` (counts, `source`, the first lines), not one per line."""
    cart = Cart.objects.select_for_update().get(pk=cart_for(dealer).pk)  # one writer per cart at a time
    existing = {(line.sku_id, line.unit_id): line for line in CartLine.objects.filter(cart=cart)}
    merged: dict[tuple[int, int], _Item] = {}
    for item in items:
        key = (item.sku.pk, item.unit_id)
        if key in merged:
            merged[key].quantity += item.quantity
        else:
            merged[key] = _Item(**{**item.__dict__})
    result = Added()
    creates, updates = [], []
    now = timezone.now()
    for key, item in merged.items():
        line = existing.get(key)
        total = item.quantity + (line.quantity if line else 0)
        problems = quantity_errors(item.sku, min(total, MAX_QUANTITY + 1), item.factor, item.unit_name)
        if problems:
            if errors is None:
                result.skipped.append(f"{item.sku.code} {item.sku.name}: {problems[0]}")
            else:
                errors.append(RowError(item.ref, "quantity",
                                       (_("%(code)s: %(problem)s (%(total)s in the cart with this line).")
                                        if line else "%(code)s: %(problem)s")
                                       % {"code": item.sku.code, "problem": problems[0], "total": total}))
            continue
        if line:
            line.quantity, line.updated_by, line.updated_at = total, actor, now
            updates.append(line)
        else:
            creates.append(CartLine(cart=cart, sku=item.sku, unit_id=item.unit_id, quantity=total, added_by=actor,
                                    updated_by=actor))
    if errors:
        errors.sort(key=lambda e: (e.row, e.field))
        raise QuickOrderInvalid(_("Some lines cannot be ordered; nothing was added to the cart."), errors=errors)
    if len(existing) + len(creates) > MAX_CART_LINES:
        raise QuickOrderInvalid(_("A cart holds at most %(max)s lines.") % {"max": MAX_CART_LINES}, errors=[
            RowError(0, "lines", _("A cart holds at most %(max)s lines.") % {"max": MAX_CART_LINES})])
    CartLine.objects.bulk_create(creates)
    CartLine.objects.bulk_update(updates, ["quantity", "updated_by", "updated_at"])
    Cart.objects.filter(pk=cart.pk).update(updated_at=now, submitted_order=None)  # a new cart to submit
    result.created, result.updated = len(creates), len(updates)
    result.lines = result.created + result.updated
    audit_record(actor=actor, action=f"ordering.cart.{action}", target=cart, after={
        **source, "created": result.created, "updated": result.updated,
        "lines": [[line.sku_id, line.unit_id, line.quantity]
                  for line in [*creates, *updates][:AUDIT_SAMPLE]]})
    return result


# --- use cases ------------------------------------------------------------------------------------------


@transaction.atomic
def cart_quick_add(*, actor, dealer, text: str = "", entries: list[Entry] | None = None) -> Added:
    """Pasted lines (or `entries`) into the dealer's cart, all or nothing."""
    return _quick_add(actor=actor, dealer=dealer, text=text, entries=entries, action="lines_pasted",
                      source={})


def _quick_add(*, actor, dealer, text: str, entries: list[Entry] | None, action: str, source: dict) -> Added:
    errors: list[RowError] = []
    if entries is None:
        entries, errors = parse_lines(text)
    if not entries and not errors:
        raise QuickOrderInvalid(_("Nothing to add."), errors=[RowError(0, "text", _("Paste one product per line, "
                                                                                    "e.g. “RB-250 x 48”."))])
    if len(entries) > MAX_CART_LINES:
        raise QuickOrderInvalid(_("At most %(max)s lines at once.") % {"max": MAX_CART_LINES},
                                errors=[RowError(0, "text",
                                                 _("At most %(max)s lines at once.") % {"max": MAX_CART_LINES})])
    items = entries_resolve(dealer, entries, errors)
    return _add_items(actor=actor, dealer=dealer, items=items, errors=errors, action=action, source=source)


@transaction.atomic
def cart_upload(*, actor, dealer, file, filename: str) -> Added:
    """A CSV/XLSX order into the cart, all or nothing; errors name the spreadsheet rows."""
    entries = parse_upload(file=file, filename=filename)
    try:
        return _quick_add(actor=actor, dealer=dealer, text="", entries=entries, action="uploaded",
                          source={"file": filename[:200]})
    except QuickOrderInvalid as invalid:
        raise QuickOrderInvalid(_("Some rows cannot be ordered; nothing was added to the cart."),
                                errors=invalid.errors, prefix="rows") from None


def _lines_into_cart(*, actor, dealer, lines, action: str, source: dict) -> Added:
    """(sku_id, unit_id, quantity) lines into the cart, leaving out and naming what cannot be ordered now."""
    lines = list(lines)
    skus = {sku.pk: sku for sku in sku_search(dealer=dealer).filter(pk__in={line[0] for line in lines})}
    units = _units_of(list(skus.values()))
    names = dict(Sku.objects.filter(pk__in={line[0] for line in lines} - set(skus)).values_list("pk", "code"))
    items, skipped = [], []
    for ref, (sku_id, unit_id, quantity) in enumerate(lines, start=1):
        sku = skus.get(sku_id)
        if sku is None:
            skipped.append(_("%(code)s: no longer available to your company.") % {"code": names.get(sku_id, sku_id)})
            continue
        match = next((u for u in units[sku_id] if u[0] == unit_id), None)
        if match is None:
            skipped.append(_("%(code)s: no longer sold in that unit.") % {"code": sku.code})
            continue
        items.append(_Item(ref=ref, sku=sku, unit_id=unit_id, factor=match[1], unit_name=match[3], quantity=quantity))
    added = _add_items(actor=actor, dealer=dealer, items=items, errors=None, action=action, source=source)
    added.skipped = skipped + added.skipped
    if not added.lines:
        raise QuickOrderInvalid(_("None of these products can be ordered now."),
                                errors=[RowError(0, "lines", message) for message in added.skipped])
    return added


@transaction.atomic
def order_reorder(*, actor, dealer, order: Order) -> Added:
    """The lines of a past order (not its free gifts) into the cart, at today's prices."""
    if order.dealer_id != dealer.pk:
        raise NotFound(_("No such order."), code="order_not_found")
    lines = order.lines.filter(gift_promotion_id__isnull=True).order_by("line_no").values_list(
        "sku_id", "unit_id", "quantity")
    return _lines_into_cart(actor=actor, dealer=dealer, lines=lines, action="reordered",
                            source={"order": order.number})


def template_get_for(*, dealer, template_id) -> OrderTemplate:
    template = OrderTemplate.objects.filter(dealer=dealer, pk=template_id).first() \
        if str(template_id).isdigit() else None
    if template is None:
        raise NotFound(_("No such order template."), code="template_not_found")
    return template


@transaction.atomic
def template_save(*, actor, dealer, name: str, replace: bool = False) -> OrderTemplate:
    """Save the cart's lines as a template named `name` (`replace`: overwrite the one of that name)."""
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise TemplateInvalid(_("The template could not be saved."),
                              fields={"name": [_("Give a name of up to 100 characters.")]})
    lines = list(CartLine.objects.filter(cart__dealer=dealer).order_by("added_at", "id"))
    if not lines:
        raise TemplateInvalid(_("The cart is empty: add products before saving it as a template."),
                              fields={"lines": [_("The cart is empty.")]})
    template = OrderTemplate.objects.select_for_update().filter(dealer=dealer, name=name).first()
    replaced = template is not None
    if template and not replace:
        raise TemplateInvalid(_("The template could not be saved."), code="template_exists", fields={
            "name": [_("You already have a template called “%(name)s”; choose another name or replace it.")
                     % {"name": name}]})
    if template:
        template.lines.all().delete()
        template.created_by = actor if getattr(actor, "is_authenticated", False) else None
        template.save(update_fields=["created_by", "updated_at"])
    else:
        if OrderTemplate.objects.filter(dealer=dealer).count() >= MAX_TEMPLATES:
            raise TemplateInvalid(_("You have %(max)s templates; delete one first.") % {"max": MAX_TEMPLATES})
        try:
            with transaction.atomic():
                template = OrderTemplate.objects.create(
                    dealer=dealer, name=name, created_by=actor if getattr(actor, "is_authenticated", False) else None)
        except IntegrityError:  # saved by a colleague at the same moment
            raise TemplateInvalid(_("The template could not be saved."), code="template_exists", fields={
                "name": [_("You already have a template called “%(name)s”.") % {"name": name}]}) from None
    OrderTemplateLine.objects.bulk_create([
        OrderTemplateLine(template=template, position=position, sku_id=line.sku_id, unit_id=line.unit_id,
                          quantity=line.quantity) for position, line in enumerate(lines, start=1)])
    audit_record(actor=actor, action="ordering.template.saved", target=template,
                 after={"name": name, "lines": len(lines), "replaced": replaced})
    return template


@transaction.atomic
def template_load(*, actor, dealer, template: OrderTemplate) -> Added:
    """The template's lines into the cart, on top of what is there."""
    if template.dealer_id != dealer.pk:
        raise NotFound(_("No such order template."), code="template_not_found")
    lines = template.lines.order_by("position").values_list("sku_id", "unit_id", "quantity")
    return _lines_into_cart(actor=actor, dealer=dealer, lines=lines, action="template_loaded",
                            source={"template": template.name})


@transaction.atomic
def template_delete(*, actor, dealer, template: OrderTemplate) -> None:
    if template.dealer_id != dealer.pk:
        raise NotFound(_("No such order template."), code="template_not_found")
    audit_record(actor=actor, action="ordering.template.deleted", target=template,
                 before={"name": template.name, "lines": template.lines.count()})
    template.delete()


def order_cancel_by_dealer(*, actor, order: Order, reason: str = "") -> Order:
    """The dealer's cancel: the lifecycle's, refused (409) once the warehouse has started on the order."""
    if actor.dealer_id != order.dealer_id:
        raise NotFound(_("No such order."), code="order_not_found")
    return order_cancel(actor=actor, order=order, reason=(reason or "").strip()[:500] or _("Cancelled by the dealer"),
                        guard=_dealer_may_cancel)


def _dealer_may_cancel(order: Order) -> None:
    """Checked under the order's row lock: the warehouse may have allocated it since the dealer's page was read."""
    if order.status not in DEALER_CANCELLABLE:
        raise IllegalOrderTransition(
            _("Order %(number)s is %(state)s; only the brand can cancel it now: ask your sales contact.")
            % {"number": order.number, "state": order.get_status_display()})
