"""Dealer storefront (mobile first): the replenishment suggestions with their reasons, into the cart in one tap
(all due lines) or line by line, quantities editable; the dealer's safety stocks and its sell-out upload. Thin:
reads through the selectors, writes through the services (the cart through ordering's cart services)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import CART_EDIT
from tenant_apps.catalog.selectors import sku_search
from tenant_apps.core.errors import DomainError
from tenant_apps.replenishment import selectors, services


def _dealer(request):
    if request.user.dealer_id is None:
        raise PermissionDenied
    return request.user.dealer


def error_text(error: DomainError) -> str:
    details = [message for messages_ in error.fields.values() for message in messages_]
    return " ".join([str(error.detail), *details[:5]])


def _quantity(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 9 else None


@requires(CART_EDIT)
@require_http_methods(["GET", "POST"])
def suggestions_page(request):
    dealer = _dealer(request)
    if request.method == "POST":
        which = request.POST.get("add", "")
        wanted = [sku for sku in request.POST.getlist("sku") if sku.isdigit()]
        if which != "all":
            wanted = [which] if which.isdigit() else []
        quantities, bad = {}, False
        for sku in wanted:
            quantity = _quantity(request.POST.get(f"q_{sku}"))
            bad = bad or quantity is None
            quantities[int(sku)] = quantity or 0
        try:
            if bad or not quantities:
                messages.error(request, _("Enter whole quantities, zero or more."))
            else:
                added = services.suggestions_to_cart(actor=request.user, dealer=dealer, quantities=quantities)
                messages.success(request, _("Added to the cart: %(n)s lines.") % {"n": added.lines})
                if which == "all":
                    return redirect("cart:cart")
                return redirect("replenishment:suggestions")
        except DomainError as error:
            messages.error(request, error_text(error))
    return render(request, "replenishment/suggestions.html", {"s": selectors.suggestions_for(dealer=dealer)})


@requires(CART_EDIT)
@require_http_methods(["GET", "POST"])
def manage_page(request):
    """The dealer's safety stocks (set by it or by the brand) and its sell-out: upload and latest records."""
    dealer = _dealer(request)
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "safety":
                code = (request.POST.get("sku") or "").strip()
                sku = sku_search(dealer=dealer).filter(code=code).first() if code else None
                quantity = _quantity(request.POST.get("quantity"))
                services.safety_stock_set(actor=request.user, dealer=dealer, sku_id=sku.pk if sku else "",
                                          quantity=quantity if quantity is not None else -1)
                messages.success(request, _("Safety stock saved."))
            else:
                file = request.FILES.get("file")
                if file is None:
                    raise services.SellOutInvalid(_("Choose a file."), errors=[
                        services.RowError(0, "file", _("Upload a CSV or XLSX file."))])
                rows = services.sell_out_import(actor=request.user, dealer=dealer, file=file, filename=file.name)
                messages.success(request, _("Sell-out imported: %(n)s rows.") % {"n": rows})
            return redirect("replenishment:manage")
        except DomainError as error:
            messages.error(request, error_text(error))
            status = error.status if 400 <= error.status < 500 else 400
    return render(request, "replenishment/manage.html", {
        "safety": selectors.safety_stock_list(dealer=dealer), "records": selectors.sell_out_list(dealer=dealer),
        "columns": services.SELL_OUT_COLUMNS}, status=status)
