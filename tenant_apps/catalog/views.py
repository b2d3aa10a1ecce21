"""Brand console pages of the catalog (/console/catalog/): products with their SKUs, packaging units
and images, the category tree, series and units, bulk image upload. Thin: each page declares its
capability (catalog.view to look, catalog.edit to change: a POST without it is a 403 and changes
nothing), writes only through catalog.services and turns domain errors into field errors or toasts.
The catalog has no data scope: every brand user with catalog.view sees all of it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dms.ui import listing
from tenant_apps.accounts.access import console_required, requires
from tenant_apps.accounts.permissions import CATALOG_EDIT, CATALOG_VIEW, has_perm
from tenant_apps.accounts.prerequisites import NEXT, redirect_next, safe_next
from tenant_apps.catalog import export, services, transfer
from tenant_apps.catalog.forms import (
    BulkImagesForm,
    CategoryEditForm,
    CategoryForm,
    ImagesForm,
    ProductFilterForm,
    ProductForm,
    SeriesEditForm,
    SeriesForm,
    SkuForm,
    SkuUnitForm,
    StatusForm,
    UnitForm,
    VisibilityForm,
    categories_in_tree_order,
)
from tenant_apps.catalog.models import (
    Category,
    Product,
    ProductImage,
    ProductStatus,
    Series,
    Sku,
    SkuUnit,
    Unit,
)
from tenant_apps.core.errors import DomainError
from tenant_apps.core.forms import apply_domain_error
from tenant_apps.core.tables import FORMATS, TableTooLarge
from tenant_apps.dealers.forms import ImportForm

PRODUCT_SORTS = {"code": "code", "name": "name", "category": "category__name", "skus": "sku_count",
                 "status": "status", "updated": "updated_at"}
STATUS_BADGE = {ProductStatus.DRAFT: "", ProductStatus.ON_SALE: "ok", ProductStatus.DISCONTINUED: "danger"}
TRANSITION_LABELS = {
    (ProductStatus.DRAFT, ProductStatus.ON_SALE): gettext_lazy("Put on sale"),
    (ProductStatus.ON_SALE, ProductStatus.DISCONTINUED): gettext_lazy("Discontinue"),
    (ProductStatus.DISCONTINUED, ProductStatus.ON_SALE): gettext_lazy("Put back on sale"),
}


def _can_edit(request) -> bool:
    return has_perm(request.user, CATALOG_EDIT)


def _edit_or_403(request) -> None:
    if not _can_edit(request):
        raise PermissionDenied


def _thumbnail_url(name: str | None) -> str:
    return ProductImage._meta.get_field("thumbnail").storage.url(name) if name else ""


def _product_or_404(product_id: int) -> Product:
    return get_object_or_404(Product.objects.select_related("category", "series"), pk=product_id)


def _sku_or_404(product: Product, sku_id: int) -> Sku:
    """A SKU of this product (another product's SKU is a 404)."""
    sku = get_object_or_404(Sku.objects.select_related("base_unit"), pk=sku_id, product=product)
    sku.product = product
    return sku


def status_badge(status: str) -> str:
    return STATUS_BADGE.get(status, "")


# --- the product list ---------------------------------------------------------------------------


def products_matching(*, q: str = "", category: Category | None = None, series: Series | None = None,
                      status: str = ""):
    """Products for the console list: `q` over product code and names and, through the SKUs' trigram
    search text (selectors.sku_search's index), SKU codes, names and barcodes; `category` with its
    subtree. Annotated with the SKU count and the cover thumbnail: one query for any page size."""
    products = Product.objects.select_related("category", "series").annotate(
        sku_count=Count("skus", distinct=True),
        thumbnail_name=Subquery(ProductImage.objects.filter(product=OuterRef("pk"))
                                .order_by("sort_order", "pk").values("thumbnail")[:1]),
    )
    q = " ".join((q or "").split())
    if q:
        skus = Sku.objects.filter(product=OuterRef("pk"))
        products = products.filter(
            Q(code__iexact=q) | Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q)
            | Exists(skus.filter(search_text__contains=q.lower()))
            | Exists(skus.filter(Q(code__iexact=q) | Q(barcode=q)))
        )
    if category is not None:
        products = products.filter(category__path__descendant_of=category.path)
    if series is not None:
        products = products.filter(series=series)
    if status:
        products = products.filter(status=status)
    return products


