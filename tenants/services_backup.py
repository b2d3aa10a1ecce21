"""Per-tenant backups: make one (`tenant_backup`), the scheduled ones with their retention (`tenant_backups_due`,
`tenant_backups_prune`), and restores into a new tenant (`tenant_backup_restore_new`) or over the tenant it was
made of (`tenant_backup_restore_over`, confirmed by typing its subdomain). The archive's format is tenants.backups;
docs/dev/backups.md says how to use them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import default_storage, storages
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from billing_saas import services as billing_services
from billing_saas.models import InvoiceRequest, Plan, PrepaidPayment, Subscription, SubscriptionChange, Usage
from tenants import backups, schemas
from tenants.errors import BackupRefused, TenantInvalid
from tenants.history import actor_label, tenant_history_record
from tenants.models import Domain, Tenant, TenantBackup, TenantStatus, TenantStatusChange, branding_storage, tenant_host

logger = logging.getLogger(__name__)

SUFFIX = ".dmsbak.zip"
DUE_LOCK = 0x646D7362  # pg_advisory_lock key of the scheduled run ("dmsb")


def backup_storage():
    return storages["backups"]


def _public_rows(tenant: Tenant) -> tuple[bytes, dict]:
    """The tenant's rows of the public schema, as Django's JSON serialisation, and their counts per model."""
    subscription = Subscription.objects.filter(tenant=tenant)
    querysets = [
        Tenant.objects.filter(pk=tenant.pk),
        Domain.objects.filter(tenant=tenant),
        subscription,
        SubscriptionChange.objects.filter(subscription__in=subscription),
        PrepaidPayment.objects.filter(subscription__in=subscription),
        InvoiceRequest.objects.filter(subscription__in=subscription),
        Usage.objects.filter(tenant=tenant),
        TenantStatusChange.objects.filter(tenant=tenant),
    ]
    objects = [obj for queryset in querysets for obj in queryset.order_by("pk")]
    counts = {queryset.model._meta.label_lower: queryset.count() for queryset in querysets}
    return serializers.serialize("json", objects, indent=1).encode(), counts


def _tenant_info(tenant: Tenant) -> dict:
    plan = Plan.objects.filter(subscriptions__tenant=tenant).first() or tenant.plan
    return {"slug": tenant.slug, "name": tenant.name, "display_name": tenant.display_name,
            "primary_colour": tenant.primary_colour, "default_locale": tenant.default_locale,
            "default_currency": tenant.default_currency, "plan": plan.code if plan else "",
            "logo": tenant.logo.name or ""}


def tenant_backup(*, actor, tenant: Tenant, scheduled: bool = False) -> TenantBackup:
    """Back up a tenant: its schema (every table, read at one instant), its public rows and its files, into one
    signed archive in the backups storage. Returns the record of it."""
    connection.set_schema_to_public()
    schema_name = tenant.schema_name
    version = schemas.schema_version(schema_name)
    created = timezone.now()
    name = f"{schema_name}/{schema_name}-{created:%Y%m%dT%H%M%S%fZ}{SUFFIX}"
    with tempfile.TemporaryFile(dir=_scratch()) as scratch:
        with transaction.atomic():
            if len(connection.atomic_blocks) == 1:
                # one snapshot for every table (inside a caller's transaction, e.g. a test, its own snapshot holds)
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            public_json, public_counts = _public_rows(tenant)
            with schema_context(schema_name):
                media = default_storage
                manifest = backups.archive_write(
                    scratch, schema_name=schema_name, version=version, tenant_info=_tenant_info(tenant),
                    public_json=public_json, public_counts=public_counts, media=media,
                    logo=(tenant.logo.name, branding_storage) if tenant.logo.name else None)
        size = scratch.tell()
        scratch.seek(0)
        digest = _sha256(scratch)
        scratch.seek(0)
        stored = backup_storage().save(name, File(scratch, name=Path(name).name))
    summary = {"rows": {table: entry["rows"] for table, entry in manifest["tables"].items()},
               "files": len(manifest["files"])}
    with transaction.atomic():
        record = TenantBackup.objects.create(
            tenant=tenant, schema_name=schema_name, slug=tenant.slug, storage_name=stored, size=size, sha256=digest,
            version=version or "", scheduled=scheduled, summary=summary, created_at=created)
        tenant_history_record(actor=actor, tenant=tenant, action="tenants.tenant.backed_up", reason=stored)
    logger.info("tenants.tenant.backed_up",
                extra={"schema": schema_name, "size": size, "actor": actor_label(actor), "scheduled": scheduled})
    return record


def _scratch() -> str | None:
    """Where the archive is written before it goes to the storage: BACKUP_SCRATCH_DIR, else the system's temp."""
    if not settings.BACKUP_SCRATCH_DIR:
        return None
    Path(settings.BACKUP_SCRATCH_DIR).mkdir(parents=True, exist_ok=True)
    return str(settings.BACKUP_SCRATCH_DIR)


