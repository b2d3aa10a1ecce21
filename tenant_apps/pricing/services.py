"""Write use cases of pricing. Keyword-only, atomic, audited; they raise PricingInvalid with field errors.

A change that may lower what a dealer pays (an entry set lower or removed, a list activated or its dates
changed, an import) runs `protection_compensate` for the SKUs concerned in the same transaction: the
compensation owed to dealers who bought them in a running protection window is recorded there and then.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.audit.services import audit_record
from tenant_apps.catalog.models import Sku, SkuUnit, Unit
from tenant_apps.core.dates import window_errors
from tenant_apps.core.money import quantize, tenant_currency
from tenant_apps.core.ownership import supplier_row_guard
from tenant_apps.dealers.models import Dealer
from tenant_apps.finance.services_rebates import price_protection_credit
from tenant_apps.pricing.engine import price_book_load, pricing_day
from tenant_apps.pricing.errors import BelowResaleFloor, PricingInvalid
from tenant_apps.pricing.floors import records_floor_violations
from tenant_apps.pricing.models import (
    CompensationStatus,
    FloorSource,
    FloorViolation,
    PriceEntry,
    PriceList,
    PriceListKind,
    PriceListStatus,
    ProtectedPrice,
    ProtectionCompensation,
    ProtectionWindow,
    PurchaseRecord,
    ResalePrice,
)
from tenant_apps.pricing.quote_types import CartLine
from tenant_apps.pricing.selectors import dealer_context

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_PRICE = Decimal("9999999999.9999")


def price_parse(value) -> Decimal | None:
    """A price as a Decimal >= 0 with at most 4 decimals and 10 digits before the point; None if not one."""
    if isinstance(value, float):
        value = repr(value)
    try:
        price = Decimal(str(value).strip().replace(",", "")) if value is not None else None
    except (InvalidOperation, ValueError):
        return None
    if price is None or not price.is_finite() or price < 0 or price > MAX_PRICE:
        return None
    if price.as_tuple().exponent < -4 and price != price.quantize(Decimal("0.0001")):
        return None
    return price.quantize(Decimal("0.0001"))


def _sku_has_unit(sku: Sku, unit: Unit) -> bool:
    return unit.pk == sku.base_unit_id or SkuUnit.objects.filter(sku=sku, unit=unit).exists()


def _list_snapshot(price_list: PriceList) -> dict:
    return {
        "code": price_list.code, "name": price_list.name, "kind": price_list.kind, "tier": price_list.tier_id,
        "territory": price_list.territory_id, "dealer": price_list.dealer_id,
        "contract_number": price_list.contract_number, "currency": price_list.currency,
        "valid_from": str(price_list.valid_from), "valid_to": str(price_list.valid_to or ""),
        "status": price_list.status,
    }


def _list_errors(*, kind: str, tier, territory, dealer, contract_number: str, currency: str, valid_from, valid_to,
                 name: str) -> dict:
    errors: dict[str, list[str]] = {}
    if kind not in PriceListKind.values:
        errors["kind"] = [_("Choose base, tier, region, dealer or contract.")]
    if not name:
        errors["name"] = [_("Enter a name.")]
    needs = {PriceListKind.TIER: "tier", PriceListKind.REGION: "territory", PriceListKind.DEALER: "dealer",
             PriceListKind.CONTRACT: "dealer"}.get(kind)
    given = {"tier": tier, "territory": territory, "dealer": dealer}
    for target, value in given.items():
        if target == needs and value is None:
            errors[target] = [_("Required for this kind of list.")]
        elif target != needs and value is not None:
            errors[target] = [_("Not used by this kind of list; leave it empty.")]
    if kind == PriceListKind.CONTRACT and not contract_number:
        errors["contract_number"] = [_("Enter the contract number.")]
    if not CURRENCY.match(currency or ""):
        errors["currency"] = [_("Use a three-letter currency code such as CNY.")]
    if not isinstance(valid_from, date):
        errors["valid_from"] = [_("Enter a date.")]
    elif valid_to is not None and (not isinstance(valid_to, date) or valid_to < valid_from):
        errors["valid_to"] = [_("Must be on or after the start date.")]
    return {**window_errors(valid_from=valid_from, valid_to=valid_to), **errors}


# --- price lists ----------------------------------------------------------------------------------


@transaction.atomic
def price_list_create(*, actor, code: str, name: str, kind: str, tier=None, territory=None, dealer=None,
                      contract_number: str = "", currency: str | None = None, valid_from: date | None = None,
                      valid_to: date | None = None, status: str = PriceListStatus.INACTIVE, owner=None) -> PriceList:
    """A price list in `currency` (None: the brand's). Only lists in a dealer's ordering currency (the
    brand's) price that dealer's quotes. `owner`: a supplier's node (S2B2B: it prices only that supplier's
    sub-dealers; a dealer or contract list names one of them), None for headquarters."""
    code, name, contract_number = (code or "").strip(), (name or "").strip(), (contract_number or "").strip()
    currency = tenant_currency() if currency is None else currency
    valid_from = valid_from or timezone.localdate()
    errors = _list_errors(kind=kind, tier=tier, territory=territory, dealer=dealer, contract_number=contract_number,
                          currency=currency, valid_from=valid_from, valid_to=valid_to, name=name)
    if not CODE.match(code):
        errors["code"] = [_("Use letters, digits, dot, dash or underscore (at most 64).")]
    elif PriceList.objects.filter(code=code).exists():
        errors["code"] = [_("This code is already used.")]
    if status not in PriceListStatus.values:
        errors["status"] = [_("Choose active or inactive.")]
    if owner is not None and dealer is not None and dealer.supplier_id != owner.pk:
        errors["dealer"] = [_("Not one of your sub-dealers.")]
    if errors:
        raise PricingInvalid(_("The price list could not be created."), fields=errors)
    price_list = PriceList.objects.create(
        code=code, name=name, kind=kind, tier=tier, territory=territory, dealer=dealer, owner=owner,
        contract_number=contract_number, currency=currency, valid_from=valid_from, valid_to=valid_to, status=status)
    audit_record(actor=actor, action="pricing.price_list.created", target=price_list, after=_list_snapshot(price_list))
    return price_list


LIST_EDITABLE = ("name", "tier", "territory", "dealer", "contract_number", "valid_from", "valid_to")


@transaction.atomic
def _supplier_guard(actor, price_list: PriceList) -> None:
    """A supplier's list is its own people's to change (core.ownership): headquarters' staff get a 403."""
    supplier_row_guard(actor, price_list.owner_id, _(
        "Price list %(code)s belongs to a supplier: only the supplier's own people change it, on their supplier "
        "console. Headquarters can read it.") % {"code": price_list.code})


def price_list_update(*, actor, price_list: PriceList, **changes) -> PriceList:
    """Change a list's name, target, contract number or validity (the kind, code and currency stay)."""
    unknown = sorted(set(changes) - set(LIST_EDITABLE))
    _supplier_guard(actor, price_list)
    price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
    before = _list_snapshot(price_list)
    values = {field: getattr(price_list, field) for field in LIST_EDITABLE}
    values.update(changes)
    values["name"] = (values["name"] or "").strip()
    values["contract_number"] = (values["contract_number"] or "").strip()
    errors = {field: [_("Not editable.")] for field in unknown}
    errors.update(_list_errors(kind=price_list.kind, currency=price_list.currency, **values))
    if errors:
        raise PricingInvalid(_("The price list could not be saved."), fields=errors)
    for field, value in values.items():
        setattr(price_list, field, value)
    price_list.save()
    after = _list_snapshot(price_list)
    if after != before:
        audit_record(actor=actor, action="pricing.price_list.updated", target=price_list, before=before, after=after)
        if price_list.status == PriceListStatus.ACTIVE:
            _compensate_list(actor=actor, price_list=price_list, reason=_("Price list %(code)s changed")
                             % {"code": price_list.code})
    return price_list


@transaction.atomic
def price_list_status_set(*, actor, price_list: PriceList, status: str) -> PriceList:
    """Activate or deactivate a list (activating may lower prices: protection compensation follows)."""
    if status not in PriceListStatus.values:
        raise PricingInvalid(_("Choose active or inactive."), fields={"status": [_("Choose active or inactive.")]})
    _supplier_guard(actor, price_list)
    price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
    if price_list.status == status:
        return price_list
    before = price_list.status
    price_list.status = status
    price_list.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action=f"pricing.price_list.{'activated' if status == 'active' else 'deactivated'}",
                 target=price_list, before={"status": before}, after={"status": status})
    _compensate_list(actor=actor, price_list=price_list, reason=_("Price list %(code)s %(status)s") % {
        "code": price_list.code, "status": PriceListStatus(status).label})
    return price_list


