"""Exports' writes: a job asked for (`export_start` for a list's rows, `export_report_start` for a report), the
job run by a task (`export_run`), expired files removed (`exports_purge_expired`).

A job keeps the filters as the list page's query parameters (or the report's spec as JSON) and validates them
again when it runs, in the requester's scope at that time: a filter that no longer names anything they may see
fails the job with a message. Rows are read in chunks (a server-side cursor) and written to a temporary file as
they come (CSV, or XLSX in openpyxl's write-only mode); the progress is saved after each chunk, outside any
transaction, so that the job page sees it move.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Mapping
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tenant_apps.accounts.permissions import (
    ORDERS_VIEW_OWN,
    REPORTS_EXPORT,
    REPORTS_VIEW_OWN,
    Scope,
    has_perm,
    scope_of,
)
from tenant_apps.audit.services import audit_record
from tenant_apps.core.errors import plain_message
from tenant_apps.reporting.cube import ReportError, ReportSpec, spec_errors
from tenant_apps.reporting.exports.errors import ExportForbidden, ExportInvalid
from tenant_apps.reporting.exports.forms import filter_params, filters_check
from tenant_apps.reporting.exports.selectors import TABLES
from tenant_apps.reporting.exports.spec import spec_from_json, spec_to_json
from tenant_apps.reporting.models import ExportFormat, ExportJob, ExportKind, ExportStatus
from tenant_apps.reporting.selectors import report_run
from tenant_apps.reporting.writers import report_csv, report_xlsx, table_csv_write, table_xlsx_write

logger = logging.getLogger(__name__)

EXPIRES_AFTER = timedelta(days=7)
CHUNK = 500  # rows read per query and per progress update


def export_allowed(user, kind: str) -> bool:
    """Brand staff with the export capability: every kind, in their scope. Dealer staff: their own company's
    orders and order lines (orders.view_own), its reports (reports.view_own)."""
    if scope_of(user) == Scope.OWN_DEALER:
        if kind in (ExportKind.ORDERS, ExportKind.ORDER_LINES):
            return has_perm(user, ORDERS_VIEW_OWN) or has_perm(user, REPORTS_VIEW_OWN)
        return kind == ExportKind.REPORT and has_perm(user, REPORTS_VIEW_OWN)
    return has_perm(user, REPORTS_EXPORT)


def _check(actor, kind: str, fmt: str) -> None:
    errors = {}
    if kind not in ExportKind.values:
        errors["kind"] = [_("Choose what to export from the list.")]
    if fmt not in ExportFormat.values:
        errors["fmt"] = [_("Choose CSV or XLSX.")]
    if errors:
        raise ExportInvalid(_("This export cannot be made."), fields=errors)
    if not export_allowed(actor, kind):
        raise ExportForbidden(_("You may not export this."))


def export_start(*, actor, kind: str, fmt: str, filters: Mapping) -> ExportJob:
    """Ask for an export of a list (orders, order_lines, shipments, returns) with the list page's filters (its query
    parameters, a QueryDict or dict). Bad filters: ExportInvalid with the field errors, and no job."""
    _check(actor, kind, fmt)
    if kind == ExportKind.REPORT:
        raise ExportInvalid(_("This export cannot be made."), fields={"kind": [_("Export a report from its page.")]})
    params = filter_params(kind, filters)
    valid, _cleaned, errors = filters_check(actor=actor, kind=kind, params=params)
    if not valid:
        raise ExportInvalid(_("Check the filters."), fields=errors)
    return _job_create(actor=actor, kind=kind, fmt=fmt, filters=params)


def export_report_start(*, actor, spec: ReportSpec, fmt: str) -> ExportJob:
    """Ask for an export of a report (the spec a page shows): the same job, file and download as a list's."""
    _check(actor, ExportKind.REPORT, fmt)
    errors = spec_errors(spec)
    if errors:
        raise ExportInvalid(_("This report cannot be exported."), fields=errors)
    return _job_create(actor=actor, kind=ExportKind.REPORT, fmt=fmt, filters=spec_to_json(spec))


