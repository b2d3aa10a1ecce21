"""Dealer storefront: catalog home with categories and search, product page with stock badges, the
dealer's own prices (pricing.selectors.dealer_prices) and promotion badges (promotions.selectors), each in
a constant number of queries whatever the page size. Brand staff see a note instead of a dealer price."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import (
    CART_EDIT,
    CATALOG_VIEW,
    SUPPLIER_INVENTORY,
    SUPPLIER_ORDERS,
    SUPPLIER_PRICING,
    has_perm,
    supplier_node_id,
)
from tenant_apps.approvals.selectors import approval_pending, can_decide
from tenant_apps.approvals.services import approval_decide
from tenant_apps.catalog.models import Category, Product, ProductImage, Sku
from tenant_apps.catalog.selectors import catalog_for, storefront_series
from tenant_apps.console.forms import (
    SupplierPriceForm,
    SupplierPriceListForm,
    SupplierReceiptForm,
    SupplierSafetyStockForm,
    SupplierWarehouseForm,
)
from tenant_apps.core.errors import DomainError
from tenant_apps.core.forms import apply_domain_error
from tenant_apps.dealers.models import Node
from tenant_apps.dealers.selectors import supplier_dealer_get, supplier_dealers
from tenant_apps.fulfillment.pass_up import RECEIVABLE, pass_up_receive, supplier_order_pass_up
from tenant_apps.fulfillment.services import supplier_order_ship
from tenant_apps.inventory.selectors import (
    ANY_OWNER,
    dealer_stock_views,
    sku_in_stock_for,
    supplier_warehouse_get,
    supplier_warehouses,
    warehouse_stock,
)
from tenant_apps.inventory.services import safety_stock_set, stock_receive, warehouse_create
from tenant_apps.ordering.demand import demand_rollup, demand_to_cart
from tenant_apps.ordering.models import OrderStatus
from tenant_apps.ordering.pass_up import PASSABLE, line_open, line_uncovered, pass_ups_of
from tenant_apps.ordering.presentation import optional_template
from tenant_apps.ordering.selectors import order_detail, supplier_order_get_for, supplier_order_list
from tenant_apps.pricing.selectors import (
    dealer_context,
    dealer_prices,
    price_entry_list,
    supplier_price_list_get,
    supplier_price_lists,
)
from tenant_apps.pricing.services import price_entry_set, price_list_create
from tenant_apps.promotions.presentation import badge_label, rule_summary
from tenant_apps.promotions.selectors import promotion_badges, sku_on_promotion_for

ORDERS = {"relevance": "relevance", "name": "name", "code": "code"}


def _prices_and_badges(request, rows: list[dict], ctx=None) -> None:
    """Adds `price` (the dealer's price of one base unit, or None) and `badges` to each row, for a dealer's
    staff; brand staff get neither (the page shows a note)."""
    user = request.user
    if not (user.is_dealer_staff and user.dealer_id) or not rows:
        return
    dealer = user.dealer
    skus = [row["sku"] for row in rows]
    prices = dealer_prices(dealer, [sku.pk for sku in skus])
    badges = promotion_badges(ctx or dealer_context(dealer), [(sku.pk, sku.product.category.path) for sku in skus])
    for row in rows:
        row["price"] = prices.get(row["sku"].pk)
        row["badges"] = [{"label": badge_label(spec.kind), "summary": rule_summary(spec.kind, spec.rule, spec.currency),
                          "name": spec.name, "code": spec.code} for spec in badges.get(row["sku"].pk, [])]


def _chip_query(request, key: str, value) -> str:
    """The current query with `key` set to `value` (removed when it already has it: a chip toggles), back to page 1."""
    query = request.GET.copy()
    query.pop("page", None)
    if query.get(key) == str(value):
        query.pop(key)
    else:
        query[key] = str(value)
    return query.urlencode()


@requires(CATALOG_VIEW)
def catalog_home(request):
    """Search (words, pinyin or its initials, a code or a barcode) with filters in the URL: category, series,
    in stock (in the warehouses that serve the dealer), on promotion (one the dealer qualifies for); each row
    with its add to cart. A constant number of queries whatever the page size."""
    user = request.user
    dealer = user.dealer if user.is_dealer_staff and user.dealer_id else None
    categories = list(Category.objects.filter(parent__isnull=False).order_by("sort_order", "name"))
    category = next((c for c in categories if str(c.pk) == request.GET.get("category")), None)
    series_list = storefront_series()
    series = next((s for s in series_list if str(s.pk) == request.GET.get("series")), None)
    in_stock = request.GET.get("in_stock") == "1"
    on_promotion = request.GET.get("promotion") == "1" and dealer is not None
    order = request.GET.get("order") if request.GET.get("order") in ORDERS else "relevance"
    q = request.GET.get("q", "").strip()[:100]
    ctx = dealer_context(dealer) if dealer is not None else None
    skus = catalog_for(user, q=q, category=category, series=series, order=order)
    owner = ctx.seller_id if ctx is not None else ANY_OWNER  # a dealer sees its seller's stock (S2B2B)
    if in_stock:
        skus = skus.filter(sku_in_stock_for(dealer, owner_id=owner))
    if on_promotion:
        skus = skus.filter(sku_on_promotion_for(ctx))
    page = Paginator(skus, 24).get_page(request.GET.get("page"))
    skus = list(page.object_list)
    stock = dealer_stock_views((sku.pk for sku in skus), owner_id=owner)
    rows = [{"sku": sku, "stock": stock[sku.pk]} for sku in skus]
    thumbs = {image.product_id: image for image in ProductImage.objects.filter(
        product_id__in={row["sku"].product_id for row in rows}, sort_order=0)}
    for row in rows:
        row["image"] = thumbs.get(row["sku"].product_id)
    _prices_and_badges(request, rows, ctx)
    chips = [{"key": "in_stock", "label": _("In stock"), "active": in_stock,
              "query": _chip_query(request, "in_stock", 1)}]
    if dealer is not None:
        chips.append({"key": "promotion", "label": _("On promotion"), "active": on_promotion,
                      "query": _chip_query(request, "promotion", 1)})
    chips += [{"key": f"series-{s.pk}", "label": s.name, "active": s == series,
               "query": _chip_query(request, "series", s.pk)} for s in series_list]
    return render(request, "catalog/storefront_home.html", {
        "categories": categories, "category": category, "series_list": series_list, "series": series,
        "in_stock": in_stock, "on_promotion": on_promotion, "chips": chips,
        "filter_count": sum(bool(x) for x in (category, series, in_stock, on_promotion, order != "relevance")),
        "q": q, "order": order, "page": page, "rows": rows, "is_dealer": user.is_dealer_staff,
    })


@requires(CATALOG_VIEW)
def product_page(request, product_id: int):
    skus = list(catalog_for(request.user).filter(product_id=product_id).order_by("code"))
    if not skus:
        raise Http404
    product = (Product.objects.select_related("category", "series")
               .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("sort_order")))
               .get(pk=product_id))
    user = request.user
    ctx = dealer_context(user.dealer) if user.is_dealer_staff and user.dealer_id else None
    stock = dealer_stock_views((sku.pk for sku in skus), owner_id=ctx.seller_id if ctx is not None else ANY_OWNER)
    rows = [{"sku": sku, "stock": stock[sku.pk]} for sku in skus]
    _prices_and_badges(request, rows, ctx)
    return render(request, "catalog/storefront_product.html", {
        "product": product, "rows": rows, "is_dealer": request.user.is_dealer_staff,
    })


# --- the supplier console (S2B2B): a supplier dealer's own people, over its sub-dealers ---------------------
# Every page: the capability (held only while the company is an active supplier: 403 otherwise) and the
# supplier's data scope (its sub-dealers, the orders placed with it, its own lists and warehouses): anything
# else is a 404, existing or not.


def _node(request) -> int:
    return supplier_node_id(request.user)


def _found(getter, **kwargs):
    try:
        return getter(**kwargs)
    except DomainError:
        raise Http404 from None


@requires(SUPPLIER_ORDERS)
def supplier_orders_page(request):
    status = request.GET.get("status", "")
    page = Paginator(supplier_order_list(actor=request.user, status=status), 25).get_page(request.GET.get("page"))
    return render(request, "console/supplier_orders.html", {
        "page": page, "status": status, "statuses": OrderStatus.choices, "here": "orders"})


@requires(SUPPLIER_ORDERS)
@require_http_methods(["GET", "POST"])
def supplier_order_page(request, order_id: int):
    order = _found(supplier_order_get_for, actor=request.user, order_id=order_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("approve", "reject"):
                approval_decide(actor=request.user, order=order, decision=action,
                                reason=request.POST.get("reason", ""))
                messages.success(request, _("Decision recorded."))
            elif action == "ship" and has_perm(request.user, SUPPLIER_INVENTORY):
                warehouse = _found(supplier_warehouse_get, node_id=_node(request),
                                   warehouse_id=request.POST.get("warehouse", ""))
                supplier_order_ship(actor=request.user, order=order, warehouse=warehouse)
                messages.success(request, _("Shipped from %(warehouse)s.") % {"warehouse": warehouse.name})
            elif action == "pass_up":
                lines = {key.removeprefix("line-"): value.strip() or "0" for key, value in request.POST.items()
                         if key.startswith("line-")}
                passed = supplier_order_pass_up(actor=request.user, order=order, mode=request.POST.get("mode", ""),
                                                lines=lines)
                messages.success(request, _("Passed up to headquarters as order %(number)s.")
                                 % {"number": passed.number})
            elif action == "receive" and has_perm(request.user, SUPPLIER_INVENTORY):
                warehouse = _found(supplier_warehouse_get, node_id=_node(request),
                                   warehouse_id=request.POST.get("warehouse", ""))
                passed = next((o for o in pass_ups_of(order) if str(o.pk) == request.POST.get("pass_up")), None)
                if passed is None:
                    raise Http404
                pass_up_receive(actor=request.user, source=order, order=passed, warehouse=warehouse)
                messages.success(request, _("Received into %(warehouse)s.") % {"warehouse": warehouse.name})
            else:
                raise PermissionDenied
        except DomainError as error:
            messages.error(request, " ".join([str(error.detail), *(str(message) for messages_ in (
                getattr(error, "fields", None) or {}).values() for message in messages_)]))
        return redirect("supplier:order", order_id=order.pk)
    detail = order_detail(order)
    pending = approval_pending(order=detail)
    passable = detail.status in PASSABLE
    return render(request, "console/supplier_order.html", {
        "order": detail, "pending": pending, "here": "orders",
        "lines": [{"line": line, "open": line_open(line), "default": line_uncovered(line)}
                  for line in detail.lines.all()],
        "pass_ups": pass_ups_of(detail), "passable": passable, "receivable": RECEIVABLE,
        "shipments_partial": optional_template("fulfillment/_order_shipments.html"),
        "may_decide": can_decide(actor=request.user, approval=pending, order=detail),
        "warehouses": list(supplier_warehouses(node_id=_node(request)))
        if has_perm(request.user, SUPPLIER_INVENTORY) else []})


@requires(SUPPLIER_ORDERS)
def supplier_dealers_page(request):
    return render(request, "console/supplier_dealers.html", {
        "dealers": supplier_dealers(node_id=_node(request)), "here": "dealers"})


@requires(SUPPLIER_ORDERS)
def supplier_dealer_page(request, dealer_id: int):
    dealer = _found(supplier_dealer_get, node_id=_node(request), dealer_id=dealer_id)
    orders = supplier_order_list(actor=request.user).filter(dealer=dealer)[:20]
    return render(request, "console/supplier_dealer.html", {"dealer": dealer, "orders": orders, "here": "dealers"})


@requires(SUPPLIER_PRICING)
@require_http_methods(["GET", "POST"])
def supplier_price_lists_page(request):
    node = _node(request)
    form = SupplierPriceListForm(request.POST or None, node_id=node)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = price_list_create(actor=request.user, owner=Node.objects.get(pk=node), code=data["code"],
                                     name=data["name"], kind=data["kind"], tier=data.get("tier"),
                                     dealer=data.get("dealer"), status="active")
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Price list created."))
            return redirect("supplier:price-list", list_id=made.pk)
    return render(request, "console/supplier_price_lists.html", {
        "lists": supplier_price_lists(node_id=node), "form": form, "here": "prices"})


@requires(SUPPLIER_PRICING)
@require_http_methods(["GET", "POST"])
def supplier_price_list_page(request, list_id: int):
    price_list = _found(supplier_price_list_get, node_id=_node(request), list_id=list_id)
    form = SupplierPriceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sku = Sku.objects.filter(code=data["sku_code"].strip()).select_related("base_unit").first()
        if sku is None:
            form.add_error("sku_code", _("No SKU with this code."))
        else:
            try:
                price_entry_set(actor=request.user, price_list=price_list, sku=sku, unit=sku.base_unit,
                                price=data["price"], min_quantity=data["min_quantity"])
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Price saved."))
                return redirect("supplier:price-list", list_id=price_list.pk)
    return render(request, "console/supplier_price_list.html", {
        "price_list": price_list, "entries": price_entry_list(price_list=price_list).order_by("sku__code"),
        "form": form, "here": "prices"})


@requires(SUPPLIER_INVENTORY)
@require_http_methods(["GET", "POST"])
def supplier_warehouses_page(request):
    """The supplier's own warehouses, and a form to add one (only its sub-dealers' orders reserve from it)."""
    node = _node(request)
    form = SupplierWarehouseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = warehouse_create(actor=request.user, code=form.cleaned_data["code"],
                                    name=form.cleaned_data["name"], owner=Node.objects.get(pk=node))
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Warehouse %(code)s added.") % {"code": made.code})
            return redirect("supplier:warehouse", warehouse_id=made.pk)
    return render(request, "console/supplier_warehouses.html", {
        "warehouses": supplier_warehouses(node_id=node), "form": form, "here": "stock"})


@requires(SUPPLIER_INVENTORY)
@require_http_methods(["GET", "POST"])
def supplier_warehouse_page(request, warehouse_id: int):
    warehouse = _found(supplier_warehouse_get, node_id=_node(request), warehouse_id=warehouse_id)
    form = SupplierReceiptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sku = Sku.objects.filter(code=data["sku_code"].strip()).first()
        if sku is None:
            form.add_error("sku_code", _("No SKU with this code."))
        else:
            try:
                stock_receive(actor=request.user, sku_id=sku.pk, warehouse_id=warehouse.pk,
                              quantity=data["quantity"], reference=data["reference"])
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Stock received."))
                return redirect("supplier:warehouse", warehouse_id=warehouse.pk)
    return render(request, "console/supplier_warehouse.html", {
        "warehouse": warehouse, "stock": warehouse_stock(warehouse=warehouse), "form": form, "here": "stock"})


@requires(SUPPLIER_INVENTORY)
@require_http_methods(["GET", "POST"])
def supplier_demand_page(request):
    """The demand roll-up: per SKU, what the sub-dealers still wait for against our stock, what we have on order
    from headquarters and our safety stock, with the suggested purchase and its reasons; the safety stock form; and
    "create purchase order", which puts the suggestions into our own cart (reviewed and submitted as usual)."""
    dealer = request.user.dealer
    form = SupplierSafetyStockForm(request.POST if request.POST.get("action") == "safety" else None)
    if request.method == "POST" and request.POST.get("action") == "to_cart":
        if not has_perm(request.user, CART_EDIT):
            raise PermissionDenied
        try:
            added = demand_to_cart(actor=request.user, dealer=dealer)
        except DomainError as error:
            messages.error(request, " ".join([str(error.detail), *(str(m) for ms in (error.fields or {}).values()
                                                                   for m in ms)]))
            return redirect("supplier:demand")
        messages.success(request, _("Lines put in your cart: %(lines)s. Review them and submit the order.")
                         % {"lines": added.lines})
        for skipped in added.skipped:
            messages.warning(request, skipped)
        return redirect("cart:cart")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sku = Sku.objects.filter(code=data["sku_code"].strip()).first()
        if sku is None:
            form.add_error("sku_code", _("No SKU with this code."))
        else:
            try:
                safety_stock_set(actor=request.user, owner=Node.objects.get(pk=_node(request)), sku_id=sku.pk,
                                 quantity=data["quantity"])
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Safety stock saved."))
                return redirect("supplier:demand")
    return render(request, "console/supplier_demand.html", {
        "rollup": demand_rollup(dealer=dealer), "form": form, "here": "demand",
        "may_fill_cart": has_perm(request.user, CART_EDIT)})
