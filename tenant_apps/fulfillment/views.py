"""Brand console: orders to allocate and ship, an order's picking lists and shipments (create, ship with a
carrier and tracking number, track by hand), printable picking lists, all shipments, the returns inbox and
the carriers. Thin: every write is a service call; every lookup goes through the actor's scope (404)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dms.ui import listing
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import FULFILLMENT_SHIP, RETURNS_DECIDE, SETTINGS_EDIT, has_perm
from tenant_apps.accounts.prerequisites import redirect_next
from tenant_apps.core.errors import DomainError
from tenant_apps.fulfillment import bulk, selectors, services
from tenant_apps.fulfillment.models import (
    Carrier,
    ReturnRequest,
    ReturnStatus,
    Shipment,
    ShipmentStatus,
    TrackingStatus,
)
from tenant_apps.inventory.models import Warehouse
from tenant_apps.ordering.lifecycle import legal_actions
from tenant_apps.ordering.models import OrderStatus
from tenant_apps.ordering.selectors import order_get_for


def requires_any(*capabilities: str):
    """Like accounts.access.requires, for pages that any one of several capabilities opens."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(has_perm(request.user, capability) for capability in capabilities):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _message(error: DomainError) -> str:
    details = [message for messages_ in error.fields.values() for message in messages_]
    return " ".join([str(error.detail), *details])


def _scoped(getter, **kwargs):
    try:
        return getter(**kwargs)
    except DomainError:
        raise Http404 from None


@requires(FULFILLMENT_SHIP)
def home(request):
    orders = selectors.orders_visible_to(request.user).select_related("dealer").annotate(
        shipment_count=Count("shipments", distinct=True),
        picking_count=Count("shipments", filter=Q(shipments__status=ShipmentStatus.PICKING), distinct=True))
    to_allocate = orders.filter(status=OrderStatus.APPROVED).order_by("approved_at", "id")
    to_ship = orders.filter(status__in=[OrderStatus.ALLOCATED, OrderStatus.PARTIALLY_SHIPPED])
    return render(request, "fulfillment/home.html", {
        "to_allocate": to_allocate[:50], "to_allocate_count": to_allocate.count(),
        "listing": listing(request, to_ship, sorts={"approved": "approved_at", "number": "number"},
                           default="approved"),
        "returns_waiting": selectors.returns_visible_to(request.user).filter(
            status__in=[ReturnStatus.REQUESTED, ReturnStatus.APPROVED]).count(),
    })


@requires(FULFILLMENT_SHIP)
@require_http_methods(["GET", "POST"])
def order_detail(request, order_id):
    order = _scoped(order_get_for, actor=request.user, order_id=order_id)
    status = 200
    if request.method == "POST":
        try:
            done = _order_action(request, order)
        except DomainError as error:
            messages.error(request, _message(error))
            status = error.status
        else:
            messages.success(request, done)
            return redirect("fulfillment:order", order.pk)
        order.refresh_from_db()
    shipments = list(selectors.shipment_list(Shipment.objects.filter(order=order)).order_by("id"))
    return render(request, "fulfillment/order.html", {
        "order": order, "picking": selectors.picking_lists(order), "shipments": shipments,
        "can_allocate": "allocate" in legal_actions(order),
        "can_ship": order.status in services.SHIPPABLE,
        "carriers": Carrier.objects.filter(is_active=True), "tracking_statuses": TrackingStatus.choices,
        "returns": selectors.return_list(ReturnRequest.objects.filter(order=order)).order_by("-id"),
        "lines": order.lines.select_related("sku", "sku__base_unit", "unit"),
    }, status=status)


def _order_action(request, order) -> str:
    action = request.POST.get("action", "")
    actor = request.user
    if action == "allocate":
        services.order_allocate(actor=actor, order=order)
        return _("Order allocated; pick it from the lists below.")
    if action == "create_shipment":
        lines = {key.removeprefix("line_"): value.strip() or "0" for key, value in request.POST.items()
                 if key.startswith("line_")}
        shipment = services.shipment_create(actor=actor, order=order, warehouse_id=request.POST.get("warehouse"),
                                            lines=lines or None)
        return _("Shipment %(number)s created; it is being picked.") % {"number": shipment.number}
    shipment = _order_shipment(order, request.POST.get("shipment"))
    if action == "ship":
        services.shipment_ship(actor=actor, shipment=shipment, carrier=request.POST.get("carrier") or None,
                               tracking_number=request.POST.get("tracking_number", ""))
        return _("Shipment %(number)s shipped.") % {"number": shipment.number}
    if action == "cancel_shipment":
        services.shipment_cancel(actor=actor, shipment=shipment)
        return _("Shipment %(number)s cancelled.") % {"number": shipment.number}
    if action == "tracking":
        services.tracking_event_add(actor=actor, shipment=shipment, status=request.POST.get("status", ""),
                                    occurred_at=request.POST.get("occurred_at", ""),
                                    location=request.POST.get("location", ""),
                                    description=request.POST.get("description", ""))
        return _("Tracking event recorded for %(number)s.") % {"number": shipment.number}
    raise services.FulfillmentInvalid(_("Unknown action."))


