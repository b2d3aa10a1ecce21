from __future__ import annotations

from datetime import UTC, datetime

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from billing_saas import selectors as billing_selectors
from billing_saas.labels import (
    STATE_BADGES,
    subscription_action_label,
    subscription_change_details,
    subscription_state_label,
)
from dms.ui import listing
from shared_apps.operator_console import selectors, services
from shared_apps.operator_console.access import operator_required
from shared_apps.operator_console.forms import (
    CompForm,
    PlanSetForm,
    ReasonForm,
    SupportGrantForm,
    TenantFilterForm,
    TrialExtendForm,
)
from shared_apps.operator_console.models import OperatorAuditLog
from tenant_apps.core.errors import DomainError
from tenant_apps.core.forms import apply_domain_error
from tenants.models import Tenant
from tenants.schemas import code_version

TENANT_SORTS = {"name": "name", "slug": "slug", "status": "status", "created": "created_at", "plan": "plan__code"}


@operator_required
def tenant_list(request):
    form = TenantFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    tenants = selectors.tenant_list(**{k: v for k, v in filters.items() if v})
    return render(request, "operator_console/tenant_list.html", {
        "form": form, "listing": listing(request, tenants, sorts=TENANT_SORTS, default="-created"),
    })


@operator_required
def business(request):
    """The business at a glance: MRR and ARR per currency, states, plan mix, trial conversion, who is overdue and
    who is near a limit of their plan."""
    return render(request, "operator_console/business.html", {
        "figures": billing_selectors.business_figures(),
        "near_limits": billing_selectors.usage_near_limits(),
        "near_percent": billing_selectors.NEAR_LIMIT_PERCENT,
        "trial_days": billing_selectors.TRIAL_WINDOW_DAYS,
    })


@operator_required
def fleet_health(request):
    """The fleet's health: schemas per migration version, the warm pool, the outbox lag, task failures, the busiest
    tenant schemas and the slowest statements (docs/dev/observability.md)."""
    health = selectors.fleet_health()
    return render(request, "operator_console/fleet_health.html", {
        "health": health, "code_version": code_version()[:12],
        "lag_at": datetime.fromtimestamp(health.outbox_lag["at"], tz=UTC) if health.outbox_lag else None,
        "failures": [(name, entry, datetime.fromtimestamp(entry["last_at"], tz=UTC))
                     for name, entry in health.task_failures],
    })


# the subscription's operator actions: the form, the service, the dialog that holds the form, the message
SUBSCRIPTION_ACTIONS = {
    "trial-extend": (TrialExtendForm, services.operator_trial_extend, "dlg-trial",
                     gettext_lazy("Trial extended.")),
    "comp": (CompForm, services.operator_subscription_comp, "dlg-comp", gettext_lazy("Periods given free.")),
    "plan": (PlanSetForm, services.operator_plan_set, "dlg-plan", gettext_lazy("Plan changed.")),
}


def _tenant_page(request, tenant: Tenant, *, bound=None, dialog: str = "", status: int = 200):
    usage = selectors.tenant_usage(tenant)
    subscription = billing_selectors.subscription_of(tenant.pk)
    forms = {name: form_class() for name, (form_class, *_rest) in SUBSCRIPTION_ACTIONS.items()}
    if bound is not None:
        forms[bound[0]] = bound[1]
    return render(request, "operator_console/tenant_detail.html", {
        "t": tenant,
        "usage": usage,
        "subscription": subscription,
        "subscription_badge": STATE_BADGES.get(subscription.state, "") if subscription else "",
        "subscription_history": [
            {"change": change, "action": subscription_action_label(change.action),
             "from": subscription_state_label(change.from_state) if change.from_state else "",
             "to": subscription_state_label(change.to_state), "details": subscription_change_details(change)}
            for change in (billing_selectors.subscription_history(subscription) if subscription else [])],
        "limits": billing_selectors.usage_rows(
            subscription.plan if subscription else tenant.plan, selectors.tenant_limit_usage(usage)),
        "domains": tenant.domains.order_by("-is_primary", "domain"),
        "history": tenant.status_changes.all()[:50],
        "audit": OperatorAuditLog.objects.filter(tenant_slug=tenant.slug)[:50],
        "backups": selectors.tenant_backups(tenant),
        "reason_form": ReasonForm(),
        "support_form": SupportGrantForm(),
        "trial_form": forms["trial-extend"], "comp_form": forms["comp"], "plan_form": forms["plan"],
        "open_dialog": dialog,
    }, status=status)


