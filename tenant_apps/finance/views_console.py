"""The finance section of the brand console (/console/finance/): the home with the section's tabs
(finance.tabs), the dealer accounts, one dealer's account (terms, ledger, top-up, adjustment), adjustments
waiting for a second person, and the brand's defaults. Thin: each page declares its capability (FINANCE_VIEW to
read, FINANCE_EDIT to write), finds a dealer through the reader's scope (outside it: 404), writes only through
finance.services and puts their domain errors back on the form (nothing is written then)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dms.ui import listing
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import FINANCE_EDIT, FINANCE_VIEW, has_perm
from tenant_apps.core.errors import DomainError
from tenant_apps.core.forms import apply_domain_error
from tenant_apps.core.money import format_money, tenant_currency
from tenant_apps.dealers.errors import DealerNotFound
from tenant_apps.dealers.models import Dealer
from tenant_apps.dealers.selectors import dealer_get_for
from tenant_apps.finance import selectors, selectors_accounts, services, services_receivables, tabs
from tenant_apps.finance.errors import AdjustmentNotFound
from tenant_apps.finance.forms_accounts import (
    AccountFilterForm,
    AdjustmentForm,
    SettingsForm,
    SettlementForm,
    TermsForm,
    TopUpForm,
    blank,
)
from tenant_apps.finance.models import AdjustmentStatus, DealerSettlement, SettlementMode
from tenant_apps.finance.storefront_blocks import console_account_blocks

ACCOUNT_SORTS = {"code": "code", "name": "name", "mode": "fin_mode", "limit": "fin_limit",
                 "used": "fin_credit_used", "balance": "fin_balance", "rebate": "fin_rebate"}
PER_PAGE = 25


def _page(request, template: str, context: dict, *, status: int = 200):
    return render(request, template, {**context, "finance_tabs": tabs.tabs_for(request),
                                      "can_edit": has_perm(request.user, FINANCE_EDIT),
                                      "tenant_currency": tenant_currency()}, status=status)


def _dealer_or_404(request, dealer_id: int) -> Dealer:
    try:
        return dealer_get_for(actor=request.user, dealer_id=dealer_id)
    except DealerNotFound:
        raise Http404 from None


def mode_label(mode: str) -> str:
    return str(SettlementMode(mode).label) if mode in SettlementMode.values else mode


# --- home ------------------------------------------------------------------------------------------


@requires(FINANCE_VIEW)
@require_GET
def home(request):
    user = request.user
    waiting = []
    if has_perm(user, FINANCE_EDIT):
        waiting = list(selectors_accounts.adjustments_waiting(actor=user)[:10])
    return _page(request, "finance/console/home.html", {
        "summary": selectors_accounts.finance_summary(actor=user),
        "waiting": waiting,
        "waiting_count": len(waiting),
        "brand": services.finance_settings(),
    })


# --- the dealer accounts ---------------------------------------------------------------------------


@requires(FINANCE_VIEW)
@require_GET
def accounts(request):
    form = AccountFilterForm(request.GET)
    form.is_valid()
    filters = form.cleaned_data
    rows = selectors_accounts.account_rows(actor=request.user, q=filters.get("q") or "",
                                           mode=filters.get("mode") or "")
    page = listing(request, rows, sorts=ACCOUNT_SORTS, default="code", per_page=PER_PAGE)
    return _page(request, "finance/console/accounts.html", {
        "form": form, "listing": page, "filtered": bool(filters.get("q") or filters.get("mode")),
        "rows": [{"dealer": dealer, "figures": selectors_accounts.row_figures(dealer),
                  "mode": mode_label(dealer.fin_mode)} for dealer in page.page],
    })


# --- one dealer's account ----------------------------------------------------------------------------


ACCOUNT_FORMS = ("settlement", "top_up", "adjustment")


def _account_forms(request, action: str, *, own: DealerSettlement | None, brand_mode: str) -> dict:
    def bound(name):
        return request.POST if action == name else None

    currency = tenant_currency()
    return {
        "settlement": SettlementForm(bound("settlement"), prefix="settlement",
                                     default_mode_label=mode_label(brand_mode),
                                     initial={"mode": own.mode, "credit_limit": own.credit_limit,
                                              "terms_days": own.terms_days} if own else None),
        "top_up": TopUpForm(bound("top_up"), prefix="top_up", initial={"currency": currency}),
        "adjustment": AdjustmentForm(bound("adjustment"), prefix="adjustment", initial={"currency": currency}),
    }


def _account_save(request, dealer: Dealer, action: str, data: dict) -> tuple[str, str]:
    """Write the form through its service: (message level, message)."""
    actor = request.user
    if action == "settlement":
        services.dealer_settlement_set(actor=actor, dealer=dealer, mode=data["mode"],
                                       credit_limit=blank(data["credit_limit"]), terms_days=blank(data["terms_days"]))
        return "success", _("Settlement terms saved.")
    if action == "top_up":
        entry = services.top_up_record(actor=actor, dealer=dealer, amount=data["amount"].strip(),
                                       currency=data["currency"].strip().upper(), reference=data["reference"],
                                       reason=data["reason"])
        return "success", _("Top-up of %(amount)s recorded.") % {"amount": format_money(entry.amount,
                                                                                       entry.currency)}
    adjustment = services.adjustment_request(actor=actor, dealer=dealer, amount=data["amount"].strip(),
                                             currency=data["currency"].strip().upper(), reason=data["reason"])
    amount = format_money(adjustment.amount, adjustment.currency)
    if adjustment.status == AdjustmentStatus.PENDING:
        return "warning", _("Adjustment of %(amount)s requested. It is above the threshold and waits for another "
                            "person's approval.") % {"amount": amount}
    return "success", _("Adjustment of %(amount)s applied.") % {"amount": amount}


@requires(FINANCE_VIEW)
@require_http_methods(["GET", "POST"])
def account(request, dealer_id: int):
    dealer = _dealer_or_404(request, dealer_id)
    user = request.user
    action = request.POST.get("action", "") if request.method == "POST" else ""
    settlement = services.settlement_for(dealer)
    brand = services.finance_settings()
    own = DealerSettlement.objects.filter(dealer=dealer).first()
    forms = _account_forms(request, action, own=own, brand_mode=brand.settlement_mode)
    status = 200
    if request.method == "POST":
        if not has_perm(user, FINANCE_EDIT):
            raise PermissionDenied
        if action not in ACCOUNT_FORMS:
            return HttpResponseBadRequest(_("Unknown form."))
        form = forms[action]
        if form.is_valid():
            try:
                level, message = _account_save(request, dealer, action, form.cleaned_data)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                getattr(messages, level)(request, message)
                return redirect("finance_console:account", dealer.pk)
        status = 400
    page = listing(request, selectors_accounts.ledger_of(dealer), sorts={"created": "created_at"},
                   default="-created", per_page=PER_PAGE)
    return _page(request, "finance/console/account.html", {
        "dealer": dealer, "settlement": settlement, "mode": mode_label(settlement.mode),
        "own_terms": own,
        "figures": selectors_accounts.dealer_figures(dealer, settlement), "listing": page,
        "forms": forms, "action": action, "threshold": brand.adjustment_threshold,
        "waiting": list(selectors_accounts.adjustments_waiting(actor=user).filter(dealer=dealer)),
        "blocks": console_account_blocks.render_list(request, dealer),
    }, status=status)


# --- adjustments ---------------------------------------------------------------------------------------


@requires(FINANCE_EDIT)
@require_GET
def adjustments(request):
    user = request.user
    decided = listing(request, selectors_accounts.adjustments_decided(actor=user), sorts={"created": "created_at"},
                      default="-created", per_page=PER_PAGE)
    return _page(request, "finance/console/adjustments.html", {
        "waiting": list(selectors_accounts.adjustments_waiting(actor=user)), "listing": decided,
    })


@requires(FINANCE_EDIT)
@require_POST
def adjustment_approve(request, adjustment_id: int):
    try:
        adjustment = selectors.adjustment_get_for(actor=request.user, adjustment_id=adjustment_id)
    except AdjustmentNotFound:
        raise Http404 from None
    try:
        adjustment = services.adjustment_approve(actor=request.user, adjustment=adjustment)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Adjustment of %(amount)s for %(dealer)s approved and applied.") % {
            "amount": format_money(adjustment.amount, adjustment.currency), "dealer": adjustment.dealer.display_name})
    back = request.POST.get("back", "")
    if back == "account":
        return redirect("finance_console:account", adjustment.dealer_id)
    return redirect("finance_console:adjustments")


# --- the brand's defaults ------------------------------------------------------------------------------


@requires(FINANCE_VIEW)
@require_http_methods(["GET", "POST"])
def finance_settings(request):
    current = services.finance_settings()
    posted = request.POST if request.method == "POST" else None
    action = request.POST.get("action", "defaults") if posted else ""
    form = SettingsForm(posted if action == "defaults" else None, initial={
        "settlement_mode": current.settlement_mode, "credit_limit": current.credit_limit,
        "terms_days": current.terms_days, "overdue_block_days": current.overdue_block_days,
        "adjustment_threshold": current.adjustment_threshold, "rebate_share": current.rebate_share,
    })
    terms = TermsForm(posted if action == "terms" else None, prefix="terms", initial={
        "terms_kind": current.terms_kind, "cutoff_day": current.cutoff_day, "due_day": current.due_day,
        "remind_before_days": current.remind_before_days, "remind_after_days": current.remind_after_days,
        "statement_cutoff_day": current.statement_cutoff_day or 0,
    })
    status = 200
    if posted is not None:
        if not has_perm(request.user, FINANCE_EDIT):
            raise PermissionDenied
        if action == "terms":
            if terms.is_valid():
                try:
                    services_receivables.finance_terms_update(actor=request.user, **terms.cleaned_data)
                except DomainError as error:
                    apply_domain_error(terms, error)
                else:
                    messages.success(request, _("Payment terms saved."))
                    return redirect("finance_console:settings")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.finance_settings_update(
                    actor=request.user, settlement_mode=data["settlement_mode"],
                    credit_limit=data["credit_limit"].strip(), terms_days=data["terms_days"],
                    overdue_block_days=data["overdue_block_days"],
                    adjustment_threshold=data["adjustment_threshold"].strip(),
                    rebate_share=data["rebate_share"].strip())
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Finance settings saved."))
                return redirect("finance_console:settings")
        status = 400
    return _page(request, "finance/console/settings.html", {
        "form": form, "terms": terms, "current": current, "mode": mode_label(current.settlement_mode),
        "terms_kind": current.get_terms_kind_display()}, status=status)