def _compensate_list(*, actor, price_list: PriceList, reason: str) -> None:
    if price_list.owner_id is not None:  # protection windows are headquarters': a supplier's list owes nothing
        return
    sku_ids = PriceEntry.objects.filter(price_list=price_list).values_list("sku_id", flat=True).distinct()
    protection_compensate(actor=actor, sku_ids=list(sku_ids), reason=reason, currency=price_list.currency)


# --- entries --------------------------------------------------------------------------------------


@records_floor_violations
@transaction.atomic
def price_entry_set(*, actor, price_list: PriceList, sku: Sku, unit: Unit, price, min_quantity: int = 1) -> PriceEntry:
    """Set the price of `unit` of `sku` from `min_quantity` on in the list (made or changed). On a supplier's list,
    a price below the SKU's floor is refused (BelowResaleFloor, 400 on `price`) and the attempt is kept."""
    _supplier_guard(actor, price_list)
    parsed = price_parse(price)
    errors = {}
    if parsed is None:
        errors["price"] = [_("Enter a price of 0 or more, with at most 4 decimals.")]
    if not isinstance(min_quantity, int) or isinstance(min_quantity, bool) or min_quantity < 1:
        errors["min_quantity"] = [_("Must be a whole number of at least 1.")]
    if not _sku_has_unit(sku, unit):
        errors["unit"] = [_("This SKU is not sold in this unit.")]
    violation = None
    if errors.get("unit") is None and parsed is not None and price_list.owner_id is not None:
        violation = _below_floor(actor=actor, price_list=price_list, sku=sku, unit=unit, price=parsed)
    if violation is not None:
        errors["price"] = [_("%(sku)s may not be resold below its minimum resale price of %(floor)s per %(unit)s.")
                           % {"sku": sku.code, "floor": f"{violation.floor:.2f}", "unit": unit.name}]
        raise BelowResaleFloor(_("The price could not be saved."), fields=errors, violations=[violation])
    if errors:
        raise PricingInvalid(_("The price could not be saved."), fields=errors)
    entry = (PriceEntry.objects.select_for_update()
             .filter(price_list=price_list, sku=sku, unit=unit, min_quantity=min_quantity).first())
    before = {"price": str(entry.price)} if entry else {}
    if entry is None:
        entry = PriceEntry.objects.create(price_list=price_list, sku=sku, unit=unit, min_quantity=min_quantity,
                                          price=parsed)
    elif entry.price != parsed:
        entry.price = parsed
        entry.save(update_fields=["price", "updated_at"])
    else:
        return entry
    audit_record(actor=actor, action="pricing.price_entry.set", target=entry, before=before, after={
        "list": price_list.code, "sku": sku.code, "unit": unit.code, "min_quantity": min_quantity,
        "price": str(parsed)})
    if price_list.owner_id is not None:  # a supplier's list: protection windows are headquarters' own
        return entry
    if before and Decimal(before["price"]) > parsed and price_list.status == PriceListStatus.ACTIVE:
        protection_compensate(actor=actor, sku_ids=[sku.pk], reason=_("Price of %(sku)s lowered in %(list)s") % {
            "sku": sku.code, "list": price_list.code}, currency=price_list.currency)
    elif not before and price_list.status == PriceListStatus.ACTIVE:
        protection_compensate(actor=actor, sku_ids=[sku.pk], reason=_("Price of %(sku)s added to %(list)s") % {
            "sku": sku.code, "list": price_list.code}, currency=price_list.currency)
    return entry


