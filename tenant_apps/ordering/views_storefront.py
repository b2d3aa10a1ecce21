"""Dealer storefront: the shared cart with its quote, checkout, quick order, upload, order templates, and
"my orders" with the status timeline. Thin: capabilities declared, reads through the scoped selectors,
writes through the ordering services (submission, lifecycle, quick)."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal, InvalidOperation
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dms.ui import listing
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import (
    CART_EDIT,
    FINANCE_PAY,
    FINANCE_VIEW_OWN,
    ORDERS_APPROVE_OWN,
    ORDERS_SUBMIT,
    ORDERS_VIEW_OWN,
    has_perm,
)
from tenant_apps.catalog.models import Sku
from tenant_apps.core.errors import DomainError, NotFound
from tenant_apps.core.tables import TableTooLarge, csv_bytes
from tenant_apps.dealers.models import DealerAddress
from tenant_apps.dealers.selectors import seller_name_of
from tenant_apps.finance.payments.services import amount_owed
from tenant_apps.finance.selectors_invoices import invoices_for_reference
from tenant_apps.finance.selectors_receivables import order_block_reason
from tenant_apps.finance.services import held_for
from tenant_apps.ordering import internal_approval, on_behalf, quick, selectors, services
from tenant_apps.ordering.models import InternalApproval, OrderStatus, OrderTemplate
from tenant_apps.ordering.presentation import (
    STATUS_TONE,
    breakdown_rows,
    optional_template,
    progress,
    timeline,
)
from tenant_apps.ordering.quick import DEALER_CANCELLABLE
from tenant_apps.ordering.submission import REVISABLE, StockShort, SubmitLine, order_revise, order_submit


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
        "template_count": OrderTemplate.objects.filter(dealer=dealer).count(),
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
        text = (_("Added to the cart: %(name)s, now %(qty)s %(unit)s.")
                % {"name": line.sku.name, "qty": line.quantity, "unit": line.unit.name})
        if request.headers.get("HX-Request"):  # from a list: stay there, a toast says it
            return _toast(text, "success", status=204)
        messages.success(request, text)
    except DomainError as error:
        if request.headers.get("HX-Request"):
            return _toast(_error_message(error), "error", status=error.status)
        messages.error(request, _error_message(error))
        if not back:
            return redirect("cart:cart")
    return redirect(back or "cart:cart")


def _toast(text: str, level: str, *, status: int) -> HttpResponse:
    """An htmx answer with nothing to swap: the page's toast shows `text` (app.js listens for "toast")."""
    return HttpResponse(status=status, headers={"HX-Trigger": json.dumps({"toast": {"text": text, "level": level}})})


@requires(CART_EDIT)
def frequent(request):
    """常购清单: what the dealer orders most, each with its latest quantity and unit, one tap to add again."""
    _dealer(request)
    return render(request, "ordering/frequent.html", {
        "rows": selectors.frequently_ordered(actor=request.user), "months": selectors.FREQUENT_MONTHS,
    })


# --- checkout -------------------------------------------------------------------------------------------


MAX_SHOWN_TOTAL = Decimal("1e14")  # an order total holds 16 digits, 2 of them decimals


def _shown_total(request) -> Decimal | None:
    """The total the checkout page showed (its hidden field), to refuse a submit whose price moved since."""
    try:
        shown = Decimal(request.POST.get("shown_total", ""))
    except (InvalidOperation, ValueError):
        return None
    # a total the page can show: "Infinity" or "sNaN" cannot be compared or formatted (InvalidOperation, a 500)
    return shown if shown.is_finite() and abs(shown) < MAX_SHOWN_TOTAL else None


