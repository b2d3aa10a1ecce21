from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dms.ui import listing
from shared_apps.operator_console import selectors, services
from shared_apps.operator_console.access import operator_required
from shared_apps.operator_console.forms import ReasonForm, SupportGrantForm, TenantFilterForm
from shared_apps.operator_console.models import OperatorAuditLog
from tenant_apps.core.errors import DomainError
from tenants.models import Tenant

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
def tenant_detail(request, tenant_id: int):
    tenant = get_object_or_404(Tenant.objects.select_related("plan"), pk=tenant_id)
    return render(request, "operator_console/tenant_detail.html", {
        "t": tenant,
        "usage": selectors.tenant_usage(tenant),
        "domains": tenant.domains.order_by("-is_primary", "domain"),
        "history": tenant.status_changes.all()[:50],
        "audit": OperatorAuditLog.objects.filter(tenant_slug=tenant.slug)[:50],
        "reason_form": ReasonForm(),
        "support_form": SupportGrantForm(),
    })


ACTIONS = {
    "suspend": (services.operator_tenant_suspend, _("Workspace suspended.")),
    "restore": (services.operator_tenant_restore, _("Workspace restored.")),
    "delete": (services.operator_tenant_schedule_deletion, _("Deletion scheduled; the data is being exported.")),
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
def audit_log(request):
    entries = OperatorAuditLog.objects.all()
    if request.GET.get("tenant"):
        entries = entries.filter(tenant_slug=request.GET["tenant"])
    return render(request, "operator_console/audit_log.html", {
        "listing": listing(request, entries, sorts={"when": "created_at", "action": "action"}, default="-when",
                           per_page=50),
    })