def resale_floor(*, sku: Sku, currency: str, on: date | None = None) -> Decimal | None:
    """The minimum resale price of one base unit of `sku` in force on `on` (today), or None."""
    return (ResalePrice.objects.filter(sku=sku, currency=currency, valid_from__lte=on or timezone.localdate())
            .order_by("-valid_from").values_list("price", flat=True).first())


def _below_floor(*, actor, price_list: PriceList, sku: Sku, unit: Unit, price: Decimal) -> FloorViolation | None:
    """乱价: a supplier reselling to its sub-dealers may not go below the brand's minimum resale price. The attempt
    (unsaved) when `price` is below it, else None."""
    floor = resale_floor(sku=sku, currency=price_list.currency)
    if floor is None:
        return None
    factor = 1 if unit.pk == sku.base_unit_id else (
        SkuUnit.objects.filter(sku=sku, unit=unit).values_list("factor", flat=True).first() or 1)
    if price >= floor * factor:
        return None
    return FloorViolation(supplier_id=price_list.owner_id, actor=actor if getattr(actor, "pk", None) else None,
                          sku=sku, unit=unit, attempted_price=price, floor=floor * factor,
                          currency=price_list.currency, source=FloorSource.PRICE_LIST, source_id=price_list.pk,
                          source_ref=f"{price_list.code} {price_list.name}"[:300])