@requires(CART_EDIT)
@require_http_methods(["GET", "POST"])
def checkout(request):
    """The cart's quote, address choice, note and coupons, and the submit button. The idempotency key is
    made when the page renders, so a double click (or a resent form) submits one order."""
    dealer = _dealer(request)
    addresses = list(DealerAddress.objects.filter(dealer=dealer, kind=DealerAddress.Kind.SHIPPING)
                     .select_related("territory"))
    form = {"address": request.POST.get("address", ""), "note": request.POST.get("note", "")[:2000],
            "key": request.POST.get("idempotency_key", "")[:80] or uuid.uuid4().hex}
    if not form["address"] and addresses:
        form["address"] = str(addresses[0].pk)
    status, shortages, reducible, field_errors = 200, [], False, {}
    if request.method == "POST":
        action = request.POST.get("action", "submit")
        try:
            if action == "coupons":
                services.cart_coupons_set(actor=request.user, dealer=dealer,
                                          codes=request.POST.get("coupon_codes", "").replace(",", " ").split())
            elif action in ("submit", "reduce"):
                result = order_submit(actor=request.user, dealer=dealer, address_id=form["address"] or None,
                                      note=form["note"], idempotency_key=form["key"],
                                      consent_reduce=action == "reduce",
                                      expected_total=_shown_total(request) if action == "submit" else None)
                order = result.order
                if result.replayed:
                    messages.info(request, _("Order %(number)s was already submitted; here it is.")
                                  % {"number": order.number})
                else:
                    messages.success(request, _("Order %(number)s submitted.") % {"number": order.number})
                if result.backorder:
                    messages.info(request, _("What is not in stock now became backorder %(number)s.")
                                  % {"number": result.backorder.number})
                return redirect("orders:detail", order_id=order.pk)
            else:
                raise services.CartInvalid(_("Unknown action."))
        except StockShort as short:
            status, reducible = short.status, short.code == "stock_short_reduce_possible"
            shortages = short.shortages
            messages.error(request, str(short.detail))
        except DomainError as error:
            status, field_errors = error.status, error.fields
            messages.error(request, _error_message(error))
    priced = services.cart_quote(dealer=dealer)
    quote = priced.quote
    by_index = {line.priced.index: line for line in quote.lines}
    rows = [{"line": line, "quoted": by_index.get(index)} for index, line in enumerate(priced.lines)]
    if shortages:
        names = {index + 1: row["line"].sku.name for index, row in enumerate(rows)}
        shortages = [{**shortage, "name": names.get(shortage["line"], "")} for shortage in shortages]
    return render(request, "ordering/checkout.html", {
        "rows": rows, "quote": quote, "unpriced": bool(quote.unpriced), "addresses": addresses, "form": form,
        "coupon_codes": " ".join(priced.cart.coupon_codes), "shortages": shortages, "reducible": reducible,
        "field_errors": field_errors, "block_reason": order_block_reason(dealer),
        "finance_link": has_perm(request.user, FINANCE_VIEW_OWN),
        "may_submit": has_perm(request.user, ORDERS_SUBMIT),
        "seller": (seller_name_of(dealer) or "") if dealer.supplier_id else "",  # S2B2B: whom it is placed with
    }, status=status)



# --- quick order, upload, templates -----------------------------------------------------------------------


def _added_message(request, added: quick.Added) -> None:
    messages.success(request, _("%(n)s lines put in the cart.") % {"n": added.lines})
    if added.skipped:
        messages.warning(request, _("Left out: %(lines)s") % {"lines": "; ".join(added.skipped)})


@requires(CART_EDIT)
@require_http_methods(["GET", "POST"])
def quick_order(request):
    dealer = _dealer(request)
    text, errors, status = request.GET.get("text", "")[:100_000], [], 200
    if request.method == "POST":
        text = request.POST.get("text", "")[:200_000]
        try:
            added = quick.cart_quick_add(actor=request.user, dealer=dealer, text=text)
            _added_message(request, added)
            return redirect("cart:cart")
        except quick.QuickOrderInvalid as invalid:
            errors, status = invalid.errors, invalid.status
            messages.error(request, str(invalid.detail))
    return render(request, "ordering/quick_order.html",
                  {"text": text, "errors": errors, "examples": quick.example_lines(dealer)}, status=status)


@requires(CART_EDIT)
@require_http_methods(["GET", "POST"])
def upload(request):
    dealer = _dealer(request)
    errors, status = [], 200
    if request.method == "POST":
        file = request.FILES.get("file")
        try:
            if file is None:
                raise quick.QuickOrderInvalid(_("Choose a file."), errors=[
                    quick.RowError(0, "file", _("Choose a CSV or XLSX file."))], prefix="rows")
            added = quick.cart_upload(actor=request.user, dealer=dealer, file=file, filename=file.name)
            _added_message(request, added)
            return redirect("cart:cart")
        except quick.QuickOrderInvalid as invalid:
            errors, status = invalid.errors, invalid.status
            messages.error(request, str(invalid.detail))
        except TableTooLarge as refused:  # past a limit of the reader: 413, the limit named on the file
            errors, status = [quick.RowError(0, "file", refused.fields["file"][0])], refused.status
            messages.error(request, str(refused.detail))
    return render(request, "ordering/upload.html", {"errors": errors, "columns": quick.UPLOAD_COLUMNS},
                  status=status)


