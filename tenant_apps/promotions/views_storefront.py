"""Dealer storefront: the promotions that apply to the signed-in dealer now (/promotions/)."""

from __future__ import annotations

from django.shortcuts import render

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import CATALOG_VIEW
from tenant_apps.pricing.selectors import dealer_context
from tenant_apps.promotions import selectors
from tenant_apps.promotions.presentation import badge_label, rule_summary


@requires(CATALOG_VIEW)
def current(request):
    user = request.user
    rows = []
    if user.is_dealer_staff and user.dealer_id:
        for promotion in selectors.promotions_current_page(dealer_context(user.dealer)):
            rows.append({"promotion": promotion, "label": badge_label(promotion.kind),
                         "summary": rule_summary(promotion.kind, promotion.rule, promotion.currency)})
    return render(request, "promotions/storefront_current.html", {
        "rows": rows, "is_dealer": user.is_dealer_staff and user.dealer_id is not None})
