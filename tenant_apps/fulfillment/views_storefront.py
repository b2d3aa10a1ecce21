"""Dealer storefront: my shipments and returns, an order's tracking, receipt confirmation, return requests.
The order pages of the ordering app can include `fulfillment/_order_shipments.html` and
`fulfillment/_return_form.html` (they need only `order`); their forms post here."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dms.ui import listing
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import CART_EDIT, COMPANY_VIEW
from tenant_apps.core.errors import DomainError
from tenant_apps.fulfillment import selectors, services
from tenant_apps.ordering.selectors import order_get_for


def _error_message(error: DomainError) -> str:
    details = [message for messages_ in error.fields.values() for message in messages_]
    return " ".join([str(error.detail), *details])


def _order(request, order_id):
    if request.user.dealer_id is None:
        raise PermissionDenied
    try:
        return order_get_for(actor=request.user, order_id=order_id)
    except DomainError:
        raise Http404 from None


def _back(request, order, error: DomainError | None = None):
    """Back where the form came from (`next`, e.g. the ordering app's order page) with a message; without
    `next`, the dealer's order page (orders:detail), or ours re-rendered with the error's 4xx status."""
    if error is not None:
        messages.error(request, _error_message(error))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    if error is not None:
        return render(request, "fulfillment/storefront_order.html", {"order": order}, status=error.status)
    return redirect("orders:detail", order.pk)


@requires(COMPANY_VIEW)
def shipments_page(request):
    if request.user.dealer_id is None:
        raise PermissionDenied
    shipments = selectors.shipment_list(selectors.shipments_visible_to(request.user))
    return render(request, "fulfillment/storefront_shipments.html", {
        "listing": listing(request, shipments, sorts={"created": "created_at"}, default="-created", per_page=20),
        "returns": selectors.return_list(selectors.returns_visible_to(request.user)).order_by("-created_at")[:20],
    })


@requires(COMPANY_VIEW)
def order_page(request, order_id):
    return render(request, "fulfillment/storefront_order.html", {"order": _order(request, order_id)})


@requires(CART_EDIT)
@require_POST
def confirm_receipt(request, order_id):
    order = _order(request, order_id)
    try:
        services.order_receipt_confirm(actor=request.user, order=order)
    except DomainError as error:
        return _back(request, order, error)
    messages.success(request, _("Thank you: receipt of %(number)s confirmed.") % {"number": order.number})
    return _back(request, order)


@requires(CART_EDIT)
@require_POST
def return_create(request, order_id):
    order = _order(request, order_id)
    lines = {key.removeprefix("line_"): value.strip() or "0" for key, value in request.POST.items()
             if key.startswith("line_")}
    try:
        rma = services.return_request_create(actor=request.user, order=order,
                                             reason_code=request.POST.get("reason_code", ""),
                                             reason_text=request.POST.get("reason_text", ""), lines=lines)
    except DomainError as error:
        return _back(request, order, error)
    messages.success(request, _("Return %(number)s requested; we will answer soon.") % {"number": rma.number})
    return _back(request, order)
