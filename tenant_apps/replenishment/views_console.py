"""Brand console: a dealer's replenishment suggestions (read-only, as the dealer sees them), its safety stocks (set
here by the brand, or by the dealer on the storefront: who set each is shown) and its sell-out, uploaded for it.
Dealers outside the reader's scope: 404 (dealers.selectors.dealer_get_for)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dms.ui import listing
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import DEALERS_EDIT, DEALERS_VIEW, has_perm
from tenant_apps.catalog.selectors import sku_search
from tenant_apps.core.errors import DomainError
from tenant_apps.core.tables import RowError
from tenant_apps.dealers.errors import DealerNotFound
from tenant_apps.dealers.selectors import dealer_get_for, dealers_visible_to
from tenant_apps.replenishment import selectors, services
from tenant_apps.replenishment.errors import SellOutInvalid
from tenant_apps.replenishment.views_storefront import error_text


@requires(DEALERS_VIEW)
@require_GET
def dealers_page(request):
    q = (request.GET.get("q") or "").strip()[:64]
    dealers = dealers_visible_to(request.user)
    if q:
        dealers = dealers.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(legal_name__icontains=q))
    return render(request, "replenishment/console_dealers.html", {
        "listing": listing(request, dealers, sorts={"code": "code", "name": "name"}, default="code"), "q": q})


@requires(DEALERS_VIEW)
@require_http_methods(["GET", "POST"])
def dealer_page(request, dealer_id: int):
    try:
        dealer = dealer_get_for(actor=request.user, dealer_id=dealer_id)
    except DealerNotFound:
        raise Http404 from None
    can_edit = has_perm(request.user, DEALERS_EDIT)
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        try:
            if request.POST.get("action") == "safety":
                code = (request.POST.get("sku") or "").strip()
                sku = sku_search(dealer=dealer).filter(code=code).first() if code else None
                raw = (request.POST.get("quantity") or "").strip()
                quantity = int(raw) if raw.isdigit() and len(raw) <= 9 else -1
                services.safety_stock_set(actor=request.user, dealer=dealer, sku_id=sku.pk if sku else "",
                                          quantity=quantity)
                messages.success(request, _("Safety stock saved."))
            else:
                file = request.FILES.get("file")
                if file is None:
                    raise SellOutInvalid(_("Choose a file."), errors=[RowError(0, "file",
                                                                               _("Upload a CSV or XLSX file."))])
                rows = services.sell_out_import(actor=request.user, dealer=dealer, file=file, filename=file.name)
                messages.success(request, _("Sell-out imported: %(n)s rows.") % {"n": rows})
            return redirect("replenishment_console:dealer", dealer_id=dealer.pk)
        except DomainError as error:
            messages.error(request, error_text(error))
            status = error.status if 400 <= error.status < 500 else 400
    return render(request, "replenishment/console_dealer.html", {
        "dealer": dealer, "s": selectors.suggestions_for(dealer=dealer), "can_edit": can_edit,
        "safety": selectors.safety_stock_list(dealer=dealer), "records": selectors.sell_out_list(dealer=dealer),
        "columns": services.SELL_OUT_COLUMNS}, status=status)
