"""Reporting pages: exports. A list page's "Export" form posts its filters here (`export-start`); a report page
posts its spec (`export-report-start`); the job's page shows its progress (htmx, every second) and the download
link once done; "My exports" lists the reader's own. The same pages serve the console (brand staff, reports.export)
and the storefront (dealer staff: their own orders)."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import ORDERS_VIEW_OWN, REPORTS_EXPORT
from tenant_apps.core.errors import DomainError
from tenant_apps.reporting.exports import services
from tenant_apps.reporting.exports.errors import ExportForbidden, ExportInvalid
from tenant_apps.reporting.exports.selectors import export_job_get_for, export_jobs_of
from tenant_apps.reporting.exports.spec import spec_from_json
from tenant_apps.reporting.models import ExportFormat, ExportStatus
from tenant_apps.reporting.specs import ReportForm

_CONTENT_TYPES = {ExportFormat.CSV: "text/csv; charset=utf-8",
                  ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_AREAS = {"console": {"layout": "layouts/console.html", "ns": "reporting"},
          "storefront": {"layout": "layouts/storefront.html", "ns": "reporting_storefront"}}


def _job(request, job_id):
    try:
        return export_job_get_for(actor=request.user, job_id=job_id)
    except DomainError:
        raise Http404 from None


def _refused(request, area: str, error: DomainError):
    if isinstance(error, ExportForbidden):
        raise PermissionDenied
    return render(request, "reporting/export_refused.html", {
        **_AREAS[area], "error": error, "fields": error.fields, "back": _back(request)}, status=error.status)


def _back(request) -> str:
    """Where the "back" link goes: the page that posted, when it is on this site."""
    referer = request.headers.get("Referer", "")
    host = request.get_host()
    for prefix in (f"https://{host}/", f"http://{host}/"):
        if referer.startswith(prefix):
            return "/" + referer[len(prefix):]
    return ""


def _start(request, area: str):
    params = QueryDict(request.POST.get("query", "")[:2000])
    try:
        job = services.export_start(actor=request.user, kind=request.POST.get("kind", ""),
                                    fmt=request.POST.get("fmt", ""), filters=params)
    except DomainError as error:
        return _refused(request, area, error)
    return redirect(reverse(f"{_AREAS[area]['ns']}:export-job", args=[job.pk]))


def _posted_spec(request):
    """The report to export: `spec` as JSON (exports.spec), or as the query string a report page shows
    (specs.ReportForm, checked against the reader's scope)."""
    raw = request.POST.get("spec", "")[:20000]
    if raw.lstrip().startswith("{"):
        return spec_from_json(json.loads(raw))
    form = ReportForm(QueryDict(raw), actor=request.user)
    if not form.is_valid():
        raise ExportInvalid(_("This report cannot be exported."),
                            fields={name: [str(m) for m in messages] for name, messages in form.errors.items()})
    return form.spec()


def _start_report(request, area: str):
    try:
        job = services.export_report_start(actor=request.user, spec=_posted_spec(request),
                                           fmt=request.POST.get("fmt") or request.POST.get("format", ""))
    except ValueError:  # not JSON
        return _refused(request, area, ExportInvalid(_("This report cannot be exported."),
                                                              fields={"spec": [_("Not a report.")]}))
    except DomainError as error:
        return _refused(request, area, error)
    return redirect(reverse(f"{_AREAS[area]['ns']}:export-job", args=[job.pk]))


def _status_context(job, area: str) -> dict:
    ns = _AREAS[area]["ns"]
    expired = job.expires_at <= timezone.now()
    return {"job": job, "expired": expired, "poll_url": reverse(f"{ns}:export-progress", args=[job.pk]),
            "download_url": reverse(f"{ns}:export-download", args=[job.pk])
            if job.status == ExportStatus.DONE and job.file and not expired else ""}


def _job_page(request, area: str, job_id):
    job = _job(request, job_id)
    return render(request, "reporting/export_job.html", {**_AREAS[area], **_status_context(job, area)})


def _progress(request, area: str, job_id):
    job = _job(request, job_id)
    return render(request, "reporting/_export_status.html", _status_context(job, area))


def _download(request, job_id):
    job = _job(request, job_id)
    if job.status != ExportStatus.DONE or not job.file or job.expires_at <= timezone.now():
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=job.download_name,
                            content_type=_CONTENT_TYPES[job.fmt])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _mine(request, area: str):
    jobs = list(export_jobs_of(actor=request.user)[:50])
    now = timezone.now()
    ns = _AREAS[area]["ns"]
    return render(request, "reporting/export_list.html", {
        **_AREAS[area], "rows": [{"job": job, "expired": job.expires_at <= now,
                                  "url": reverse(f"{ns}:export-job", args=[job.pk])} for job in jobs]})


# --- console (brand staff) -----------------------------------------------------------------------------------

@requires(REPORTS_EXPORT)
@require_POST
def export_start(request):
    return _start(request, "console")


@requires(REPORTS_EXPORT)
@require_POST
def export_report_start(request):
    return _start_report(request, "console")


@requires(REPORTS_EXPORT)
@require_GET
def export_job(request, job_id: int):
    return _job_page(request, "console", job_id)


@requires(REPORTS_EXPORT)
@require_GET
def export_progress(request, job_id: int):
    return _progress(request, "console", job_id)


@requires(REPORTS_EXPORT)
@require_GET
def export_download(request, job_id: int):
    return _download(request, job_id)


@requires(REPORTS_EXPORT)
@require_GET
def export_list(request):
    return _mine(request, "console")


# --- storefront (dealer staff: their own company's orders) -------------------------------------------------------

@requires(ORDERS_VIEW_OWN)
@require_POST
def my_export_start(request):
    return _start(request, "storefront")


@requires(ORDERS_VIEW_OWN)
@require_POST
def my_export_report_start(request):
    return _start_report(request, "storefront")


@requires(ORDERS_VIEW_OWN)
@require_GET
def my_export_job(request, job_id: int):
    return _job_page(request, "storefront", job_id)


@requires(ORDERS_VIEW_OWN)
@require_GET
def my_export_progress(request, job_id: int):
    return _progress(request, "storefront", job_id)


@requires(ORDERS_VIEW_OWN)
@require_GET
def my_export_download(request, job_id: int):
    return _download(request, job_id)


@requires(ORDERS_VIEW_OWN)
@require_GET
def my_export_list(request):
    return _mine(request, "storefront")


console_urls: list = [
    path("exports/", export_list, name="exports"),
    path("exports/start/", export_start, name="export-start"),
    path("exports/report/", export_report_start, name="export-report-start"),
    path("exports/<int:job_id>/", export_job, name="export-job"),
    path("exports/<int:job_id>/progress/", export_progress, name="export-progress"),
    path("exports/<int:job_id>/download/", export_download, name="export-download"),
]
storefront_urls: list = [
    path("exports/", my_export_list, name="exports"),
    path("exports/start/", my_export_start, name="export-start"),
    path("exports/report/", my_export_report_start, name="export-report-start"),
    path("exports/<int:job_id>/", my_export_job, name="export-job"),
    path("exports/<int:job_id>/progress/", my_export_progress, name="export-progress"),
    path("exports/<int:job_id>/download/", my_export_download, name="export-download"),
]
