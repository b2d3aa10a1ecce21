"""webhooks' tasks: thin, in the schema they were sent from (tenants.tasks.for_each_tenant every minute)."""

from celery import shared_task


@shared_task(name="webhooks.tasks.webhooks_deliver_due", ignore_result=True)
def webhooks_deliver_due() -> int:
    """Send the webhook deliveries that are due (new ones, and retries whose wait is over)."""
    from tenant_apps.webhooks.services import webhook_deliver_due

    total = 0
    while count := webhook_deliver_due():
        total += count
        if count < 100:
            break
    return total
