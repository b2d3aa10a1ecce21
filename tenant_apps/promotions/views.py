"""Brand console pages of promotions (/console/promotions/): list, builder per kind, detail with
publish/unpublish and coupons, and the live preview of a cart for a dealer (the quote engine itself).
Thin: capabilities declared, writes through promotions.services, domain errors shown on the fields."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from dms.ui import listing
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import PROMOTIONS_EDIT, PROMOTIONS_VIEW, has_perm
from tenant_apps.audit.models import AuditEntry
from tenant_apps.catalog.models import Sku
from tenant_apps.core.errors import DomainError
from tenant_apps.core.forms import apply_domain_error
from tenant_apps.promotions import selectors, services
from tenant_apps.promotions.errors import PromotionNotFound
from tenant_apps.promotions.forms import (
    ERROR_FIELDS,
    CouponForm,
    CouponGenerateForm,
    PromotionForm,
    ReasonForm,
    initial_for,
)
from tenant_apps.promotions.models import Coupon, PromotionKind, PromotionStatus
from tenant_apps.promotions.presentation import ENGINE_RULES, rule_summary

SORTS = {"code": "code", "name": "name", "priority": "priority", "starts": "starts_at", "status": "status"}
STATUS_BADGE = {PromotionStatus.DRAFT: "", PromotionStatus.PUBLISHED: "ok", PromotionStatus.UNPUBLISHED: "warn"}
KIND_HELP = {
    PromotionKind.THRESHOLD: gettext_lazy(
        "Spend threshold: spend X, get Y off the order, in steps; optionally repeated for every X."),
    PromotionKind.PERCENT: gettext_lazy("A percentage off the lines in scope."),
    PromotionKind.FIXED: gettext_lazy("An amount off each unit or each line in scope."),
    PromotionKind.TIERED: gettext_lazy("More units, bigger percentage: 100+ units 3%, 500+ units 5%."),
    PromotionKind.BUNDLE: gettext_lazy("A set of SKUs at a bundle price, or an amount off each complete set."),
    PromotionKind.GIFT: gettext_lazy("Gift with purchase: free gift units for every X units bought."),
}


def _promotion_or_404(promotion_id):
    try:
        return selectors.promotion_get(promotion_id=promotion_id)
    except PromotionNotFound:
        raise Http404 from None


@requires(PROMOTIONS_VIEW)
def promotion_list(request):
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    q = request.GET.get("q", "").strip()[:100]
    # headquarters' own promotions by default; the suppliers' (S2B2B) read-only on demand, with their owner
    suppliers = request.GET.get("owner") == "suppliers"
    promotions = selectors.promotions_for_console(q=q, status=status, kind=kind if kind in PromotionKind.values else "",
                                                  ).filter(owner__isnull=not suppliers).select_related("owner")
    page = listing(request, promotions, sorts=SORTS, default="-priority")
    rows = [{"promotion": p, "summary": rule_summary(p.kind, p.rule, p.currency),
             "badge": STATUS_BADGE.get(p.status, "")} for p in page.page.object_list]
    return render(request, "promotions/list.html", {
        "listing": page, "rows": rows, "q": q, "status": status, "kind": kind,
        "statuses": PromotionStatus.choices, "kinds": PromotionKind.choices, "suppliers": suppliers,
        "can_edit": has_perm(request.user, PROMOTIONS_EDIT), "rules": ENGINE_RULES,
    })


@requires(PROMOTIONS_EDIT)
@require_http_methods(["GET", "POST"])
def promotion_new(request):
    kind = request.GET.get("kind", "")
    if kind not in PromotionKind.values:
        return render(request, "promotions/choose_kind.html", {
            "kinds": [(value, label, KIND_HELP[value]) for value, label in PromotionKind.choices]})
    form = PromotionForm(request.POST or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            promotion = services.promotion_create(actor=request.user, **form.service_kwargs())
        except DomainError as error:
            apply_domain_error(form, error, field_names=ERROR_FIELDS)
        else:
            messages.success(request, _("Promotion saved as a draft."))
            return redirect("promotions_console:detail", promotion.pk)
    return render(request, "promotions/form.html", {"form": form, "kind": kind,
                                                    "kind_label": PromotionKind(kind).label,
                                                    "kind_help": KIND_HELP[kind], "promotion": None})


@requires(PROMOTIONS_EDIT)
@require_http_methods(["GET", "POST"])
def promotion_edit(request, promotion_id: int):
    promotion = _promotion_or_404(promotion_id)
    if promotion.owner_id is not None:
        raise PermissionDenied(_("Promotion %(code)s belongs to a supplier: only the supplier's own people change "
                                 "it. Headquarters can read it.") % {"code": promotion.code})
    if promotion.status == PromotionStatus.PUBLISHED:
        messages.error(request, _("Unpublish the promotion before changing it."))
        return redirect("promotions_console:detail", promotion.pk)
    form = PromotionForm(request.POST or None, kind=promotion.kind, initial=initial_for(promotion))
    if request.method == "POST" and form.is_valid():
        try:
            services.promotion_update(actor=request.user, promotion=promotion, **form.service_kwargs())
        except DomainError as error:
            apply_domain_error(form, error, field_names=ERROR_FIELDS)
        else:
            messages.success(request, _("Promotion saved."))
            return redirect("promotions_console:detail", promotion.pk)
    return render(request, "promotions/form.html", {"form": form, "kind": promotion.kind,
                                                    "kind_label": PromotionKind(promotion.kind).label,
                                                    "kind_help": KIND_HELP[promotion.kind], "promotion": promotion})


@requires(PROMOTIONS_VIEW)
def promotion_detail(request, promotion_id: int):
    promotion = _promotion_or_404(promotion_id)
    coupons = Coupon.objects.filter(promotion=promotion).order_by("code")
    return render(request, "promotions/detail.html", {
        "promotion": promotion, "summary": rule_summary(promotion.kind, promotion.rule, promotion.currency),
        "badge": STATUS_BADGE.get(promotion.status, ""),
        "skus": Sku.objects.filter(pk__in=promotion.sku_id_list).order_by("code")[:50],
        "categories": promotion.categories.order_by("path"), "tiers": promotion.tiers.all(),
        "territories": promotion.territories.order_by("path"), "dealers": promotion.dealers.order_by("code")[:50],
        "coupons": coupons[:100], "coupon_count": coupons.count(),
        "history": AuditEntry.objects.filter(target_type="promotions.promotion", target_id=str(promotion.pk))[:30],
        "can_edit": has_perm(request.user, PROMOTIONS_EDIT) and promotion.owner_id is None,
        "reason_form": ReasonForm(), "coupon_form": CouponForm(), "generate_form": CouponGenerateForm(),
    })


@requires(PROMOTIONS_EDIT)
@require_POST
def promotion_transition(request, promotion_id: int, to: str):
    promotion = _promotion_or_404(promotion_id)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if to == "publish":
            services.promotion_publish(actor=request.user, promotion=promotion, reason=reason)
            messages.success(request, _("Published: dealers in scope get it from now on."))
        elif to == "unpublish":
            services.promotion_unpublish(actor=request.user, promotion=promotion, reason=reason)
            messages.success(request, _("Unpublished."))
        else:
            raise Http404
    except DomainError as error:
        detail = "; ".join(message for messages_ in error.fields.values() for message in messages_)
        messages.error(request, f"{error.detail} {detail}".strip())
    return redirect("promotions_console:detail", promotion.pk)


@requires(PROMOTIONS_EDIT)
@require_POST
def coupon_add(request, promotion_id: int):
    promotion = _promotion_or_404(promotion_id)
    generate = "count" in request.POST
    form = (CouponGenerateForm if generate else CouponForm)(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("promotions_console:detail", promotion.pk)
    try:
        if generate:
            made = services.coupons_generate(actor=request.user, promotion=promotion, **form.cleaned_data)
            messages.success(request, _("%(count)s codes generated.") % {"count": len(made)})
        else:
            services.coupon_create(actor=request.user, promotion=promotion, **form.cleaned_data)
            messages.success(request, _("Coupon added."))
    except DomainError as error:
        detail = "; ".join(message for messages_ in error.fields.values() for message in messages_)
        messages.error(request, f"{error.detail} {detail}".strip())
    return redirect("promotions_console:detail", promotion.pk)
