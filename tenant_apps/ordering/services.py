"""Write use cases of the cart: keyword-only, atomic, field errors, nothing half written.

Quantities are in the unit the dealer orders in (the SKU's base unit or one of its packaging units); the
SKU's minimum order quantity and step are in base units, so 2 cases of 24 cans meet a minimum of 48 cans
and a step of 24. A line may only hold a SKU the dealer can see and that is on sale.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from tenant_apps.audit.services import audit_record
from tenant_apps.catalog.models import Sku, SkuUnit
from tenant_apps.catalog.selectors import sku_search
from tenant_apps.core.errors import NotFound, ValidationFailed
from tenant_apps.ordering.errors import CartInvalid, ErpReferenceConflict
from tenant_apps.ordering.models import Cart, CartLine, Order, OrderingSettings, ShortagePolicy
from tenant_apps.pricing.quote_types import CartLine as QuoteInput
from tenant_apps.pricing.quote_types import Quote
from tenant_apps.quoting.quote import quote_cart

MAX_CART_LINES = 2000
MAX_QUANTITY = 1_000_000
MAX_COUPONS = 5




def cart_for(dealer) -> Cart:
    cart, _created = Cart.objects.get_or_create(dealer=dealer)
    return cart


def _orderable_sku(dealer, sku_id) -> Sku:
    sku = sku_search(dealer=dealer).filter(pk=sku_id).first() if str(sku_id).isdigit() else None
    if sku is None:
        raise NotFound(_("This product is not available to your company."), code="sku_not_available")
    return sku


def _unit(sku: Sku, unit_id: int) -> tuple[int | None, str]:
    """(base units in one, unit name) of `unit_id` for `sku`, in at most one query; (None, "") if not sold so."""
    if unit_id == sku.base_unit_id:
        return 1, sku.base_unit.name
    row = SkuUnit.objects.filter(sku=sku, unit_id=unit_id).values_list("factor", "unit__name").first()
    return row if row else (None, "")


def quantity_errors(sku: Sku, quantity, factor: int, unit_name: str) -> list[str]:
    """What is wrong with ordering `quantity` units of `factor` base units of `sku` (empty: nothing); `sku`
    may also be the price book's SkuMeta (min_order_qty, order_step, base_unit_name)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1 or quantity > MAX_QUANTITY:
        return [_("Enter a whole number from 1 to %(max)s.") % {"max": f"{MAX_QUANTITY:,}"}]
    base = quantity * factor
    base_unit = sku.base_unit_name
    if base < sku.min_order_qty:
        return [_("The minimum order is %(qty)s %(unit)s.") % {"qty": sku.min_order_qty, "unit": base_unit}]
    if base % sku.order_step:
        return [_("Order in steps of %(step)s %(unit)s (%(asked)s %(unit)s asked in %(ordered)s).")
                % {"step": sku.order_step, "unit": base_unit, "asked": base, "ordered": unit_name}]
    return []