@console_required
@requires(CATALOG_VIEW)
@require_GET
def product_list(request):
    categories = categories_in_tree_order()
    form = ProductFilterForm(request.GET, categories=categories)
    form.is_valid()
    filters = form.cleaned_data
    products = products_matching(q=filters.get("q") or "", category=filters.get("category"),
                                 series=filters.get("series"), status=filters.get("status") or "")
    page = listing(request, products, sorts=PRODUCT_SORTS, default="code")
    rows = [{"product": product, "badge": status_badge(product.status),
             "thumbnail": _thumbnail_url(product.thumbnail_name)} for product in page.page]
    return render(request, "catalog/console/products.html", {
        "form": form, "listing": page, "rows": rows, "can_edit": _can_edit(request),
        "filtered": any(filters.get(name) for name in ("q", "category", "series", "status")),
    })


# --- one product --------------------------------------------------------------------------------


@console_required
@requires(CATALOG_EDIT)
@require_http_methods(["GET", "POST"])
def product_create(request):
    form = ProductForm(request.POST or None, initial={"category": request.GET.get("category")})
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Product %(code)s created. Add its SKUs and images.") % {"code": product.code})
            back = safe_next(request)
            if back:  # opened from a form that needs a SKU: add one, then go back there
                return redirect(f"{_back('catalog_console:sku-create', product.pk)}?{urlencode({NEXT: back})}")
            return redirect("catalog_console:product", product.pk)
    return render(request, "catalog/console/form_page.html", {
        "form": form, "title": _("New product"), "submit": _("Create product"),
        "back": _back("catalog_console:products"),
    }, status=400 if form.is_bound and form.errors else 200)


def _back(name: str, *args) -> str:
    return reverse(name, args=args)


def _transitions(product: Product) -> list[dict]:
    order = list(ProductStatus)
    targets = sorted((to for start, to in services.PRODUCT_TRANSITIONS if start == product.status), key=order.index)
    return [{"to": ProductStatus(to), "label": TRANSITION_LABELS[(product.status, to)],
             "danger": to == ProductStatus.DISCONTINUED,
             "form": StatusForm(initial={"to": to}, auto_id=f"id_{to}_%s")} for to in targets]


def _product_page(request, product: Product, *, form=None, visibility=None, images_form=None, status=200):
    can_edit = _can_edit(request)
    if form is None:
        form = ProductForm(editing=True, initial={
            "name": product.name, "name_en": product.name_en, "category": product.category_id,
            "series": product.series_id, "description": product.description,
            "specifications": product.specifications})
    if visibility is None:
        visibility = VisibilityForm(initial={"tiers": list(product.visible_tiers.all()),
                                             "territories": list(product.visible_territories.all())})
    skus = list(product.skus.select_related("base_unit").prefetch_related(
        Prefetch("units", queryset=SkuUnit.objects.select_related("unit").order_by("factor"))))
    images = list(product.images.all())
    return render(request, "catalog/console/product.html", {
        "product": product, "badge": status_badge(product.status), "can_edit": can_edit, "form": form,
        "visibility": visibility, "images_form": images_form or ImagesForm(), "skus": skus, "images": images,
        "transitions": _transitions(product) if can_edit else [],
    }, status=status)


@console_required
@requires(CATALOG_VIEW)
@require_http_methods(["GET", "POST"])
def product_detail(request, product_id: int):
    product = _product_or_404(product_id)
    if request.method == "GET":
        return _product_page(request, product)
    _edit_or_403(request)
    form = ProductForm(request.POST, editing=True)
    if form.is_valid():
        changes = {name: value for name, value in form.cleaned_data.items() if getattr(product, name) != value}
        if not changes:
            messages.info(request, _("Nothing changed."))
            return redirect("catalog_console:product", product.pk)
        try:
            services.product_update(actor=request.user, product=product, **changes)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Product saved."))
            return redirect("catalog_console:product", product.pk)
    return _product_page(request, product, form=form, status=400)