@operator_required
def tenant_detail(request, tenant_id: int):
    tenant = get_object_or_404(Tenant.objects.select_related("plan"), pk=tenant_id)
    return _tenant_page(request, tenant)


@operator_required
@require_POST
def subscription_action(request, tenant_id: int, action: str):
    """Extend the trial, give periods free or change the plan, with a reason; bad input shows the dialog again
    with its errors (400)."""
    tenant = get_object_or_404(Tenant.objects.select_related("plan"), pk=tenant_id)
    if action not in SUBSCRIPTION_ACTIONS:
        raise Http404
    form_class, service, dialog, done = SUBSCRIPTION_ACTIONS[action]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(operator=request.user, tenant=tenant, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, done)
            return redirect("operator:tenant", tenant_id=tenant.pk)
    return _tenant_page(request, tenant, bound=(action, form), dialog=dialog, status=400)


# the tenant's operator actions that take a reason: the service, the message (lazy: read in the operator's language)
ACTIONS = {
    "suspend": (services.operator_tenant_suspend, gettext_lazy("Workspace suspended.")),
    "restore": (services.operator_tenant_restore, gettext_lazy("Workspace restored.")),
    "delete": (services.operator_tenant_schedule_deletion,
               gettext_lazy("Deletion scheduled; the data is being exported.")),
    "backup": (services.operator_tenant_backup,
               gettext_lazy("Backup started: it is listed under Backups when it is done.")),
}


@operator_required
@require_POST
def tenant_action(request, tenant_id: int, action: str):
    tenant = get_object_or_404(Tenant, pk=tenant_id)
    if action == "support":
        form = SupportGrantForm(request.POST)
        service, done = services.operator_support_grant, _("Support access granted.")
    elif action == "support-end":
        form = ReasonForm({"reason": request.POST.get("reason") or "ended"})
        service, done = services.operator_support_end, _("Support access ended.")
    elif action in ACTIONS:
        form = ReasonForm(request.POST)
        service, done = ACTIONS[action]
    else:
        return redirect("operator:tenant", tenant_id=tenant.pk)
    if not form.is_valid():
        messages.error(request, _("Give a reason for this action."))
        return redirect("operator:tenant", tenant_id=tenant.pk)
    try:
        service(operator=request.user, tenant=tenant, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, done)
    return redirect("operator:tenant", tenant_id=tenant.pk)


@operator_required
@require_POST
def support_enter(request, tenant_id: int):
    tenant = get_object_or_404(Tenant, pk=tenant_id)
    try:
        url = services.operator_support_enter(operator=request.user, tenant=tenant)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("operator:tenant", tenant_id=tenant.pk)
    return HttpResponseRedirect(url)


@operator_required
@require_GET
def backup_download(request, tenant_id: int, backup_id: int):
    """One of the tenant's backup archives, streamed from the backups storage as an attachment (audited)."""
    tenant = get_object_or_404(Tenant, pk=tenant_id)
    try:
        file, filename = services.operator_backup_download(operator=request.user, tenant=tenant, backup_id=backup_id)
    except DomainError:
        raise Http404 from None
    return FileResponse(file, as_attachment=True, filename=filename, content_type="application/zip")


@operator_required
def audit_log(request):
    entries = OperatorAuditLog.objects.all()
    if request.GET.get("tenant"):
        entries = entries.filter(tenant_slug=request.GET["tenant"])
    return render(request, "operator_console/audit_log.html", {
        "listing": listing(request, entries, sorts={"when": "created_at", "action": "action"}, default="-when",
                           per_page=50),
    })