@transaction.atomic
def cart_line_set(*, actor, dealer, sku_id, unit_id=None, quantity, add: bool = False) -> CartLine | None:
    """Put `quantity` of a SKU (in `unit_id`, default its base unit) in the dealer's cart, or add it to
    what is there (`add`). A quantity of 0 without `add` removes the line. Returns the line (None if removed)."""
    sku = _orderable_sku(dealer, sku_id)
    unit_id = sku.base_unit_id if unit_id in (None, "") else unit_id
    try:
        unit_id = int(unit_id)
    except (TypeError, ValueError):
        raise CartInvalid(_("The line could not be saved."), fields={"unit": [_("Choose a unit.")]}) from None
    factor, unit_name = _unit(sku, unit_id)
    if factor is None:
        raise CartInvalid(_("The line could not be saved."),
                          fields={"unit": [_("This product is not sold in that unit.")]})
    cart = Cart.objects.select_for_update().get(pk=cart_for(dealer).pk)  # one writer per cart at a time
    line = CartLine.objects.filter(cart=cart, sku=sku, unit_id=unit_id).first()
    if quantity == 0 and not add:
        if line:
            _line_recorded(actor=actor, cart=cart, sku_id=sku.pk, unit_id=unit_id, before=line.quantity,
                           after=0)
            line.delete()
        return None
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise CartInvalid(_("The line could not be saved."), fields={
            "quantity": [_("Enter a whole number from 1 to %(max)s.") % {"max": f"{MAX_QUANTITY:,}"}]})
    total = (line.quantity if line and add else 0) + quantity
    errors = quantity_errors(sku, total, factor, unit_name)
    if errors:
        raise CartInvalid(_("The line could not be saved."), fields={"quantity": errors})
    if line is None:
        if cart.lines.count() >= MAX_CART_LINES:
            raise CartInvalid(_("A cart holds at most %(max)s lines.") % {"max": MAX_CART_LINES})
        if cart.submitted_order_id is not None:  # a new cart to submit
            Cart.objects.filter(pk=cart.pk).update(submitted_order=None)
        _line_recorded(actor=actor, cart=cart, sku_id=sku.pk, unit_id=unit_id, before=0, after=total)
        return CartLine.objects.create(cart=cart, sku=sku, unit_id=unit_id, quantity=total, added_by=actor,
                                       updated_by=actor)
    _line_recorded(actor=actor, cart=cart, sku_id=sku.pk, unit_id=unit_id, before=line.quantity, after=total)
    line.quantity, line.updated_by = total, actor
    line.save(update_fields=["quantity", "updated_by", "updated_at"])
    return line


def _line_recorded(*, actor, cart: Cart, sku_id: int, unit_id: int, before: int, after: int) -> None:
    """One compact entry per cart change: the SKU, the unit and the quantity before and after."""
    audit_record(actor=actor, action="ordering.cart.line_set", target=cart,
                 before={"sku": sku_id, "unit": unit_id, "quantity": before},
                 after={"sku": sku_id, "unit": unit_id, "quantity": after})


@transaction.atomic
def cart_line_remove(*, actor, dealer, line_id) -> None:
    line = CartLine.objects.select_related("cart").filter(cart__dealer=dealer, pk=line_id).first() \
        if str(line_id).isdigit() else None
    if line is None or not CartLine.objects.filter(pk=line.pk).delete()[0]:
        raise NotFound(_("This line is no longer in the cart."), code="cart_line_not_found")
    _line_recorded(actor=actor, cart=line.cart, sku_id=line.sku_id, unit_id=line.unit_id,
                   before=line.quantity, after=0)


@transaction.atomic
def cart_clear(*, actor, dealer) -> None:
    cart = cart_for(dealer)
    removed, _rows = CartLine.objects.filter(cart=cart).delete()
    Cart.objects.filter(pk=cart.pk).update(coupon_codes=[])
    audit_record(actor=actor, action="ordering.cart.cleared", target=cart,
                 before={"lines": removed, "coupon_codes": cart.coupon_codes},
                 after={"lines": 0, "coupon_codes": []})


@transaction.atomic
def cart_coupons_set(*, actor, dealer, codes) -> Cart:
    """Keep up to MAX_COUPONS codes on the cart (upper-cased, unique). Whether a code is valid is the
    quote's business: an unknown or used-up code is a note on the quote, never an error here."""
    cleaned = []
    for code in codes:
        code = (code or "").strip().upper()
        if code and code not in cleaned:
            cleaned.append(code)
    if len(cleaned) > MAX_COUPONS or any(len(code) > 40 for code in cleaned):
        raise CartInvalid(
            _("The coupons could not be applied."),
            fields={"coupon_codes": [_("At most %(n)s codes of up to 40 characters.") % {"n": MAX_COUPONS}]})
    cart = cart_for(dealer)
    before = list(cart.coupon_codes)
    cart.coupon_codes = cleaned
    cart.save(update_fields=["coupon_codes", "updated_at"])
    audit_record(actor=actor, action="ordering.cart.coupons_set", target=cart,
                 before={"coupon_codes": before}, after={"coupon_codes": cleaned})
    return cart


@dataclass(frozen=True)
class PricedCart:
    cart: Cart
    lines: list[CartLine]  # in cart order; quote line `index` i is lines[i]
    quote: Quote


