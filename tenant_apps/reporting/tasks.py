"""Reporting's tasks, run in each tenant's schema (tenants.tasks.for_each_tenant, from the beat schedule): thin
wrappers of reporting.services."""

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
