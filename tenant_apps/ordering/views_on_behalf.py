"""Pages of ordering on a dealer's behalf (ordering.on_behalf).

Console (orders.place_for, the dealer in the actor's data scope, else 404): `/console/orders/for/` picks a dealer,
`/console/orders/for/<dealer>/` is the order pad: the lines are typed or pasted as in the storefront's quick order
("RB-250 x 48"), priced for the dealer ("Preview": the dealer's own prices and promotions), and submitted with the
total shown (a price changed meanwhile: refused, shown again). The pad keeps its lines in the page itself, never in
the dealer's shared cart. Storefront (the dealer's owner and buyers, cart.edit): confirm or decline an order placed
for the company, from the order's page."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import CART_EDIT, ORDERS_PLACE_FOR
from tenant_apps.core.errors import DomainError
from tenant_apps.dealers.errors import DealerNotFound
from tenant_apps.dealers.models import DealerAddress, DealerStatus
from tenant_apps.dealers.selectors import dealer_get_for, dealer_list
from tenant_apps.ordering import on_behalf, quick, selectors
from tenant_apps.ordering.errors import StockShort
from tenant_apps.ordering.submission import SubmitLine
from tenant_apps.pricing.quote_types import CartLine as QuoteInput
from tenant_apps.quoting.quote import quote_cart

MAX_PAD_TEXT = 200_000
PICKER_SIZE = 30


@requires(ORDERS_PLACE_FOR)
def dealer_pick(request):
    """The dealers in the actor's scope that can order now (active), by code or name."""
    q = request.GET.get("q", "").strip()[:100]
    dealers = list(dealer_list(actor=request.user, q=q, status=DealerStatus.ACTIVE).order_by("code")[:PICKER_SIZE])
    return render(request, "ordering/on_behalf_pick.html", {"dealers": dealers, "q": q, "limit": PICKER_SIZE})


def _pad_lines(dealer, text: str) -> tuple[list, list]:
    """The pad's text as (items resolved for the dealer, row errors), as the quick order reads it."""
    entries, errors = quick.parse_lines(text)
    items = quick.entries_resolve(dealer, entries, errors) if entries else []
    return items, sorted(errors, key=lambda error: error.row)


def _shown_total(raw: str) -> Decimal | None:
    try:
        shown = Decimal(raw)
    except (InvalidOperation, ValueError, TypeError):
        return None
    return shown if shown.is_finite() and abs(shown) < Decimal("1e13") else None


@requires(ORDERS_PLACE_FOR)
@require_http_methods(["GET", "POST"])
def order_pad(request, dealer_id: int):
    try:
        dealer = dealer_get_for(actor=request.user, dealer_id=dealer_id)
    except DealerNotFound:
        raise Http404 from None
    addresses = list(DealerAddress.objects.filter(dealer=dealer, kind=DealerAddress.Kind.SHIPPING)
                     .select_related("territory").order_by("-is_default", "id"))
    posted = request.POST if request.method == "POST" else request.GET
    form = {"text": posted.get("text", "")[:MAX_PAD_TEXT], "address": posted.get("address", "")[:20],
            "note": posted.get("note", "")[:2000],
            "key": request.POST.get("idempotency_key", "")[:80] or uuid.uuid4().hex}
    if not form["address"] and addresses:
        form["address"] = str(addresses[0].pk)
    status, row_errors, field_errors, shortages, quote, rows = 200, [], {}, [], None, []
    if request.method == "POST" and form["text"].strip():
        items, row_errors = _pad_lines(dealer, form["text"])
        if row_errors:
            status = 400
            messages.error(request, _("Some lines cannot be ordered; nothing was submitted."))
        elif request.POST.get("action") == "place":
            try:
                result = on_behalf.order_submit_for(
                    actor=request.user, dealer=dealer, address_id=form["address"] or None, note=form["note"],
                    lines=[SubmitLine(sku_id=i.sku.pk, unit_id=i.unit_id, quantity=i.quantity) for i in items],
                    idempotency_key=form["key"], expected_total=_shown_total(request.POST.get("shown_total", "")))
            except StockShort as short:
                status, shortages = short.status, short.shortages
                messages.error(request, str(short.detail))
            except DomainError as error:
                status, field_errors = error.status, error.fields
                messages.error(request, " ".join([str(error.detail), *(m for ms in error.fields.values() for m in ms)]))
            else:
                order = result.order
                if result.replayed:
                    messages.info(request, _("Order %(number)s was already placed; here it is.")
                                  % {"number": order.number})
                else:
                    messages.success(request, _("Order %(number)s placed for %(dealer)s.")
                                     % {"number": order.number, "dealer": dealer.display_name})
                return redirect("orders_console:detail", order_id=order.pk)
        if not row_errors:
            quote = quote_cart(dealer=dealer, lines=[QuoteInput(sku_id=i.sku.pk, unit_id=i.unit_id,
                                                                quantity=i.quantity) for i in items])
            by_index = {line.priced.index: line for line in quote.lines}
            rows = [{"item": item, "quoted": by_index.get(index)} for index, item in enumerate(items)]
    elif request.method == "POST":
        status, field_errors = 400, {"text": [_("Write at least one line: a product code and a quantity.")]}
    return render(request, "ordering/on_behalf_pad.html", {
        "dealer": dealer, "addresses": addresses, "form": form, "rows": rows, "quote": quote,
        "row_errors": row_errors, "field_errors": field_errors, "shortages": shortages,
        "examples": quick.example_lines(dealer),
    }, status=status)


def _dealer_order(request, order_id):
    if request.user.dealer_id is None:
        raise Http404
    try:
        return selectors.order_get_for(actor=request.user, order_id=order_id)
    except DomainError:
        raise Http404 from None


@requires(CART_EDIT)
@require_POST
def order_confirm(request, order_id: int):
    order = _dealer_order(request, order_id)
    try:
        on_behalf.order_dealer_confirm(actor=request.user, order=order)
        messages.success(request, _("Order %(number)s confirmed; it goes to approval now.") % {"number": order.number})
    except DomainError as error:
        messages.error(request, str(error.detail))
    return redirect("orders:detail", order_id=order.pk)


@requires(CART_EDIT)
@require_POST
def order_decline(request, order_id: int):
    order = _dealer_order(request, order_id)
    try:
        on_behalf.order_dealer_decline(actor=request.user, order=order, reason=request.POST.get("reason", ""))
        messages.success(request, _("Order %(number)s declined and cancelled.") % {"number": order.number})
    except DomainError as error:
        messages.error(request, str(error.detail))
    return redirect("orders:detail", order_id=order.pk)