@requires(CART_EDIT)
def upload_template(request):
    """An example file with the upload's columns."""
    body = csv_bytes(quick.UPLOAD_COLUMNS, [[code, str(quantity), unit]
                                            for code, quantity, unit in quick.example_lines(_dealer(request))])
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="order.csv"'
    return response


@requires(CART_EDIT)
@require_http_methods(["GET", "POST"])
def templates(request):
    dealer = _dealer(request)
    status, name_error, name = 200, "", ""
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            template = quick.template_save(actor=request.user, dealer=dealer, name=name,
                                           replace=request.POST.get("replace") == "1")
            messages.success(request, _("Cart saved as template “%(name)s”.") % {"name": template.name})
            return redirect("cart:templates")
        except DomainError as error:
            status = error.status
            name_error = " ".join(error.fields.get("name", [])) or str(error.detail)
            messages.error(request, _error_message(error))
    items = list(selectors.templates_of(dealer).prefetch_related("lines__sku", "lines__unit"))
    return render(request, "ordering/templates.html", {"templates": items, "name": name, "name_error": name_error},
                  status=status)


@requires(CART_EDIT)
@require_POST
def template_action(request, template_id: int, action: str):
    dealer = _dealer(request)
    try:
        template = quick.template_get_for(dealer=dealer, template_id=template_id)
    except DomainError:
        raise Http404 from None
    try:
        if action == "load":
            _added_message(request, quick.template_load(actor=request.user, dealer=dealer, template=template))
            return redirect("cart:cart")
        quick.template_delete(actor=request.user, dealer=dealer, template=template)
        messages.success(request, _("Template “%(name)s” deleted.") % {"name": template.name})
    except DomainError as error:
        messages.error(request, _error_message(error))
    return redirect("cart:templates")


# --- my orders ------------------------------------------------------------------------------------------

MY_SORTS = {"created": "created_at", "total": "total", "number": "number"}


@requires(ORDERS_VIEW_OWN)
def my_orders(request):
    _dealer(request)
    status = request.GET.get("status", "")
    orders = selectors.order_list(actor=request.user, status=status)
    page = listing(request, orders, sorts=MY_SORTS, default="-created", per_page=20)
    rows = [{"order": order, "tone": STATUS_TONE.get(order.status, "")} for order in page.page]
    return render(request, "ordering/my_orders.html", {
        "listing": page, "rows": rows, "status": status, "statuses": OrderStatus.choices,
        "waiting_internal": list(selectors.internal_approvals_pending(actor=request.user)[:50]),
    })


def _my_order(request, order_id):
    try:
        return selectors.order_get_for(actor=request.user, order_id=order_id)
    except DomainError:
        raise Http404 from None


@requires(ORDERS_VIEW_OWN)
def my_order(request, order_id: int):
    _dealer(request)
    order = selectors.order_detail(_my_order(request, order_id))
    can_order = has_perm(request.user, CART_EDIT)
    return render(request, "ordering/my_order.html", {
        "order": order, "tone": STATUS_TONE.get(order.status, ""), "timeline": timeline(order),
        "progress": progress(order), "breakdown": breakdown_rows(order),
        "can_cancel": can_order and order.status in DEALER_CANCELLABLE,
        "awaiting_confirmation": order.status == OrderStatus.AWAITING_DEALER,
        "can_confirm": can_order and order.status == OrderStatus.AWAITING_DEALER,
        "can_reorder": can_order,
        "can_edit": can_order and order.status in REVISABLE,
        "shipments_partial": optional_template("fulfillment/_order_shipments.html"),
        "return_partial": optional_template("fulfillment/_return_form.html"),
        # the order's invoices (finance), for whoever reads the dealer's finance
        "invoices": invoices_for_reference(order.number, dealer=order.dealer)
        if has_perm(request.user, FINANCE_VIEW_OWN) else [],
        # a sale of its supplier's (S2B2B) is invoiced by the supplier, not the brand
        "may_request_invoice": has_perm(request.user, FINANCE_PAY) and order.seller_id is None,
        "payment": _payment_state(request, order),
        "internal": internal_state(request, order),
    })


