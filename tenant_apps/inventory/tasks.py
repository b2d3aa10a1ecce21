from celery import shared_task


@shared_task(name="inventory.tasks.low_stock_scan", ignore_result=True)
def low_stock_scan() -> dict:
    """In each tenant's schema (see tenants.tasks.for_each_tenant): raise and resolve low-stock alerts."""
    from tenant_apps.inventory.services import low_stock_scan as scan

    return scan()
