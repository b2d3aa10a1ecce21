from celery import shared_task


@shared_task(name="tenants.tasks.tenant_pool_refill", ignore_result=True)
def tenant_pool_refill() -> int:
    """Top up the warm pool of ready schemas. Idempotent: fills only what is missing."""
    from tenants.services import tenant_pool_fill

    return tenant_pool_fill()
