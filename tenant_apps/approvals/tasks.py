from celery import shared_task


@shared_task(name="approvals.tasks.approvals_escalate_due", ignore_result=True)
def approvals_escalate_due(now: str | None = None) -> int:
    """Periodic, in each tenant's schema (tenants.tasks.for_each_tenant): escalate or auto-approve the
    approval steps past their due time. Idempotent: a step is handled once. `now` (ISO 8601) for tests."""
    from django.utils.dateparse import parse_datetime

    from tenant_apps.approvals.services import approvals_escalate_due as escalate

    return escalate(now=parse_datetime(now) if now else None)