@transaction.atomic
def price_entry_delete(*, actor, entry: PriceEntry) -> None:
    entry = PriceEntry.objects.select_related("price_list", "sku", "unit").get(pk=entry.pk)
    _supplier_guard(actor, entry.price_list)
    snapshot = {"list": entry.price_list.code, "sku": entry.sku.code, "unit": entry.unit.code,
                "min_quantity": entry.min_quantity, "price": str(entry.price)}
    audit_record(actor=actor, action="pricing.price_entry.deleted", target=entry, before=snapshot)
    price_list, sku = entry.price_list, entry.sku
    entry.delete()
    if price_list.status == PriceListStatus.ACTIVE and price_list.owner_id is None:
        protection_compensate(actor=actor, sku_ids=[sku.pk], reason=_("Price of %(sku)s removed from %(list)s") % {
            "sku": sku.code, "list": price_list.code}, currency=price_list.currency)


# --- resale floors (MAP) --------------------------------------------------------------------------


@transaction.atomic
def resale_price_set(*, actor, sku: Sku, price, valid_from: date | None = None,
                     currency: str | None = None) -> ResalePrice:
    """The lowest price a dealer may resell `sku` at from `valid_from`, in `currency` (None: the brand's)."""
    currency = tenant_currency() if currency is None else currency
    parsed = price_parse(price)
    valid_from = valid_from or timezone.localdate()
    errors = window_errors(valid_from=valid_from)
    if parsed is None:
        errors["price"] = [_("Enter a price of 0 or more, with at most 4 decimals.")]
    if not CURRENCY.match(currency or ""):
        errors["currency"] = [_("Use a three-letter currency code such as CNY.")]
    if not isinstance(valid_from, date):
        errors["valid_from"] = [_("Enter a date.")]
    if errors:
        raise PricingInvalid(_("The minimum resale price could not be saved."), fields=errors)
    row, created = ResalePrice.objects.select_for_update().get_or_create(
        sku=sku, currency=currency, valid_from=valid_from, defaults={"price": parsed})
    before = {} if created else {"price": str(row.price)}
    if not created:
        row.price = parsed
        row.save(update_fields=["price"])
    audit_record(actor=actor, action="pricing.resale_price.set", target=row, before=before,
                 after={"sku": sku.code, "price": str(parsed), "valid_from": str(valid_from), "currency": currency})
    return row


# --- price protection -----------------------------------------------------------------------------


@transaction.atomic
def protection_window_create(*, actor, name: str, starts_on: date, ends_on: date, dealer: Dealer | None = None,
                             skus: Iterable[Sku] = (), prices: Iterable[tuple[Sku, Unit, object]] = (),
                             currency: str | None = None) -> ProtectionWindow:
    """A protection window for `dealer` (None: all dealers) and `skus` (empty: all), with protected prices
    as (sku, unit, price) in `currency` (None: the brand's) that hold for the covered dealers in the window."""
    currency = tenant_currency() if currency is None else currency
    name = (name or "").strip()
    skus, prices = list(skus), list(prices)
    errors: dict[str, list[str]] = window_errors(starts_on=starts_on, ends_on=ends_on)
    if not name:
        errors["name"] = [_("Enter a name.")]
    if not isinstance(starts_on, date) or not isinstance(ends_on, date):
        errors["starts_on"] = [_("Enter the first and the last day.")]
    elif ends_on < starts_on:
        errors["ends_on"] = [_("Must be on or after the first day.")]
    if not CURRENCY.match(currency or ""):
        errors["currency"] = [_("Use a three-letter currency code such as CNY.")]
    price_errors = _protected_price_errors(skus=skus, prices=prices)
    if price_errors:
        errors["prices"] = price_errors
    if errors:
        raise PricingInvalid(_("The protection window could not be created."), fields=errors)
    window = ProtectionWindow.objects.create(name=name, dealer=dealer, starts_on=starts_on, ends_on=ends_on,
                                             currency=currency)
    window.skus.set(skus)
    ProtectedPrice.objects.bulk_create([ProtectedPrice(window=window, sku=sku, unit=unit, price=price_parse(price))
                                        for sku, unit, price in prices])
    audit_record(actor=actor, action="pricing.protection_window.created", target=window, after={
        "name": name, "dealer": dealer.code if dealer else None, "starts_on": str(starts_on), "ends_on": str(ends_on),
        "skus": sorted(sku.code for sku in skus),
        "prices": [[sku.code, unit.code, str(price_parse(price))] for sku, unit, price in prices]})
    return window