def _payment_state(request, order) -> dict | None:
    """What the dealer still owes on the order and whether it may pay it here (finance's ledger), for whoever
    reads the dealer's finance; None for others and for orders that hold nothing (cancelled, free)."""
    if not has_perm(request.user, FINANCE_VIEW_OWN):
        return None
    charged = held_for(dealer=order.dealer, currency=order.currency, reference=order.number)
    if charged <= 0:
        return None
    owed = amount_owed(dealer=order.dealer, reference=order.number, currency=order.currency)
    return {"owed": owed, "paid": owed <= 0, "may_pay": owed > 0 and has_perm(request.user, FINANCE_PAY)}


@requires(CART_EDIT)
@require_POST
def my_order_cancel(request, order_id: int):
    _dealer(request)
    order = _my_order(request, order_id)
    try:
        quick.order_cancel_by_dealer(actor=request.user, order=order, reason=request.POST.get("reason", ""))
        messages.success(request, _("Order %(number)s cancelled.") % {"number": order.number})
    except DomainError as error:
        messages.error(request, _error_message(error))
    return redirect("orders:detail", order_id=order.pk)


@requires(CART_EDIT)
@require_POST
def my_order_reorder(request, order_id: int):
    dealer = _dealer(request)
    order = _my_order(request, order_id)
    try:
        _added_message(request, quick.order_reorder(actor=request.user, dealer=dealer, order=order))
        return redirect("cart:cart")
    except DomainError as error:
        messages.error(request, _error_message(error))
        return redirect("orders:detail", order_id=order.pk)


def _line_to_add(dealer, posted) -> tuple[SubmitLine | None, dict[str, list[str]]]:
    """The edit page's "add a product" row (code, quantity, optional unit) resolved as the quick order
    resolves its lines (codes or barcodes the dealer can order, units of the SKU, whole quantities):
    (None, {}) when the row is left empty, (None, errors keyed `add.<field>`) when it cannot be used."""
    entry = quick.Entry(ref=1, code=posted.get("add-code", "").strip()[:100],
                        quantity=posted.get("add-quantity", "").strip()[:20],
                        unit=posted.get("add-unit", "").strip()[:40])
    if not (entry.code or entry.quantity):
        return None, {}
    errors: list[quick.RowError] = []
    items = quick.entries_resolve(dealer, [entry], errors)
    if errors:
        return None, {f"add.{error.field}": [str(error.message)] for error in errors}
    item = items[0]
    return SubmitLine(sku_id=item.sku.pk, unit_id=item.unit_id, quantity=item.quantity), {}


def _with_added(kept: list[SubmitLine], added: SubmitLine | None) -> tuple[list[SubmitLine], int | None]:
    """The kept lines with the added one: on top of the line of that product and unit if the order has one
    (as the quick order adds to the cart), else appended. Also the added line's number if it was appended."""
    if added is None:
        return kept, None
    for number, line in enumerate(kept):
        if (line.sku_id, line.unit_id) == (added.sku_id, added.unit_id) and isinstance(line.quantity, int) \
                and line.quantity > 0:
            merged = SubmitLine(sku_id=line.sku_id, unit_id=line.unit_id, quantity=line.quantity + added.quantity)
            return [*kept[:number], merged, *kept[number + 1:]], None
    return [*kept, added], len(kept) + 1


