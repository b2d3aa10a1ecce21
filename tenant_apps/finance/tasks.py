"""finance's tasks: thin wrappers over services; idempotent; run in a tenant's schema
(tenants.tasks.for_each_tenant)."""

from celery import shared_task


@shared_task(name="finance.tasks.receivable_reminders", ignore_result=True)
def receivable_reminders() -> int:
    """Daily, in each tenant's schema: remind dealers of receivables coming due and overdue (once per item and
    step)."""
    from tenant_apps.finance.services_receivables import receivable_reminders_send

    return receivable_reminders_send()