def _protected_price_errors(*, skus: list[Sku], prices: list) -> list[str]:
    errors = []
    seen = set()
    covered = {sku.pk for sku in skus}
    units = {(row.sku_id, row.unit_id) for row in SkuUnit.objects.filter(sku__in=[p[0] for p in prices])}
    for sku, unit, price in prices:
        if price_parse(price) is None:
            errors.append(_("%(sku)s: enter a price of 0 or more.") % {"sku": sku.code})
        if unit.pk != sku.base_unit_id and (sku.pk, unit.pk) not in units:
            errors.append(_("%(sku)s is not sold in %(unit)s.") % {"sku": sku.code, "unit": unit.name})
        if covered and sku.pk not in covered:
            errors.append(_("%(sku)s is not one of the window's SKUs.") % {"sku": sku.code})
        if (sku.pk, unit.pk) in seen:
            errors.append(_("%(sku)s appears twice.") % {"sku": sku.code})
        seen.add((sku.pk, unit.pk))
    return errors


@transaction.atomic
def purchase_record(*, dealer: Dealer, sku_id: int, unit_id: int, quantity: int, unit_price,
                    bought_at: datetime | None = None, reference: str = "",
                    currency: str | None = None) -> PurchaseRecord:
    """What a dealer bought, at what price per unit in `currency` (the order's; None: the brand's). Not audited
    on its own: the order that causes it is (submission writes its purchases with the order)."""
    currency = tenant_currency() if currency is None else currency
    parsed = price_parse(unit_price)
    errors = {}
    if parsed is None:
        errors["unit_price"] = [_("Enter a price of 0 or more, with at most 4 decimals.")]
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        errors["quantity"] = [_("Must be a whole number of at least 1.")]
    if errors:
        raise PricingInvalid(_("The purchase could not be recorded."), fields=errors)
    return PurchaseRecord.objects.create(dealer=dealer, sku_id=sku_id, unit_id=unit_id, quantity=quantity,
                                         unit_price=parsed, bought_at=bought_at or timezone.now(),
                                         reference=(reference or "")[:100], currency=currency)


def protection_compensate(*, actor, sku_ids: Iterable[int], reason: str = "", at: datetime | None = None,
                          currency: str | None = None) -> list[ProtectionCompensation]:
    """Record what is owed because prices of `sku_ids` went down while a protection window runs.

    In `currency` (the changed list's): windows, purchases and prices in that currency only; None (an import
    that may touch lists in several): each currency a running window is in, one after the other.

    For every purchase of those SKUs made in a window running now (by a dealer the window covers, in the
    window's days so far): the dealer's price now, without protection, for that unit and quantity; if it is
    below the basis (the price paid, or the lowest new price already compensated for this purchase), then
    (basis - new price) x quantity is owed, rounded half up to the currency's minor unit. A purchase covered
    by several windows is compensated once (a dealer's own window first, then the earliest). Idempotent:
    running it again without a further cut records nothing.

    Costs one query when no window runs for these SKUs; otherwise one read of the purchases and one price
    book per dealer concerned. Call it inside the transaction of the price change."""
    at = at or timezone.now()
    day = pricing_day(at)
    sku_ids = sorted(set(sku_ids))
    if not sku_ids:
        return []
    window_skus = ProtectionWindow.skus.through.objects
    windows = ProtectionWindow.objects.filter(starts_on__lte=day, ends_on__gte=day)
    if currency is not None:
        windows = windows.filter(currency=currency)
    windows = list(windows.filter(
        ~Exists(window_skus.filter(protectionwindow_id=OuterRef("pk")))
        | Exists(window_skus.filter(protectionwindow_id=OuterRef("pk"), sku_id__in=sku_ids))
    ).prefetch_related("skus").order_by("dealer_id", "starts_on", "pk"))
    made = []
    for code in sorted({window.currency for window in windows}):
        made += _compensate(actor=actor, windows=[w for w in windows if w.currency == code], sku_ids=sku_ids,
                            reason=reason, at=at, currency=code)
    return made