@console_required
@requires(CATALOG_EDIT)
@require_POST
def product_status(request, product_id: int):
    product = _product_or_404(product_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return redirect("catalog_console:product", product.pk)
    try:
        product = services.product_status_change(actor=request.user, product=product, to=form.cleaned_data["to"],
                                                 reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("catalog_console:product", product.pk)
    messages.success(request, _("%(product)s is now %(status)s.") % {
        "product": product.name, "status": ProductStatus(product.status).label})
    return redirect("catalog_console:product", product.pk)


@console_required
@requires(CATALOG_EDIT)
@require_POST
def product_visibility(request, product_id: int):
    product = _product_or_404(product_id)
    form = VisibilityForm(request.POST)
    if not form.is_valid():
        return _product_page(request, product, visibility=form, status=400)
    services.product_visibility_set(actor=request.user, product=product, tiers=list(form.cleaned_data["tiers"]),
                                    territories=list(form.cleaned_data["territories"]))
    messages.success(request, _("Visibility saved."))
    return redirect("catalog_console:product", product.pk)


# --- images -------------------------------------------------------------------------------------


@console_required
@requires(CATALOG_EDIT)
@require_POST
def product_images(request, product_id: int):
    product = _product_or_404(product_id)
    form = ImagesForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            added = services.product_images_add(actor=request.user, product=product, images=form.cleaned_data["images"])
        except DomainError as error:
            if error.fields:  # the summary above the files' own messages (alone, apply_domain_error puts it)
                form.add_error(None, str(error.detail))
            apply_domain_error(form, error)
        else:
            messages.success(request, ngettext("%(count)d image added.", "%(count)d images added.", len(added))
                             % {"count": len(added)})
            return redirect(f"{_back('catalog_console:product', product.pk)}#images")
    return _product_page(request, product, images_form=form, status=400)


def _image_or_404(product: Product, image_id: int) -> ProductImage:
    return get_object_or_404(ProductImage, pk=image_id, product=product)


@console_required
@requires(CATALOG_EDIT)
@require_POST
def product_image_delete(request, product_id: int, image_id: int):
    product = _product_or_404(product_id)
    services.product_image_delete(actor=request.user, image=_image_or_404(product, image_id))
    messages.success(request, _("Image deleted."))
    return redirect(f"{_back('catalog_console:product', product.pk)}#images")


@console_required
@requires(CATALOG_EDIT)
@require_POST
def product_image_move(request, product_id: int, image_id: int):
    """Move an image one place earlier or later, or first (the cover)."""
    product = _product_or_404(product_id)
    image = _image_or_404(product, image_id)
    ids = list(product.images.values_list("pk", flat=True))
    position = ids.index(image.pk)
    direction = request.POST.get("direction")
    ids.pop(position)
    if direction == "first":
        ids.insert(0, image.pk)
    elif direction == "up":
        ids.insert(max(position - 1, 0), image.pk)
    elif direction == "down":
        ids.insert(position + 1, image.pk)
    else:
        messages.error(request, _("Choose where the image goes."))
        return redirect(f"{_back('catalog_console:product', product.pk)}#images")
    services.product_images_reorder(actor=request.user, product=product, image_ids=ids)
    messages.success(request, _("Images reordered."))
    return redirect(f"{_back('catalog_console:product', product.pk)}#images")


@console_required
@requires(CATALOG_VIEW)
@require_http_methods(["GET", "POST"])
def bulk_images(request):
    form = BulkImagesForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST":
        _edit_or_403(request)
        if form.is_valid():
            try:
                result = services.product_images_bulk_add(actor=request.user, files=form.cleaned_data["files"])
            except DomainError as error:
                form.add_error(None, str(error.detail))  # "nothing was added", above the list of files
                apply_domain_error(form, error)
        if result is None:
            status = 400
        else:
            messages.success(request, ngettext(
                "%(count)d image added to %(products)d products.", "%(count)d images added to %(products)d products.",
                result.added) % {"count": result.added, "products": result.products})
            form = BulkImagesForm()
    return render(request, "catalog/console/bulk_images.html", {
        "form": form, "result": result, "can_edit": _can_edit(request),
    }, status=status)


# --- SKUs and packaging units -------------------------------------------------------------------


@console_required
@requires(CATALOG_EDIT)
@require_http_methods(["GET", "POST"])
def sku_create(request, product_id: int):
    product = _product_or_404(product_id)
    form = SkuForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sku = services.sku_create(actor=request.user, product=product, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("SKU %(code)s created.") % {"code": sku.code})
            return redirect_next(request, "catalog_console:sku", product.pk, sku.pk)
    return render(request, "catalog/console/form_page.html", {
        "form": form, "title": _("New SKU"), "submit": _("Create SKU"), "product": product,
        "back": _back("catalog_console:product", product.pk),
    }, status=400 if form.is_bound and form.errors else 200)


def _sku_page(request, product, sku, *, form=None, unit_form=None, status=200):
    if form is None:
        form = SkuForm(editing=True, initial={
            "name": sku.name, "attributes": sku.attributes, "barcode": sku.barcode,
            "min_order_qty": sku.min_order_qty, "order_step": sku.order_step, "status": sku.status})
    return render(request, "catalog/console/sku.html", {
        "product": product, "sku": sku, "form": form, "unit_form": unit_form or SkuUnitForm(),
        "units": list(sku.units.select_related("unit").order_by("factor")), "can_edit": _can_edit(request),
    }, status=status)


@console_required
@requires(CATALOG_VIEW)
@require_http_methods(["GET", "POST"])
def sku_detail(request, product_id: int, sku_id: int):
    product = _product_or_404(product_id)
    sku = _sku_or_404(product, sku_id)
    if request.method == "GET":
        return _sku_page(request, product, sku)
    _edit_or_403(request)
    form = SkuForm(request.POST, editing=True)
    if form.is_valid():
        changes = {name: value for name, value in form.cleaned_data.items() if getattr(sku, name) != value}
        try:
            if changes:
                services.sku_update(actor=request.user, sku=sku, **changes)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("SKU saved.") if changes else _("Nothing changed."))
            return redirect("catalog_console:sku", product.pk, sku.pk)
    return _sku_page(request, product, sku, form=form, status=400)


@console_required
@requires(CATALOG_EDIT)
@require_POST
def sku_unit_add(request, product_id: int, sku_id: int):
    product = _product_or_404(product_id)
    sku = _sku_or_404(product, sku_id)
    form = SkuUnitForm(request.POST)
    if form.is_valid():
        try:
            services.sku_unit_add(actor=request.user, sku=sku, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Packaging unit added."))
            return redirect("catalog_console:sku", product.pk, sku.pk)
    return _sku_page(request, product, sku, unit_form=form, status=400)


@console_required
@requires(CATALOG_EDIT)
@require_POST
def sku_unit_remove(request, product_id: int, sku_id: int, unit_id: int):
    product = _product_or_404(product_id)
    sku = _sku_or_404(product, sku_id)
    sku_unit = get_object_or_404(SkuUnit.objects.select_related("unit"), pk=unit_id, sku=sku)
    services.sku_unit_remove(actor=request.user, sku_unit=sku_unit)
    messages.success(request, _("Packaging unit removed."))
    return redirect("catalog_console:sku", product.pk, sku.pk)


# --- categories ---------------------------------------------------------------------------------


@console_required
@requires(CATALOG_VIEW)
@require_http_methods(["GET", "POST"])
def categories(request):
    tree = categories_in_tree_order(Category.objects.annotate(product_count=Count("products")))
    initial = {"parent": request.GET.get("parent")} if request.GET.get("parent", "").isdigit() else {}
    form = CategoryForm(request.POST or None, categories=tree, initial=initial)
    if request.method == "POST":
        _edit_or_403(request)
        if form.is_valid():
            try:
                category = services.category_create(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Category %(name)s added.") % {"name": category.name})
                return redirect_next(request, "catalog_console:categories")
    return render(request, "catalog/console/categories.html", {
        "tree": tree, "form": form, "can_edit": _can_edit(request),
    }, status=400 if form.is_bound and form.errors else 200)


@console_required
@requires(CATALOG_EDIT)
@require_http_methods(["GET", "POST"])
def category_edit(request, category_id: int):
    category = get_object_or_404(Category, pk=category_id)
    tree = [c for c in categories_in_tree_order()
            if c.path != category.path and not c.path.startswith(f"{category.path}.")]
    form = CategoryEditForm(request.POST or None, categories=tree, initial={
        "name": category.name, "name_en": category.name_en, "sort_order": category.sort_order,
        "parent": category.parent_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.category_update(actor=request.user, category=category, name=data["name"],
                                         name_en=data["name_en"], sort_order=data["sort_order"])
                if (data["parent"].pk if data["parent"] else None) != category.parent_id:
                    services.category_move(actor=request.user, category=category, parent=data["parent"])
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Category saved."))
            return redirect("catalog_console:categories")
    return render(request, "catalog/console/form_page.html", {
        "form": form, "title": _("Edit category %(code)s") % {"code": category.code}, "submit": _("Save"),
        "back": _back("catalog_console:categories"),
    }, status=400 if form.is_bound and form.errors else 200)


# --- series and units ---------------------------------------------------------------------------


@console_required
@requires(CATALOG_VIEW)
@require_http_methods(["GET", "POST"])
def series_list(request):
    form = SeriesForm(request.POST if "series_add" in request.POST else None)
    unit_form = UnitForm(request.POST if "unit_add" in request.POST else None)
    if request.method == "POST":
        _edit_or_403(request)
        bound = form if form.is_bound else unit_form if unit_form.is_bound else None
        if bound is None:
            raise Http404
        if bound.is_valid():
            try:
                if bound is form:
                    made = services.series_create(actor=request.user, **form.cleaned_data)
                    messages.success(request, _("Series %(name)s added.") % {"name": made.name})
                else:
                    made = services.unit_ensure(**unit_form.cleaned_data)
                    messages.success(request, _("Unit %(name)s added.") % {"name": made.name})
            except DomainError as error:
                apply_domain_error(bound, error)
            else:
                return redirect_next(request, "catalog_console:series")
    series = list(Series.objects.annotate(product_count=Count("products")).order_by("name"))
    for row in series:
        row.rename_form = SeriesEditForm(initial={"name": row.name}, auto_id=f"id_series{row.pk}_%s")
    return render(request, "catalog/console/series.html", {
        "series": series, "units": list(Unit.objects.order_by("code")), "form": form, "unit_form": unit_form,
        "can_edit": _can_edit(request),
    }, status=400 if (form.errors or unit_form.errors) else 200)


@console_required
@requires(CATALOG_EDIT)
@require_POST
def series_rename(request, series_id: int):
    series = get_object_or_404(Series, pk=series_id)
    form = SeriesEditForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a name."))
        return redirect("catalog_console:series")
    try:
        services.series_update(actor=request.user, series=series, name=form.cleaned_data["name"])
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Series renamed."))
    return redirect("catalog_console:series")


# --- import and export (CSV / XLSX): the file goes to catalog.transfer.catalog_import, which checks every
# row and applies all of them or none.

# What each column holds, shown on the import page (column, meaning, example).
COLUMN_HELP = [
    ("product_code", gettext_lazy("Product code; rows with the same code are one product (required)"), "P-RB"),
    ("product_name", gettext_lazy("Product name (Chinese)"), gettext_lazy("Red Bull vitamin energy drink")),
    ("product_name_en", gettext_lazy("Product name in English"), "Red Bull"),
    ("category_code", gettext_lazy("Category code (the category must exist)"), "ENERGY"),
    ("series_code", gettext_lazy("Series code; empty: none"), "RB"),
    ("series_name", gettext_lazy("Series name, to create a series that does not exist yet"),
     gettext_lazy("Red Bull series")),
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
        content, content_type, filename = export.catalog_template(fmt=fmt)
    else:
        content, content_type, filename = export.catalog_export(actor=request.user, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
