"""Billing's periodic work (thin wrappers over services; idempotent; run on the public schema)."""

from celery import shared_task


@shared_task(name="billing_saas.tasks.dunning_run", ignore_result=True)
def dunning_run() -> dict[str, int]:
    """Hourly: move the subscriptions whose time has come (trial over, period run out, grace periods)."""
    from billing_saas.services import dunning_run as run

    return run()
