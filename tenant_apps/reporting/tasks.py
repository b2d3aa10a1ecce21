"""reporting's tasks: thin and idempotent, run in the schema they were sent from (tenant-schemas-celery puts it in
the message headers; tenants.tasks.for_each_tenant for the periodic ones)."""

from celery import shared_task


@shared_task(name="reporting.tasks.rollups_refresh", ignore_result=True)
def rollups_refresh() -> int:
    """Every minute: bring the sales rollups up to date (the days changed since the last refresh)."""
    from tenant_apps.reporting.services import rollups_refresh as refresh

    return refresh().last_days


@shared_task(name="reporting.tasks.rollups_recompute_recent", ignore_result=True)
def rollups_recompute_recent() -> None:
    """Nightly: recompute the last weeks whatever the watermark says."""
    from tenant_apps.reporting.services import rollups_recompute_recent as recompute

    recompute()


@shared_task(name="reporting.tasks.export_run", ignore_result=True)
def export_run(job_id: int) -> str:
    """Write one export's file (sent after the job's commit; exports.services.export_run)."""
    from tenant_apps.reporting.exports.services import export_run as run

    job = run(job_id=job_id)
    return job.status if job is not None else "missing"


@shared_task(name="reporting.tasks.exports_purge_expired", ignore_result=True)
def exports_purge_expired() -> int:
    """Daily, in each tenant: remove exports past their expiry (their files too)."""
    from tenant_apps.reporting.exports.services import exports_purge_expired as purge

    return purge()


# --- the report builder's scheduled mail ---------------------------------------------------------------------


@shared_task(name="reporting.tasks.report_schedules_send", ignore_result=True)
def report_schedules_send(now: str | None = None) -> int:
    """Every 15 minutes, in each tenant's schema (tenants.tasks.for_each_tenant): mail the saved reports whose
    schedule is due. Idempotent: each run of a schedule is mailed once. `now` (ISO 8601) for tests."""
    from django.utils.dateparse import parse_datetime

    from tenant_apps.reporting.builder.services import schedules_send_due

    return schedules_send_due(now=parse_datetime(now) if now else None)
