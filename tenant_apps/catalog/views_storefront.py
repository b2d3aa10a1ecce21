"""Dealer storefront: catalog home with categories and search, product page with stock badges, the
dealer's own prices (pricing.selectors.dealer_prices) and promotion badges (promotions.selectors), each in
a constant number of queries whatever the page size. Brand staff see a note instead of a dealer price."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render

from tenant_apps.accounts.permissions import CATALOG_VIEW
from tenant_apps.catalog.models import Category, Product, ProductImage
from tenant_apps.catalog.selectors import catalog_for
from tenant_apps.core.access import requires
from tenant_apps.inventory.selectors import dealer_stock_views
from tenant_apps.pricing.quote import dealer_context
from tenant_apps.pricing.selectors import dealer_prices
from tenant_apps.promotions.presentation import badge_label, rule_summary
from tenant_apps.promotions.selectors import promotion_badges

ORDERS = {"relevance": "relevance", "name": "name", "code": "code"}


def _prices_and_badges(request, rows: list[dict]) -> None:
    """Adds `price` (the dealer's price of one base unit, or None) and `badges` to each row, for a dealer's
    staff; brand staff get neither (the page shows a note)."""
    user = request.user
    if not (user.is_dealer_staff and user.dealer_id) or not rows:
        return
    dealer = user.dealer
    skus = [row["sku"] for row in rows]
    prices = dealer_prices(dealer, [sku.pk for sku in skus])
    badges = promotion_badges(dealer_context(dealer), [(sku.pk, sku.product.category.path) for sku in skus])
    for row in rows:
        row["price"] = prices.get(row["sku"].pk)
        row["badges"] = [{"label": badge_label(spec.kind), "summary": rule_summary(spec.kind, spec.rule, spec.currency),
                          "name": spec.name, "code": spec.code} for spec in badges.get(row["sku"].pk, [])]


@requires(CATALOG_VIEW)
def catalog_home(request):
    categories = list(Category.objects.filter(parent__isnull=False).order_by("sort_order", "name"))
    category = next((c for c in categories if str(c.pk) == request.GET.get("category")), None)
    order = request.GET.get("order") if request.GET.get("order") in ORDERS else "relevance"
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(catalog_for(request.user, q=q, category=category, order=order), 24).get_page(
        request.GET.get("page"))
    skus = list(page.object_list)
    stock = dealer_stock_views(sku.pk for sku in skus)
    rows = [{"sku": sku, "stock": stock[sku.pk]} for sku in skus]
    thumbs = {image.product_id: image for image in ProductImage.objects.filter(
        product_id__in={row["sku"].product_id for row in rows}, sort_order=0)}
    for row in rows:
        row["image"] = thumbs.get(row["sku"].product_id)
    _prices_and_badges(request, rows)
    return render(request, "catalog/storefront_home.html", {
        "categories": categories, "category": category, "q": q, "order": order, "page": page, "rows": rows,
        "is_dealer": request.user.is_dealer_staff,
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