def _sha256(file) -> str:
    digest = hashlib.sha256()
    while chunk := file.read(backups.CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _keep_daily(tenant: Tenant) -> int:
    plan = Plan.objects.filter(subscriptions__tenant=tenant).first() or tenant.plan
    if plan is None:
        plan = Plan.objects.filter(is_default=True).first()
    return plan.backup_keep_daily if plan is not None else 7


def tenant_backups_prune(*, tenant: Tenant) -> list[str]:
    """Retention: keep the newest backup of each of the tenant's last N days with a backup (N: its plan's
    `backup_keep_daily`); delete the others, file and record. Returns the storage names deleted."""
    keep = _keep_daily(tenant)
    days_kept: set = set()
    deleted = []
    for record in TenantBackup.objects.filter(tenant=tenant).order_by("-created_at", "-id"):
        day = timezone.localdate(record.created_at)
        if day not in days_kept and len(days_kept) < keep:
            days_kept.add(day)
            continue
        backup_storage().delete(record.storage_name)
        record.delete()
        deleted.append(record.storage_name)
    if deleted:
        logger.info("tenant backups pruned", extra={"schema": tenant.schema_name, "deleted": len(deleted)})
    return deleted


def tenants_backup_due(*, now=None) -> tuple[list[str], list[str]]:
    """The scheduled run: back up every active or suspended tenant whose newest backup is older than
    BACKUP_DUE_HOURS, then apply its retention. One tenant's failure is logged and the others go on.
    Returns (schemas backed up, schemas that failed)."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.BACKUP_DUE_HOURS)
    connection.set_schema_to_public()
    with connection.cursor() as cursor:  # the beat task and a CronJob may both run it: one at a time
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [DUE_LOCK])
        if not cursor.fetchone()[0]:
            logger.info("tenant backups: another run is in progress")
            return [], []
    try:
        return _backup_due(cutoff)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [DUE_LOCK])


def _backup_due(cutoff) -> tuple[list[str], list[str]]:
    due = list(Tenant.objects.filter(status__in=[TenantStatus.ACTIVE, TenantStatus.SUSPENDED])
               .exclude(backups__created_at__gt=cutoff).order_by("pk"))
    done, failed = [], []
    for tenant in due:
        try:
            tenant_backup(actor="system", tenant=tenant, scheduled=True)
            tenant_backups_prune(tenant=tenant)
        except Exception:  # one tenant's failure is reported; the fleet goes on
            logger.exception("tenant backup failed", extra={"schema": tenant.schema_name})
            failed.append(tenant.schema_name)
        else:
            done.append(tenant.schema_name)
        finally:
            connection.set_schema_to_public()
    return done, failed


# --- restore ---------------------------------------------------------------------------------------------------

def backup_open(source: str):
    """An archive by its name in the backups storage, or a local file's path (an archive brought from elsewhere)."""
    storage = backup_storage()
    if TenantBackup.objects.filter(storage_name=source).exists():
        return storage.open(source, "rb")
    path = Path(source)
    if path.is_absolute() and path.is_file():
        return path.open("rb")
    try:
        if storage.exists(source):
            return storage.open(source, "rb")
    except SuspiciousFileOperation:
        pass
    if path.is_file():
        return path.open("rb")
    raise BackupRefused(_("No backup %(name)s.") % {"name": source}, fields={"source": [_("Not found.")]})


def _opened(source):
    try:
        return backups.archive_open(source)
    except backups.ArchiveRefused as refused:
        raise BackupRefused(_("This archive cannot be restored: %(reason)s.") % {"reason": refused}) from None


def _version_check(manifest: dict) -> None:
    code = schemas.code_version()
    if manifest.get("version") != code:
        raise BackupRefused(
            _("The backup was made at tenant migration version %(archive)s and this release is at %(code)s: restore "
              "it with the release that made it, then migrate.")
            % {"archive": manifest.get("version"), "code": code})


def _files_restore(archive, manifest: dict, *, schema_name: str) -> list[str]:
    """Write the archive's files into the tenant's media folder, each under its own name (replacing a file of that
    name). Returns the names written."""
    written = []
    with schema_context(schema_name):
        for path in sorted(manifest["files"]):
            if default_storage.exists(path):
                default_storage.delete(path)
            with archive.open(f"files/{path}") as member:
                saved = default_storage.save(path, File(member, name=Path(path).name))
            if saved != path:
                raise BackupRefused(_("The file %(name)s could not be restored under its name.") % {"name": path})
            written.append(path)
    return written


def _files_remove(names: list[str], *, schema_name: str) -> None:
    with schema_context(schema_name):
        for name in names:
            default_storage.delete(name)


def _tenant_fields(manifest: dict) -> dict:
    """The archived tenant's presentation, checked as provisioning checks it (the archive is input, signed or not)."""
    from tenants.services import provision_field_errors

    info = manifest.get("tenant") or {}
    fields = {key: str(info.get(key) or "") for key in
              ("name", "display_name", "primary_colour", "default_locale", "default_currency")}
    errors = provision_field_errors(name=fields["name"], slug="x-placeholder-slug", locale=fields["default_locale"],
                                    currency=fields["default_currency"], owner=None)
    errors.pop("slug", None)
    if errors or len(fields["display_name"]) > 200 or not re.match(r"^#[0-9A-Fa-f]{6}$", fields["primary_colour"]):
        raise BackupRefused(_("The archive's workspace details are not valid."))
    return fields


def tenant_backup_restore_new(*, actor, source: str, slug: str, name: str = "") -> Tenant:
    """Restore a backup into a new tenant with its own subdomain (and schema): the schema comes from the warm pool
    or a clone of the template (same migrations as the archive's, or refused), its tables are replaced by the
    archive's and checked table by table, its files written under the new schema. The new tenant starts a trial of
    the archived plan (billing is never copied: the original may still be billed). All or nothing."""
    from tenants.services import _acquire_schema, schedule_pool_refill, slug_errors

    slug = (slug or "").strip().lower()
    problems = slug_errors(slug)
    if problems:
        raise TenantInvalid(_("The workspace could not be created."), fields={"slug": problems})
    with backup_open(source) as file:
        archive, manifest = _opened(file)
        _version_check(manifest)
        fields = _tenant_fields(manifest)
        if name.strip():
            fields["name"] = name.strip()[:200]
        plan = Plan.objects.filter(code=(manifest.get("tenant") or {}).get("plan", "")).first()
        schema_name = schemas.tenant_schema_name(slug)
        connection.set_schema_to_public()
        written: list[str] = []
        try:
            with transaction.atomic():
                used = _acquire_schema(schema_name, method="auto")
                backups.tables_load(archive, manifest, schema_name=schema_name)
                connection.search_path_forget()
                tenant = Tenant.objects.create(slug=slug, schema_name=schema_name, status_changed_at=timezone.now(),
                                               provisioned_by=used, **fields)
                Domain.objects.create(domain=tenant_host(slug), tenant=tenant, is_primary=True)
                tenant_history_record(actor=actor, tenant=tenant, action="tenants.tenant.restored_from_backup",
                                      from_status="", reason=f"{manifest['schema']} {source}")
                billing_services.subscription_start(actor=actor, tenant=tenant, plan=plan,
                                                    currency=fields["default_currency"])
                written = _files_restore(archive, manifest, schema_name=schema_name)
                logo = _logo_restore(archive, manifest, tenant=tenant)
                if logo:
                    tenant.logo.name = logo
                    tenant.save(update_fields=["logo", "updated_at"])
                transaction.on_commit(schedule_pool_refill)
        except backups.ArchiveRefused as refused:
            _files_remove(written, schema_name=schema_name)
            raise BackupRefused(_("This archive cannot be restored: %(reason)s.") % {"reason": refused}) from None
        except BaseException:
            _files_remove(written, schema_name=schema_name)
            raise
        finally:
            connection.set_schema_to_public()
    logger.info("tenants.tenant.restored_from_backup",
                extra={"schema": schema_name, "from": manifest["schema"], "actor": actor_label(actor)})
    return tenant


def _logo_restore(archive, manifest: dict, *, tenant: Tenant) -> str:
    for filename in manifest["branding"]:
        target = f"branding/{tenant.schema_name}/{filename}"
        with archive.open(f"branding/{filename}") as member:
            return branding_storage.save(target, File(member, name=filename))
    return ""


def tenant_backup_restore_over(*, actor, source: str, tenant: Tenant, confirm_slug: str) -> Tenant:
    """Put a tenant back as its backup was: every table of its schema replaced by the archive's and its files
    written back; files made since the backup are removed. Irreversible: the operator types the subdomain again,
    the archive must be this tenant's, of this release's migrations, and the schema must be migrated to them.
    The public rows (domains, subscription) stay as they are: they are newer than the backup."""
    if confirm_slug != tenant.slug:
        raise TenantInvalid(_("Type the subdomain to confirm."), fields={"confirm_slug": [_("Does not match.")]})
    with backup_open(source) as file:
        archive, manifest = _opened(file)
        _version_check(manifest)
        if (manifest.get("tenant") or {}).get("slug") != tenant.slug or manifest.get("schema") != tenant.schema_name:
            raise BackupRefused(_("This backup is of another workspace (%(slug)s); restore it into a new one.")
                                % {"slug": (manifest.get("tenant") or {}).get("slug")})
        if schemas.schema_version(tenant.schema_name) != schemas.code_version():
            raise BackupRefused(_("The workspace's schema is not migrated to this release: run platform_migrate "
                                  "first."))
        connection.set_schema_to_public()
        with schema_context(tenant.schema_name):
            before = set(backups.storage_walk(default_storage))
        try:
            with transaction.atomic():
                locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
                backups.tables_load(archive, manifest, schema_name=tenant.schema_name)
                connection.search_path_forget()
                _files_restore(archive, manifest, schema_name=tenant.schema_name)
                tenant_history_record(actor=actor, tenant=locked, action="tenants.tenant.backup_restored_over",
                                      reason=source)
        except backups.ArchiveRefused as refused:
            raise BackupRefused(_("This archive cannot be restored: %(reason)s.") % {"reason": refused}) from None
        finally:
            connection.set_schema_to_public()
    _files_remove(sorted(before - set(manifest["files"])), schema_name=tenant.schema_name)
    logger.info("tenants.tenant.backup_restored_over", extra={"schema": tenant.schema_name,
                                                              "actor": actor_label(actor)})
    return locked


def backup_payload(*, source: str) -> dict:
    """The manifest of a checked archive (for `tenant_backup --verify`)."""
    with backup_open(source) as file:
        _archive, manifest = _opened(file)
    return json.loads(json.dumps(manifest))
