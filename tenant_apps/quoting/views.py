"""The console's cart preview: a cart priced for a dealer now, as the storefront and ordering price it."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import PROMOTIONS_VIEW
from tenant_apps.catalog.models import Sku
from tenant_apps.dealers.selectors import dealers_visible_to
from tenant_apps.pricing.quote_types import CartLine
from tenant_apps.promotions.forms import PreviewForm
from tenant_apps.promotions.presentation import ENGINE_RULES
from tenant_apps.quoting.quote import quote_cart


@requires(PROMOTIONS_VIEW)
def preview(request):
    """A cart priced for a dealer now, by the same quote engine as the storefront and ordering."""
    form = PreviewForm(request.GET or None)
    quote, rows, names = None, [], {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        dealer = dealers_visible_to(request.user).select_related("tier").filter(code=data["dealer"].strip()).first()
        if dealer is None:
            form.add_error("dealer", _("No dealer with this code in your part of the network."))
        else:
            codes = [code for code, _quantity in data["cart"]]
            skus = {sku.code: sku for sku in Sku.objects.filter(code__in=codes)}
            missing = [code for code in codes if code not in skus]
            if missing:
                form.add_error("cart", _("Unknown SKU codes: %(codes)s") % {"codes": ", ".join(missing[:10])})
            else:
                lines = [CartLine(sku_id=skus[code].pk, unit_id=skus[code].base_unit_id, quantity=quantity)
                         for code, quantity in data["cart"]]
                quote = quote_cart(dealer=dealer, lines=lines,
                                   coupon_codes=[c for c in data["coupons"].replace(",", " ").split() if c])
                names = {sku.pk: sku for sku in skus.values()}
                by_id = {p.promotion_id: p for p in quote.promotions}
                rows = [{"line": line, "sku": names[line.priced.sku_id],
                         "discounts": [(by_id[pid].name, amount) for pid, amount in line.discounts]}
                        for line in quote.lines]
                gift_ids = {gift.sku_id for gift in quote.gifts}
                names.update({sku.pk: sku for sku in Sku.objects.filter(pk__in=gift_ids - set(names))})
    gifts = [{"gift": gift, "sku": names.get(gift.sku_id)} for gift in (quote.gifts if quote else ())]
    return render(request, "quoting/preview.html", {"form": form, "quote": quote, "rows": rows, "gifts": gifts,
                                                       "rules": ENGINE_RULES})