@requires(CART_EDIT)
@require_http_methods(["GET", "POST"])
def my_order_edit(request, order_id: int):
    """Change the quantities of an order not yet with the warehouse (0 drops a line), add a product by its
    code, and submit it again: stock, prices, promotions and the approval chain follow
    (submission.order_revise). Nothing is written unless all of it can be."""
    dealer = _dealer(request)
    order = selectors.order_detail(_my_order(request, order_id))
    if order.status not in REVISABLE:
        messages.error(request, _("Order %(number)s can no longer be changed.") % {"number": order.number})
        return redirect("orders:detail", order_id=order.pk)
    lines = [line for line in order.lines.all() if line.gift_promotion_id is None]
    status, errors, add_errors = 200, {}, {}
    if request.method == "POST":
        wanted = [SubmitLine(sku_id=line.sku_id, unit_id=line.unit_id,
                             quantity=_int(request.POST.get(f"quantity-{line.pk}", line.quantity)))
                  for line in lines]
        added, add_errors = _line_to_add(dealer, request.POST)
        if add_errors:
            status = 400
            messages.error(request, _("The product could not be added; nothing was changed."))
        else:
            kept, added_number = _with_added([line for line in wanted if line.quantity != 0], added)
            try:
                order_revise(actor=request.user, order=order, lines=kept, note=request.POST.get("note", order.note))
                messages.success(request, _("Order %(number)s changed and submitted again.")
                                 % {"number": order.number})
                return redirect("orders:detail", order_id=order.pk)
            except DomainError as error:
                status, errors = error.status, dict(error.fields)
                messages.error(request, _error_message(error))
                if added_number:  # the added line's errors (its minimum, its price) go beside the add row
                    add_errors = {key: errors.pop(key) for key in list(errors)
                                  if key.startswith(f"lines.{added_number}.")}
    for line in lines:
        line.edit_value = request.POST.get(f"quantity-{line.pk}", line.quantity)
    return render(request, "ordering/my_order_edit.html", {
        "order": order, "lines": lines, "errors": errors,
        "add": {name: request.POST.get(f"add-{name}", "") for name in ("code", "quantity", "unit")},
        "add_errors": [message for messages_ in add_errors.values() for message in messages_],
    }, status=status)


# --- an order placed on the dealer's behalf: confirm or decline it (ordering.on_behalf) --------------------


def _dealer_answer(view):
    """An answer of the dealer to an order placed on its behalf (confirm, decline): the dealer's own buyers
    (cart.edit, a dealer user), POST only, their own company's order (else 404); `view(request, order)` returns
    the success message, a domain error (not awaiting confirmation any more, not the dealer's people) is shown
    instead; back to the order either way."""

    @requires(CART_EDIT)
    @require_POST
    @wraps(view)
    def answer(request, order_id: int):
        _dealer(request)
        order = _my_order(request, order_id)
        try:
            messages.success(request, view(request, order))
        except DomainError as error:
            messages.error(request, str(error.detail))
        return redirect("orders:detail", order_id=order.pk)

    return answer


@_dealer_answer
def order_confirm(request, order) -> str:
    on_behalf.order_dealer_confirm(actor=request.user, order=order)
    return _("Order %(number)s confirmed; it goes to approval now.") % {"number": order.number}


@_dealer_answer
def order_decline(request, order) -> str:
    on_behalf.order_dealer_decline(actor=request.user, order=order, reason=request.POST.get("reason", ""))
    return _("Order %(number)s declined and cancelled.") % {"number": order.number}


# --- the dealer's own approval of its buyers' larger orders (ordering.internal_approval) -----------------


def internal_state(request, order) -> dict | None:
    """The order's internal approval for its page: its state and whether the reader may decide it; None if it
    never needed one."""
    held = InternalApproval.objects.filter(order=order).select_related("decided_by", "requested_by").first()
    if held is None:
        return None
    return {"approval": held, "pending": held.status == InternalApproval.Status.PENDING,
            "may_decide": held.status == InternalApproval.Status.PENDING
            and has_perm(request.user, ORDERS_APPROVE_OWN)}


@requires(ORDERS_APPROVE_OWN)
@require_POST
def internal_decide(request, order_id: int, decision: str):
    try:
        if decision == "approve":
            order = internal_approval.order_internal_approve(actor=request.user, order_id=order_id)
            messages.success(request, _("Order %(number)s approved; it goes on to the brand.")
                             % {"number": order.number})
        else:
            order = internal_approval.order_internal_decline(actor=request.user, order_id=order_id,
                                                             reason=request.POST.get("reason", ""))
            messages.success(request, _("Order %(number)s declined.") % {"number": order.number})
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, " ".join([error.detail, *[m for ms in error.fields.values() for m in ms]]))
    return redirect("orders:detail", order_id=order_id)
