"""Brand console: price lists and their entries, import/export, price protection with the compensation owed,
minimum resale prices, and the plain-words explanation of how a dealer's price is chosen."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dms.ui import listing
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import PRICING_EDIT, PRICING_VIEW, has_perm
from tenant_apps.catalog.models import Sku, Unit
from tenant_apps.core.errors import DomainError
from tenant_apps.core.forms import apply_domain_error
from tenant_apps.core.tables import TableTooLarge
from tenant_apps.dealers.selectors import dealers_visible_to, supplier_list
from tenant_apps.pricing import selectors, services, transfer
from tenant_apps.pricing.forms import (
    EntryForm,
    FloorViolationFilterForm,
    ImportForm,
    ListFilterForm,
    PriceListEditForm,
    PriceListForm,
    ProtectionForm,
    ResaleForm,
)
from tenant_apps.pricing.models import PRECEDENCE, PriceEntry, PriceLevel, PriceList, PriceListStatus


def _edit_allowed(request) -> bool:
    if request.method == "POST" and not has_perm(request.user, PRICING_EDIT):
        raise PermissionDenied
    return has_perm(request.user, PRICING_EDIT)


def _dealer(request, form, code: str):
    """The dealer with this code in the user's scope, or None with a field error."""
    if not code:
        return None
    dealer = dealers_visible_to(request.user).filter(code=code.strip()).first()
    if dealer is None:
        form.add_error("dealer_code", _("No dealer with this code."))
    return dealer


def _get_list(request, pk) -> PriceList:
    price_list = selectors.in_scope(PriceList.objects.select_related("tier", "territory", "dealer", "owner"),
                                    request.user).filter(pk=pk).first()
    if price_list is None:
        raise Http404
    return price_list


@requires(PRICING_VIEW)
@require_http_methods(["GET", "POST"])
def price_lists(request):
    can_edit = _edit_allowed(request)
    filters = ListFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {"kind": "", "q": "", "owner": ""}
    suppliers = data["owner"] == "suppliers"  # headquarters' own lists by default; the suppliers' read-only
    rows = selectors.in_scope(selectors.price_list_list(kind=data["kind"], q=data["q"]), request.user).filter(
        owner__isnull=not suppliers).select_related("owner")
    form = PriceListForm(request.POST if request.method == "POST" else None,
                         initial={"valid_from": timezone.localdate(), "currency": request.tenant.default_currency})
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        dealer = _dealer(request, form, values.pop("dealer_code"))
        if not form.errors:
            try:
                price_list = services.price_list_create(actor=request.user, dealer=dealer, **values)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Price list created. Add prices, then activate it."))
                return redirect("pricing_console:list", pk=price_list.pk)
    levels = [(PriceLevel(level).label, level) for level in PRECEDENCE]
    return render(request, "pricing/lists.html", {
        "filters": filters, "form": form, "can_edit": can_edit, "levels": levels, "suppliers": suppliers,
        "listing": listing(request, rows, sorts={"code": "code", "kind": "kind", "valid_from": "valid_from"},
                           default="kind"),
    })


@requires(PRICING_VIEW)
@require_http_methods(["GET", "POST"])
def price_list_detail(request, pk: int):
    can_edit = _edit_allowed(request)
    price_list = _get_list(request, pk)
    if price_list.owner_id is not None:  # a supplier's own list: read here, changed on its supplier console
        if request.method == "POST":
            raise PermissionDenied(_("Price list %(code)s belongs to a supplier: only the supplier's own people "
                                     "change it, on their supplier console. Headquarters can read it.")
                                   % {"code": price_list.code})
        can_edit = False
    action = request.POST.get("action", "")
    edit = PriceListEditForm(request.POST if action == "edit" else None, initial={
        "name": price_list.name, "tier": price_list.tier, "territory": price_list.territory,
        "dealer_code": price_list.dealer.code if price_list.dealer else "",
        "contract_number": price_list.contract_number,
        "valid_from": price_list.valid_from, "valid_to": price_list.valid_to})
    add = EntryForm(request.POST if action == "add" else None)
    if action == "edit" and edit.is_valid():
        values = dict(edit.cleaned_data)
        dealer = _dealer(request, edit, values.pop("dealer_code"))
        if not edit.errors:
            try:
                services.price_list_update(actor=request.user, price_list=price_list, dealer=dealer, **values)
            except DomainError as error:
                apply_domain_error(edit, error)
            else:
                messages.success(request, _("Price list saved."))
                return redirect("pricing_console:list", pk=pk)
    elif action in ("activate", "deactivate"):
        status = PriceListStatus.ACTIVE if action == "activate" else PriceListStatus.INACTIVE
        services.price_list_status_set(actor=request.user, price_list=price_list, status=status)
        messages.success(request, _("Price list activated.") if action == "activate" else _("Price list deactivated."))
        return redirect("pricing_console:list", pk=pk)
    elif action == "add" and add.is_valid():
        data = add.cleaned_data
        sku = Sku.objects.filter(code=data["sku_code"].strip()).first()
        unit = (Unit.objects.filter(code=data["unit_code"]).first() if data["unit_code"]
                else sku.base_unit if sku else None)
        if sku is None:
            add.add_error("sku_code", _("No SKU with this code."))
        elif unit is None:
            add.add_error("unit_code", _("No unit with this code."))
        if sku and unit:
            try:
                services.price_entry_set(actor=request.user, price_list=price_list, sku=sku, unit=unit,
                                         price=data["price"], min_quantity=data["min_quantity"])
            except DomainError as error:
                apply_domain_error(add, error)
            else:
                messages.success(request, _("Price saved."))
                return redirect("pricing_console:list", pk=pk)
    elif action in ("price", "delete"):
        entry = PriceEntry.objects.select_related("sku", "unit").filter(
            pk=request.POST.get("entry", "0") if request.POST.get("entry", "").isdigit() else 0,
            price_list=price_list).first()
        if entry is None:
            raise Http404
        if action == "delete":
            services.price_entry_delete(actor=request.user, entry=entry)
            messages.success(request, _("Price removed."))
        else:
            try:
                services.price_entry_set(actor=request.user, price_list=price_list, sku=entry.sku, unit=entry.unit,
                                         price=request.POST.get("price", ""), min_quantity=entry.min_quantity)
            except DomainError as error:
                messages.error(request, "; ".join(m for ms in error.fields.values() for m in ms) or error.detail)
            else:
                messages.success(request, _("Price saved."))
        return redirect(f"{request.path}?{request.GET.urlencode()}")
    q = request.GET.get("q", "").strip()[:100]
    entries = selectors.price_entry_list(price_list=price_list, q=q)
    return render(request, "pricing/list_detail.html", {
        "price_list": price_list, "edit": edit, "add": add, "can_edit": can_edit, "q": q,
        "listing": listing(request, entries, sorts={"sku": "sku__code", "price": "price"}, default="sku", per_page=50),
    })


