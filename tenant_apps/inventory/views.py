"""Brand console: stock per warehouse, the movement ledger, adjustments, warehouses, low-stock alerts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dms.ui import listing
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import INVENTORY_EDIT, INVENTORY_VIEW, has_perm
from tenant_apps.accounts.prerequisites import redirect_next
from tenant_apps.catalog.models import Sku
from tenant_apps.core.errors import DomainError
from tenant_apps.inventory import services
from tenant_apps.inventory.forms import AdjustmentForm, LedgerFilterForm, StockFilterForm, WarehouseForm
from tenant_apps.inventory.models import LowStockAlert, Stock, StockMovement, Warehouse


def _apply(form, error: DomainError) -> None:
    for field, errors in error.fields.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)
    if not error.fields:
        form.add_error(None, error.detail)


@requires(INVENTORY_VIEW)
@require_http_methods(["GET", "POST"])
def stock(request):
    filters = StockFilterForm(request.GET or None)
    # headquarters' own warehouses by default; the suppliers' (S2B2B) read-only on demand, with their owner
    suppliers = request.GET.get("owner") == "suppliers"
    filters.fields["warehouse"].queryset = Warehouse.objects.filter(owner__isnull=not suppliers)
    rows = Stock.objects.select_related("sku", "warehouse__owner").annotate(free=F("on_hand") - F("reserved")).filter(
        warehouse__owner__isnull=not suppliers)
    if filters.is_valid():
        data = filters.cleaned_data
        if data["q"]:
            rows = rows.filter(Q(sku__code__icontains=data["q"]) | Q(sku__name__icontains=data["q"]))
        if data["warehouse"]:
            rows = rows.filter(warehouse=data["warehouse"])
        if data["low"]:
            rows = rows.filter(free__lt=F("low_threshold") + 1)
    can_edit = has_perm(request.user, INVENTORY_EDIT)
    adjust = AdjustmentForm(request.POST if request.method == "POST" and "adjust" in request.POST else None)
    add_warehouse = WarehouseForm(request.POST if request.method == "POST" and "warehouse_add" in request.POST
                                  else None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if "adjust" in request.POST and adjust.is_valid():
            data = adjust.cleaned_data
            sku = Sku.objects.filter(code=data["sku_code"]).first()
            if sku is None:
                adjust.add_error("sku_code", _("No SKU with this code."))
            else:
                try:
                    services.stock_adjust(actor=request.user, sku_id=sku.pk, warehouse_id=data["warehouse"].pk,
                                          delta=data["delta"], reason=data["reason"])
                except DomainError as error:
                    _apply(adjust, error)
                else:
                    messages.success(request, _("Stock adjusted."))
                    return redirect("inventory:warehouses")
        if "warehouse_add" in request.POST and add_warehouse.is_valid():
            try:
                services.warehouse_create(actor=request.user, **add_warehouse.cleaned_data)
            except DomainError as error:
                _apply(add_warehouse, error)
            else:
                messages.success(request, _("Warehouse added."))
                return redirect_next(request, "inventory:warehouses")
    return render(request, "inventory/stock.html", {
        "filters": filters,
        "listing": listing(request, rows, sorts={"sku": "sku__code", "warehouse": "warehouse__code",
                                                 "on_hand": "on_hand", "available": "free"}, default="sku"),
        "warehouses": Warehouse.objects.filter(owner__isnull=not suppliers).select_related("owner"),
        "suppliers": suppliers,
        "alerts": LowStockAlert.objects.filter(resolved_at__isnull=True).select_related(
            "stock__sku", "stock__warehouse")[:20],
        "can_edit": can_edit, "adjust": adjust, "add_warehouse": add_warehouse,
    })


@requires(INVENTORY_VIEW)
def ledger(request):
    filters = LedgerFilterForm(request.GET or None)
    movements = StockMovement.objects.select_related("stock__sku", "stock__warehouse")
    if filters.is_valid():
        data = filters.cleaned_data
        if data["warehouse"]:
            movements = movements.filter(stock__warehouse=data["warehouse"])
        if data["kind"]:
            movements = movements.filter(kind=data["kind"])
        if data["reference"]:
            movements = movements.filter(reference__icontains=data["reference"])
    return render(request, "inventory/ledger.html", {
        "filters": filters,
        "listing": listing(request, movements, sorts={"when": "created_at"}, default="-when", per_page=50),
    })