def _order_shipment(order, shipment_id) -> Shipment:
    shipment = Shipment.objects.select_related("order", "warehouse").filter(
        order=order, pk=shipment_id).first() if str(shipment_id).isdigit() else None
    if shipment is None:
        raise Http404
    return shipment


@requires(FULFILLMENT_SHIP)
def picking_list(request, order_id, warehouse_id):
    order = _scoped(order_get_for, actor=request.user, order_id=order_id)
    pick = next((p for p in selectors.picking_lists(order) if p.warehouse.pk == warehouse_id), None)
    if pick is None:
        raise Http404
    return render(request, "fulfillment/picking.html", {"order": order, "pick": pick})


@requires(FULFILLMENT_SHIP)
def shipments(request):
    rows = selectors.shipment_list(selectors.shipments_visible_to(request.user))
    wanted = request.GET.get("status", "")
    if wanted in ShipmentStatus.values:
        rows = rows.filter(status=wanted)
    query = request.GET.get("q", "").strip()
    if query:
        rows = rows.filter(Q(number__icontains=query) | Q(tracking_number__icontains=query)
                           | Q(order__dealer__name__icontains=query) | Q(order__dealer__legal_name__icontains=query))
    return render(request, "fulfillment/shipments.html", {
        "listing": listing(request, rows, sorts={"created": "created_at", "shipped": "shipped_at"},
                           default="-created"),
        "statuses": ShipmentStatus.choices, "status": wanted, "q": query,
    })


@requires_any(RETURNS_DECIDE, FULFILLMENT_SHIP)
@require_http_methods(["GET", "POST"])
def returns(request):
    status = 200
    if request.method == "POST":
        rma = _scoped(selectors.return_get_for, actor=request.user, return_id=request.POST.get("rma"))
        action = request.POST.get("action", "")
        needs = FULFILLMENT_SHIP if action == "receive" else RETURNS_DECIDE
        if not has_perm(request.user, needs):
            raise PermissionDenied
        try:
            if action in ("approve", "reject"):
                services.return_decide(actor=request.user, rma=rma, approve=action == "approve",
                                       note=request.POST.get("note", ""))
            elif action == "receive":
                services.return_receive(actor=request.user, rma=rma, warehouse_id=request.POST.get("warehouse") or None)
            else:
                raise services.FulfillmentInvalid(_("Unknown action."))
        except DomainError as error:
            messages.error(request, _message(error))
            status = error.status
        else:
            messages.success(request, _("Return %(number)s: %(status)s.") % {
                "number": rma.number, "status": ReturnStatus(rma.status).label})
            return redirect(request.get_full_path())
    rows = selectors.return_list(selectors.returns_visible_to(request.user))
    wanted = request.GET.get("status", "open")
    if wanted == "open":
        rows = rows.filter(status__in=[ReturnStatus.REQUESTED, ReturnStatus.APPROVED])
    elif wanted in ReturnStatus.values:
        rows = rows.filter(status=wanted)
    return render(request, "fulfillment/returns.html", {
        "listing": listing(request, rows, sorts={"created": "created_at"}, default="-created"),
        "statuses": ReturnStatus.choices, "status": wanted,
        "can_decide": has_perm(request.user, RETURNS_DECIDE), "can_receive": has_perm(request.user, FULFILLMENT_SHIP),
        "warehouses": Warehouse.objects.filter(is_active=True),
    }, status=status)


@requires(SETTINGS_EDIT)
@require_http_methods(["GET", "POST"])
def carriers(request):
    errors, status = {}, 200
    if request.method == "POST":
        carrier = None
        if request.POST.get("carrier"):
            carrier = Carrier.objects.filter(pk=request.POST["carrier"]).first() \
                if request.POST["carrier"].isdigit() else None
            if carrier is None:
                raise Http404
        secret = request.POST.get("webhook_secret", "")
        try:
            saved = services.carrier_save(
                actor=request.user, carrier=carrier, code=request.POST.get("code", ""),
                name=request.POST.get("name", ""), tracking_url_template=request.POST.get("tracking_url_template", ""),
                webhook_secret=secret if secret or carrier is None else None,
                is_active=request.POST.get("is_active", "on") == "on")
        except DomainError as error:
            errors, status = error.fields, error.status
            messages.error(request, _message(error))
        else:
            messages.success(request, _("Carrier %(name)s saved.") % {"name": saved.name})
            return redirect_next(request, "fulfillment:carriers")
    webhook = request.build_absolute_uri("/api/v1/carriers/CODE/webhook/")
    return render(request, "fulfillment/carriers.html", {
        "carriers": Carrier.objects.order_by("name", "id"), "errors": errors, "posted": request.POST,
        "webhook_url": webhook,
    }, status=status)