@transaction.atomic
def _job_create(*, actor, kind: str, fmt: str, filters: dict) -> ExportJob:
    # the language the requester reads now (a request: their own preference, else their browser's)
    language = translation.get_language() or actor.preferred_language or settings.LANGUAGE_CODE
    now = timezone.now()
    job = ExportJob.objects.create(requested_by=actor, kind=kind, fmt=fmt, filters=filters, language=language,
                                   created_at=now, expires_at=now + EXPIRES_AFTER)
    audit_record(actor=actor, action="reporting.export.requested", target=job,
                 after={"kind": kind, "fmt": fmt, "filters": filters})
    job_id, tenant = job.pk, connection.tenant  # the task runs in this tenant's schema, wherever the callback runs

    def send():
        from django_tenants.utils import tenant_context

        from tenant_apps.reporting.tasks import export_run as task

        with tenant_context(tenant):
            task.delay(job_id)

    # robust: a broker that cannot be reached leaves the job waiting (and the page saying so), not a 500
    transaction.on_commit(send, robust=True)
    return job


def export_run(*, job_id: int) -> ExportJob | None:
    """Write the file of a waiting job (the task's body). Idempotent: only a waiting job is taken (a conditional
    update), so a message delivered twice writes once. Ends done, or failed with a message for its requester."""
    now = timezone.now()
    taken = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=now)
    job = ExportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if not taken or job is None:
        return job
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            _write(job)
    except (ExportInvalid, ExportForbidden) as error:
        message = " ".join(filter(None, [str(error.detail), plain_message(error.fields) if error.fields else ""]))
        return _fail(job, message)
    except ReportError as error:
        return _fail(job, plain_message(error.errors))
    except Exception:  # noqa: BLE001 - a job's boundary: whatever broke, the job ends failed, not running forever
        logger.exception("export failed", extra={"export_job": job.pk, "kind": job.kind})
        return _fail(job, _("The file could not be written. Try again; if it fails again, tell us."))
    return job


def _fail(job: ExportJob, message: str) -> ExportJob:
    job.status, job.error, job.finished_at = ExportStatus.FAILED, message[:2000], timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(status=job.status, error=job.error, finished_at=job.finished_at)
    return job


def _progress(job: ExportJob, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    ExportJob.objects.filter(pk=job.pk).update(**fields)


def _write(job: ExportJob) -> None:
    actor = job.requested_by
    if not actor.is_active or not export_allowed(actor, job.kind):
        raise ExportForbidden(_("You may no longer export this."))
    sheet = str(ExportKind(job.kind).label)
    if job.kind == ExportKind.REPORT:
        report = report_run(actor=actor, spec=spec_from_json(job.filters))
        _progress(job, rows_total=len(report.rows) + 1)
        content = report_xlsx(report, sheet=sheet) if job.fmt == ExportFormat.XLSX else report_csv(report)
        job.file.save("report", ContentFile(content), save=False)
    else:
        valid, cleaned, errors = filters_check(actor=actor, kind=job.kind, params=job.filters)
        if not valid:
            raise ExportInvalid(_("The filters no longer fit what you may see."), fields=errors)
        table = TABLES[job.kind](actor=actor, filters=cleaned)
        _progress(job, rows_total=table.rows.count())
        with tempfile.TemporaryFile() as out:
            if job.fmt == ExportFormat.XLSX:
                table_xlsx_write(out, table.header, _rows(job, table), sheet=sheet)
            else:
                table_csv_write(out, table.header, _rows(job, table))
            out.seek(0)
            job.file.save("export", File(out), save=False)
    job.status, job.finished_at, job.error = ExportStatus.DONE, timezone.now(), ""
    job.rows_done = job.rows_total or 0
    ExportJob.objects.filter(pk=job.pk).update(status=job.status, finished_at=job.finished_at, file=job.file.name,
                                               rows_done=job.rows_done, error="")


def _rows(job: ExportJob, table):
    done = 0
    for item in table.rows.iterator(chunk_size=CHUNK):
        yield table.row(item)
        done += 1
        if done % CHUNK == 0:
            _progress(job, rows_done=done)


def exports_purge_expired(*, now=None) -> int:
    """Delete the files and rows of exports past their expiry (daily, in each tenant). Returns how many."""
    now = now or timezone.now()
    expired = list(ExportJob.objects.filter(expires_at__lte=now))
    for job in expired:
        if job.file:
            job.file.delete(save=False)
    ExportJob.objects.filter(pk__in=[job.pk for job in expired]).delete()
    return len(expired)
