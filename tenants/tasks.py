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
