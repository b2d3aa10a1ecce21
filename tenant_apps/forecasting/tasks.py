"""forecasting's tasks: thin and idempotent, run in the schema they were sent from (tenants.tasks.for_each_tenant
for the weekly one)."""

from celery import shared_task


@shared_task(name="forecasting.tasks.forecasts_train", ignore_result=True)
def forecasts_train(horizon_weeks: int = 8) -> dict:
    """Weekly, in each tenant's schema (and on the console's "train now"): train the forecasts as of this week.
    Idempotent: a second run replaces the rows with the same ones."""
    from tenant_apps.forecasting.services import forecasts_train as train

    return train(horizon_weeks=horizon_weeks)
