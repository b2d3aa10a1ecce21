from celery import shared_task


@shared_task(name="tenants.tasks.tenant_pool_refill", ignore_result=True)
def tenant_pool_refill() -> int:
    """Top up the warm pool of ready schemas. Idempotent: fills only what is missing."""
    from tenants.services import tenant_pool_fill

    return tenant_pool_fill()


@shared_task(name="tenants.tasks.tenant_export", ignore_result=True)
def tenant_export(schema_name: str) -> str:
    """Export a (deleted) tenant's data before its schema is purged."""
    from tenants.services import tenant_export as export

    return export(schema_name=schema_name)


@shared_task(name="tenants.tasks.tenants_purge_due", ignore_result=True)
def tenants_purge_due() -> list[str]:
    """Daily: drop the schemas of deleted tenants whose grace period is over (exported first)."""
    from tenants.services import tenants_purge_due as purge

    return purge()


@shared_task(name="tenants.tasks.for_each_tenant", ignore_result=True)
def for_each_tenant(task_name: str) -> int:
    """Run a tenant task once in every active tenant's schema (the schema travels in the headers)."""
    from django_tenants.utils import tenant_context

    from dms.celery import app
    from tenants.models import Tenant, TenantStatus

    app.loader.import_default_modules()  # every app's tasks module is registered, in-process too
    count = 0
    for tenant in Tenant.objects.filter(status=TenantStatus.ACTIVE):
        with tenant_context(tenant):
            app.tasks[task_name].delay()
        count += 1
    return count


@shared_task(name="tenants.tasks.tenant_backups_due", ignore_result=True)
def tenant_backups_due() -> list[str]:
    """Hourly: back up the tenants whose last backup is older than BACKUP_DUE_HOURS, then prune each one's old
    backups to its plan's count. Does what `manage.py tenant_backup --due` does."""
    from tenants.services_backup import tenants_backup_due

    done, _failed = tenants_backup_due()
    return done


@shared_task(name="tenants.tasks.tenant_backup", ignore_result=True)
def tenant_backup(tenant_id: int, actor: str) -> str:
    """Back one tenant up now (asked for by an operator on the console); `actor` is who asked. A tenant purged
    since is skipped. Returns the archive's name in the backups storage ("" when skipped)."""
    from tenants.models import Tenant
    from tenants.services_backup import tenant_backup as backup

    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return ""
    return backup(actor=actor, tenant=tenant).storage_name


@shared_task(name="tenants.tasks.workspace_export_run", ignore_result=True)
def workspace_export_run(export_id: int) -> None:
    """Write a brand's export of its whole workspace (asked for in the console). Idempotent."""
    from tenants.services_export import workspace_export_run as run

    run(export_id=export_id)


@shared_task(name="tenants.tasks.workspace_exports_purge_expired", ignore_result=True)
def workspace_exports_purge_expired() -> int:
    """Daily: delete the workspace exports past their expiry."""
    from tenants.services_export import workspace_exports_purge_expired as purge

    return purge()


@shared_task(name="tenants.tasks.outbox_lag_sample", ignore_result=True)
def outbox_lag_sample() -> float:
    """Every minute (beat): the oldest unrelayed outbox event's age over every tenant, kept for /internal/metrics."""
    from dms.metrics import outbox_lag_record
    from tenants.selectors_fleet import outbox_lag_seconds

    seconds = outbox_lag_seconds()
    outbox_lag_record(seconds)
    return seconds
