"""Dealer storefront: catalog home with categories and search, product page with stock badges, the
dealer's own prices (pricing.selectors.dealer_prices) and promotion badges (promotions.selectors), each in
a constant number of queries whatever the page size. Brand staff see a note instead of a dealer price."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import CATALOG_VIEW
from tenant_apps.catalog.models import Category, Product, ProductImage
from tenant_apps.catalog.selectors import catalog_for, storefront_series
from tenant_apps.inventory.selectors import dealer_stock_views, sku_in_stock_for
from tenant_apps.pricing.selectors import dealer_context, dealer_prices
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
    if in_stock:
        skus = skus.filter(sku_in_stock_for(dealer))
    if on_promotion:
        skus = skus.filter(sku_on_promotion_for(ctx))
    page = Paginator(skus, 24).get_page(request.GET.get("page"))
    skus = list(page.object_list)
    stock = dealer_stock_views(sku.pk for sku in skus)
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
    stock = dealer_stock_views(sku.pk for sku in skus)
    rows = [{"sku": sku, "stock": stock[sku.pk]} for sku in skus]
    _prices_and_badges(request, rows)
    return render(request, "catalog/storefront_product.html", {
        "product": product, "rows": rows, "is_dealer": request.user.is_dealer_staff,
    })
