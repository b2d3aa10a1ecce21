from celery import shared_task


@shared_task(name="ordering.tasks.on_behalf_expire", ignore_result=True)
def on_behalf_expire() -> int:
    """In each tenant's schema (see tenants.tasks.for_each_tenant): cancel the orders placed on a dealer's behalf
    it has not confirmed within OrderingSettings.confirm_on_behalf_days, as a decline does. Idempotent."""
    from tenant_apps.ordering.on_behalf import orders_on_behalf_expire

    return orders_on_behalf_expire()