def cart_quote(*, dealer, at=None) -> PricedCart:
    """The dealer's cart with its quote: three queries for the cart, then the quote's own (constant)."""
    cart = cart_for(dealer)
    lines = list(CartLine.objects.filter(cart=cart).select_related(
        "sku", "sku__product", "sku__base_unit", "unit", "added_by", "updated_by"))
    quote = quote_cart(dealer=dealer, lines=[QuoteInput(sku_id=line.sku_id, unit_id=line.unit_id,
                                                        quantity=line.quantity) for line in lines],
                       at=at, coupon_codes=cart.coupon_codes)
    return PricedCart(cart=cart, lines=lines, quote=quote)


@transaction.atomic
def ordering_settings_update(*, actor, shortage_policy: str | None = None, auto_complete_days: int | None = None,
                             confirm_on_behalf: bool | None = None,
                             confirm_on_behalf_days: int | None = None) -> OrderingSettings:
    """The brand's ordering rules: what happens when stock is short, when delivered orders complete, whether a
    dealer confirms the orders placed on its behalf before they go to approval, and after how many days an
    unconfirmed one is cancelled (ordering.on_behalf)."""
    settings = OrderingSettings.objects.select_for_update().order_by("pk").first() or OrderingSettings()
    before = {"shortage_policy": settings.shortage_policy, "auto_complete_days": settings.auto_complete_days,
              "confirm_on_behalf": settings.confirm_on_behalf,
              "confirm_on_behalf_days": settings.confirm_on_behalf_days}
    errors = {}
    if shortage_policy is not None and shortage_policy not in ShortagePolicy.values:
        errors["shortage_policy"] = [_("Choose refuse, backorder or reduce.")]
    if auto_complete_days is not None and (isinstance(auto_complete_days, bool) or not isinstance(
            auto_complete_days, int) or not 0 <= auto_complete_days <= 365):
        errors["auto_complete_days"] = [_("Enter a whole number of days from 0 (never) to 365.")]
    if confirm_on_behalf is not None and not isinstance(confirm_on_behalf, bool):
        errors["confirm_on_behalf"] = [_("Choose yes or no.")]
    if confirm_on_behalf_days is not None and (isinstance(confirm_on_behalf_days, bool) or not isinstance(
            confirm_on_behalf_days, int) or not 0 <= confirm_on_behalf_days <= 365):
        errors["confirm_on_behalf_days"] = [_("Enter a whole number of days from 0 (never) to 365.")]
    if errors:
        raise ValidationFailed(_("The ordering settings could not be saved."), fields=errors)
    if confirm_on_behalf is not None:
        settings.confirm_on_behalf = confirm_on_behalf
    if confirm_on_behalf_days is not None:
        settings.confirm_on_behalf_days = confirm_on_behalf_days
    if shortage_policy is not None:
        settings.shortage_policy = shortage_policy
    if auto_complete_days is not None:
        settings.auto_complete_days = auto_complete_days
    settings.save()
    audit_record(actor=actor, action="ordering.settings.updated", target=settings, before=before,
                 after={"shortage_policy": settings.shortage_policy, "auto_complete_days": settings.auto_complete_days,
                        "confirm_on_behalf": settings.confirm_on_behalf,
                        "confirm_on_behalf_days": settings.confirm_on_behalf_days})
    return settings


@transaction.atomic
def order_erp_acknowledge(*, actor, order: Order, erp_order_number: str) -> tuple[Order, bool]:
    """The ERP's own number written onto the order, once: (the order, whether it changed). The same number again
    changes nothing; another number is refused (409) and the first stays."""
    number = erp_order_number.strip() if isinstance(erp_order_number, str) else ""
    if not number or len(number) > 64:
        raise ValidationFailed(_("The acknowledgement could not be saved."),
                               fields={"erp_order_number": [_("Enter the ERP's order number (at most 64 "
                                                              "characters).")]})
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if locked.erp_order_number == number:
        return locked, False
    if locked.erp_order_number:
        raise ErpReferenceConflict(_("Order %(number)s was already acknowledged as %(erp)s.")
                                   % {"number": locked.number, "erp": locked.erp_order_number})
    locked.erp_order_number = number
    locked.save(update_fields=["erp_order_number", "updated_at"])
    audit_record(actor=actor, action="ordering.order.erp_acknowledged", target=locked,
                 before={"erp_order_number": ""}, after={"erp_order_number": number})
    return locked, True
