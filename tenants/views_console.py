"""Brand console: the workspace's addresses (platform subdomain and custom domains), and the export of all its data."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from billing_saas.limits import FeatureNotInPlan, feature_enabled
from billing_saas.models import Feature
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import SETTINGS_EDIT, WORKSPACE_EXPORT
from tenant_apps.core.errors import DomainError, NotFound
from tenants import domains as domain_services
from tenants.errors import TenantInvalid
from tenants.forms import DomainAddForm
from tenants.models import Domain
from tenants.selectors import workspace_exports_of
from tenants.services import tenant_host
from tenants.services_export import workspace_export_download, workspace_export_start


@requires(SETTINGS_EDIT)
@require_http_methods(["GET", "POST"])
def domains(request):
    tenant = request.tenant
    form = DomainAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = domain_services.domain_add(
                actor=request.user, tenant=tenant, domain=form.cleaned_data["domain"]
            )
        except TenantInvalid as error:
            for message in error.fields.get("domain", [error.detail]):
                form.add_error("domain", message)
        except FeatureNotInPlan as error:  # the plan has no custom domains: the message links to the plan page
            form.add_error(None, str(error.detail))
        else:
            messages.success(
                request,
                _("%(domain)s added. Create the TXT record below, then verify it.")
                % {"domain": added.domain},
            )
            return redirect("console:domains")
    pending, active, taken, custom = (Domain.Status.PENDING, Domain.Status.ACTIVE, Domain.Status.TAKEN,
                                      Domain.Kind.CUSTOM)
    rows = []
    for domain in domain_services.domains_for(tenant=tenant):
        expired = domain.claim_expired()
        notice = ""  # why a claim can no longer be verified: the loser of a contested domain is told here
        if domain.status == taken:
            notice = domain_services.domain_taken_message(domain)
        elif expired:
            notice = domain_services.domain_expired_message(domain)
        rows.append({
            "domain": domain,
            "txt_name": domain_services.txt_record_name(domain),
            "txt_value": domain_services.txt_record_value(domain),
            "can_verify": domain.status == pending and not expired,
            "expires_at": domain.claim_expires_at if domain.status == pending and not expired else None,
            "status_label": _("Claim expired") if expired else domain.get_status_display(),
            "notice": notice,
            "can_make_primary": domain.status == active and not domain.is_primary,
            "can_remove": domain.kind == custom and not domain.is_primary,
        })
    return render(
        request,
        "tenants/console/domains.html",
        {
            "rows": rows,
            "has_custom": any(row["domain"].kind == custom for row in rows),
            "form": form,
            "cname_target": tenant_host(tenant.slug),
            "custom_domains_in_plan": feature_enabled(Feature.CUSTOM_DOMAIN, tenant=tenant),
        },
    )


def _act(request, service, domain_id: int, done: str):
    try:
        domain = service(actor=request.user, tenant=request.tenant, domain_id=domain_id)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, done % {"domain": domain.domain})
    return redirect("console:domains")


@requires(SETTINGS_EDIT)
@require_POST
def domain_verify(request, domain_id: int):
    return _act(request, domain_services.domain_verify, domain_id, _("%(domain)s is verified."))


@requires(SETTINGS_EDIT)
@require_POST
def domain_make_primary(request, domain_id: int):
    return _act(
        request,
        domain_services.domain_make_primary,
        domain_id,
        _("%(domain)s is now your primary address; the other addresses redirect to it."),
    )


@requires(SETTINGS_EDIT)
@require_POST
def domain_remove(request, domain_id: int):
    return _act(request, domain_services.domain_remove, domain_id, _("%(domain)s removed."))


@requires(WORKSPACE_EXPORT)
@require_http_methods(["GET", "POST"])
def data_export(request):
    """Ask for an export of all the workspace's data (CSV or XLSX per table, plus the files, in a zip); the list of
    one's own exports with their state and download links."""
    if request.method == "POST":
        try:
            workspace_export_start(actor=request.user, tenant=request.tenant, fmt=request.POST.get("fmt", ""))
        except DomainError as error:
            messages.error(request, error.detail)
            return render(request, "tenants/console/data_export.html",
                          {"exports": workspace_exports_of(actor=request.user, tenant=request.tenant)}, status=400)
        messages.success(request, _("Your export is being prepared. It appears below when it is ready."))
        return redirect("console:data-export")
    exports = workspace_exports_of(actor=request.user, tenant=request.tenant)
    return render(request, "tenants/console/data_export.html",
                  {"exports": exports, "working": any(e.status in ("queued", "running") for e in exports)})


@requires(WORKSPACE_EXPORT)
def data_export_download(request, export_id: int):
    export, handle = workspace_export_download(actor=request.user, tenant=request.tenant, export_id=export_id)
    if export is None:
        raise Http404
    response = FileResponse(handle, as_attachment=True, filename=export.download_name,
                            content_type="application/zip")
    response["X-Content-Type-Options"] = "nosniff"
    return response
