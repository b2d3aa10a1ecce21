"""Pages of rebates and invoices. Console (/console/finance/): rebate rules (list, add, edit, delete), runs with
their lines (exclude, approve), the invoice queue (issue, try again, cancel). Storefront (/account/finance/): the
dealer's tax details, asking for an invoice of an order or a statement, its invoices with their PDF, and its
rebate pool. Thin over the services; capability AND data scope on every page (outside it: 404)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dms.ui import listing
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import FINANCE_EDIT, FINANCE_PAY, FINANCE_VIEW, FINANCE_VIEW_OWN, has_perm
from tenant_apps.core.errors import DomainError
from tenant_apps.core.money import tenant_currency
from tenant_apps.core.uploads import media_response
from tenant_apps.dealers.models import Territory, Tier
from tenant_apps.dealers.selectors import dealers_visible_to
from tenant_apps.finance import (
    selectors_invoices,
    selectors_rebates,
    services_invoices,
    services_rebates,
    storefront_blocks,
    tabs,
)
from tenant_apps.finance.errors import FinanceInvalid
from tenant_apps.finance.models import (
    InvoiceKind,
    InvoiceStatus,
    InvoiceSubject,
    RebateMode,
    RebatePeriod,
    RebateRunStatus,
)


def _message(error: DomainError) -> str:
    details = [str(message) for messages_ in (error.fields or {}).values() for message in messages_]
    return " ".join([str(error.detail), *details])


def _or_404(getter, **kwargs):
    try:
        return getter(**kwargs)
    except DomainError:
        raise Http404 from None


# --- console: rebates ----------------------------------------------------------------------------------------


def _tiers_parse(text: str) -> list[dict]:
    """Lines of "threshold rate" ("1000000 2" or "1,000,000 → 2%"), one tier each."""
    tiers = []
    for raw in str(text or "").splitlines():
        parts = raw.replace(",", "").replace("，", "").replace("%", " ").replace("→", " ").split()
        if not parts:
            continue
        if len(parts) != 2:
            raise FinanceInvalid(_("Check the rebate rule."), fields={
                "tiers": [_("Write each tier on its own line as a threshold and a rate, such as 1000000 2.")]})
        tiers.append({"threshold": parts[0], "rate": parts[1]})
    return tiers


def _date(value: str, field: str, *, required: bool = True) -> date | None:
    value = str(value or "").strip()
    if not value and not required:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FinanceInvalid(_("Check the rebate rule."), fields={field: [_("Enter a date such as 2026-01-01.")]}) \
            from None


def _rule_input(request) -> dict:
    post = request.POST
    codes = [code.strip() for code in post.get("dealer_codes", "").replace("，", ",").split(",") if code.strip()]
    dealers = list(dealers_visible_to(request.user).filter(code__in=codes))
    if len(dealers) != len(set(codes)):
        missing = sorted(set(codes) - {dealer.code for dealer in dealers})
        raise FinanceInvalid(_("Check the rebate rule."), fields={
            "dealer_codes": [_("No such dealer: %(codes)s.") % {"codes": ", ".join(missing)}]})
    ids = [int(value) for value in post.getlist("dealer_tiers") if value.isdigit() and len(value) < 19]
    territory_ids = [int(value) for value in post.getlist("territories") if value.isdigit() and len(value) < 19]
    return {"name": post.get("name", ""), "period": post.get("period", ""), "mode": post.get("mode", ""),
            "tiers": _tiers_parse(post.get("tiers", "")), "active_from": _date(post.get("active_from"), "active_from"),
            "active_to": _date(post.get("active_to"), "active_to", required=False),
            "dealer_tiers": list(Tier.objects.filter(pk__in=ids)),
            "territories": list(Territory.objects.filter(pk__in=territory_ids)), "dealers": dealers}


def _rule_form_context(rule=None, posted=None, errors=None) -> dict:
    if posted is None and rule is not None:
        posted = {"name": rule.name, "period": rule.period, "mode": rule.mode,
                  "tiers": "\n".join(f"{tier['threshold']} {tier['rate']}" for tier in rule.tiers),
                  "active_from": rule.active_from.isoformat(),
                  "active_to": rule.active_to.isoformat() if rule.active_to else "",
                  "dealer_codes": ", ".join(dealer.code for dealer in rule.dealers.all())}
        chosen_tiers = {tier.pk for tier in rule.dealer_tiers.all()}
        chosen_territories = {territory.pk for territory in rule.territories.all()}
    else:
        posted = posted or {}
        chosen_tiers = {int(v) for v in getattr(posted, "getlist", lambda _k: [])("dealer_tiers") if v.isdigit()}
        chosen_territories = {int(v) for v in getattr(posted, "getlist", lambda _k: [])("territories")
                              if v.isdigit()}
    return {"rule": rule, "posted": posted, "errors": errors or {}, "periods": RebatePeriod.choices,
            "modes": RebateMode.choices, "tiers_all": Tier.objects.order_by("rank", "code"),
            "territories_all": Territory.objects.order_by("code")[:500], "chosen_tiers": chosen_tiers,
            "chosen_territories": chosen_territories, "currency": rule.currency if rule else tenant_currency()}


@requires(FINANCE_VIEW)
def rebates_page(request):
    errors, status, posted = {}, 200, None
    if request.method == "POST":
        if not has_perm(request.user, FINANCE_EDIT):
            raise PermissionDenied
        posted = request.POST
        try:
            rule = services_rebates.rebate_rule_create(actor=request.user, **_rule_input(request))
        except DomainError as error:
            errors, status = error.fields, error.status
            messages.error(request, _message(error))
        else:
            messages.success(request, _("Rebate rule %(name)s saved.") % {"name": rule.name})
            return redirect("finance_console:rebates")
    runs = selectors_rebates.rebate_runs_visible_to(request.user)
    context = _rule_form_context(posted=posted, errors=errors) | {
        "rules": selectors_rebates.rebate_rules().order_by("name", "pk"),
        "listing": listing(request, runs, sorts={"period": "period_start"}, default="-period", per_page=20),
        "may_edit": has_perm(request.user, FINANCE_EDIT),
    }
    return render(request, "finance/console_rebates.html", context, status=status)


@requires(FINANCE_VIEW)
def rebate_rule_page(request, pk):
    rule = _or_404(selectors_rebates.rebate_rule_get, rule_id=pk)
    errors, status, posted = {}, 200, None
    if request.method == "POST":
        if not has_perm(request.user, FINANCE_EDIT):
            raise PermissionDenied
        try:
            if request.POST.get("delete"):
                services_rebates.rebate_rule_delete(actor=request.user, rule=rule)
                messages.success(request, _("Rebate rule deleted."))
                return redirect("finance_console:rebates")
            posted = request.POST
            services_rebates.rebate_rule_update(actor=request.user, rule=rule, **_rule_input(request))
        except DomainError as error:
            errors, status = error.fields, error.status
            messages.error(request, _message(error))
        else:
            messages.success(request, _("Rebate rule %(name)s saved.") % {"name": rule.name})
            return redirect("finance_console:rebates")
    context = _rule_form_context(rule=rule, posted=posted, errors=errors) | {
        "may_edit": has_perm(request.user, FINANCE_EDIT)}
    return render(request, "finance/console_rebate_rule.html", context, status=status)


@requires(FINANCE_EDIT)
@require_POST
def rebate_run_compute(request):
    rule = _or_404(selectors_rebates.rebate_rule_get, rule_id=request.POST.get("rule", ""))
    try:
        run = services_rebates.rebate_run_compute(actor=request.user, rule=rule,
                                                  period_start=_date(request.POST.get("period_day"), "period_start"))
    except DomainError as error:
        messages.error(request, _message(error))
        return redirect("finance_console:rebates")
    return redirect("finance_console:rebate-run", run.pk)


@requires(FINANCE_VIEW)
def rebate_run_page(request, pk):
    run = _or_404(selectors_rebates.rebate_run_get_for, actor=request.user, run_id=pk)
    return render(request, "finance/console_rebate_run.html", {
        "run": run, "lines": run.scoped_lines, "draft": run.status == RebateRunStatus.DRAFT,
        "may_edit": has_perm(request.user, FINANCE_EDIT)})


@requires(FINANCE_EDIT)
@require_POST
def rebate_run_approve(request, pk):
    run = _or_404(selectors_rebates.rebate_run_get_for, actor=request.user, run_id=pk)
    try:
        services_rebates.rebate_run_approve(actor=request.user, run=run)
    except DomainError as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("Run approved: the rebates are credited to the dealers' rebate pools."))
    return redirect("finance_console:rebate-run", run.pk)


@requires(FINANCE_EDIT)
@require_POST
def rebate_line_exclude(request, pk):
    line = _or_404(selectors_rebates.rebate_line_get_for, actor=request.user, line_id=pk)
    try:
        services_rebates.rebate_line_exclude(actor=request.user, line=line,
                                             excluded=request.POST.get("excluded") == "1",
                                             reason=request.POST.get("reason", ""))
    except DomainError as error:
        messages.error(request, _message(error))
    return redirect("finance_console:rebate-run", line.run_id)


# --- console: invoices ---------------------------------------------------------------------------------------


@requires(FINANCE_VIEW)
def invoices_queue(request):
    rows = selectors_invoices.invoices_visible_to(request.user)
    state = request.GET.get("status", "")
    if state in InvoiceStatus.values:
        rows = rows.filter(status=state)
    return render(request, "finance/console_invoices.html", {
        "listing": listing(request, rows, sorts={"created": "created_at"}, default="-created", per_page=25),
        "statuses": InvoiceStatus.choices, "state": state, "may_edit": has_perm(request.user, FINANCE_EDIT)})


@requires(FINANCE_EDIT)
@require_POST
def invoice_act(request, pk):
    invoice = _or_404(selectors_invoices.invoice_get_for, actor=request.user, invoice_id=pk)
    try:
        if request.POST.get("action") == "cancel":
            services_invoices.invoice_request_cancel(actor=request.user, invoice=invoice,
                                                     reason=request.POST.get("reason", ""))
            messages.success(request, _("Invoice request cancelled."))
        else:
            services_invoices.invoice_request_issue(actor=request.user, invoice=invoice)
            messages.success(request, _("Sent to the invoicing service."))
    except DomainError as error:
        messages.error(request, _message(error))
    return redirect("finance_console:invoices")


# --- storefront: the dealer's invoices -----------------------------------------------------------------------


def _own_dealer(request):
    if request.user.dealer_id is None:
        raise PermissionDenied
    return request.user.dealer


def _profile_posted(post) -> dict:
    return {name: post.get(name, "") for name in ("kind", "title", "tax_id", "bank_name", "bank_account", "address",
                                                  "phone", "email")}


@requires(FINANCE_VIEW_OWN)
def my_invoices(request):
    dealer = _own_dealer(request)
    may_pay = has_perm(request.user, FINANCE_PAY)
    profile = selectors_invoices.tax_profile_of(dealer)
    errors, status, form = {}, 200, request.POST.get("form", "")
    if request.method == "POST":
        if not may_pay:
            raise PermissionDenied
        try:
            if form == "profile":
                services_invoices.tax_profile_set(actor=request.user, dealer=dealer, **_profile_posted(request.POST))
                messages.success(request, _("Tax details saved."))
            else:
                invoice = services_invoices.invoice_request_create(
                    actor=request.user, dealer=dealer, subject=request.POST.get("subject", ""),
                    reference=request.POST.get("reference", ""), amount=request.POST.get("amount", ""))
                messages.success(request, _("Invoice for %(reference)s requested.") % {"reference": invoice.reference})
        except DomainError as error:
            errors, status = error.fields, error.status
            messages.error(request, _message(error))
        else:
            return redirect("finance:invoices")
    if profile is not None and not (request.method == "POST" and form == "profile"):
        shown = {"kind": profile.kind, "title": profile.title, "tax_id": profile.tax_id,
                 "bank_name": profile.bank_name, "bank_account": profile.bank_account, "address": profile.address,
                 "phone": profile.phone, "email": profile.email}
    else:
        shown = _profile_posted(request.POST) if form == "profile" else {"kind": InvoiceKind.ORDINARY}
    invoices = selectors_invoices.invoices_visible_to(request.user).filter(dealer=dealer)
    return render(request, "finance/storefront_invoices.html", {
        "profile": profile, "shown": shown, "errors": errors, "form": form,
        "asked": request.POST if form == "invoice" else {"subject": request.GET.get("subject", InvoiceSubject.ORDER),
                                                         "reference": request.GET.get("reference", "")[:40]},
        "kinds": InvoiceKind.choices, "subjects": InvoiceSubject.choices, "may_pay": may_pay,
        "listing": listing(request, invoices, sorts={"created": "created_at"}, default="-created", per_page=20),
        "rebate_pool": selectors_rebates.rebate_pool(dealer=dealer), "currency": tenant_currency(),
    }, status=status)


def invoice_pdf(request, pk):
    """An issued invoice's PDF, for whoever may read the dealer's finance (brand staff in scope, its own staff)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (has_perm(request.user, FINANCE_VIEW) or has_perm(request.user, FINANCE_VIEW_OWN)):
        raise PermissionDenied
    invoice = _or_404(selectors_invoices.invoice_get_for, actor=request.user, invoice_id=pk)
    if not invoice.pdf:
        raise Http404
    return media_response(invoice.pdf.open("rb"), name=f"fapiao-{invoice.number}.pdf", attachment=True)



