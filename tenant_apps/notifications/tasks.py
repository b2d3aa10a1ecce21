"""notifications' tasks: the external deliveries after each commit (and every minute, for retries and SMS held by
quiet hours), and the daily digest."""

from celery import shared_task


@shared_task(name="notifications.tasks.deliveries_send", ignore_result=True)
def deliveries_send() -> int:
    from tenant_apps.notifications.sending import deliveries_send as send

    return send()


@shared_task(name="notifications.tasks.digests_send", ignore_result=True)
def digests_send() -> int:
    from tenant_apps.notifications.sending import digests_send as send

    return send()
