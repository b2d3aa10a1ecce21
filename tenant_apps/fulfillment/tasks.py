from celery import shared_task


@shared_task(name="fulfillment.tasks.orders_auto_complete", ignore_result=True)
def orders_auto_complete() -> int:
    """In each tenant's schema (see tenants.tasks.for_each_tenant): complete delivered orders nobody
    confirmed within OrderingSettings.auto_complete_days. Idempotent."""
    from tenant_apps.fulfillment.services import orders_auto_complete as complete

    return complete()
