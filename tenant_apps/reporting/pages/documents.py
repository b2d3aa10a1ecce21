"""Reporting pages: documents. An order's confirmation (订单确认单) and a shipment's delivery note (送货单), as a
printable page and as a PDF, for brand staff in their data scope (console: orders.view; every role that ships
holds it) and for a dealer's staff on their own orders (storefront: orders.view_own). The order and the shipment
come through their apps' scoped getters: outside the reader's scope, or another dealer's, is a 404."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import ORDERS_VIEW, ORDERS_VIEW_OWN
from tenant_apps.core.errors import DomainError
from tenant_apps.fulfillment.selectors import shipment_get_for
from tenant_apps.ordering.selectors import order_get_for
from tenant_apps.reporting.documents.pdf import PDF_CONTENT_TYPE, delivery_note_pdf, order_confirmation_pdf
from tenant_apps.reporting.documents.selectors import delivery_note, order_confirmation


def _order(request, order_id):
    try:
        return order_get_for(actor=request.user, order_id=order_id)
    except DomainError:
        raise Http404 from None


def _shipment(request, shipment_id):
    try:
        return shipment_get_for(actor=request.user, shipment_id=shipment_id)
    except DomainError:
        raise Http404 from None


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _confirmation_page(request, order, *, layout: str, namespace: str, back: str):
    return render(request, "reporting/documents/order_confirmation.html", {
        "layout": layout, "doc": order_confirmation(order), "back_url": back,
        "pdf_url": reverse(f"{namespace}:order-confirmation-pdf", args=[order.pk]),
    })


def _delivery_page(request, shipment, *, layout: str, namespace: str, back: str):
    return render(request, "reporting/documents/delivery_note.html", {
        "layout": layout, "doc": delivery_note(shipment), "back_url": back,
        "pdf_url": reverse(f"{namespace}:delivery-note-pdf", args=[shipment.pk]),
    })


# --- console ------------------------------------------------------------------------------------------------

@requires(ORDERS_VIEW)
def order_confirmation_console(request, order_id: int):
    order = _order(request, order_id)
    return _confirmation_page(request, order, layout="layouts/console.html", namespace="reporting",
                              back=reverse("orders_console:detail", args=[order.pk]))


@requires(ORDERS_VIEW)
def order_confirmation_console_pdf(request, order_id: int):
    order = _order(request, order_id)
    return _pdf(order_confirmation_pdf(order_confirmation(order)), order.number)


@requires(ORDERS_VIEW)
def delivery_note_console(request, shipment_id: int):
    shipment = _shipment(request, shipment_id)
    return _delivery_page(request, shipment, layout="layouts/console.html", namespace="reporting",
                          back=reverse("orders_console:detail", args=[shipment.order_id]))


@requires(ORDERS_VIEW)
def delivery_note_console_pdf(request, shipment_id: int):
    shipment = _shipment(request, shipment_id)
    return _pdf(delivery_note_pdf(delivery_note(shipment)), shipment.number)


# --- storefront: the dealer's own orders --------------------------------------------------------------------

def _dealer_only(request):
    if request.user.dealer_id is None:
        raise Http404


@requires(ORDERS_VIEW_OWN)
def order_confirmation_storefront(request, order_id: int):
    _dealer_only(request)
    order = _order(request, order_id)
    return _confirmation_page(request, order, layout="layouts/storefront.html", namespace="reporting_storefront",
                              back=reverse("orders:detail", args=[order.pk]))


@requires(ORDERS_VIEW_OWN)
def order_confirmation_storefront_pdf(request, order_id: int):
    _dealer_only(request)
    order = _order(request, order_id)
    return _pdf(order_confirmation_pdf(order_confirmation(order)), order.number)


@requires(ORDERS_VIEW_OWN)
def delivery_note_storefront(request, shipment_id: int):
    _dealer_only(request)
    shipment = _shipment(request, shipment_id)
    return _delivery_page(request, shipment, layout="layouts/storefront.html", namespace="reporting_storefront",
                          back=reverse("orders:detail", args=[shipment.order_id]))


@requires(ORDERS_VIEW_OWN)
def delivery_note_storefront_pdf(request, shipment_id: int):
    _dealer_only(request)
    shipment = _shipment(request, shipment_id)
    return _pdf(delivery_note_pdf(delivery_note(shipment)), shipment.number)


console_urls: list = [
    path("documents/orders/<int:order_id>/confirmation/", order_confirmation_console, name="order-confirmation"),
    path("documents/orders/<int:order_id>/confirmation.pdf", order_confirmation_console_pdf,
         name="order-confirmation-pdf"),
    path("documents/shipments/<int:shipment_id>/delivery-note/", delivery_note_console, name="delivery-note"),
    path("documents/shipments/<int:shipment_id>/delivery-note.pdf", delivery_note_console_pdf,
         name="delivery-note-pdf"),
]
storefront_urls: list = [
    path("documents/orders/<int:order_id>/confirmation/", order_confirmation_storefront, name="order-confirmation"),
    path("documents/orders/<int:order_id>/confirmation.pdf", order_confirmation_storefront_pdf,
         name="order-confirmation-pdf"),
    path("documents/shipments/<int:shipment_id>/delivery-note/", delivery_note_storefront, name="delivery-note"),
    path("documents/shipments/<int:shipment_id>/delivery-note.pdf", delivery_note_storefront_pdf,
         name="delivery-note-pdf"),
]
