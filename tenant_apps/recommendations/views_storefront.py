"""Storefront fragments of recommendations: the blocks of the home page, a product page and the cart, each loaded
by htmx from the page (one hx-get line in the catalog's and ordering's templates). Dealer staff only: brand staff
get nothing (204), as do blocks the brand turned off."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import CART_EDIT, CATALOG_VIEW, has_perm
from tenant_apps.core.numbers import is_id
from tenant_apps.recommendations.selectors import recommendations_for


def _fragment(request, *, place: str, product_id: int | None = None):
    user = request.user
    if not user.is_dealer_staff or user.dealer_id is None:
        return HttpResponse(status=204)
    blocks = recommendations_for(dealer=user.dealer, place=place, product_id=product_id)
    back = request.headers.get("HX-Current-URL", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return render(request, "recommendations/blocks.html", {
        "blocks": blocks, "place": place, "can_order": has_perm(user, CART_EDIT), "back": back})


@requires(CATALOG_VIEW)
@require_GET
def home(request):
    return _fragment(request, place="home")


@requires(CATALOG_VIEW)
@require_GET
def product(request, product_id: int):
    if not is_id(product_id):
        raise Http404
    return _fragment(request, place="product", product_id=product_id)


@requires(CATALOG_VIEW)
@require_GET
def cart(request):
    return _fragment(request, place="cart")