@requires(PRICING_EDIT)
@require_http_methods(["GET", "POST"])
def price_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result, status = None, 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = transfer.prices_import(actor=request.user, file=upload, filename=upload.name,
                                            remove_missing=form.cleaned_data["remove_missing"])
        except TableTooLarge as refused:  # past a limit of the reader: 413, the limit on the file field
            apply_domain_error(form, refused)
            status = refused.status
        if result is not None and result.applied:
            messages.success(request, _("Imported: %(created)s new, %(updated)s changed, %(unchanged)s unchanged, "
                                        "%(deleted)s removed.") % {
                "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                "deleted": result.deleted})
            return redirect("pricing_console:lists")
    return render(request, "pricing/import.html", {"form": form, "result": result, "columns": transfer.COLUMNS},
                  status=status)


@requires(PRICING_VIEW)
def price_export(request):
    price_list = None
    if request.GET.get("list", "").isdigit():
        price_list = _get_list(request, int(request.GET["list"]))
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    content, content_type, filename = transfer.prices_export(actor=request.user, fmt=fmt, price_list=price_list)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@requires(PRICING_VIEW)
@require_http_methods(["GET", "POST"])
def protections(request):
    can_edit = _edit_allowed(request)
    form = ProtectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        dealer = _dealer(request, form, data["dealer_code"])
        codes = [code for code in re.split(r"[\s,，;；]+", data["sku_codes"]) if code]
        skus = list(Sku.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {sku.code for sku in skus})
        if missing:
            form.add_error("sku_codes", _("Unknown SKU codes: %(codes)s") % {"codes": ", ".join(missing)})
        if not form.errors:
            try:
                services.protection_window_create(actor=request.user, name=data["name"], dealer=dealer, skus=skus,
                                                  starts_on=data["starts_on"], ends_on=data["ends_on"])
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Protection window created."))
                return redirect("pricing_console:protections")
    compensations = selectors.in_scope(selectors.compensation_list(), request.user)
    return render(request, "pricing/protections.html", {
        "form": form, "can_edit": can_edit,
        "windows": selectors.in_scope(selectors.protection_window_list(), request.user)[:50],
        "listing": listing(request, compensations, sorts={"when": "created_at", "amount": "amount"}, default="-when"),
    })


@requires(PRICING_VIEW)
@require_http_methods(["GET", "POST"])
def resale_prices(request):
    can_edit = _edit_allowed(request)
    form = ResaleForm(request.POST or None, initial={"valid_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sku = Sku.objects.filter(code=data["sku_code"].strip()).first()
        if sku is None:
            form.add_error("sku_code", _("No SKU with this code."))
        else:
            try:
                services.resale_price_set(actor=request.user, sku=sku, price=data["price"],
                                          valid_from=data["valid_from"])
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Minimum resale price saved."))
                return redirect("pricing_console:resale")
    q = request.GET.get("q", "").strip()[:100]
    return render(request, "pricing/resale.html", {
        "form": form, "can_edit": can_edit, "q": q,
        "listing": listing(request, selectors.resale_price_list(q=q), sorts={"sku": "sku__code",
                                                                            "from": "valid_from"}, default="sku"),
    })



@requires(PRICING_VIEW)
def floor_violations(request):
    """Suppliers' attempts to resell below a minimum resale price (乱价), refused and kept: filter by supplier and
    days, newest first, one query per page whatever its size (plus the count and the supplier choices)."""
    form = FloorViolationFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound and form.is_valid() else {}
    rows = selectors.floor_violation_list(actor=request.user, **filters)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "pricing/floor_violations.html", {
        "form": form, "page": page, "listing": {"page": page},
        "suppliers": supplier_list(), "supplier": filters.get("supplier_id"), "can_edit": _edit_allowed(request),
    })