def _compensate(*, actor, windows: list[ProtectionWindow], sku_ids: list[int], reason: str, at: datetime,
                currency: str) -> list[ProtectionCompensation]:
    """protection_compensate for the running windows in one currency."""
    day = pricing_day(at)
    purchases: dict[int, tuple[PurchaseRecord, ProtectionWindow]] = {}
    condition = Q()
    for window in windows:
        covered = {sku.pk for sku in window.skus.all()}
        skus = [sku_id for sku_id in sku_ids if not covered or sku_id in covered]
        part = Q(sku_id__in=skus, bought_at__date__gte=window.starts_on, bought_at__date__lte=day)
        if window.dealer_id:
            part &= Q(dealer_id=window.dealer_id)
        condition |= part
    rows = list(PurchaseRecord.objects.filter(condition, currency=currency).select_related("dealer")
                .order_by("dealer_id", "pk"))
    # The window that compensates each purchase: the dealer's own, then the earliest start.
    ordered = sorted(windows, key=lambda w: (w.dealer_id is None, w.starts_on, w.pk))
    covers = {w.pk: {sku.pk for sku in w.skus.all()} for w in windows}
    for purchase in rows:
        for window in ordered:
            if (window.dealer_id in (None, purchase.dealer_id)
                    and (not covers[window.pk] or purchase.sku_id in covers[window.pk])
                    and window.starts_on <= pricing_day(purchase.bought_at) <= day):
                purchases[purchase.pk] = (purchase, window)
                break
    if not purchases:
        return []
    previous: dict[int, Decimal] = {}
    for purchase_id, price_after in ProtectionCompensation.objects.filter(purchase_id__in=list(purchases)).values_list(
            "purchase_id", "price_after"):
        previous[purchase_id] = min(price_after, previous.get(purchase_id, price_after))
    made = []
    by_dealer: dict[int, list[tuple[PurchaseRecord, ProtectionWindow]]] = {}
    for purchase, window in purchases.values():
        by_dealer.setdefault(purchase.dealer_id, []).append((purchase, window))
    for dealer_id in sorted(by_dealer):
        items = by_dealer[dealer_id]
        dealer = items[0][0].dealer
        book = price_book_load(dealer_context(dealer, at, currency=currency), {p.sku_id for p, _w in items})
        for purchase, window in items:
            now = book.price(CartLine(sku_id=purchase.sku_id, unit_id=purchase.unit_id, quantity=purchase.quantity),
                             0, protection=False, visible_only=False)
            if now is None:
                continue
            basis = min(purchase.unit_price, previous.get(purchase.pk, purchase.unit_price))
            amount = quantize((basis - now.unit_price) * purchase.quantity, currency)
            if amount <= 0:
                continue
            made.append(ProtectionCompensation(
                window=window, purchase=purchase, dealer_id=dealer_id, sku_id=purchase.sku_id, unit_id=purchase.unit_id,
                quantity=purchase.quantity, price_before=basis, price_after=now.unit_price, amount=amount,
                currency=currency, reason=(reason or "")[:200]))
    ProtectionCompensation.objects.bulk_create(made)
    for compensation in made:
        audit_record(actor=actor, action="pricing.compensation.owed", target=compensation, after={
            "window": compensation.window_id, "dealer": compensation.dealer_id, "sku": compensation.sku_id,
            "quantity": compensation.quantity, "price_before": str(compensation.price_before),
            "price_after": str(compensation.price_after), "amount": str(compensation.amount),
            "reason": compensation.reason})
    return made


@transaction.atomic
def compensation_book(*, actor, compensation: ProtectionCompensation) -> ProtectionCompensation:
    """Book what is owed: credited to the dealer's balance by finance (EntryKind.PRICE_PROTECTION, reference
    PP-<id>) and the compensation moves from owed to booked, in one transaction under the compensation's row
    lock. Once: a booked compensation is returned as it is (and finance refuses a second credit of the same
    reference)."""
    locked = ProtectionCompensation.objects.select_for_update(of=("self",)).select_related("dealer", "sku").get(
        pk=compensation.pk)
    if locked.status == CompensationStatus.BOOKED:
        return locked
    entry = price_protection_credit(
        actor=actor, dealer=locked.dealer, amount=locked.amount, currency=locked.currency,
        reference=f"PP-{locked.pk}",
        reason=_("Price protection %(sku)s x %(quantity)s") % {"sku": locked.sku.code, "quantity": locked.quantity})
    locked.status = CompensationStatus.BOOKED
    locked.save(update_fields=["status"])
    audit_record(actor=actor, action="pricing.compensation.booked", target=locked, dealer_id=locked.dealer_id,
                 before={"status": CompensationStatus.OWED},
                 after={"status": locked.status, "amount": str(locked.amount), "entry": entry.pk})
    return locked
