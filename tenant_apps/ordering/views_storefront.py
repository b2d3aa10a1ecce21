"""Dealer storefront: the shared cart with its quote, line by line."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tenant_apps.accounts.permissions import CART_EDIT
from tenant_apps.catalog.models import Sku
from tenant_apps.core.access import requires
from tenant_apps.core.errors import DomainError
from tenant_apps.ordering import services


def _dealer(request):
    if request.user.dealer_id is None:
        raise PermissionDenied
    return request.user.dealer


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _error_message(error: DomainError) -> str:
    details = [message for messages_ in error.fields.values() for message in messages_]
    return " ".join([str(error.detail), *details])


@requires(CART_EDIT)
@require_http_methods(["GET", "POST"])
def cart_page(request):
    dealer = _dealer(request)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "quantity":
                line = dealer.cart.lines.filter(pk=_int(request.POST.get("line"))).first() \
                    if hasattr(dealer, "cart") else None
                if line is None:
                    raise services.NotFound(_("This line is no longer in the cart."))
                services.cart_line_set(actor=request.user, dealer=dealer, sku_id=line.sku_id, unit_id=line.unit_id,
                                       quantity=_int(request.POST.get("quantity")))
            elif action == "remove":
                services.cart_line_remove(actor=request.user, dealer=dealer, line_id=_int(request.POST.get("line")))
            elif action == "coupons":
                services.cart_coupons_set(actor=request.user, dealer=dealer,
                                          codes=request.POST.get("coupon_codes", "").replace(",", " ").split())
            elif action == "clear":
                services.cart_clear(actor=request.user, dealer=dealer)
            else:
                raise services.CartInvalid(_("Unknown action."))
            return redirect("cart:cart")
        except DomainError as error:
            messages.error(request, _error_message(error))
            status = error.status
    priced = services.cart_quote(dealer=dealer)
    quote = priced.quote
    by_index = {line.priced.index: line for line in quote.lines}
    names = {promotion.promotion_id: promotion.name for promotion in quote.promotions}
    rows = []
    for index, line in enumerate(priced.lines):
        quoted = by_index.get(index)
        rows.append({"line": line, "quoted": quoted,
                     "discounts": [(names.get(pid, ""), amount) for pid, amount in quoted.discounts] if quoted else []})
    gift_skus = Sku.objects.in_bulk({gift.sku_id for gift in quote.gifts})
    return render(request, "ordering/cart.html", {
        "gifts": [(gift, gift_skus.get(gift.sku_id)) for gift in quote.gifts],
        "cart": priced.cart, "rows": rows, "quote": quote, "unpriced": bool(quote.unpriced),
        "coupon_codes": " ".join(priced.cart.coupon_codes),
    }, status=status)


@requires(CART_EDIT)
@require_POST
def cart_add(request):
    """Add to cart from a product page: back where the dealer came from, with a message either way."""
    dealer = _dealer(request)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    try:
        line = services.cart_line_set(actor=request.user, dealer=dealer, sku_id=request.POST.get("sku"),
                                      unit_id=request.POST.get("unit") or None,
                                      quantity=_int(request.POST.get("quantity")), add=True)
        messages.success(request, _("Added to the cart: %(name)s, now %(qty)s %(unit)s.")
                         % {"name": line.sku.name, "qty": line.quantity, "unit": line.unit.name})
    except DomainError as error:
        messages.error(request, _error_message(error))
        if not back:
            return redirect("cart:cart")
    return redirect(back or "cart:cart")
