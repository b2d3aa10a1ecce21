from celery import shared_task


@shared_task(name="accounts.tasks.mail_send", ignore_result=True)
def mail_send(*, subject: str, body: str, to: list[str], html: str | None = None) -> None:
    """Send one rendered message. Mail that answers an anonymous request (a reset link, the list of one's
    workspaces) goes through here, so that the request takes as long whether or not the address is known:
    with a broker the sending happens in a worker, after the answer (in-process without one)."""
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
