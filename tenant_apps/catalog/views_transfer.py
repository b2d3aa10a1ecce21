"""Brand console: catalog import and export (CSV / XLSX). Thin: the file goes to
`catalog.transfer.catalog_import`, which checks every row and applies all of them or none."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from tenant_apps.accounts.access import console_required, requires
from tenant_apps.accounts.permissions import CATALOG_EDIT
from tenant_apps.catalog import transfer
from tenant_apps.core.forms import apply_domain_error
from tenant_apps.core.tables import FORMATS, TableTooLarge
from tenant_apps.dealers.forms import ImportForm

# What each column holds, shown on the import page (column, meaning, example).
COLUMN_HELP = [
    ("product_code", gettext_lazy("Product code; rows with the same code are one product (required)"), "P-RB"),
    ("product_name", gettext_lazy("Product name (Chinese)"), gettext_lazy("Red Bull vitamin energy drink")),
    ("product_name_en", gettext_lazy("Product name in English"), "Red Bull"),
    ("category_code", gettext_lazy("Category code (the category must exist)"), "ENERGY"),
    ("series_code", gettext_lazy("Series code; empty: none"), "RB"),
    ("series_name", gettext_lazy("Series name, to create a series that does not exist yet"), gettext_lazy("Red Bull series")),
    ("product_status", gettext_lazy("draft, on_sale or discontinued; empty: unchanged (new: draft)"), "on_sale"),
    ("description", gettext_lazy("Product description"), ""),
    ("sku_code", gettext_lazy("SKU code (required; empty for a product without SKUs)"), "RB-250"),
    ("sku_name", gettext_lazy("SKU name"), gettext_lazy("Red Bull 250ml")),
    ("attributes", gettext_lazy("Attributes as name=value, separated by semicolons"), "size=250ml; pack=24"),
    ("barcode", gettext_lazy("EAN-8, UPC-12, EAN-13 or GTIN-14 barcode"), "6901234567892"),
    ("base_unit", gettext_lazy("Base unit code (cannot change for an existing SKU)"), "can"),
    ("min_order_qty", gettext_lazy("Minimum order quantity; empty: unchanged (new: 1)"), "24"),
    ("order_step", gettext_lazy("Order step; empty: unchanged (new: 1)"), "24"),
    ("sku_status", gettext_lazy("draft, on_sale or discontinued; empty: unchanged (new: on_sale)"), "on_sale"),
    ("units", gettext_lazy("Packaging units as unit:base units in one[:barcode], separated by semicolons"),
     "box:12:16901234567899; case:48"),
    ("visible_tiers", gettext_lazy("Tier codes that may see the product; empty: every tier"), "A;B"),
    ("visible_territories", gettext_lazy("Territory codes that may see the product; empty: everywhere"), "310000"),
]


@console_required
@requires(CATALOG_EDIT)
@require_http_methods(["GET", "POST"])
def catalog_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result, status = None, 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = transfer.catalog_import(actor=request.user, file=upload, filename=upload.name)
        except TableTooLarge as refused:  # past a limit of the reader: 413, the limit on the file field
            apply_domain_error(form, refused)
            status = refused.status
        else:
            if result.applied:
                form = ImportForm()  # ready for the next file
    return render(request, "catalog/console/import.html", {
        "form": form, "result": result, "columns": COLUMN_HELP, "formats": FORMATS,
    }, status=status)


@console_required
@requires(CATALOG_EDIT)
@require_GET
def catalog_export(request):
    """The whole catalog (`?format=csv|xlsx`), or with `?template=1` an empty file with the header only."""
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        return HttpResponseBadRequest(_("Unknown format."))
    if request.GET.get("template"):
        content, content_type, filename = transfer.catalog_template(fmt=fmt)
    else:
        content, content_type, filename = transfer.catalog_export(actor=request.user, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
