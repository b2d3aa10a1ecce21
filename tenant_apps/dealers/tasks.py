from celery import shared_task


@shared_task(name="dealers.tasks.qualification_reminders", ignore_result=True)
def qualification_reminders() -> int:
    """Daily, in each tenant's schema: remind dealers of qualifications about to expire."""
    from django.utils import timezone

    from tenant_apps.dealers.services import qualification_reminders_send

    return qualification_reminders_send(today=timezone.localdate())
