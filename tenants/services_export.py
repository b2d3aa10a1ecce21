"""The brand's export of its whole workspace, asked for in the console: every business table of its schema as a CSV
file or an XLSX workbook (column headers as the fields' names in the requester's language), plus its uploaded files,
in one zip written by a task. Only owners and administrators (`workspace.export`) ask for one, only the one who
asked downloads it, and both are in the tenant's audit log. Secrets never leave: password hashes, key hashes,
authenticator and webhook secrets are left out.
"""

from __future__ import annotations

import json
import logging
import secrets
import tempfile
import zipfile
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from tenant_apps.accounts.permissions import WORKSPACE_EXPORT, has_perm
from tenant_apps.audit.services import audit_record
from tenant_apps.reporting.writers import table_csv_write, table_xlsx_write
from tenants.backups import CHUNK, storage_walk
from tenants.errors import ExportNotAllowed, TenantInvalid
from tenants.models import DataExportStatus, Tenant, TenantDataExport
from tenants.services_backup import backup_storage

logger = logging.getLogger(__name__)

FORMATS = ("csv", "xlsx")
SECRET_WORDS = ("password", "secret", "token", "_hash")
SKIPPED_MEDIA = ("exports/",)  # the reporting exports: copies of the tables, made on request and kept a week


def _exported_fields(model) -> list:
    return [field for field in model._meta.concrete_fields
            if not any(word in field.name for word in SECRET_WORDS)]


def business_models() -> list:
    """The models of the tenant apps (the brand's own data), in a fixed order."""
    found = []
    for config in apps.get_app_configs():
        if config.name.startswith("tenant_apps.") and config.name in settings.TENANT_APPS:
            found += [model for model in config.get_models() if model._meta.managed and not model._meta.proxy]
    return sorted(found, key=lambda model: model._meta.label_lower)


def workspace_export_start(*, actor, tenant: Tenant, fmt: str) -> TenantDataExport:
    """Ask for an export of the whole workspace; the file is written by a task after commit."""
    if not has_perm(actor, WORKSPACE_EXPORT):
        raise ExportNotAllowed(_("Only the workspace's owner or an administrator may export all its data."))
    if fmt not in FORMATS:
        raise TenantInvalid(_("This export cannot be made."), fields={"fmt": [_("Choose CSV or XLSX.")]})
    now = timezone.now()
    with transaction.atomic():
        export = TenantDataExport.objects.create(
            tenant=tenant, requested_by_id=actor.pk, requested_by_email=actor.email, fmt=fmt,
            language=translation.get_language() or "", created_at=now,
            expires_at=now + timedelta(days=settings.WORKSPACE_EXPORT_DAYS))
        audit_record(actor=actor, action="tenants.workspace.export_requested", target=export, after={"fmt": fmt})
        transaction.on_commit(lambda: _schedule(export.pk))
    return export


def _schedule(export_id: int) -> None:
    from tenants.tasks import workspace_export_run

    workspace_export_run.delay(export_id)


def workspace_export_run(*, export_id: int) -> TenantDataExport | None:
    """Write the zip of a waiting export (the task's body; run in the tenant's schema). Idempotent: only a waiting
    export is taken, by a conditional update."""
    taken = TenantDataExport.objects.filter(pk=export_id, status=DataExportStatus.QUEUED).update(
        status=DataExportStatus.RUNNING)
    export = TenantDataExport.objects.select_related("tenant").filter(pk=export_id).first()
    if not taken or export is None:
        return export
    try:
        with translation.override(export.language or settings.LANGUAGE_CODE), \
                schema_context(export.tenant.schema_name):
            name, size = _write(export)
    except Exception:  # noqa: BLE001 - a job's boundary: whatever broke, it ends failed, not running forever
        logger.exception("workspace export failed", extra={"export": export.pk})
        TenantDataExport.objects.filter(pk=export.pk).update(
            status=DataExportStatus.FAILED, finished_at=timezone.now(),
            error=_("The file could not be written. Try again; if it fails again, tell us."))
    else:
        TenantDataExport.objects.filter(pk=export.pk).update(
            status=DataExportStatus.DONE, finished_at=timezone.now(), storage_name=name, size=size)
    export.refresh_from_db()
    return export


def _cells(row) -> list:
    """JSON values (a breakdown, an address) as JSON text, not Python's repr."""
    return [json.dumps(cell, ensure_ascii=False, default=str) if isinstance(cell, dict | list) else cell
            for cell in row]


def _write(export: TenantDataExport) -> tuple[str, int]:
    schema_name = export.tenant.schema_name
    with tempfile.TemporaryFile() as out:
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for model in business_models():
                fields = _exported_fields(model)
                header = [capfirst(str(field.verbose_name)) for field in fields]
                rows = map(_cells, model.objects.order_by("pk").values_list(*[field.attname for field in fields])
                           .iterator(chunk_size=1000))
                meta = model._meta
                with archive.open(f"tables/{meta.app_label}/{meta.model_name}.{export.fmt}", "w",
                                  force_zip64=True) as member, tempfile.TemporaryFile() as sheet:
                    if export.fmt == "xlsx":
                        table_xlsx_write(sheet, header, rows, sheet=str(meta.verbose_name_plural))
                    else:
                        table_csv_write(sheet, header, rows)
                    sheet.seek(0)
                    while chunk := sheet.read(CHUNK):
                        member.write(chunk)
            for path in storage_walk(default_storage):
                if path.startswith(SKIPPED_MEDIA):
                    continue
                with default_storage.open(path, "rb") as source, \
                        archive.open(f"files/{path}", "w", force_zip64=True) as member:
                    while chunk := source.read(CHUNK):
                        member.write(chunk)
        size = out.tell()
        out.seek(0)
        name = f"workspace-exports/{schema_name}/{secrets.token_hex(16)}.zip"
        return backup_storage().save(name, File(out, name="export.zip")), size


def workspace_export_download(*, actor, tenant: Tenant, export_id: int):
    """The file of a finished export, for the one who asked for it (anyone else: None, a 404); recorded."""
    export = TenantDataExport.objects.filter(pk=export_id, tenant=tenant, requested_by_id=actor.pk,
                                             status=DataExportStatus.DONE, expires_at__gt=timezone.now()).first()
    if export is None or not has_perm(actor, WORKSPACE_EXPORT):
        return None, None
    audit_record(actor=actor, action="tenants.workspace.export_downloaded", target=export)
    return export, backup_storage().open(export.storage_name, "rb")


def workspace_exports_purge_expired(*, now=None) -> int:
    """Delete the files and records of exports past their expiry (daily)."""
    now = now or timezone.now()
    count = 0
    for export in TenantDataExport.objects.filter(expires_at__lte=now):
        if export.storage_name:
            backup_storage().delete(export.storage_name)
        export.delete()
        count += 1
    return count
