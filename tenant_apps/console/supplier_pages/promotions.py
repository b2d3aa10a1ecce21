"""The supplier console's promotions (S2B2B, /supplier/promotions/): a supplier's own promotions for its sub-dealers,
built with the brand's promotion builder and services (`owner` = its node), never below a SKU's minimum resale
price (promotions.floors: a refusal names the SKU, the floor and the unit, and is kept for headquarters). Scope as on
every supplier page: the capability (only while the company is an active supplier: 403 otherwise) and its own
promotions only (anything else: 404, existing or not)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import SUPPLIER_PRICING, supplier_node_id
from tenant_apps.catalog.models import Sku
from tenant_apps.console.forms import supplier_promotion_form
from tenant_apps.core.errors import DomainError
from tenant_apps.core.forms import apply_domain_error
from tenant_apps.dealers.models import Dealer, Node
from tenant_apps.promotions import services
from tenant_apps.promotions.forms import ERROR_FIELDS
from tenant_apps.promotions.models import PromotionKind, PromotionStatus
from tenant_apps.promotions.presentation import rule_summary
from tenant_apps.promotions.selectors import supplier_promotion_get, supplier_promotions


def _promotion(request, promotion_id):
    try:
        return supplier_promotion_get(node_id=supplier_node_id(request.user), promotion_id=promotion_id)
    except DomainError:
        raise Http404 from None


@requires(SUPPLIER_PRICING)
def supplier_promotions_page(request):
    status = request.GET.get("status", "")
    page = Paginator(supplier_promotions(node_id=supplier_node_id(request.user), status=status), 25).get_page(
        request.GET.get("page"))
    rows = [{"promotion": p, "summary": rule_summary(p.kind, p.rule, p.currency)} for p in page.object_list]
    return render(request, "console/supplier_promotions.html", {
        "page": page, "listing": {"page": page}, "rows": rows, "status": status, "statuses": PromotionStatus.choices,
        "kinds": PromotionKind.choices, "here": "promotions"})


@requires(SUPPLIER_PRICING)
@require_http_methods(["GET", "POST"])
def supplier_promotion_new(request):
    kind = request.GET.get("kind", "")
    if kind not in PromotionKind.values:
        return redirect("supplier:promotions")
    node = supplier_node_id(request.user)
    form = supplier_promotion_form(request.POST or None, kind=kind, node_id=node)
    if request.method == "POST" and form.is_valid():
        try:
            promotion = services.promotion_create(actor=request.user, owner=Node.objects.get(pk=node),
                                                  **form.service_kwargs())
        except DomainError as error:
            apply_domain_error(form, error, field_names=ERROR_FIELDS)
        else:
            messages.success(request, _("Promotion saved as a draft."))
            return redirect("supplier:promotion", promotion_id=promotion.pk)
    return render(request, "console/supplier_promotion_form.html", {
        "form": form, "kind": kind, "kind_label": PromotionKind(kind).label, "here": "promotions"})


@requires(SUPPLIER_PRICING)
def supplier_promotion_page(request, promotion_id: int):
    promotion = _promotion(request, promotion_id)
    return render(request, "console/supplier_promotion.html", {
        "promotion": promotion, "summary": rule_summary(promotion.kind, promotion.rule, promotion.currency),
        "skus": Sku.objects.filter(pk__in=promotion.sku_id_list).order_by("code")[:50],
        "dealers": Dealer.objects.filter(pk__in=promotion.dealer_id_list).order_by("code")[:50],
        "here": "promotions"})


@requires(SUPPLIER_PRICING)
@require_POST
def supplier_promotion_transition(request, promotion_id: int, to: str):
    promotion = _promotion(request, promotion_id)
    reason = (request.POST.get("reason") or "")[:500]
    try:
        if to == "publish":
            services.promotion_publish(actor=request.user, promotion=promotion, reason=reason)
            messages.success(request, _("Published: your sub-dealers in scope get it from now on."))
        else:
            services.promotion_unpublish(actor=request.user, promotion=promotion, reason=reason)
            messages.success(request, _("Unpublished."))
    except DomainError as error:
        detail = " ".join(message for messages_ in error.fields.values() for message in messages_)
        messages.error(request, f"{error.detail} {detail}".strip())
    return redirect("supplier:promotion", promotion_id=promotion.pk)
