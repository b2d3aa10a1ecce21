from celery import shared_task

# --- the report builder's scheduled mail ---------------------------------------------------------------------


@shared_task(name="reporting.tasks.report_schedules_send", ignore_result=True)
def report_schedules_send(now: str | None = None) -> int:
    """Every 15 minutes, in each tenant's schema (tenants.tasks.for_each_tenant): mail the saved reports whose
    schedule is due. Idempotent: each run of a schedule is mailed once. `now` (ISO 8601) for tests."""
    from django.utils.dateparse import parse_datetime

    from tenant_apps.reporting.builder.services import schedules_send_due

    return schedules_send_due(now=parse_datetime(now) if now else None)
