"""events' tasks: thin, in the schema they were sent from (tenants.tasks.for_each_tenant for the periodic one)."""

from celery import shared_task


@shared_task(name="events.tasks.outbox_relay", ignore_result=True)
def outbox_relay() -> int:
    """Relay the committed events to their consumers (after each commit that wrote one, and every minute)."""
    from tenant_apps.events.services import outbox_relay_all

    return outbox_relay_all()
