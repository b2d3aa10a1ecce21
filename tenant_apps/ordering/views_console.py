"""Brand console pages of orders (/console/orders/): the board by state (counts per state, filters by
state, dealer and date) and the order's detail (timeline, lines, frozen breakdown, reservations per
warehouse, legal actions). Data scope: a regional manager or sales rep sees only their dealers' orders
(tenant_apps.ordering.selectors); outside the scope is a 404. Approval and shipping happen on the
approvals and fulfilment pages, linked from here; cancelling happens here, through the lifecycle.
The brand's ordering settings (shortage policy, auto-completion, dealers' confirmation of orders placed for them) are
configuration: settings.edit.

Ordering on a dealer's behalf (ordering.on_behalf; orders.place_for, the dealer in the actor's data scope, else 404):
`/console/orders/for/` picks a dealer, `/console/orders/for/<dealer>/` is the order pad: the lines are typed or pasted
as in the storefront's quick order ("RB-250 x 48"), priced for the dealer ("Preview": the dealer's own prices and
promotions), and submitted with the total shown (a price changed meanwhile: refused, shown again). The pad keeps its
lines in the page itself, never in the dealer's shared cart."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from dms.ui import listing
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import (
    FINANCE_VIEW,
    FULFILLMENT_SHIP,
    ORDERS_APPROVE,
    ORDERS_MANAGE,
    ORDERS_PLACE_FOR,
    ORDERS_VIEW,
    SETTINGS_EDIT,
    has_perm,
)
from tenant_apps.core.errors import DomainError
from tenant_apps.core.forms import apply_domain_error
from tenant_apps.dealers.errors import DealerNotFound
from tenant_apps.dealers.models import DealerAddress, DealerStatus
from tenant_apps.dealers.selectors import dealer_get_for, dealer_list
from tenant_apps.finance.selectors_invoices import invoices_for_reference
from tenant_apps.ordering import lifecycle, on_behalf, quick, selectors
from tenant_apps.ordering.approval import approval_chain
from tenant_apps.ordering.errors import StockShort
from tenant_apps.ordering.models import OrderStatus, ShortagePolicy
from tenant_apps.ordering.presentation import STATUS_TONE, breakdown_rows, progress, timeline
from tenant_apps.ordering.saved_views import (
    order_filter_for,
    saved_order_view_delete,
    saved_order_view_save,
    view_params,
)
from tenant_apps.ordering.services import ordering_settings_update
from tenant_apps.ordering.submission import SubmitLine, ordering_settings
from tenant_apps.pricing.quote_types import CartLine as QuoteInput
from tenant_apps.quoting.quote import quote_cart

SORTS = {"created": "created_at", "submitted": "submitted_at", "total": "total", "number": "number",
         "dealer": "dealer__code", "status": "status"}
# Pages of the other apps that act on an order, by the actions they carry: (url names to try, label).
APPROVAL_ACTIONS = {"start_approval", "approve", "reject", "send_back"}
SHIPPING_ACTIONS = {"allocate", "ship_part", "ship_all", "deliver", "complete"}
APPROVAL_PAGES = ("approvals:order", "approvals:detail")
SHIPPING_PAGES = ("fulfillment:order", "fulfillment_console:order", "fulfillment:detail")


NO_FILTERS = {"status": "", "q": "", "dealer_id": None, "date_from": None, "date_to": None, "region": None,
              "sales_rep": None, "amount_min": None, "amount_max": None, "warehouse": None, "outside_territory": None}


def _board(request, *, save_errors: dict | None = None, status_code: int = 200):
    """The order board for the filters in the address (validated by OrderFilter: a bad value is a 400 with
    the field's error, and no orders), with the reader's saved views as tabs."""
    user = request.user
    filterset = order_filter_for(actor=user, data=request.GET)
    valid = filterset.is_valid()
    filters = filterset.clean_filters() if valid else dict(NO_FILTERS)
    status = filters.pop("status")
    counts = selectors.order_status_counts(actor=user, **filters)
    orders = selectors.order_list(actor=user, status=status, **filters)
    if not valid:
        counts, orders, status_code = dict.fromkeys(counts, 0), orders.none(), 400
    page = listing(request, orders, sorts=SORTS, default="-created", per_page=25)
    rows = [{"order": order, "tone": STATUS_TONE.get(order.status, "")} for order in page.page]
    states = [{"value": value, "label": label, "count": counts[value], "tone": STATUS_TONE.get(value, "")}
              for value, label in OrderStatus.choices]
    current = view_params(request.GET)
    views = [{"view": view, "query": urlencode(view.params), "active": view.params == current,
              "mine": view.owner_id == user.pk} for view in selectors.saved_order_views(actor=user)]
    return render(request, "ordering/console_board.html", {
        "listing": page, "rows": rows, "states": states, "status": status, "total": sum(counts.values()),
        "form": filterset.form, "filter_errors": {} if valid else filterset.form.errors,
        "dealer": request.GET.get("dealer", ""), "can_configure": has_perm(user, SETTINGS_EDIT),
        "outside_territory": filters.get("outside_territory") is True,
        "views": views, "current_query": urlencode(current), "has_filters": bool(current),
        "save_errors": save_errors or {},
    }, status=status_code)


@requires(ORDERS_VIEW)
def board(request):
    return _board(request)


@requires(ORDERS_VIEW)
@require_POST
def view_save(request):
    """Save the board's filters as shown (its query string is posted back) under a name."""
    params = QueryDict(request.POST.get("query", "")[:2000])
    try:
        view = saved_order_view_save(actor=request.user, name=request.POST.get("name", ""), params=params,
                                     shared=request.POST.get("shared") == "on")
    except DomainError as error:
        request.GET = params  # the board as it was, with the save form's errors
        messages.error(request, str(error.detail))
        return _board(request, save_errors=error.fields, status_code=error.status)
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(f"{reverse('orders_console:board')}?{urlencode(view.params)}")


@requires(ORDERS_VIEW)
@require_POST
def view_delete(request, view_id: int):
    try:
        view = selectors.saved_order_view_get_for(actor=request.user, view_id=view_id)
    except DomainError:
        raise Http404 from None
    saved_order_view_delete(actor=request.user, view=view)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect("orders_console:board")


def _order_or_404(request, order_id):
    try:
        return selectors.order_get_for(actor=request.user, order_id=order_id)
    except DomainError:
        raise Http404 from None


def _first_url(names, order_id) -> str:
    for name in names:
        try:
            return reverse(name, kwargs={"order_id": order_id})
        except NoReverseMatch:
            continue
    return ""


@requires(ORDERS_VIEW)
def detail(request, order_id: int):
    order = selectors.order_detail(_order_or_404(request, order_id))
    legal = lifecycle.legal_actions(order)
    by_warehouse: dict[int, dict] = {}
    for reservation in order.reservations.all():
        group = by_warehouse.setdefault(reservation.warehouse_id, {"warehouse": reservation.warehouse, "rows": [],
                                                                  "total": 0})
        group["rows"].append(reservation)
        group["total"] += reservation.quantity
    user = request.user
    approvals_url = _first_url(APPROVAL_PAGES, order.pk) \
        if APPROVAL_ACTIONS & set(legal) and has_perm(user, ORDERS_APPROVE) else ""
    shipping_url = _first_url(SHIPPING_PAGES, order.pk) \
        if SHIPPING_ACTIONS & set(legal) and has_perm(user, FULFILLMENT_SHIP) else ""
    return render(request, "ordering/console_detail.html", {
        "order": order, "tone": STATUS_TONE.get(order.status, ""), "timeline": timeline(order),
        "progress": progress(order), "breakdown": breakdown_rows(order), "warehouses": list(by_warehouse.values()),
        "legal": [lifecycle._action_label(action) for action in legal],
        "can_cancel": "cancel" in legal and has_perm(request.user, ORDERS_MANAGE),
        "can_start_approval": order.status == OrderStatus.SUBMITTED and has_perm(request.user, ORDERS_MANAGE),
        "approvals_url": approvals_url, "shipping_url": shipping_url,
        "awaiting_approval": bool(APPROVAL_ACTIONS & set(legal)),
        "awaiting_shipping": bool(SHIPPING_ACTIONS & set(legal)),
        "invoices": invoices_for_reference(order.number, dealer=order.dealer) if has_perm(user, FINANCE_VIEW) else [],
    })


@requires(ORDERS_MANAGE)
@require_POST
def cancel(request, order_id: int):
    order = _order_or_404(request, order_id)
    try:
        lifecycle.order_cancel(actor=request.user, order=order, reason=request.POST.get("reason", "")[:500])
        messages.success(request, _("Order %(number)s cancelled; its stock is given back.") % {"number": order.number})
    except DomainError as error:
        details = " ".join(message for messages_ in error.fields.values() for message in messages_)
        messages.error(request, f"{error.detail} {details}".strip())
    return redirect("orders_console:detail", order_id=order.pk)


@requires(ORDERS_MANAGE)
@require_POST
def start_approval(request, order_id: int):
    """An order waiting in "submitted" (a backorder whose stock has come) enters the approval chain."""
    order = _order_or_404(request, order_id)
    if order.status != OrderStatus.SUBMITTED:
        messages.error(request, _("Only an order waiting in “submitted” can be sent for approval."))
        return redirect("orders_console:detail", order_id=order.pk)
    try:
        approval_chain().restart(actor=request.user, order=order,
                                 reason=_("Stock is available; approval starts."))
        messages.success(request, _("Order %(number)s is on its way through approval.") % {"number": order.number})
    except DomainError as error:
        messages.error(request, str(error.detail))
    return redirect("orders_console:detail", order_id=order.pk)


# --- settings -------------------------------------------------------------------------------------------

# What each shortage policy means for the dealer, one sentence each (shown under its choice).
SHORTAGE_EXPLAINED = {
    ShortagePolicy.REFUSE: gettext_lazy("An order with a line short of stock is not accepted: the dealer sees "
                                        "what is short and lowers the quantities before submitting again."),
    ShortagePolicy.BACKORDER: gettext_lazy("The order goes ahead with what is in stock, and the shortfall becomes "
                                           "a separate backorder that waits until stock comes in."),
    ShortagePolicy.REDUCE: gettext_lazy("The dealer is offered the order cut down to what is in stock, and it is "
                                        "submitted only once the dealer agrees."),
}


class OrderingSettingsForm(forms.Form):
    """Reads the page's fields; the ranges are the service's to check (its field errors land here)."""

    shortage_policy = forms.ChoiceField(label=gettext_lazy("When stock is short"), choices=ShortagePolicy.choices,
                                        widget=forms.RadioSelect)
    auto_complete_days = forms.IntegerField(
        label=gettext_lazy("Complete delivered orders after"),
        help_text=gettext_lazy("A delivered order the dealer has not confirmed is completed after this many "
                               "days; 0 = never."),
        widget=forms.NumberInput(attrs={"min": 0, "max": 365, "step": 1}))
    confirm_on_behalf = forms.BooleanField(
        label=gettext_lazy("Dealer must confirm orders placed on its behalf"), required=False,
        help_text=gettext_lazy("An order a sales rep or manager places for a dealer waits, holding its stock, until "
                               "the dealer's owner or a buyer confirms it; then it goes to approval. Declined, it is "
                               "cancelled and its stock given back."))
    confirm_on_behalf_days = forms.IntegerField(
        label=gettext_lazy("Cancel unconfirmed orders placed for a dealer after"),
        required=False,
        help_text=gettext_lazy("An order still waiting for the dealer's confirmation this many days after it was "
                               "placed is cancelled as if declined: its stock given back, whoever placed it told; "
                               "0 = it waits until answered."),
        widget=forms.NumberInput(attrs={"min": 0, "max": 365, "step": 1}))


@requires(SETTINGS_EDIT)
@require_http_methods(["GET", "POST"])
def settings_page(request):
    """The brand's ordering rules: what happens when stock is short, and when delivered orders complete."""
    current = ordering_settings()
    form = OrderingSettingsForm(request.POST if request.method == "POST" else None, initial={
        "shortage_policy": current.shortage_policy, "auto_complete_days": current.auto_complete_days,
        "confirm_on_behalf": current.confirm_on_behalf,
        "confirm_on_behalf_days": current.confirm_on_behalf_days})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                ordering_settings_update(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                apply_domain_error(form, error)
                status = error.status
            else:
                messages.success(request, _("Ordering settings saved."))
                return redirect("orders_console:settings")
        messages.error(request, _("The ordering settings could not be saved."))
    policies = [{"radio": radio, "explained": SHORTAGE_EXPLAINED.get(radio.data["value"], "")}
                for radio in form["shortage_policy"]]
    return render(request, "ordering/console_settings.html", {"form": form, "policies": policies}, status=status)


# --- ordering on a dealer's behalf ----------------------------------------------------------------------

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