console_urls = [  # finance/urls_console.py
    path("rebates/", rebates_page, name="rebates"),
    path("rebates/rules/<int:pk>/", rebate_rule_page, name="rebate-rule"),
    path("rebates/runs/", rebate_run_compute, name="rebate-run-compute"),
    path("rebates/runs/<int:pk>/", rebate_run_page, name="rebate-run"),
    path("rebates/runs/<int:pk>/approve/", rebate_run_approve, name="rebate-run-approve"),
    path("rebates/lines/<int:pk>/exclude/", rebate_line_exclude, name="rebate-line-exclude"),
    path("invoices/", invoices_queue, name="invoices"),
    path("invoices/<int:pk>/", invoice_act, name="invoice-act"),
]
storefront_urls = [  # finance/urls_storefront.py
    path("invoices/", my_invoices, name="invoices"),
    path("invoices/<int:pk>/pdf/", invoice_pdf, name="invoice-pdf"),
]


tabs.register("finance_console:rebates", gettext_lazy("Rebates"), FINANCE_VIEW, order=60)
tabs.register("finance_console:invoices", gettext_lazy("Invoice requests"), FINANCE_VIEW, order=70)
storefront_blocks.register_action("finance:invoices", gettext_lazy("Invoices and tax details"), FINANCE_VIEW_OWN,
                                  order=60)
