from celery import shared_task


@shared_task(name="recommendations.tasks.recommendations_compute", ignore_result=True)
def recommendations_compute() -> dict:
    """Daily, in each tenant's schema: recompute the pair scores and the popularity per region x tier."""
    from tenant_apps.recommendations.services import recommendations_compute as compute

    return compute()