# --- bulk actions of the queues ----------------------------------------------------------------------

def _bulk_result(request, *, title: str, outcomes) -> object:
    """The outcome of a bulk action, order by order, on its own page (and a message saying how many went
    through): 200 when at least one order went through, 409 when none did."""
    done = [outcome for outcome in outcomes if outcome.ok]
    failed = [outcome for outcome in outcomes if not outcome.ok]
    if done:
        messages.success(request, _("%(done)s of %(total)s orders done.") % {"done": len(done), "total": len(outcomes)})
    if failed:
        messages.error(request, _("%(failed)s of %(total)s orders failed; see why below.")
                       % {"failed": len(failed), "total": len(outcomes)})
    return render(request, "fulfillment/bulk_result.html", {"title": title, "done": done, "failed": failed},
                  status=200 if done else 409)


def _bulk_error(request, error: DomainError):
    """A bulk request that cannot start (no order selected, too many, a role that may not): its 4xx, with why."""
    return render(request, "fulfillment/bulk_result.html", {"title": _("Nothing was done"), "error": _message(error),
                                                             "done": [], "failed": []}, status=error.status)


def _selected(request, ids) -> list:
    """The selected orders the actor may see, oldest approval first; none of them: 404."""
    orders = list(selectors.orders_visible_to(request.user).select_related("dealer").filter(pk__in=ids)
                  .order_by("approved_at", "id"))
    if not orders:
        raise Http404
    return orders


@requires(FULFILLMENT_SHIP)
@require_http_methods(["GET", "POST"])
def bulk_allocate(request):
    """GET: the selected orders, to confirm. POST: allocate each (its own transaction), then say how it went."""
    source = request.POST if request.method == "POST" else request.GET
    try:
        ids = bulk.order_ids_clean(source.getlist("order"))
        if request.method == "POST":
            outcomes = bulk.orders_bulk_allocate(actor=request.user, order_ids=ids)
            return _bulk_result(request, title=_("Allocate orders"), outcomes=outcomes)
    except DomainError as error:
        return _bulk_error(request, error)
    return render(request, "fulfillment/bulk_allocate.html", {"orders": _selected(request, ids)})


@requires(FULFILLMENT_SHIP)
@require_http_methods(["GET", "POST"])
def bulk_ship(request):
    """GET: the selected orders, each with a carrier and a tracking number to fill in. POST: ship them."""
    source = request.POST if request.method == "POST" else request.GET
    try:
        ids = bulk.order_ids_clean(source.getlist("order"))
    except DomainError as error:
        return _bulk_error(request, error)
    if request.method == "POST":
        without = "without_tracking" in request.POST
        instructions = {order_id: bulk.ShipInstruction(
            carrier=None if without else request.POST.get(f"carrier_{order_id}", ""),
            tracking_number="" if without else request.POST.get(f"tracking_{order_id}", ""))
            for order_id in ids}
        try:
            outcomes = bulk.orders_bulk_ship(actor=request.user, instructions=instructions)
        except DomainError as error:
            return _bulk_error(request, error)
        return _bulk_result(request, title=_("Ship orders"), outcomes=outcomes)
    return render(request, "fulfillment/bulk_ship.html", {
        "orders": _selected(request, ids), "carriers": Carrier.objects.filter(is_active=True).order_by("name", "id"),
        "shippable": services.SHIPPABLE, "can_add_carrier": has_perm(request.user, SETTINGS_EDIT)})


@requires(FULFILLMENT_SHIP)
def bulk_picking(request):
    """One printable page with the picking lists of every selected order (in the actor's scope), per warehouse."""
    try:
        ids = bulk.order_ids_clean(request.GET.getlist("order"))
    except DomainError as error:
        return _bulk_error(request, error)
    orders = _selected(request, ids)
    lists = selectors.picking_lists_for(orders)
    return render(request, "fulfillment/bulk_picking.html", {
        "sheets": [{"order": order, "picks": lists.get(order.pk, [])} for order in orders]})
